"""The decision boundary of a classifier on two inputs, sampled on a grid.

Runs in the worker thread between two steps of the run (the step generator is suspended at a
yield, so the model is not being trained at that moment). It reads the run's prepared data and
model; the engine has no call for "predict on these inputs" yet, see the note in the report.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

GRID = 120           # cells per side: fine enough to see the boundary, ~1 ms for a small MLP
MAX_POINTS = 600     # training points drawn over it


def applies(run: Any) -> bool:
    """A classification run whose inputs are two numbers."""
    data = getattr(run, "data", None)
    model = getattr(run, "model", None)
    return (data is not None and model is not None and run.task == "classification"
            and data.train.x.ndim == 2 and data.train.x.shape[1] == 2)


def extent_of(x: np.ndarray) -> tuple[float, float, float, float]:
    lo, hi = x.min(axis=0), x.max(axis=0)
    pad = (hi - lo) * 0.08 + 1e-6
    return float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1])


@torch.no_grad()
def sample(run: Any, extent: tuple[float, float, float, float]) -> dict[str, Any]:
    """Class probabilities on a GRID x GRID lattice over `extent` (x0, x1, y0, y1)."""
    x0, x1, y0, y1 = extent
    gx, gy = np.meshgrid(np.linspace(x0, x1, GRID, dtype=np.float32),
                         np.linspace(y0, y1, GRID, dtype=np.float32))
    pts = torch.as_tensor(np.stack([gx.ravel(), gy.ravel()], axis=1), device=run.device)
    model = run.model
    was_training = model.training
    model.eval()                      # no dropout while drawing the boundary
    try:
        v = model(pts, None)
        logits = v[model.primary.pred_key].float()
    finally:
        model.train(was_training)
    if logits.shape[1] == 1:
        p1 = torch.sigmoid(logits)
        probs = torch.cat([1 - p1, p1], dim=1)
    else:
        probs = torch.softmax(logits, dim=1)
    probs = probs.cpu().numpy().reshape(GRID, GRID, -1)
    return {"probs": probs, "extent": extent}


def points(run: Any, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A fixed subset of the training points to draw over the boundary."""
    x, y = run.data.train.x, run.data.train.y
    if len(y) > MAX_POINTS:
        idx = np.random.default_rng(seed).choice(len(y), MAX_POINTS, replace=False)
        x, y = x[idx], y[idx]
    return np.asarray(x, np.float32), np.asarray(y, np.int64)
