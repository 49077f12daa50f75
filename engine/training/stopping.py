"""Early stopping: watch one figure per epoch, and keep the best weights when asked to."""
from __future__ import annotations

import copy
from typing import Any

import torch


class EarlyStopper:
    """Watches one figure per epoch; keeps the best weights when asked to restore them."""

    def __init__(self, cfg: dict[str, Any] | None, has_val: bool):
        self.cfg = cfg
        self.best: float | None = None
        self.best_epoch: int | None = None
        self.best_state: dict[str, torch.Tensor] | None = None
        self.wait = 0
        self.restore = bool(cfg and cfg["restore_best"])
        monitor = cfg["monitor"] if cfg else "val_loss"
        if monitor.startswith("val_") and not has_val:
            monitor = "train_loss"      # nothing held out: watch the training loss instead
        self.monitor = monitor

    def update(self, epoch: int, train: dict[str, Any], val: dict[str, Any], model) -> bool:
        if not self.cfg:
            return False
        split, _, key = self.monitor.partition("_")
        value = (val if split == "val" else train).get(key)
        if value is None:
            return False
        score = value if key == "loss" else -value      # lower is better
        if self.best is None or score < self.best - self.cfg["min_delta"]:
            self.best, self.best_epoch, self.wait = score, epoch, 0
            if self.restore:
                self.best_state = copy.deepcopy(model.state_dict())
            return False
        self.wait += 1
        return self.wait >= self.cfg["patience"]      # patience N: N epochs without improvement
