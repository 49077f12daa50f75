"""The Loss block, and the loss computations the trainer runs for it."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from engine.blocks.base import Block, ExportCode, Param, ShapeError
from engine.blocks.face_text import is_number, number, text, value

LOSSES = ("mse", "mae", "bce", "cross_entropy", "huber")


class LossFn(nn.Module):
    """Computes one Loss node. For bce and cross_entropy `pred` is always logits: the compiler
    hands over the value *before* a sigmoid or softmax the graph draws there, so the loss is
    computed the numerically stable way instead of as the log of a rounded probability."""

    def __init__(self, kind: str, classes: bool):
        super().__init__()
        self.kind, self.classes = kind, classes

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        kind = self.kind
        if kind == "cross_entropy":
            return F.cross_entropy(pred, target)
        if self.classes:
            target = (target.unsqueeze(1).to(pred.dtype) if pred.shape[1] == 1
                      else F.one_hot(target, pred.shape[1]).to(pred.dtype))
        if kind == "bce":
            return F.binary_cross_entropy_with_logits(pred, target)
        if kind == "mse":
            return F.mse_loss(pred, target)
        if kind == "mae":
            return F.l1_loss(pred, target)
        return F.huber_loss(pred, target)


# an activation that a loss can fold into itself, computing from the logits instead
_FUSABLE = {"bce": "sigmoid", "cross_entropy": "softmax"}


class Loss(Block):
    name = "Loss"
    category = "Objectives"
    help = "What training minimises: compares the prediction with the target."
    inputs = ("pred", "target")
    outputs = ()
    role = "objective"
    label_inputs = ("target",)
    params = (
        Param("kind", "choice", "cross_entropy",
              "Which loss: mse, mae or huber for numbers; bce for yes/no; cross_entropy for one class of many.",
              choices=LOSSES),
        Param("weight", "float", 1.0, "Multiplies this loss in the total.", min=0.0, max=1000.0),
    )

    @classmethod
    def infer(cls, params, ins, ctx):
        pred, target = ins["pred"], ins["target"]
        kind = params["kind"]
        if pred.classes:
            raise ShapeError("pred is connected to class labels; connect a layer's output", "pred")
        if kind == "cross_entropy":
            if not target.classes:
                raise ShapeError("cross_entropy needs class labels as target (use mse for numbers)",
                                 "target")
            if pred.features != target.features:
                raise ShapeError(f"prediction width {pred.features} does not fit {target.features} "
                                 f"classes: the last Dense needs {target.features} units", "pred")
        elif kind == "bce" and not target.classes:
            lo_hi = ctx.in_ranges.get("target")
            if lo_hi is None or lo_hi[0] < 0 or lo_hi[1] > 1:
                raise ShapeError("bce compares with targets between 0 and 1: use it on class "
                                 "labels, or on the Dataset's x with scaling 'minmax' (an "
                                 "autoencoder); for other numbers use mse", "target")
        elif kind == "bce" and target.classes:
            if target.features != 2 and pred.features != target.features:
                raise ShapeError(f"bce with {target.features} classes needs {target.features} "
                                 f"outputs, got {pred.features} (or use cross_entropy)", "pred")
            if target.features == 2 and pred.features != 1:
                raise ShapeError(f"bce on two classes needs a prediction of width 1, got "
                                 f"{pred.features}", "pred")
        elif target.classes and pred.features != target.features:
            raise ShapeError(f"{kind} on {target.features} classes compares one-hot targets: "
                             f"prediction width must be {target.features}, got {pred.features}", "pred")
        elif not target.classes and pred.features != target.features:
            raise ShapeError(f"prediction width {pred.features} does not fit target width "
                             f"{target.features}", "pred")
        return {}

    @classmethod
    def reads_logits_of(cls, params) -> str | None:
        """The activation this loss folds into itself when it directly follows one: it then
        reads the logits, which is exact where the activation's own output would saturate."""
        return _FUSABLE.get(params["kind"])

    @classmethod
    def loss_function(cls, params, ins) -> LossFn:
        return LossFn(params["kind"], ins["target"].classes)

    @classmethod
    def export_code(cls, params, ins, outs):
        kind, classes = params["kind"], ins["target"].classes
        if kind == "cross_entropy":
            return ExportCode(loss="F.cross_entropy({pred}, {target})")
        # as LossFn: class labels become one column (one output) or one-hot columns
        target = "{target}"
        if classes:
            target = ("{target}.unsqueeze(1).to({pred}.dtype) if {pred}.shape[1] == 1 "
                      "else F.one_hot({target}, {pred}.shape[1]).to({pred}.dtype)")
            target = f"({target})"
        fn = {"bce": "F.binary_cross_entropy_with_logits", "mse": "F.mse_loss",
              "mae": "F.l1_loss", "huber": "F.huber_loss"}[kind]
        return ExportCode(loss=f"{fn}({{pred}}, {target})")

    @classmethod
    def summary(cls, params):
        # drawn before validation: kind and weight may hold anything the file wrote
        s = text(value(params, "kind"))
        weight = value(params, "weight", 1.0)
        if not (is_number(weight) and weight == 1.0):
            s += f" x{number(weight)}"
        return s


