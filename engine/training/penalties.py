"""Terms added to the loss, computed from a step's forward values and the watched weights.

Each entry of `REGISTRY` is a named term; a term that is off for a run's settings is left out
entirely, so it costs nothing. New kinds of penalty (an autoencoder's sparsity or contractive
terms, a VAE's KL divergence) are new entries, not changes to the training loop.

Scaling of L1 and L2: the course notes write the L2 cost as lambda/(2m) * sum(w^2) added to a
loss that is itself averaged over the m training examples. Our data loss is the mean over a
batch, so we add `l2/2 * sum(w^2)` and `l1 * sum|w|`: a notes' lambda corresponds to
l2 = lambda/m (and for L1, whose notes' formula carries the same 1/(2m), l1 = lambda/(2m)). Only
the watched weights (Dense weight matrices) are penalised, never biases or BatchNorm scales.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch


@dataclass(frozen=True)
class PenaltyInputs:
    """What a term may read: the run's settings, the compiled model, this step's values."""

    cfg: dict[str, Any]
    model: Any
    values: dict[str, torch.Tensor]
    weights: list[torch.Tensor]


@dataclass(frozen=True)
class Penalty:
    name: str                                        # the loss term's name in the reports
    active: Callable[[dict[str, Any], Any], bool]    # (settings, model) -> is it on for this run
    compute: Callable[[PenaltyInputs], torch.Tensor]


REGISTRY: dict[str, Penalty] = {}


def register(penalty: Penalty) -> Penalty:
    REGISTRY[penalty.name] = penalty
    return penalty


def active(cfg: dict[str, Any], model: Any) -> list[Penalty]:
    """The terms this run adds, in registry order."""
    return [p for p in REGISTRY.values() if p.active(cfg, model)]


register(Penalty("l1", lambda cfg, model: bool(cfg["l1"]) and bool(model.watched),
                 lambda i: i.cfg["l1"] * sum(w.abs().sum() for w in i.weights)))
register(Penalty("l2", lambda cfg, model: bool(cfg["l2"]) and bool(model.watched),
                 lambda i: i.cfg["l2"] / 2 * sum((w * w).sum() for w in i.weights)))
