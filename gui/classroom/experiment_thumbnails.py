"""Small scatter pictures of the synthetic data sets, for the Dataset picker.

Drawn from the engine's own generator, so a thumbnail shows the points the network will train
on (at the graph's noise), in the class colours of the dashboard's Classes tab.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap

from engine.data import synthetic
from gui.dashboard.plot_frame import SERIES
from gui.theme import Theme

POINTS = 300
MARGIN = 0.08            # of the picture's side, kept free around the points
DOT_PX = 2.6
_cache: dict[tuple, tuple[QPixmap, int]] = {}


def points(name: str, noise: float, n: int = POINTS) -> tuple[np.ndarray, np.ndarray]:
    """The set's points scaled into the unit square (both axes alike, so circles stay round)
    and its labels; seed 0, so the picture does not change from one drawing to the next."""
    x, y = synthetic.make(name, n, float(noise), seed=0)
    x = np.asarray(x, float)
    # a few far points of a noisy set must not shrink the rest to a dot
    lo, hi = np.percentile(x, 1, axis=0), np.percentile(x, 99, axis=0)
    centre, span = (lo + hi) / 2, max(float((hi - lo).max()), 1e-9)
    unit = (x - centre) / span + 0.5
    return np.clip(unit, -0.02, 1.02), np.asarray(y, int)


def thumbnail(name: str, noise: float, side: int, theme: Theme) -> tuple[QPixmap, int]:
    """(picture, number of classes) of one set; cached by everything that changes the picture."""
    key = (name, round(float(noise), 3), side, theme.name)
    if key not in _cache:
        _cache[key] = _draw(name, noise, side, theme)
    return _cache[key]


def _draw(name: str, noise: float, side: int, theme: Theme) -> tuple[QPixmap, int]:
    pts, labels = points(name, noise)
    pix = QPixmap(side, side)
    pix.fill(theme.color("base"))
    p = QPainter(pix)
    p.setRenderHint(QPainter.Antialiasing)
    p.setPen(QPen(theme.color("node_border"), 1))
    p.drawRect(QRectF(0.5, 0.5, side - 1, side - 1))
    inner = side * (1 - 2 * MARGIN)
    p.setPen(Qt.NoPen)
    for cls in np.unique(labels):
        colour = QColor(SERIES[int(cls) % len(SERIES)])
        colour.setAlpha(220)
        p.setBrush(colour)
        for u, v in pts[labels == cls]:
            # y grows upward in data and downward on screen
            centre = QPointF(side * MARGIN + u * inner, side * MARGIN + (1 - v) * inner)
            p.drawEllipse(centre, DOT_PX, DOT_PX)
    p.end()
    return pix, int(len(np.unique(labels)))
