"""The adversarial plan: a generative adversarial network's two networks, trained in turn.

Per batch, `gan.d_steps` discriminator updates, then `gan.g_steps` generator updates, each a
separate `Update` with its own optimizer ("discriminator" with `gan.d_lr`, "generator" with
`gan.g_lr`; the kind is `training.optimizer`, and an Adam's beta1 is `gan.beta1`). While one network updates, the other is frozen:
its parameters stop requiring gradients (so its side of the forward pass builds no graph and its
gradients are never computed) and their old gradients are dropped (so telemetry and clipping see
only the network being trained). Separate optimizers mean a frozen network's Adam moments and
weight decay are never applied: torch's optimizers skip parameters without a gradient.

The discriminator minimises binary cross-entropy on real rows (target 1 - label_smoothing) and
generated ones (target 0); the generator minimises -log D(G(z)) (non_saturating) or
log(1 - D(G(z))) (minimax), computed against the discriminator just updated, on fresh noise.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch

from engine.training import gans
from engine.training.optim import make_optimizer
from engine.training.plans import Phase, Plan, Update, register


@register
class AdversarialPlan(Plan):
    name = "adversarial"
    task = "generation"

    def __init__(self, ctx: Any, cfg: dict[str, Any]):
        super().__init__(ctx, cfg)
        self.s = s = gans.require(ctx.model)
        gan = cfg["gan"]
        self.d_steps, self.g_steps = gan["d_steps"], gan["g_steps"]
        self.kind, self.smoothing = gan["g_loss"], gan["label_smoothing"]
        self._optimizers = {gans.D_OPT: make_optimizer({**cfg, "lr": gan["d_lr"]}, s.d_params),
                            gans.G_OPT: make_optimizer({**cfg, "lr": gan["g_lr"]}, s.g_params)}
        for opt in self._optimizers.values():
            for group in opt.param_groups:
                if "betas" in group:
                    # with 0.9 the ring lesson collapsed onto 3-4 of its 8 modes; with 0.5, 7-8
                    group["betas"] = (gan["beta1"], group["betas"][1])
        self._all = s.d_params + s.g_params
        self.epoch_started(None)

    def phases(self) -> list[Phase]:
        # no early stopping: neither loss falling says the samples got better
        return [Phase("train", self.cfg["epochs"])]

    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return self._optimizers

    @staticmethod
    def _train_only(train: list[torch.nn.Parameter], freeze: list[torch.nn.Parameter]) -> None:
        for p in freeze:
            p.requires_grad_(False)
            p.grad = None
        for p in train:
            p.requires_grad_(True)

    def updates(self, phase: Phase, x: torch.Tensor, y: torch.Tensor) -> Iterator[Update]:
        s, model = self.s, self.ctx.model
        try:
            for _ in range(self.d_steps):
                self._train_only(s.d_params, s.g_params)
                v = model(x, None)
                loss = gans.d_loss(v[s.real_logit], v[s.fake_logit], self.smoothing)
                yield Update(gans.D_OPT, loss, {"d_loss": loss}, v)
            for _ in range(self.g_steps):
                self._train_only(s.g_params, s.d_params)
                v = model(x, None)
                loss = gans.g_loss(v[s.fake_logit], self.kind)
                yield Update(gans.G_OPT, loss, {"g_loss": loss}, v)
        finally:
            # between batches every parameter is trainable again (views, scoring, saving)
            for p in self._all:
                p.requires_grad_(True)

    # ---- running figures: summed on the device, read once an epoch ---------------------------
    def epoch_started(self, phase: Phase | None) -> None:
        self._d: list[torch.Tensor] = []      # per D update: loss, mean D(x), mean D(G(z))
        self._g: list[torch.Tensor] = []      # per G update: loss

    def observe(self, update: Update) -> None:
        v = update.values
        if update.optimizer == gans.D_OPT:
            self._d.append(torch.stack([update.loss.detach(),
                                        torch.sigmoid(v[self.s.real_logit].detach()).mean(),
                                        torch.sigmoid(v[self.s.fake_logit].detach()).mean()]))
        else:
            self._g.append(update.loss.detach())

    def epoch_figures(self, steps: int, rows: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self._d:
            d_loss, d_real, d_fake = torch.stack(self._d).mean(dim=0).tolist()
            out.update(d_loss=d_loss, d_real=d_real, d_fake=d_fake)
        if self._g:
            out["g_loss"] = float(torch.stack(self._g).mean())
        self.epoch_started(None)
        if "d_loss" in out and "g_loss" in out:
            # the loop's own totals mix the two networks' losses; say which is which
            out["terms"] = {"d_loss": out["d_loss"], "g_loss": out["g_loss"]}
            out["loss"] = out["d_loss"] + out["g_loss"]
        return out

    # ---- scoring ---------------------------------------------------------------------------
    def evaluate(self, split: Any, final: bool = False) -> dict[str, Any]:
        return gans.split_figures(self.ctx, self.s, split, self.cfg["seed"])

    def final_figures(self) -> tuple[dict[str, Any], dict[str, Any]]:
        return gans.test_figures(self.ctx, self.s, self.cfg["seed"]), {}
