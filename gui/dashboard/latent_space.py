"""The arithmetic behind the latent view, in numpy only (no Qt): a code's 2-D picture (the code
itself for two units, else its first two principal components), straight paths between codes,
and which decoding block turns a coding block's codes back into images."""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable

import numpy as np


def project_2d(values: np.ndarray, previous: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray | None, str]:
    """(points (m, 2), axes, how): a two-unit code as it is (axes None); a wider one onto its
    first two principal components (axes (units, 2)), by SVD of the centred codes. A principal
    axis has no sign of its own, so each is turned to agree with `previous` (the last frame's
    axes): otherwise the cloud could flip over from one sample to the next."""
    v = np.nan_to_num(np.asarray(values, np.float64))
    if v.ndim != 2 or v.shape[1] == 0:
        return np.zeros((0, 2)), None, ""
    if v.shape[1] == 1:
        return np.column_stack([v[:, 0], np.zeros(len(v))]), None, "unit 1 (one-unit code)"
    if v.shape[1] == 2:
        return v, None, "code units"
    centred = v - v.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    axes = vt[:2].T.copy()
    if previous is not None and previous.shape == axes.shape:
        signs = np.sign(np.sum(axes * previous, axis=0))
    else:
        signs = np.sign(axes[np.argmax(np.abs(axes), axis=0), [0, 1]])
    axes *= np.where(signs == 0, 1.0, signs)
    share = s[:2] ** 2 / max(float(np.sum(s ** 2)), 1e-300)
    return centred @ axes, axes, f"PCA of {v.shape[1]} units ({100 * share.sum():.0f}% of variance)"


def interpolate(a: np.ndarray, b: np.ndarray, steps: int) -> np.ndarray:
    """`steps` codes evenly spaced from a to b, both ends included: (steps, units)."""
    t = np.linspace(0.0, 1.0, max(2, steps))[:, None]
    return (1.0 - t) * np.asarray(a, np.float64)[None, :] + t * np.asarray(b, np.float64)[None, :]


def decoder_for(encoder: str, decoders: Iterable[str],
                edges: Iterable[tuple[str, str]] = ()) -> str | None:
    """The decoding block that reads the coding block's code: the only one when there is one,
    else the nearest one downstream of `encoder` along `edges` (source id, destination id)."""
    decoders = list(decoders)
    if len(decoders) <= 1:
        return decoders[0] if decoders else None
    after: dict[str, list[str]] = {}
    for src, dst in edges:
        after.setdefault(src, []).append(dst)
    seen, queue = {encoder}, deque([encoder])
    while queue:
        node = queue.popleft()
        if node != encoder and node in decoders:
            return node
        for nxt in after.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return decoders[0]
