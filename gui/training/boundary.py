"""The decision boundary of a classifier on two inputs, sampled on a grid.

Runs in the worker thread between two steps of the run (the step generator is suspended at a
yield, so the model is not being trained at that moment), through the run's public API: its
prepared context and `Run.predict`.
"""
from __future__ import annotations

from typing import Any

import numpy as np

GRID = 120           # cells per side: fine enough to see the boundary, ~1 ms for a small MLP
MAX_POINTS = 600     # training points drawn over it


def applies(run: Any) -> bool:
    """A classification run whose inputs are two numbers, with a Loss that predicts them (a GAN
    on labelled points, the ring, classifies nothing)."""
    ctx = run.context
    return (ctx is not None and ctx.task == "classification"
            and ctx.data.train.x.ndim == 2 and ctx.data.train.x.shape[1] == 2
            and bool(ctx.model.losses))


def extent_of(x: np.ndarray) -> tuple[float, float, float, float]:
    lo, hi = x.min(axis=0), x.max(axis=0)
    pad = (hi - lo) * 0.08 + 1e-6
    return float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1])


def sample(run: Any, extent: tuple[float, float, float, float]) -> dict[str, Any]:
    """Class probabilities on a GRID x GRID lattice over `extent` (x0, x1, y0, y1)."""
    x0, x1, y0, y1 = extent
    gx, gy = np.meshgrid(np.linspace(x0, x1, GRID, dtype=np.float32),
                         np.linspace(y0, y1, GRID, dtype=np.float32))
    probs = run.predict(np.stack([gx.ravel(), gy.ravel()], axis=1))
    return {"probs": probs.reshape(GRID, GRID, -1), "extent": extent}


def points(run: Any, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A fixed subset of the training points to draw over the boundary."""
    train = run.context.data.train
    x, y = train.x, train.y
    if len(y) > MAX_POINTS:
        idx = np.random.default_rng(seed).choice(len(y), MAX_POINTS, replace=False)
        x, y = x[idx], y[idx]
    return np.asarray(x, np.float32), np.asarray(y, np.int64)
