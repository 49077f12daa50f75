"""Each hidden unit's output over the input plane, for data with exactly two input features:
TensorFlow Playground's pictures on the neurons, for any graph.

Which layers: the watched ones (`CompiledGraph.watched`, what a block declares with `watch`)
that read the Dataset's inputs alone and feed some other watched layer; the last watched layer
is the output and is not hidden. A unit's output is taken after the element-wise activation
that follows its layer when the graph draws the two as separate blocks (a Dense then an
Activation), since that is what the next layer reads. No block is recognised by its name.

The plane is a square-celled grid over the training inputs' range in the units the network is
given (after the Dataset's standardisation). All grid points go through one forward pass in
eval mode without gradients; the model's mode is put back after, so call this between two
steps of a run (the training thread) or after it.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

GRID = 32              # cells per side: a smooth picture at the 15-40 screen pixels a tile gets
MAX_UNITS = 16         # units drawn per layer; the card says how many more there are
PAD = 0.08             # the plane reaches this share of the data's span past it on each side
ELEMENTWISE_SKIP = ("softmax",)   # an activation that mixes units: its outputs are not one unit's


def two_features(x: Any) -> bool:
    return getattr(x, "ndim", 0) == 2 and x.shape[1] == 2


def plane_extent(x: np.ndarray, pad: float = PAD) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) around the rows of x (n, 2), in the units of x."""
    x = np.asarray(x, np.float64)
    x = x[np.isfinite(x).all(axis=1)]
    if not len(x):
        return -1.0, 1.0, -1.0, 1.0
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = np.maximum(hi - lo, 1e-6) * pad + 1e-6
    return (float(lo[0] - span[0]), float(hi[0] + span[0]),
            float(lo[1] - span[1]), float(hi[1] + span[1]))


def hidden_layers(model: Any) -> dict[str, str]:
    """Layer node id -> the value key ('node.port') whose columns are its units' outputs, for
    the hidden layers of a compiled graph, input side first."""
    computed = model.computed_nodes
    ins = model.inputs_of
    # the value keys that are functions of the Dataset's inputs only (not of noise or labels)
    of_x = {model.x_key}
    for nid in computed:
        keys = ins.get(nid, ())
        if keys and all(k in of_x for k in keys):
            of_x.add(f"{nid}.out")
    readers: dict[str, list[str]] = {}
    for nid in computed:
        for k in ins.get(nid, ()):
            readers.setdefault(k.partition(".")[0], []).append(nid)
    watched = [nid for nid in computed if nid in model.watched]

    def feeds_watched(start: str) -> bool:
        seen, stack = set(), list(readers.get(start, ()))
        while stack:
            nid = stack.pop()
            if nid in seen:
                continue
            seen.add(nid)
            if nid in model.watched:
                return True
            stack.extend(readers.get(nid, ()))
        return False

    out: dict[str, str] = {}
    for nid in watched:
        if f"{nid}.out" not in of_x or not feeds_watched(nid):
            continue
        key = f"{nid}.out"
        after = readers.get(nid, [])
        if len(after) == 1 and ins.get(after[0]) == (key,):
            fn = model.activation_fns.get(after[0])
            if fn is not None and fn not in ELEMENTWISE_SKIP:
                key = f"{after[0]}.out"
        out[nid] = key
    return out


def applies(model: Any, x: Any) -> bool:
    """Pictures can be drawn: two input features and at least one hidden layer."""
    return two_features(x) and bool(hidden_layers(model))


def _colour_range(model: Any, key: str, values: torch.Tensor) -> tuple[float, float]:
    """(lo, hi) the colours span, zero (or the middle of a bounded range) in the middle: the
    range the block producing `key` declares (tanh: -1..1, sigmoid: 0..1), else symmetric
    about 0 out to the layer's largest |value|, so units of one layer are drawn alike."""
    nid, _, port = key.partition(".")
    block = model.block_of.get(nid)
    known = block.output_range(model.params_of[nid], port) if block is not None else None
    if known is not None:
        return float(known[0]), float(known[1])
    finite = values[torch.isfinite(values)]
    top = float(finite.abs().max()) if finite.numel() else 0.0
    top = max(top, 1e-6)
    return -top, top


_planes: dict[tuple, tuple[np.ndarray, np.ndarray, torch.Tensor]] = {}


def _plane(extent: tuple[float, ...], grid: int, device: torch.device):
    """The grid's coordinates and its points on the device, made once per run's plane (a run
    asks for the same plane a few times a second)."""
    key = (extent, grid, str(device))
    hit = _planes.get(key)
    if hit is None:
        x0, x1, y0, y1 = extent
        xs = np.linspace(x0, x1, grid, dtype=np.float32)
        ys = np.linspace(y1, y0, grid, dtype=np.float32)
        gx, gy = np.meshgrid(xs, ys)
        points = torch.as_tensor(np.stack([gx.ravel(), gy.ravel()], axis=1), device=device)
        hit = (xs, ys, points)
        _planes.clear()          # one plane at a time: runs follow one another
        _planes[key] = hit
    return hit


@torch.no_grad()
def unit_pictures(model: Any, extent: tuple[float, float, float, float], grid: int = GRID,
                  max_units: int = MAX_UNITS,
                  layers: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """Per hidden layer (node id, as `hidden_layers`): `values` float32 (k, grid, grid), the
    output of its first k <= max_units units at each grid point, rows from the top of the plane
    (y1) down and columns from x0 to x1, so each is a picture as it stands; `units` (the layer's
    width), `range` (lo, hi) for colouring, `source` (the value key drawn), `extent`, `xs`, `ys`
    (the grid's coordinates: values[u, r, c] is unit u at (xs[c], ys[r]))."""
    layers = hidden_layers(model) if layers is None else layers
    if not layers:
        return {}
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    xs, ys, points = _plane(tuple(float(e) for e in extent), grid, device)
    was_training = model.training
    model.eval()
    try:
        v = model(points, None)
    finally:
        model.train(was_training)
    out: dict[str, dict[str, Any]] = {}
    for nid, key in layers.items():
        t = v.get(key)
        if t is None or t.ndim != 2:
            continue
        t = t.float()
        k = min(max_units, t.shape[1])
        shown = t[:, :k]
        values = shown.T.reshape(k, grid, grid).cpu().numpy().astype(np.float32)
        out[nid] = {"values": values, "units": int(t.shape[1]),
                    "range": _colour_range(model, key, shown), "source": key,
                    "extent": tuple(float(e) for e in extent), "xs": xs, "ys": ys}
    return out
