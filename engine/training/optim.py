"""Optimizers, weight penalties and gradient clipping, as the `training` object names them.

Penalty scaling: the course notes write the L2 cost as lambda/(2m) * sum(w^2) added to a loss
that is itself averaged over the m training examples. Our data loss is the mean over a batch, so
we add `l2/2 * sum(w^2)` and `l1 * sum|w|`: a notes' lambda corresponds to l2 = lambda/m (and for
L1, whose notes' formula carries the same 1/(2m), l1 = lambda/(2m)). Only Dense weights are
penalised, never biases or BatchNorm scales.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch


def make_optimizer(cfg: dict[str, Any], params: Iterable[torch.nn.Parameter]) -> torch.optim.Optimizer:
    name, lr, wd, mom = cfg["optimizer"], cfg["lr"], cfg["weight_decay"], cfg["momentum"]
    params = list(params)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, weight_decay=wd)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=mom, weight_decay=wd)
    if name == "nesterov":
        return torch.optim.SGD(params, lr=lr, momentum=mom, nesterov=True, weight_decay=wd)
    cls = {"adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop,
           "adadelta": torch.optim.Adadelta, "adam": torch.optim.Adam,
           "adamax": torch.optim.Adamax, "adamw": torch.optim.AdamW}[name]
    return cls(params, lr=lr, weight_decay=wd)


def penalty_terms(cfg: dict[str, Any], weights: list[torch.Tensor]) -> dict[str, torch.Tensor]:
    terms = {}
    if cfg["l1"] and weights:
        terms["l1"] = cfg["l1"] * sum(w.abs().sum() for w in weights)
    if cfg["l2"] and weights:
        terms["l2"] = cfg["l2"] / 2 * sum((w * w).sum() for w in weights)
    return terms


def clip_gradients(clip: dict[str, Any] | None, params: Iterable[torch.nn.Parameter]) -> None:
    if not clip:
        return
    if clip["mode"] == "norm":
        torch.nn.utils.clip_grad_norm_(params, clip["max"])
    else:
        torch.nn.utils.clip_grad_value_(params, clip["max"])
