"""A line of large text over the canvas that fades away: presenter mode's keys when it starts,
the new speed after + or -, and what a lesson's presenter settings got wrong."""
from __future__ import annotations

from PySide6.QtCore import QEasingCurve, QPropertyAnimation, Qt, QTimer
from PySide6.QtWidgets import QGraphicsOpacityEffect, QLabel, QWidget

HINT_PT = 18
FADE_MS = 900
MARGIN = 24          # px above the bottom of the widget it sits over


class FadingHint(QLabel):
    """Shown over `over` (a widget of the same window), centred near its bottom edge."""

    def __init__(self, window: QWidget, over: QWidget):
        super().__init__(window)
        self.over = over
        self.setTextFormat(Qt.PlainText)      # messages quote the lesson file
        self.setAlignment(Qt.AlignCenter)
        self.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.setStyleSheet(f"QLabel {{ background: rgba(20, 20, 20, 200); color: white; "
                           f"font-size: {HINT_PT}pt; padding: 10px 22px; border-radius: 10px; }}")
        self._effect = QGraphicsOpacityEffect(self)
        self.setGraphicsEffect(self._effect)
        self._fade = QPropertyAnimation(self._effect, b"opacity", self)
        self._fade.setDuration(FADE_MS)
        self._fade.setStartValue(1.0)
        self._fade.setEndValue(0.0)
        self._fade.setEasingCurve(QEasingCurve.InQuad)
        self._fade.finished.connect(self.hide)
        self._wait = QTimer(self, singleShot=True)
        self._wait.timeout.connect(self._fade.start)
        self.hide()

    def flash(self, text: str, ms: int) -> None:
        """Show `text` for `ms` milliseconds, then fade it out."""
        self._fade.stop()
        self._effect.setOpacity(1.0)
        self.setText(text)
        self.place()
        self.show()
        self.raise_()
        self._wait.start(ms)

    def place(self) -> None:
        area = self.over.geometry()
        area.moveTopLeft(self.over.mapTo(self.parentWidget(), self.over.rect().topLeft()))
        # a long line wraps inside the canvas rather than running off both sides
        self.setWordWrap(True)
        self.setMaximumWidth(max(200, area.width() - 2 * MARGIN))
        self.adjustSize()
        self.move(area.center().x() - self.width() // 2, area.bottom() - self.height() - MARGIN)

    def dismiss(self) -> None:
        self._wait.stop()
        self._fade.stop()
        self.hide()
