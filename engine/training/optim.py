"""Optimizers and gradient clipping, as the `training` object names them (penalties: penalties.py)."""
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


def clip_gradients(clip: dict[str, Any] | None,
                   params: Iterable[torch.nn.Parameter]) -> torch.Tensor | None:
    """Clip in place; for clipping by norm, returns the total norm before clipping."""
    if not clip:
        return None
    if clip["mode"] == "norm":
        return torch.nn.utils.clip_grad_norm_(params, clip["max"])
    torch.nn.utils.clip_grad_value_(params, clip["max"])
    return None
