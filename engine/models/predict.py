"""Predictions of a saved model for new rows given by column name."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from engine.models.archive import SavedModel
from engine.models.errors import ModelError
from engine.models.rows import encode


@dataclass
class Prediction:
    """A classifier's `probabilities` (rows x classes), `classes` (index per row) and
    `labels` (class name per row); a regression's `values` (rows x targets) in the target's
    units, named by `targets`."""

    task: str
    class_names: list[str]
    probabilities: np.ndarray | None = None
    classes: np.ndarray | None = None
    labels: list[str] | None = None
    values: np.ndarray | None = None
    targets: list[str] | None = None


def outputs(model: SavedModel, x: np.ndarray) -> torch.Tensor:
    """What the network's scored Loss reads (logits, or standardised numbers) for scaled inputs,
    in eval mode on the CPU, in blocks so a big file does not hold every activation at once."""
    net = model.network
    if not net.losses:
        raise ModelError("this graph has no Loss, so nothing in it predicts")
    key = net.primary.pred_key
    parts = []
    with torch.no_grad():
        for s in range(0, len(x), 4096):
            parts.append(net(torch.as_tensor(x[s:s + 4096]), None)[key].float())
    return torch.cat(parts)


def predict(model: SavedModel, rows: Any, first_row: int = 1) -> Prediction:
    """Predict rows given as a DataFrame, a dict of column values (one row, or column -> list),
    or a list of such dicts. ModelError (one line, naming the row and column) for a missing
    column, an empty cell the model cannot fill, an unknown category or a cell that is not a
    number."""
    pre = model.preprocessing
    if pre.task not in ("classification", "regression"):
        raise ModelError(f"this model's task is {pre.task}: it makes no predictions from rows")
    x = encode(pre, rows, first_row)
    if len(x) == 0:
        raise ModelError("there are no rows to predict")
    out = outputs(model, x)
    if pre.task == "regression":
        return Prediction(pre.task, [], values=pre.to_user_units(out.numpy()),
                          targets=list(pre.target_names) or ["prediction"])
    if out.shape[1] == 1:
        # the class is read off the logit as the run scored it (positive: the second class),
        # never off a probability rounded to 0.5
        p1 = torch.sigmoid(out)
        probs, classes = torch.cat([1 - p1, p1], dim=1), (out[:, 0] > 0).long()
    else:
        probs, classes = torch.softmax(out, dim=1), out.argmax(dim=1)
    names = pre.class_names
    classes_np = classes.numpy()
    return Prediction(pre.task, list(names), probabilities=probs.numpy(), classes=classes_np,
                      labels=[names[i] for i in classes_np])


def predict_row(model: SavedModel, row: dict[str, Any]) -> dict[str, Any]:
    """One example given as {column: value} (the Predict panel's form): {"class": name,
    "probabilities": {class name: p}} for a classifier, {"values": {target: number}} for a
    regression. ModelError names the column of a bad value."""
    p = predict(model, dict(row))
    if p.task == "regression":
        return {"values": {t: float(v) for t, v in zip(p.targets, p.values[0])}}
    return {"class": p.labels[0],
            "probabilities": {c: float(v) for c, v in zip(p.class_names, p.probabilities[0])}}
