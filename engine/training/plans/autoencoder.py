"""The autoencoder plan: the supervised plan, with the reconstruction loss reported as `recon`
and the done report's autoencoder figures.

An autoencoder trains by backprop on its reconstruction loss (a Loss whose target is the
Dataset's x) plus the terms its Encoder declares (sparse_kl, contractive, kl: entries of
engine/training/penalties.py), so everything but the names and the figures is supervised's.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

from engine.training import autoencoders
from engine.training.plans import Phase, Update, register
from engine.training.plans.supervised import SupervisedPlan

RECON = "recon"


@register
class AutoencoderPlan(SupervisedPlan):
    name = "autoencoder"
    task = "reconstruction"

    def __init__(self, ctx: Any, cfg: dict[str, Any]):
        super().__init__(ctx, cfg)
        model = ctx.model
        recon = [s.node for s in model.losses if s.target_key == model.x_key]
        # one loss compares with the input: that is the reconstruction, whatever its node's id
        self._recon = recon[0] if len(recon) == 1 and recon[0] != RECON else None

    def updates(self, phase: Phase, x: torch.Tensor, y: torch.Tensor) -> Iterator[Update]:
        for update in super().updates(phase, x, y):
            if self._recon is not None:
                update.terms = {(RECON if k == self._recon else k): t
                                for k, t in update.terms.items()}
            yield update

    def final_figures(self) -> tuple[dict[str, Any], dict[str, Any]]:
        test, base = super().final_figures()
        data = self.ctx.data
        figures = autoencoders.test_figures(self.ctx, self.cfg["seed"])
        test.update(figures)
        if "recon_error" in figures and not base:
            # what no learning gives: every test input "reconstructed" as the mean training input
            mean = data.train.x.mean(axis=0, keepdims=True)
            base = {"recon_error": float(((data.test.x - mean) ** 2).mean(dtype=np.float64))}
        return test, base
