"""What the canvas items share about their look: the fonts they draw text with, and the zoom
below which they skip drawing it. In one module so the node, the edge label and the toast stay
alike; the colours come from the theme (gui/theme.py), which every item is handed."""
from __future__ import annotations

import math

from PySide6.QtGui import QFont

from gui.theme import canvas_font

TEXT_LOD = 0.35        # below this zoom the text would be unreadable: skip drawing it
# The smallest text, in screen pixels, a block may show: read from the back of a room on a
# 1280x720 projector. Below the zoom where the card's own text reaches it, a block shows a compact
# face (its id and summary, enlarged to this size) instead of shrinking its text further.
MIN_TEXT_PX = 11.0

FONT_SPECS = {          # kind -> (size in scene pixels, bold)
    "title": (14, True),
    "type": (11, False),
    "body": (12, False),
    "small": (11, False),
    "badge": (12, True),
    "toast": (14, False),
}

_fonts: dict[str, QFont] = {}
_sized: dict[tuple[int, bool], QFont] = {}


def font(kind: str) -> QFont:
    """The canvas font of `kind`, shared by every item: callers must not change it. Made on first
    use rather than at import, because a QFont needs the QApplication to exist."""
    if kind not in _fonts:
        _fonts[kind] = canvas_font(*FONT_SPECS[kind])
    return _fonts[kind]


def smallest_px() -> float:
    return min(size for size, _ in FONT_SPECS.values())


def sized_font(px: float, bold: bool = False) -> QFont:
    """A canvas font of `px` scene pixels (rounded up, so it never renders below what was asked)."""
    key = (max(1, math.ceil(px)), bold)
    if key not in _sized:
        _sized[key] = canvas_font(*key)
    return _sized[key]
