"""The supervised plan: backprop on the sum of the graph's losses and the active penalties.

One phase ("train"), one optimizer, one update per batch. It is the worked example of the plan
interface: everything else (batching, clipping, telemetry, early stopping) is the loop's.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch

from engine.training import metrics, penalties
from engine.training.optim import make_optimizer
from engine.training.plans import Phase, Plan, Update, register

FOLD_EVERY = 64          # batches of outputs kept before they are reduced to classes


def classes_of(pred: torch.Tensor) -> torch.Tensor:
    """Predicted class per row: one logit means a yes/no output (positive is yes)."""
    if pred.shape[1] == 1:
        return (pred[:, 0] > 0).long()
    return pred.argmax(dim=1)


@register
class SupervisedPlan(Plan):
    name = "supervised"

    def __init__(self, ctx: Any, cfg: dict[str, Any]):
        super().__init__(ctx, cfg)
        model = ctx.model
        self._optimizer = make_optimizer(cfg, model.parameters())
        self._penalties = penalties.active(cfg, model)
        self._weights = [w for ws in model.watched.values() for w in ws]
        spec = model.primary
        # the running training accuracy scores class predictions against the data's labels
        self._scored = ((spec.pred_key, spec.target_key)
                        if ctx.task == "classification" and spec.target_key == model.y_key else None)
        # per step the batch's outputs are only kept; classes are taken and compared with the
        # targets once an epoch (an argmax a step cost a digits MLP's step some 3%)
        self._predicted: list[torch.Tensor] = []
        self._classes: list[torch.Tensor] = []
        self._targets: list[torch.Tensor] = []

    def phases(self) -> list[Phase]:
        return [Phase("train", self.cfg["epochs"], self.cfg["early_stopping"])]

    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"main": self._optimizer}

    def updates(self, phase: Phase, x: torch.Tensor, y: torch.Tensor) -> Iterator[Update]:
        model = self.ctx.model
        v = model(x, y)
        terms = model.loss_terms(v)
        if self._penalties:
            inputs = penalties.PenaltyInputs(self.cfg, model, v, self._weights)
            for p in self._penalties:
                terms[p.name] = p.compute(inputs)
        total = next(iter(terms.values())) if len(terms) == 1 else sum(terms.values())
        yield Update("main", total, terms, v)

    # ---- the running training accuracy: kept on the device, read once an epoch ---------------
    def epoch_started(self, phase: Phase) -> None:
        self._predicted, self._classes, self._targets = [], [], []

    def observe(self, update: Update) -> None:
        if self._scored is not None:
            pred_key, target_key = self._scored
            v = update.values
            self._predicted.append(v[pred_key].detach())
            self._targets.append(v[target_key])
            if len(self._predicted) >= FOLD_EVERY:
                self._fold()

    @torch.no_grad()
    def _fold(self) -> None:
        """Reduce the outputs kept so far to their classes (bounds what a long epoch keeps)."""
        if self._predicted:
            self._classes.append(classes_of(torch.cat(self._predicted)))
            self._predicted = []

    @torch.no_grad()
    def epoch_figures(self, steps: int, rows: int) -> dict[str, float]:
        self._fold()
        if not self._classes:
            return {}
        correct = torch.cat(self._classes) == torch.cat(self._targets)
        self._classes, self._targets = [], []
        return {"accuracy": float(correct.sum()) / len(correct)}

    # ---- scoring ---------------------------------------------------------------------------
    @torch.no_grad()
    def evaluate(self, split: Any, final: bool = False) -> dict[str, Any]:
        """Loss and metrics of the current weights on a split (eval mode: no dropout).
        `final` scores with scikit-learn itself; per-epoch figures use the numpy twins."""
        ctx = self.ctx
        model = ctx.model
        was_training = model.training
        model.eval()
        x = torch.as_tensor(split.x, device=ctx.device)
        y = torch.as_tensor(split.y, device=ctx.device)
        n = len(y)
        total, preds = 0.0, []
        for s in range(0, n, 4096):
            v = model(x[s:s + 4096], y[s:s + 4096])
            terms = model.loss_terms(v)
            loss = next(iter(terms.values())) if len(terms) == 1 else sum(terms.values())
            total += float(loss) * min(4096, n - s)
            preds.append(v[model.primary.pred_key])
        model.train(was_training)
        out: dict[str, Any] = {"loss": total / max(1, n)}
        pred = (preds[0] if len(preds) == 1 else torch.cat(preds)) if preds else torch.empty(0)
        if model.primary.target_key != model.y_key or len(y) == 0:
            return out
        if ctx.task == "classification":
            score = metrics.classification if final else metrics.classification_fast
            out.update(score(split.y, classes_of(pred).cpu().numpy(), ctx.n_classes))
        else:
            score = metrics.regression if final else metrics.regression_fast
            out.update(score(ctx.data.to_user_units(split.y),
                             ctx.data.to_user_units(pred.cpu().numpy())))
        return out

    def final_figures(self) -> tuple[dict[str, Any], dict[str, Any]]:
        ctx = self.ctx
        data, model = ctx.data, ctx.model
        if data.test is None:
            return {}, {}
        test = self.evaluate(data.test, final=True)
        base: dict[str, Any] = {}
        if model.primary.target_key == model.y_key:
            ytr, yte = data.train.y, data.test.y
            if ctx.task == "regression":
                ytr, yte = data.to_user_units(ytr), data.to_user_units(yte)
            base = metrics.baseline(ctx.task, ytr, yte, ctx.n_classes)
        return test, base
