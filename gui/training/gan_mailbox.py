"""What the GAN tab asks of a run, and the mailbox that carries the question to the training
thread while it trains.

One request (`field`) answers everything the tab draws at one moment, all for the same weights:
for two-dimensional data the discriminator's score over a grid (the heat map), the generator's
samples of a fixed noise batch and the gradient of the generator's loss at each of them (the
arrows), and, once, real rows to draw beside them; for image data a grid of pictures of fixed
noise. Asking for them one by one could straddle an update and show a heat map the samples were
never scored against. The torch work is the engine's (`Run.gan_*`); while a run trains it must
happen in the training thread, between two steps (decode_mailbox.py says why). Plain Python, no
Qt.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from gui.training.decode_mailbox import DecodeMailbox

REAL_ROWS = 512         # real points drawn under the samples: enough to see every mode
PAD = 0.25              # the heat map reaches this share of the data's span past it on each side

DEFAULTS = {"n": 256, "seed": 0, "steps": 64, "pictures": 0, "real": False, "extent": None}


def square_extent(points: np.ndarray, pad: float = PAD) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1): a square around the points with `pad` of their span around them, so the
    heat map's cells are square and a ring looks round."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    centre, half = (lo + hi) / 2, float(max(hi - lo)) / 2 * (1 + 2 * pad) + 1e-6
    return (float(centre[0] - half), float(centre[0] + half),
            float(centre[1] - half), float(centre[1] + half))


def real_rows(run: Any, count: int = REAL_ROWS) -> np.ndarray:
    """Up to `count` training rows spread over the split, in the units the data was loaded in
    (what the engine's samples and grids are measured in)."""
    data = run.prepare().data
    x = data.train.x
    pick = np.linspace(0, len(x) - 1, min(count, len(x))).astype(int)
    return np.asarray(data.raw_x(np.asarray(x[pick])), np.float32)


def field(run: Any, request: dict[str, Any]) -> dict[str, Any]:
    """The answer to one request of the GAN tab (keys as DEFAULTS) from `run`, between steps."""
    r = {**DEFAULTS, **request}
    out: dict[str, Any] = {}
    features = run.prepare().data.train.x.shape[1]
    if features == 2:
        if r["real"] or r["extent"] is None:
            real = real_rows(run)
            out["real"] = real
            extent = r["extent"] if r["extent"] is not None else square_extent(real)
        else:
            extent = r["extent"]
        x0, x1, y0, y1 = extent
        out["extent"] = tuple(float(v) for v in extent)
        out["grid"] = run.gan_score_grid((x0, x1), (y0, y1), r["steps"])
        out["points"], out["gradients"] = run.gan_gradients(r["n"], r["seed"])
    if r["pictures"]:
        out["pictures"] = run.gan_pictures(r["pictures"], r["seed"])
    return out


class GanMailbox(DecodeMailbox):
    def post(self, node_id: str, request: dict[str, Any]) -> int:
        """Ask for `field(run, request)` of the GAN whose generator is `node_id`; the serial."""
        with self._lock:
            self._serial += 1
            self._request = (self._serial, node_id, dict(request))
            return self._serial

    def ask(self, run: Any, node_id: str, request: Any) -> Any:
        return field(run, request)

    @staticmethod
    def failed(node_id: str, exc: Exception) -> str:
        return f"cannot sample the GAN of '{node_id}': {type(exc).__name__}: {exc}"
