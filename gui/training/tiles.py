"""Small images laid out in a grid, as one array the canvas and the dashboard both draw: numpy
only, no Qt, so it is tested headless and made once per new sample rather than at every paint.

Pixel values come from the engine in [0, 1] (0 the background of the digits). They are drawn as
dark ink on paper (1 - value), the way digits are printed, and the gaps between images take a
colour of their own so each image is seen as a separate picture even at a few pixels each.
"""
from __future__ import annotations

import numpy as np

PAPER_GAP = (205, 212, 222)      # the gaps: a cool grey, distinct from any ink level
# weights drawn as pictures (an RBM's filters): negative blue, zero white, positive orange, the
# Okabe-Ito pair that stays apart for the colour-blind and on a washed-out projector
NEGATIVE = np.array((0, 114, 178), np.float32)
POSITIVE = np.array((213, 94, 0), np.float32)


def ink(images: np.ndarray) -> np.ndarray:
    """(n, rows, cols) values in [0, 1] -> uint8 grey levels, 255 for 0 (paper), 0 for 1 (ink).
    NaN (a diverged model) is drawn as paper rather than raising."""
    v = np.nan_to_num(np.asarray(images, np.float32), nan=0.0, posinf=1.0, neginf=0.0)
    return (255.0 * (1.0 - np.clip(v, 0.0, 1.0)) + 0.5).astype(np.uint8)


def weights(images: np.ndarray) -> np.ndarray:
    """(n, rows, cols) weights as pictures in [0, 1], 0.5 a zero weight (the engine's filters)
    -> RGB uint8 (n, rows, cols, 3): blue below 0.5, white at it, orange above, deeper the
    further from it. NaN is drawn as a zero weight."""
    v = np.nan_to_num(np.asarray(images, np.float32), nan=0.5, posinf=1.0, neginf=0.0)
    d = np.clip(2.0 * v - 1.0, -1.0, 1.0)[..., None]
    size = np.abs(d)
    color = np.where(d < 0, NEGATIVE, POSITIVE)
    return (255.0 * (1.0 - size) + color * size + 0.5).astype(np.uint8)


def mosaic(rows: list[np.ndarray], columns: int | None = None, gap: int = 1,
           gap_color: tuple[int, int, int] = PAPER_GAP,
           painters: list | None = None) -> np.ndarray:
    """Rows of images, each (n, h, w) in [0, 1], as one RGB uint8 array (H, W, 3), row-major:
    one grid row per entry of `rows`, the first `columns` images of each (all when None), with
    `gap` pixels of `gap_color` around and between them. Rows with fewer images leave gaps.
    `painters[i]` turns row i's images into grey (n, h, w) or RGB (n, h, w, 3) uint8 (`ink`
    when None, or for a row it does not cover; `weights` draws filters)."""
    keep = [i for i, r in enumerate(rows) if r is not None and len(r)]
    painters = [(painters[i] if painters and i < len(painters) and painters[i] else ink)
                for i in keep]
    rows = [np.asarray(rows[i]) for i in keep]
    if not rows:
        return np.zeros((0, 0, 3), np.uint8)
    h, w = rows[0].shape[1:3]
    n = columns if columns is not None else max(len(r) for r in rows)
    out = np.empty((gap + len(rows) * (h + gap), gap + n * (w + gap), 3), np.uint8)
    out[:] = gap_color
    for i, (r, paint) in enumerate(zip(rows, painters)):
        pixels = paint(r[:n, :h, :w])
        if pixels.ndim == 3:
            pixels = pixels[..., None]
        y = gap + i * (h + gap)
        for j, img in enumerate(pixels):
            x = gap + j * (w + gap)
            out[y:y + img.shape[0], x:x + img.shape[1]] = img
    return out


def grid(images: np.ndarray, columns: int, paint=None, gap: int = 1,
         gap_color: tuple[int, int, int] = PAPER_GAP) -> np.ndarray:
    """(n, h, w) images in rows of `columns`, as one RGB uint8 mosaic (a filter bank)."""
    images = np.asarray(images)
    rows = [images[i:i + columns] for i in range(0, len(images), columns)]
    return mosaic(rows, columns, gap, gap_color, [paint] * len(rows))


def bar_strip(values: np.ndarray, height: int, top: float | None = None, bar: int = 1,
              gap: int = 0, fill: tuple[int, int, int] = (0, 114, 178),
              back: tuple[int, int, int] = (236, 239, 244)) -> tuple[np.ndarray, float]:
    """One bar of `bar` pixel columns per value, `gap` columns between bars, filled from the
    bottom in proportion to the value, as an RGB uint8 array (height, width, 3), and the value
    the full height stands for.

    The full height is 1 when every value lies in [0, 1] (sigmoid codes: then a sparse code
    looks sparse, short bars against a fixed top), else the largest |value| (and negative
    values are drawn as positive: the strip shows how strongly each unit is used)."""
    v = np.abs(np.nan_to_num(np.asarray(values, np.float64).ravel()))
    if top is None:
        top = 1.0 if (not len(v) or v.max() <= 1.0) else float(v.max())
    filled = np.rint(np.clip(v / max(top, 1e-12), 0.0, 1.0) * height).astype(int)
    rows = np.arange(height)[::-1][:, None]          # row 0 is the top of the image
    mask = np.repeat(rows < filled[None, :], bar + gap, axis=1)
    mask &= np.arange(mask.shape[1]) % (bar + gap) < bar       # the gaps stay empty
    mask = mask[:, :mask.shape[1] - gap]                        # none after the last bar
    out = np.empty(mask.shape + (3,), np.uint8)
    out[:] = back
    out[mask] = fill
    return out, top


def dots(points: np.ndarray, extent: tuple[float, float, float, float], size: int,
         fill: tuple[int, int, int] = (126, 47, 142), back: tuple[int, int, int] = (248, 248, 250),
         axes: tuple[int, int, int] = (215, 220, 228)) -> np.ndarray:
    """Points (n, 2) as 2 x 2-pixel dots on a square RGB uint8 picture (size, size, 3) of the
    region extent = (x0, x1, y0, y1), y up, with faint lines through the origin when it is in
    view. Points outside the region (or NaN) are left out."""
    out = np.empty((size, size, 3), np.uint8)
    out[:] = back
    x0, x1, y0, y1 = extent
    sx, sy = (size - 2) / max(x1 - x0, 1e-12), (size - 2) / max(y1 - y0, 1e-12)
    if x0 < 0 < x1:
        out[:, int((0 - x0) * sx)] = axes
    if y0 < 0 < y1:
        out[size - 2 - int((0 - y0) * sy)] = axes
    p = np.asarray(points, np.float64).reshape(-1, 2)
    p = p[np.isfinite(p).all(axis=1)]
    col = np.floor((p[:, 0] - x0) * sx).astype(np.int64)
    row = size - 2 - np.floor((p[:, 1] - y0) * sy).astype(np.int64)
    inside = (col >= 0) & (col <= size - 2) & (row >= 0) & (row <= size - 2)
    col, row = col[inside], row[inside]
    for dr in (0, 1):
        for dc in (0, 1):
            out[row + dr, col + dc] = fill
    return out
