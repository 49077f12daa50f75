"""The overview in the canvas's corner: every node as a small block and the visible area as a
frame; click or drag in it to move there.

It paints node rectangles itself instead of rendering the scene a second time, so a graph of
hundreds of nodes costs it almost nothing.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from gui.canvas.view import CanvasView

W, H, MARGIN = 200, 120, 12


class Minimap(QWidget):
    def __init__(self, view: CanvasView):
        super().__init__(view)
        self.view = view
        self.setFixedSize(W, H)
        self.setCursor(Qt.PointingHandCursor)
        self.setToolTip("Overview: click or drag to move around the canvas")
        self._refresh = QTimer(self, singleShot=True, interval=60)
        self._refresh.timeout.connect(self.update)

    def schedule_update(self) -> None:
        if self.isVisible() and not self._refresh.isActive():
            self._refresh.start()

    def _world(self) -> QRectF:
        """The scene area shown: all nodes (not the visible area, or dragging would move the map)."""
        scene = self.view.scene()
        rect = scene.nodes_rect() if scene is not None else QRectF()
        if rect.isNull():
            rect = self.view.visible_scene_rect()
        return rect.adjusted(-40, -40, 40, 40)

    def _mapping(self) -> tuple[float, QPointF, QRectF]:
        world = self._world()
        inner = QRectF(6, 6, W - 12, H - 12)
        s = min(inner.width() / max(world.width(), 1), inner.height() / max(world.height(), 1))
        off = QPointF(inner.center().x() - world.center().x() * s, inner.center().y() - world.center().y() * s)
        return s, off, world

    def paintEvent(self, event) -> None:
        scene = self.view.scene()
        if scene is None:
            return
        theme = scene.theme
        s, off, _ = self._mapping()
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        bg = QColor(theme.window)
        bg.setAlpha(215)
        p.setPen(QPen(theme.color("node_border"), 1))
        p.setBrush(bg)
        p.drawRoundedRect(QRectF(0.5, 0.5, W - 1, H - 1), 6, 6)
        p.setPen(Qt.NoPen)
        for rect, color in scene.node_rects():
            p.setBrush(color)
            p.drawRect(QRectF(rect.x() * s + off.x(), rect.y() * s + off.y(),
                              max(rect.width() * s, 2), max(rect.height() * s, 2)))
        vis = self.view.visible_scene_rect()
        p.setClipRect(QRectF(1, 1, W - 2, H - 2))
        p.setPen(QPen(theme.color("accent"), 2))
        p.setBrush(Qt.NoBrush)
        p.drawRect(QRectF(vis.x() * s + off.x(), vis.y() * s + off.y(), vis.width() * s, vis.height() * s))
        p.end()

    def _jump(self, pos: QPointF) -> None:
        s, off, _ = self._mapping()
        self.view.centerOn(QPointF((pos.x() - off.x()) / s, (pos.y() - off.y()) / s))

    def mousePressEvent(self, event) -> None:
        self._jump(event.position())

    def mouseMoveEvent(self, event) -> None:
        if event.buttons() & Qt.LeftButton:
            self._jump(event.position())
