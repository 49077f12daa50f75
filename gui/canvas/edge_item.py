"""Connections on the canvas: a curve from an output port to an input port, labelled with the
width that flows along it (and the image shape when there is one)."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QStyleOptionGraphicsItem

from gui.canvas import style
from gui.canvas.node_item import PortItem
from gui.plain_text import plain_tooltip
from gui.theme import Theme

RETURN_MIN_DY = 100.0      # an edge going back at least this far down or up is routed between rows
RETURN_R = 40.0


def curve(p1: QPointF, p2: QPointF) -> QPainterPath:
    """A horizontal S-curve: leaves an output going right, arrives at an input from the left.
    Forward edges bend gently; an edge running backwards loops wide so it reads as one, or, to
    another row, returns along the middle between the two rows."""
    gap = p2.x() - p1.x()
    dx = max(15.0, gap * 0.5) if gap > 0 else 60.0 + min(-gap, 400.0) * 0.25
    path = QPainterPath(p1)
    if gap <= 0 and abs(p2.y() - p1.y()) >= RETURN_MIN_DY:
        # a chain wrapped onto the next row: one long diagonal loop would cut through the blocks
        # at both ends of the rows, so turn back along the gap between the rows instead
        mid = (p1.y() + p2.y()) / 2
        path.cubicTo(QPointF(p1.x() + RETURN_R, p1.y()), QPointF(p1.x() + RETURN_R, mid),
                     QPointF(p1.x(), mid))
        path.lineTo(QPointF(p2.x(), mid))
        path.cubicTo(QPointF(p2.x() - RETURN_R, mid), QPointF(p2.x() - RETURN_R, p2.y()), p2)
        return path
    path.cubicTo(QPointF(p1.x() + dx, p1.y()), QPointF(p2.x() - dx, p2.y()), p2)
    return path


class EdgeLabelItem(QGraphicsItem):
    """The width pill. A separate item so it can sit above nodes while the curve sits below."""

    def __init__(self, edge: EdgeItem):
        super().__init__()
        self.edge = edge
        self.text = ""
        self._rect = QRectF()
        self.setZValue(3)
        self.setAcceptedMouseButtons(Qt.NoButton)

    def set_text(self, text: str) -> None:
        if text != self.text:
            self.prepareGeometryChange()
            self.text = text
            w = QFontMetricsF(style.font("small")).horizontalAdvance(text) + 12 if text else 0
            self._rect = QRectF(-w / 2, -9, w, 18)
            self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        if not self.text:
            return
        # the pill has no room to grow like a block's compact face (neighbours in a chain are
        # 20 apart), so below a readable size it steps aside; the blocks' summaries say the widths
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        if lod * style.font("small").pixelSize() < style.MIN_TEXT_PX:
            return
        t = self.edge.theme
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(QPen(t.color("edge"), 1.0))
        painter.setBrush(t.color("label_bg"))
        painter.drawRoundedRect(self._rect, 9, 9)
        painter.setFont(style.font("small"))
        painter.setPen(t.color("label_text"))
        painter.drawText(self._rect, Qt.AlignCenter, self.text)


class EdgeItem(QGraphicsPathItem):
    def __init__(self, key: tuple[str, str, str, str], src: PortItem, dst: PortItem, theme: Theme):
        super().__init__()
        self.key = key
        self.src = src
        self.dst = dst
        self.theme = theme
        self.label = EdgeLabelItem(self)
        self.setZValue(0)
        self.setFlag(QGraphicsItem.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self._hover = False
        self._shape = QPainterPath()
        self._bounds = QRectF()
        src.edges.append(self)
        dst.edges.append(self)
        self.set_width_text("")
        self.update_path()

    def detach(self) -> None:
        for port in (self.src, self.dst):
            if self in port.edges:
                port.edges.remove(self)
            port.update()
        scene = self.scene()
        if scene is not None:
            scene.removeItem(self.label)
            scene.removeItem(self)

    def set_width_text(self, text: str) -> None:
        self.label.set_text(text)
        s, sp, d, dp = self.key
        # node ids and port names come from the file: shown literally, never as markup
        self.setToolTip(plain_tooltip(f"{s}.{sp} → {d}.{dp}" + (f"\nwidth: {text}" if text else "")))

    def update_path(self) -> None:
        path = curve(self.src.scenePos(), self.dst.scenePos())
        stroker = QPainterPathStroker()
        stroker.setWidth(12)   # easy to click without pixel hunting
        self.prepareGeometryChange()
        self._shape = stroker.createStroke(path)
        self._bounds = self._shape.boundingRect()
        self.setPath(path)
        # near the input it feeds (what arrives is what matters), but never past the middle
        length = path.length()
        at = path.percentAtLength(max(length / 2, length - 70.0)) if length > 0 else 0.5
        self.label.setPos(path.pointAtPercent(at))

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.update()
        self.label.update()

    def shape(self) -> QPainterPath:
        return self._shape

    def boundingRect(self) -> QRectF:
        return self._bounds

    def hoverEnterEvent(self, event) -> None:
        self._hover = True
        self.update()

    def hoverLeaveEvent(self, event) -> None:
        self._hover = False
        self.update()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        painter.setRenderHint(QPainter.Antialiasing)
        color = self.theme.color("accent") if self.isSelected() else self.theme.color("edge")
        width = 3.5 if self.isSelected() else (2.8 if self._hover else 2.0)
        width *= getattr(self.scene(), "wire_scale", 1.0)
        painter.setPen(QPen(color, width, Qt.SolidLine, Qt.RoundCap))
        painter.setBrush(Qt.NoBrush)
        painter.drawPath(self.path())


class DragEdgeItem(QGraphicsPathItem):
    """The curve that follows the mouse while a connection is being drawn."""

    def __init__(self, start: PortItem, theme: Theme):
        super().__init__()
        self.start = start
        self.setZValue(4)
        pen = QPen(theme.color("accent"), 2.5, Qt.DashLine, Qt.RoundCap)
        self.setPen(pen)
        self.set_end(start.scenePos())

    def set_end(self, end: QPointF, color: QColor | None = None) -> None:
        a = self.start.scenePos()
        self.setPath(curve(a, end) if self.start.is_output else curve(end, a))
        if color is not None and color != self.pen().color():
            pen = self.pen()
            pen.setColor(color)
            self.setPen(pen)
