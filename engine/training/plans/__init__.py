"""Training plans: how a graph's parameters are learnt, one file per way of training.

The shared loop (engine/training/loop.py) owns what every plan needs: the control gate,
batching and shuffling, phases, the NaN/Inf check and where it started, gradient clipping,
telemetry, early stopping and the reports. A plan declares only

- `phases()`: the phases it runs, in order (a name, how many epochs, which optimizer);
- `optimizers()`: its optimizers by name;
- `updates(phase, x, y)`: for one batch, the parameter updates to make, each an `Update` with
  the loss to minimise; the loop runs backward, checks, clips and steps the optimizer, then asks
  the plan for the next update of the batch (so a plan may update one network, then another);
- how to score the model (`evaluate`, `final_figures`) and any running epoch figure of its own.

A plan never touches telemetry. Blocks name the plan they need (`Block.plan`); a graph whose
blocks name none trains with the supervised plan.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import torch

from engine.errors import GraphError


@dataclass(frozen=True)
class Phase:
    name: str                     # "train", or e.g. "pretrain:<node id>"
    epochs: int
    early_stopping: dict[str, Any] | None = None   # the phase's own early stopping, if any
    batch_size: int | None = None                   # the phase's own batch size (else the graph's)


@dataclass
class Update:
    """One parameter update within a batch."""

    optimizer: str
    loss: torch.Tensor            # the total to minimise
    terms: dict[str, torch.Tensor]  # its parts by name (losses by node id, penalties by name)
    values: dict[str, torch.Tensor] = field(default_factory=dict)   # forward values, by node.port
    # False when the plan has already left the gradients in the parameters' .grad itself (an
    # RBM's CD step computed in closed form): the loop then neither clears them nor runs backward
    backward: bool = True


class Plan:
    """Base of all plans; see the module's text for the contract."""

    name: ClassVar[str] = ""
    # what the run is said to do in its start report, when not the data set's own task
    # (classification or regression): an autoencoder reconstructs whatever the labels are
    task: ClassVar[str | None] = None

    def __init__(self, ctx: Any, cfg: dict[str, Any]):
        self.ctx, self.cfg = ctx, cfg

    def phases(self) -> list[Phase]:
        raise NotImplementedError

    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        raise NotImplementedError

    def updates(self, phase: Phase, x: torch.Tensor, y: torch.Tensor) -> Iterator[Update]:
        raise NotImplementedError

    # running figures of an epoch, summed on the device and read once at its end
    def epoch_started(self, phase: Phase) -> None:
        pass

    def observe(self, update: Update) -> None:
        pass

    def epoch_figures(self, steps: int, rows: int) -> dict[str, float]:
        return {}

    def evaluate(self, split: Any, final: bool = False) -> dict[str, Any]:
        return {}

    def final_figures(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(test figures, baseline figures) for the done report."""
        return {}, {}


REGISTRY: dict[str, type[Plan]] = {}


def register(plan: type[Plan]) -> type[Plan]:
    REGISTRY[plan.name] = plan
    return plan


def plan_for(model: Any) -> type[Plan]:
    """The plan a compiled graph trains with: the one its blocks name, else supervised."""
    named = model.plans or ["supervised"]
    if len(named) > 1:
        raise GraphError(f"the graph's blocks need different training plans ({', '.join(named)}); "
                         f"one graph trains with one plan")
    if named[0] not in REGISTRY:
        raise GraphError(f"no training plan called '{named[0]}' (known: {', '.join(REGISTRY)})")
    return REGISTRY[named[0]]


from engine.training.plans import adversarial, autoencoder, contrastive, supervised  # noqa: E402,F401,I001  (register themselves)
