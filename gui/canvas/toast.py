"""A short message drawn on the canvas where the user is looking (beside the mouse), used to say
why a connection was refused. It keeps its size at any zoom and fades away by itself."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, QVariantAnimation
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject, QStyleOptionGraphicsItem

from gui.canvas import style
from gui.theme import Theme

MAX_W = 380.0
PAD = 10.0
SHOW_MS = 5000


class ToastItem(QGraphicsObject):
    """A QGraphicsObject so its timers die with it when the scene goes."""

    def __init__(self, text: str, theme: Theme, kind: str = "error"):
        super().__init__()
        self.text = text
        self.theme = theme
        self.kind = kind
        self.font = style.font("toast")
        self.setFlag(QGraphicsItem.ItemIgnoresTransformations)
        self.setZValue(100)
        self.setAcceptedMouseButtons(Qt.NoButton)
        fm = QFontMetricsF(self.font)
        r = fm.boundingRect(QRectF(0, 0, MAX_W, 1000), Qt.TextWordWrap, text)
        self._text_rect = QRectF(PAD + 14, PAD, r.width() + 2, r.height() + 2)
        self._rect = self._text_rect.adjusted(-PAD - 14, -PAD, PAD, PAD)
        self._timer = QTimer(self, singleShot=True, interval=SHOW_MS)
        self._timer.timeout.connect(self._fade)
        self._timer.start()
        self._anim: QVariantAnimation | None = None

    def _fade(self) -> None:
        self._anim = QVariantAnimation(self, startValue=1.0, endValue=0.0, duration=400)
        self._anim.valueChanged.connect(self.setOpacity)
        self._anim.finished.connect(self.dismiss)
        self._anim.start()

    def dismiss(self) -> None:
        self._timer.stop()
        if self.scene() is not None:
            self.scene().removeItem(self)

    def place(self, at: QPointF) -> None:
        # just below and right of the pointer, so it does not hide the port it is about
        self.setPos(at + QPointF(14, 14))

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-2, -2, 2, 2)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        accent = self.theme.color("error" if self.kind == "error" else "accent")
        painter.setRenderHint(QPainter.Antialiasing)
        bg = QColor(self.theme.base)
        painter.setPen(QPen(accent, 2.0))
        painter.setBrush(bg)
        painter.drawRoundedRect(self._rect, 8, 8)
        painter.setPen(Qt.NoPen)
        painter.setBrush(accent)
        painter.drawRoundedRect(QRectF(self._rect.left(), self._rect.top(), 8, self._rect.height()), 4, 4)
        painter.setFont(self.font)
        painter.setPen(self.theme.color("text"))
        painter.drawText(self._text_rect, Qt.TextWordWrap, self.text)
