"""The one fixed log scale of gradient norms, shared by the canvas colours, the bar chart, the
heat strip and the legend, so a colour means the same size of gradient everywhere.

Fixed rather than fitted to the data: a teacher compares runs (sigmoid against ReLU) by colour,
which only works when the colours do not rescale themselves.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

LOG_MIN = -8.0     # 1e-8: well below the first layer of the deep sigmoid lesson (~1e-6)
LOG_MAX = 4.0      # 1e4: the exploding lesson's first step; beyond it everything is "exploding"
COLORMAP = "viridis"
NON_FINITE = QColor(230, 0, 120)     # NaN or Inf: no colour of the scale

_lut: np.ndarray | None = None


def lut() -> np.ndarray:
    """256 x 3 uint8 colours from LOG_MIN to LOG_MAX."""
    global _lut
    if _lut is None:
        _lut = pg.colormap.get(COLORMAP).getLookupTable(0.0, 1.0, 256, alpha=False)
    return _lut


def position(norm: float) -> float:
    """Where a norm sits on the scale, 0..1 (clamped)."""
    if norm <= 0:
        return 0.0
    return min(1.0, max(0.0, (math.log10(norm) - LOG_MIN) / (LOG_MAX - LOG_MIN)))


def color_for(norm: float, levels: int = 256) -> QColor:
    """The scale's colour for a norm; fewer `levels` round it to coarser steps."""
    if not math.isfinite(norm):
        return QColor(NON_FINITE)
    level = round(position(norm) * (levels - 1)) * 255 // (levels - 1)
    r, g, b = lut()[level]
    return QColor(int(r), int(g), int(b))


def brush_colors(norms: list[float]) -> list[QColor]:
    return [color_for(n) for n in norms]


def tick_labels(step: int = 2) -> list[tuple[float, str]]:
    """(log10 value, label) pairs for the axis of a log10 plot: 1e-8, 1e-6, ..., 1e4."""
    return [(float(k), _power_label(k)) for k in range(int(LOG_MIN), int(LOG_MAX) + 1, step)]


def _power_label(k: int) -> str:
    return {0: "1", 1: "10", 2: "100"}.get(k, f"1e{k}")
