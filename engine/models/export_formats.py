"""A saved model as ONNX or TorchScript: one module from the loaded units of the inputs (after
one-hot encoding, before scaling; the column order of `features`) to the answer (class
probabilities, or numbers in the target's units). The scaler is part of the exported network;
one-hot encoding and filling empty cells are not (engine.models.rows does them in DeepCanvas).
Both files carry the feature names and class names as JSON (ONNX metadata `deepcanvas`,
TorchScript extra file `deepcanvas.json`)."""
from __future__ import annotations

import json
import os
import warnings
from typing import Any

import torch
from torch import nn

from engine.models.archive import SavedModel
from engine.models.errors import ModelError

INSTALL_ONNX = 'pip install onnx onnxruntime (or pip install -e ".[onnx]")'


class Predictor(nn.Module):
    """The saved network with its scaler in front and its answer behind: what is exported."""

    def __init__(self, model: SavedModel):
        super().__init__()
        pre = model.preprocessing
        net = model.network
        if pre.task not in ("classification", "regression") or not net.losses:
            raise ModelError(f"only a classifier or a regression can be exported; this model's "
                             f"task is {pre.task}")
        self.net = net.eval()
        self.key = net.primary.pred_key
        self.classify = pre.task == "classification"
        self.scaling = pre.scaling
        stats = {k: torch.tensor(v, dtype=torch.float32) for k, v in pre.scaler.items()}
        zeros = torch.zeros(len(pre.features))
        self.register_buffer("shift", stats.get("mean", stats.get("min", zeros)))
        self.register_buffer("factor", stats.get("scale", torch.ones(len(pre.features))))
        y_mean = pre.y_mean if pre.y_mean is not None else [0.0] * pre.target_width
        y_std = pre.y_std if pre.y_std is not None else [1.0] * pre.target_width
        self.register_buffer("y_mean", torch.tensor(y_mean, dtype=torch.float32))
        self.register_buffer("y_std", torch.tensor(y_std, dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.scaling == "standard":
            x = (x - self.shift) / self.factor
        elif self.scaling == "minmax":
            x = x * self.factor + self.shift
        out = self.net(x, None)[self.key]
        if not self.classify:
            return out * self.y_std + self.y_mean
        if out.shape[1] == 1:
            p1 = torch.sigmoid(out)
            return torch.cat([1 - p1, p1], dim=1)
        return torch.softmax(out, dim=1)


def describe(model: SavedModel) -> dict[str, Any]:
    pre = model.preprocessing
    return {"input": "features", "features": pre.features, "task": pre.task,
            "output": "probabilities" if pre.task == "classification" else "prediction",
            "class_names": pre.class_names, "target_names": pre.target_names}


def _example(model: SavedModel) -> torch.Tensor:
    return torch.zeros(2, len(model.preprocessing.features))


def to_torchscript(model: SavedModel, path: str | os.PathLike[str]) -> None:
    """Trace the predictor and save it for torch.jit.load."""
    pred = Predictor(model).eval()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        traced = torch.jit.trace(pred, _example(model), check_trace=False)
    traced.save(str(path), _extra_files={"deepcanvas.json": json.dumps(describe(model))})


def to_onnx(model: SavedModel, path: str | os.PathLike[str]) -> None:
    """Export with torch's TorchScript-based exporter (no onnxscript needed), rows dynamic."""
    try:
        import onnx
    except ImportError:
        raise ModelError(f"exporting to ONNX needs the onnx package: {INSTALL_ONNX}") from None
    pred = Predictor(model).eval()
    info = describe(model)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(pred, (_example(model),), str(path), dynamo=False,
                          input_names=["features"], output_names=[info["output"]],
                          dynamic_axes={"features": {0: "rows"}, info["output"]: {0: "rows"}},
                          opset_version=17)
    proto = onnx.load(str(path))
    entry = proto.metadata_props.add()
    entry.key, entry.value = "deepcanvas", json.dumps(info)
    onnx.save(proto, str(path))
