"""Contrastive divergence for an RBM on the CPU, in numpy, straight on the parameters' memory.

At the usual 10 rows a batch an RBM's whole CD update is a few dozen microseconds of arithmetic,
and each torch call around it costs several more: torch's fixed cost per call, autograd handing
the gradients over and torch.optim's step were about three quarters of a step. numpy's ufuncs
write into buffers made once, so a step is some twenty calls of a microsecond or two each, and
the parameters and their gradients are the torch tensors' own memory (no copies either way).

It computes exactly what `RBMNet.cd_statistics` does (see there for the formulas), from numpy's
random numbers instead of torch's: a CPU run draws its samples here, a GPU run there.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch


def usable(module: Any) -> bool:
    """Whether this path can train the module: its tensors in CPU memory as float32 or float64."""
    return all(p.device.type == "cpu" and p.dtype in (torch.float32, torch.float64)
               for p in (module.weight, module.h_bias, module.v_bias))


class HostCD:
    """CD-k / PCD-k for one RBMNet. `step` leaves the gradient of the free-energy gap in the
    parameters' `.grad` (as backward would) and returns the gap and the chain's next state."""

    def __init__(self, module: Any, rng: np.random.Generator):
        self.module, self.rng = module, rng
        self.params = (module.weight, module.h_bias, module.v_bias)
        self.grads = tuple(torch.zeros_like(p) for p in self.params)
        self.W, self.c, self.b = (p.detach().numpy() for p in self.params)
        self.gW, self.gc, self.gb = (g.numpy() for g in self.grads)
        self.dtype = self.W.dtype
        self._buffers: dict[tuple[int, int], dict[str, np.ndarray]] = {}

    def _room(self, n: int, m: int) -> dict[str, np.ndarray]:
        room = self._buffers.get((n, m))
        if room is None:
            units, vis = self.W.shape
            room = {"P": np.empty((n + m, units), self.dtype),      # hidden pre-activations
                    "H": np.empty((n + m, units), self.dtype),      # hidden probabilities
                    "S": np.empty((n + m, units), self.dtype),      # scratch
                    "V": np.empty((n + m, vis), self.dtype),        # data rows, then model rows
                    "mean": np.empty((m, vis), self.dtype),
                    "u_h": np.empty((max(n, m), units), self.dtype),
                    "u_v": np.empty((m, vis), self.dtype),
                    "col": np.concatenate([np.full(n, -1.0 / n), np.full(m, 1.0 / m)]
                                          ).astype(self.dtype)[:, None],
                    "Vw": np.empty((n + m, vis), self.dtype),
                    # the persistent chain's next state, in two buffers used in turn: the caller
                    # keeps the last one and hands it back as `chain`
                    "next": [np.empty((m, units), self.dtype), np.empty((m, units), self.dtype)]}
            if len(self._buffers) > 8:
                self._buffers.clear()
            self._buffers[(n, m)] = room
        return room

    def step(self, v: np.ndarray, k: int, chain: np.ndarray | None
             ) -> tuple[float, np.ndarray | None]:
        """v: the batch (n, visible). chain: the persistent chain's hidden states (m, units), or
        None for CD-k from the data. Returns (mean F(v) - mean F(v_model), the hidden sample the
        persistent chain goes on from (None for CD, which starts again from the data))."""
        W, c, b = self.W, self.c, self.b
        n = len(v)
        m = n if chain is None else len(chain)
        r = self._room(n, m)
        P, H, V = r["P"], r["H"], r["V"]
        V[:n] = v
        P_pos, P_neg, V_neg = P[:n], P[n:], V[n:]
        np.matmul(v, W.T, out=P_pos)
        P_pos += c
        if chain is None:
            u = r["u_h"][:n]
            self.rng.random(out=u, dtype=self.dtype)
            h = np.less(u, _sigmoid(P_pos, out=H[:n]), out=u)
        else:
            h = chain
        gaussian = self.module.gaussian
        for i in range(k):
            mean = np.matmul(h, W, out=r["mean"])
            mean += b
            if gaussian:
                self.rng.standard_normal(out=r["u_v"], dtype=self.dtype)
                np.add(mean, r["u_v"], out=V_neg)
            else:
                _sigmoid(mean, out=mean)
                self.rng.random(out=r["u_v"], dtype=self.dtype)
                np.less(r["u_v"], mean, out=V_neg)
            np.matmul(V_neg, W.T, out=P_neg)
            P_neg += c
            if i < k - 1:
                u = r["u_h"][:m]
                self.rng.random(out=u, dtype=self.dtype)
                h = np.less(u, _sigmoid(P_neg, out=H[n:]), out=u)
        _sigmoid(P, out=H)
        # each row weighted -1/n (data) or +1/m (model): the gap's derivatives are weighted sums
        col = r["col"]
        Vw = np.multiply(V, col, out=r["Vw"])
        np.matmul(H.T, Vw, out=self.gW)
        np.matmul(col[:, 0], H, out=self.gc)
        Vw.sum(axis=0, out=self.gb)
        # the gap: sum_h softplus(P) per row, then the visible part (see cd_statistics)
        hidden = float(col[:, 0] @ _softplus(P, r["S"]).sum(axis=1))
        if gaussian:
            d = V - b
            visible = -0.5 * float(col[:, 0] @ (d * d).sum(axis=1))
        else:
            visible = float(self.gb @ b)
        for p, g in zip(self.params, self.grads):
            if p.grad is not g:
                p.grad = g
        if chain is None:
            return visible + hidden, None
        u = r["u_h"][:m]
        self.rng.random(out=u, dtype=self.dtype)
        nxt = r["next"][0] if chain is not r["next"][0] else r["next"][1]
        return visible + hidden, np.less(u, H[n:], out=nxt)


def _sigmoid(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) as (1 + tanh(x / 2)) / 2, which never overflows: numpy's exp would warn
    past x = -88 in float32, and scipy's expit takes about twice as long on these sizes."""
    np.multiply(x, 0.5, out=out)
    np.tanh(out, out=out)
    np.multiply(out, 0.5, out=out)
    return np.add(out, 0.5, out=out)


def _softplus(x: np.ndarray, scratch: np.ndarray) -> np.ndarray:
    """log(1 + e^x) in place of x, as max(x, 0) + log(1 + e^-|x|), which never overflows
    (numpy's logaddexp does the same but took six times as long on these sizes)."""
    np.abs(x, out=scratch)
    np.negative(scratch, out=scratch)
    np.exp(scratch, out=scratch)
    np.log1p(scratch, out=scratch)
    np.maximum(x, 0, out=x)
    return np.add(x, scratch, out=x)
