"""Weights against a network: every name and shape checked before any of them is used."""
from __future__ import annotations

import torch
from torch import nn

from engine.errors import GraphError


def _shape(t: torch.Tensor) -> str:
    return "(" + ", ".join(str(d) for d in t.shape) + ")"


def mismatch(model: nn.Module, weights: dict[str, torch.Tensor]) -> str | None:
    """Why `weights` do not fit `model` (one line), or None when every name, shape and kind of
    number matches its state dict exactly."""
    expected = model.state_dict()
    for name, want in expected.items():
        if name not in weights:
            return f"the weights lack '{name}' {_shape(want)}, which the graph's network has"
    for name, got in weights.items():
        want = expected.get(name)
        if want is None:
            return f"the weights hold '{name}', which the graph's network has no place for"
        if not isinstance(got, torch.Tensor):
            return f"'{name}' is not a tensor"
        if tuple(got.shape) != tuple(want.shape):
            return (f"tensor '{name}' has shape {_shape(got)} where the graph's network needs "
                    f"{_shape(want)}")
        if got.dtype != want.dtype and not (got.is_floating_point() and want.is_floating_point()):
            return f"tensor '{name}' holds {got.dtype} where the network needs {want.dtype}"
    return None


def load_into(model: nn.Module, weights: dict[str, torch.Tensor]) -> None:
    """Copy checked weights into a built network; GraphError (one line) when they do not fit."""
    why = mismatch(model, weights)
    if why is not None:
        raise GraphError(f"the starting weights do not fit this graph: {why}")
    expected = model.state_dict()
    model.load_state_dict({k: v.to(expected[k].dtype) for k, v in weights.items()}, strict=True)
