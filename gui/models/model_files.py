"""What the app does with trained models, apart from any widget: a snapshot of a run's weights
as an engine SavedModel, the weight norms the canvas shows for an opened model, and the exports.

A snapshot is a copy: its own network on the CPU with the run's weights copied in, so the
Predict panel can run it in the GUI thread without ever touching the model a training thread
is changing."""
from __future__ import annotations

import math
import os
from typing import Any

import torch

from engine import graph
from engine.models.archive import SavedModel, build_network
from engine.models.errors import ModelError
from engine.models.preprocessing import Preprocessing

# File ▸ Export…: the name the dialog's filter shows, and the file suffix, per engine format
EXPORTS = {"pytorch": ("PyTorch script", ".py"), "onnx": ("ONNX", ".onnx"),
           "torchscript": ("TorchScript", ".pt")}


def snapshot(run: Any, report: Any = None) -> SavedModel | None:
    """The run's current weights as a SavedModel of their own, or None when the run has no
    prepared model (it failed before building one). Call only while the run's thread is paused
    or finished: the weights are read here, in the caller's thread."""
    ctx = run.context
    if ctx is None:
        return None
    pre = Preprocessing.from_run(run)
    if pre.task not in ("classification", "regression"):
        return None          # an autoencoder, RBM or GAN answers no rows: nothing to predict
    weights = {k: v.detach().to("cpu").clone() for k, v in ctx.model.state_dict().items()}
    doc = graph.from_dict(run.doc.to_dict(), "run")
    network = build_network(doc, pre)
    expected = network.state_dict()
    network.load_state_dict({k: v.to(expected[k].dtype) for k, v in weights.items()})
    network.eval()
    figures = {"epochs_run": getattr(report, "epochs_run", None),
               "reason": getattr(report, "reason", None), "seed": run.cfg.get("seed"),
               "training": dict(run.cfg)}
    return SavedModel(doc, weights, pre, figures, network)


def weight_norms(model: SavedModel) -> dict[str, float]:
    """The L2 norm of each watched layer's parameters (a Dense layer's weight matrix: what its
    blocks declare telemetry watches), by node id."""
    norms = {}
    with torch.no_grad():
        for nid, params in model.network.watched.items():
            total = sum(float(p.detach().double().pow(2).sum()) for p in params)
            norms[nid] = math.sqrt(total)
    return norms


def norm_notes(norms: dict[str, float]) -> dict[str, str]:
    """What the canvas writes under each layer of an opened model."""
    return {nid: f"weights ‖W‖ = {n:.3g}" for nid, n in norms.items()}


def editable_copy(model: SavedModel) -> graph.GraphDocument:
    """The model's graph for the editor: a copy, so editing never changes the model's own."""
    return graph.from_dict(model.doc.to_dict(), "model")


def export(model: SavedModel, kind: str, path: str | os.PathLike[str]) -> None:
    """Write an export through the engine; ModelError (one line) when it cannot."""
    if kind == "pytorch":
        from engine.models.export_pytorch import write_script
        write_script(model, path)
    elif kind == "onnx":
        from engine.models.export_formats import to_onnx
        to_onnx(model, path)
    elif kind == "torchscript":
        from engine.models.export_formats import to_torchscript
        to_torchscript(model, path)
    else:
        raise ModelError(f"unknown export format '{kind}'")


def default_inputs(model: SavedModel) -> dict[str, str]:
    """A starting value per input column for the Predict form: a number column's training mean
    when the model knows it (standard scaling or imputation keep it), a category's fill label or
    first label."""
    pre = model.preprocessing
    taken = {i for c in pre.columns if c["kind"] == "category" for i in c["features"].values()}
    free = iter(i for i in range(len(pre.features)) if i not in taken)
    means = pre.scaler.get("mean") if pre.scaling == "standard" else pre.impute_means
    out = {}
    for col in pre.columns:
        if col["kind"] == "number":
            j = next(free)
            v = means[j] if means is not None and j < len(means) else 0.0
            # a mean like 1.53 products reads oddly in a form: whole numbers from 1 up
            out[col["name"]] = str(int(round(v))) if abs(v) >= 1 else f"{v:.3g}"
        else:
            cats = col["categories"]
            out[col["name"]] = col.get("fill") or (cats[0] if cats else "")
    return out
