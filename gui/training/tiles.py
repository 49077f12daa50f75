"""Small images laid out in a grid, as one array the canvas and the dashboard both draw: numpy
only, no Qt, so it is tested headless and made once per new sample rather than at every paint.

Pixel values come from the engine in [0, 1] (0 the background of the digits). They are drawn as
dark ink on paper (1 - value), the way digits are printed, and the gaps between images take a
colour of their own so each image is seen as a separate picture even at a few pixels each.
"""
from __future__ import annotations

import numpy as np

PAPER_GAP = (205, 212, 222)      # the gaps: a cool grey, distinct from any ink level


def ink(images: np.ndarray) -> np.ndarray:
    """(n, rows, cols) values in [0, 1] -> uint8 grey levels, 255 for 0 (paper), 0 for 1 (ink).
    NaN (a diverged model) is drawn as paper rather than raising."""
    v = np.nan_to_num(np.asarray(images, np.float32), nan=0.0, posinf=1.0, neginf=0.0)
    return (255.0 * (1.0 - np.clip(v, 0.0, 1.0)) + 0.5).astype(np.uint8)


def mosaic(rows: list[np.ndarray], columns: int | None = None, gap: int = 1,
           gap_color: tuple[int, int, int] = PAPER_GAP) -> np.ndarray:
    """Rows of images, each (n, h, w) in [0, 1], as one RGB uint8 array (H, W, 3), row-major:
    one grid row per entry of `rows`, the first `columns` images of each (all when None), with
    `gap` pixels of `gap_color` around and between them. Rows with fewer images leave gaps."""
    rows = [np.asarray(r) for r in rows if r is not None and len(r)]
    if not rows:
        return np.zeros((0, 0, 3), np.uint8)
    h, w = rows[0].shape[1:3]
    n = columns if columns is not None else max(len(r) for r in rows)
    out = np.empty((gap + len(rows) * (h + gap), gap + n * (w + gap), 3), np.uint8)
    out[:] = gap_color
    for i, r in enumerate(rows):
        grey = ink(r[:n, :h, :w])
        y = gap + i * (h + gap)
        for j, img in enumerate(grey):
            x = gap + j * (w + gap)
            out[y:y + img.shape[0], x:x + img.shape[1]] = img[..., None]
    return out


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
