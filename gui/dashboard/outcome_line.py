"""The run's outcome above the plots, at most two lines high, one in a short dashboard.

A diverged run's message names where it happened and what usually helps: three lines at
1280x720, which squeezed the plots under it to a strip with overlapping ticks. The line keeps
what fits, ends it with an ellipsis, and carries the whole text in its tooltip; `text()` is
still the whole text, so callers read what the run said, not what fitted.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFontMetricsF, QTextLayout
from PySide6.QtWidgets import QLabel

MAX_LINES = 2
SHORT_PX = 280        # a dashboard lower than this (about 210 px in a 1280x720 window) gets one line


class OutcomeLine(QLabel):
    def __init__(self) -> None:
        super().__init__("")
        self.setTextFormat(Qt.PlainText)     # run outcomes name nodes and quote errors
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self._full = ""
        self._watching = False

    def setText(self, text: str) -> None:
        self._full = text
        self._fit()

    def text(self) -> str:
        return self._full

    def shown_text(self) -> str:
        """What the label shows now (the whole text, or its first two lines elided)."""
        return super().text()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        parent = self.parentWidget()
        if parent is not None and not self._watching:
            self._watching = True
            parent.installEventFilter(self)     # its height decides how many lines
        self._fit()

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Resize:
            self._fit()
        return False

    def max_lines(self) -> int:
        parent = self.parentWidget()
        return 1 if parent is not None and parent.height() < SHORT_PX else MAX_LINES

    def _fit(self) -> None:
        shown = _first_lines(self._full, self.font(), self.contentsRect().width()
                             - 2 * self.margin() - 14,   # the style's padding, both sides
                             self.max_lines())
        self.setToolTip(self._full if shown != self._full else "")
        if super().text() != shown:
            super().setText(shown)


def _first_lines(text: str, font, width: float, lines: int) -> str:
    """`text` if it wraps to at most `lines` lines `width` wide, else its first lines with the
    last one elided."""
    if width <= 0 or not text:
        return text
    layout = QTextLayout(text, font)
    layout.beginLayout()
    starts = []
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        starts.append(line.textStart())
    layout.endLayout()
    if len(starts) <= lines:
        return text
    last = starts[lines - 1]
    tail = QFontMetricsF(font).elidedText(text[last:], Qt.ElideRight, width)
    return text[:last] + tail
