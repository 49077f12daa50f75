"""The reports a run yields. Plain dataclasses of numbers, lists and numpy arrays: no tensors,
no widgets, so they cross threads and serialise to JSON freely."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class StartReport:
    plan: list[str]
    device: str
    parameters: int
    layers: list[str]                 # ids of the nodes whose gradients are watched, input side first
    activations: list[str]            # Activation node ids, input side first
    activation_fns: dict[str, str]
    epochs: int
    steps_per_epoch: int
    task: str
    class_names: list[str]
    event: str = "start"


@dataclass
class StepReport:
    epoch: int
    step: int                         # within the epoch, from 1
    global_step: int
    loss: float
    terms: dict[str, float]
    grad_norm: dict[str, float]       # layer id -> L2 norm of the gradient the optimizer used
    # sampled every few steps (empty dicts between samples):
    grad_mean_abs: dict[str, float] = field(default_factory=dict)
    weight_norm: dict[str, float] = field(default_factory=dict)
    update_ratio: dict[str, float] = field(default_factory=dict)
    act_mean: dict[str, float] = field(default_factory=dict)
    saturated: dict[str, float] = field(default_factory=dict)   # sigmoid/tanh ids
    dead: dict[str, float] = field(default_factory=dict)        # relu ids
    histograms: dict[str, Any] = field(default_factory=dict)    # id -> {"weight": arr, "grad": arr}
    # the norms before gradient clipping (the same values as grad_norm when nothing is clipped)
    grad_norm_raw: dict[str, float] = field(default_factory=dict)
    event: str = "step"


@dataclass
class EpochReport:
    phase: str
    epoch: int
    train: dict[str, Any]
    val: dict[str, Any]
    grad_norm: dict[str, float]       # averaged over the epoch's steps, as used (after clipping)
    seconds: float
    grad_norm_raw: dict[str, float] = field(default_factory=dict)    # before clipping
    event: str = "epoch"


@dataclass
class DoneReport:
    reason: str                       # completed | early_stopped | stopped | diverged
    message: str = ""
    node: str | None = None
    epochs_run: int = 0
    best_epoch: int | None = None
    test: dict[str, Any] = field(default_factory=dict)
    baseline: dict[str, Any] = field(default_factory=dict)
    class_names: list[str] = field(default_factory=list)
    seconds: float = 0.0
    event: str = "done"


@dataclass
class ErrorReport:
    message: str
    node: str | None = None
    event: str = "error"


Report = StartReport | StepReport | EpochReport | DoneReport | ErrorReport


def to_json_dict(report: Report) -> dict[str, Any]:
    """A JSON-safe dict: NaN and infinities become null (JSON has no spelling for them)."""
    d = asdict(report)
    d.pop("histograms", None)
    return _clean(d)


def _clean(v: Any) -> Any:
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    if hasattr(v, "tolist"):
        return _clean(v.tolist())
    return v
