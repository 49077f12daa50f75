"""The key to the canvas colours: a bar of the gradient-norm scale with its powers of ten."""
from __future__ import annotations

import math

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from gui.training import gradient_scale as scale
from gui.training.badges import Thresholds


class GradientLegend(QWidget):
    """'small gradient (vanishing)' dark ... bright 'large (exploding)', with the exploding limit
    marked. Painted by hand: it is a few rectangles and labels, no plot needed."""

    def __init__(self, thresholds: Thresholds | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.thresholds = thresholds or Thresholds()
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.setToolTip("Each Dense layer on the canvas is coloured by the L2 norm of its weight "
                        "gradient, on this fixed scale (the same in every plot and every run).")

    def set_thresholds(self, t: Thresholds) -> None:
        self.thresholds = t
        self.update()

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        return QSize(360, fm.height() * 3 + 14)

    def minimumSizeHint(self) -> QSize:
        return QSize(220, self.fontMetrics().height() * 3 + 14)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        fm = self.fontMetrics()
        h = fm.height()
        margin = fm.horizontalAdvance("1e-8") / 2 + 2
        bar = QRectF(margin, h + 4, self.width() - 2 * margin, h * 0.9)
        ink = self.palette().windowText().color()
        p.setPen(ink)
        top = QRectF(0, 0, self.width(), h + 2)
        left, right, title = "◀ vanishing", "exploding ▶", "weight-gradient norm"
        p.drawText(top, Qt.AlignLeft | Qt.AlignVCenter, left)
        p.drawText(top, Qt.AlignRight | Qt.AlignVCenter, right)
        room = self.width() - fm.horizontalAdvance(left) - fm.horizontalAdvance(right)
        if room > fm.horizontalAdvance(title) + 16:
            p.drawText(top, Qt.AlignHCenter | Qt.AlignVCenter, title)
        grad = QLinearGradient(bar.left(), 0, bar.right(), 0)
        lut = scale.lut()
        for i in range(0, 256, 15):
            r, g, b = lut[i]
            grad.setColorAt(i / 255, QColor(int(r), int(g), int(b)))
        r, g, b = lut[255]
        grad.setColorAt(1.0, QColor(int(r), int(g), int(b)))
        p.fillRect(bar, grad)
        p.setPen(QPen(ink, 1))
        p.drawRect(bar)
        span = scale.LOG_MAX - scale.LOG_MIN
        for value, label in scale.tick_labels(2):
            x = bar.left() + bar.width() * (value - scale.LOG_MIN) / span
            p.drawLine(int(x), int(bar.bottom()), int(x), int(bar.bottom() + 3))
            p.drawText(QRectF(x - 30, bar.bottom() + 3, 60, h), Qt.AlignHCenter | Qt.AlignTop, label)
        limit = math.log10(self.thresholds.exploding_norm)
        x = bar.left() + bar.width() * (limit - scale.LOG_MIN) / span
        p.setPen(QPen(QColor(213, 94, 0), 2, Qt.DashLine))
        p.drawLine(int(x), int(bar.top() - 2), int(x), int(bar.bottom() + 2))
        p.end()
