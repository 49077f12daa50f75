"""Toolbar icons, drawn as simple line pictures in the theme's text colour.

Drawn rather than shipped so they match both themes, stay sharp at any screen scale (each is
painted at 1x, 2x and 3x), and need no icon theme (which offscreen and Windows lack).
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

SIZE = 24


def _page(p: QPainter) -> None:
    path = QPainterPath(QPointF(6, 3))
    path.lineTo(14, 3)
    path.lineTo(19, 8)
    path.lineTo(19, 21)
    path.lineTo(6, 21)
    path.closeSubpath()
    p.drawPath(path)
    p.drawPolyline([QPointF(14, 3), QPointF(14, 8), QPointF(19, 8)])


def _folder(p: QPainter) -> None:
    path = QPainterPath(QPointF(3, 7))
    path.lineTo(3, 19)
    path.lineTo(21, 19)
    path.lineTo(21, 9)
    path.lineTo(11, 9)
    path.lineTo(9, 6)
    path.lineTo(4, 6)
    path.closeSubpath()
    p.drawPath(path)


def _save(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(4, 4, 16, 16), 2, 2)
    p.drawRect(QRectF(8, 4, 8, 5))
    p.drawRect(QRectF(7.5, 13, 9, 7))


def _arrow(p: QPainter, mirror: bool) -> None:
    if mirror:
        p.translate(SIZE, 0)
        p.scale(-1, 1)
    path = QPainterPath(QPointF(19, 18))
    path.cubicTo(QPointF(19, 10), QPointF(14, 8), QPointF(6, 8))
    p.drawPath(path)
    p.drawPolyline([QPointF(10, 4), QPointF(6, 8), QPointF(10, 12)])


def _trash(p: QPainter) -> None:
    p.drawLine(QPointF(4, 6), QPointF(20, 6))
    p.drawPolyline([QPointF(9, 6), QPointF(9, 3.5), QPointF(15, 3.5), QPointF(15, 6)])
    p.drawPolyline([QPointF(6, 6), QPointF(7, 21), QPointF(17, 21), QPointF(18, 6)])
    p.drawLine(QPointF(10, 10), QPointF(10, 17))
    p.drawLine(QPointF(14, 10), QPointF(14, 17))


def _layout(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(2, 9, 6, 6), 1.5, 1.5)
    p.drawRoundedRect(QRectF(16, 3, 6, 6), 1.5, 1.5)
    p.drawRoundedRect(QRectF(16, 15, 6, 6), 1.5, 1.5)
    path = QPainterPath(QPointF(8, 12))
    path.cubicTo(QPointF(12, 12), QPointF(12, 6), QPointF(16, 6))
    path.moveTo(8, 12)
    path.cubicTo(QPointF(12, 12), QPointF(12, 18), QPointF(16, 18))
    p.drawPath(path)


def _fit(p: QPainter) -> None:
    for x, y, dx, dy in ((3, 3, 1, 1), (21, 3, -1, 1), (3, 21, 1, -1), (21, 21, -1, -1)):
        p.drawPolyline([QPointF(x, y + 6 * dy), QPointF(x, y), QPointF(x + 6 * dx, y)])
    p.drawRect(QRectF(8.5, 8.5, 7, 7))


DRAW = {"new": _page, "open": _folder, "save": _save, "undo": lambda p: _arrow(p, False),
        "redo": lambda p: _arrow(p, True), "delete": _trash, "layout": _layout, "fit": _fit}


def icon(name: str, color: QColor) -> QIcon:
    out = QIcon()
    for scale in (1, 2, 3):
        pm = QPixmap(SIZE * scale, SIZE * scale)
        pm.setDevicePixelRatio(scale)
        pm.fill(Qt.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.Antialiasing)
        p.setPen(QPen(color, 1.7, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin))
        p.setBrush(Qt.NoBrush)
        DRAW[name](p)
        p.end()
        out.addPixmap(pm)
    disabled = QColor(color)
    disabled.setAlphaF(0.35)
    for scale in (1, 2):
        pm = QPixmap(SIZE * scale, SIZE * scale)
        pm.setDevicePixelRatio(scale)
        pm.fill(Qt.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.Antialiasing)
        p.setPen(QPen(disabled, 1.7, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin))
        DRAW[name](p)
        p.end()
        out.addPixmap(pm, QIcon.Disabled)
    return out
