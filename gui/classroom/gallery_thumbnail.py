"""A lesson's network in miniature for its gallery card: every block where the file puts it, with
the canvas's card shape and category colour, and every wire along the curve the canvas draws.

Drawn from the document with a QPainter rather than by rendering a CanvasScene: a scene would
analyse the graph (which loads its data set) and build every item, hundreds of milliseconds a
lesson, to end up at a size where the canvas itself shows no text. A picture is kept per file,
size and theme, and made again only when the file changes.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPen, QPixmap

from engine import blocks
from engine.graph import GraphDocument
from gui.canvas.edge_item import curve
from gui.canvas.node_item import NODE_H, NODE_W, RADIUS, port_y
from gui.classroom.gallery_catalog import Lesson
from gui.theme import Theme, canvas_font

MARGIN = 10.0          # pixels of card background around the network
MAX_SCALE = 0.45       # a two-block lesson stays a small picture, not two giant cards
LABEL_MIN_W = 48.0     # a block narrower than this on the card shows no id: it would not read
LABEL_PX = 10

_cache: dict[tuple, QPixmap] = {}


def thumbnail(lesson: Lesson, theme: Theme, width: int, height: int, dpr: float = 1.0) -> QPixmap:
    """The lesson's network fitted into width x height logical pixels (cached)."""
    key = (str(lesson.path), lesson.stamp, width, height, round(dpr, 2), theme.name)
    pixmap = _cache.get(key)
    if pixmap is None:
        pixmap = QPixmap(max(1, round(width * dpr)), max(1, round(height * dpr)))
        pixmap.setDevicePixelRatio(dpr)
        pixmap.fill(theme.color("canvas"))
        painter = QPainter(pixmap)
        try:
            if lesson.doc is not None:
                draw_network(painter, lesson.doc, theme, QRectF(0, 0, width, height))
            else:
                _draw_unreadable(painter, theme, QRectF(0, 0, width, height))
        finally:
            painter.end()
        _cache[key] = pixmap
    return pixmap


def draw_network(painter: QPainter, doc: GraphDocument, theme: Theme, area: QRectF) -> None:
    """Paint `doc`'s blocks and wires, scaled to fit inside `area` and centred in it."""
    if not doc.nodes:
        return
    xs = [n.pos[0] for n in doc.nodes.values()]
    ys = [n.pos[1] for n in doc.nodes.values()]
    world = QRectF(min(xs), min(ys), max(xs) - min(xs) + NODE_W, max(ys) - min(ys) + NODE_H)
    inner = area.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
    scale = min(inner.width() / world.width(), inner.height() / world.height(), MAX_SCALE)
    painter.save()
    painter.setRenderHint(QPainter.Antialiasing)
    painter.translate(inner.center())
    painter.scale(scale, scale)
    painter.translate(-world.center())
    ports = {node_id: _ports(doc, node_id) for node_id in doc.nodes}
    wire = QPen(theme.color("edge"), 1.4)
    wire.setCosmetic(True)          # a pixel and a half whatever the scale, as on the canvas
    painter.setPen(wire)
    painter.setBrush(Qt.NoBrush)
    for e in doc.edges:
        if e.src in doc.nodes and e.dst in doc.nodes:
            painter.drawPath(curve(_port_at(doc, ports, e.src, e.src_port, True),
                                   _port_at(doc, ports, e.dst, e.dst_port, False)))
    border = QPen(theme.color("node_border"), 1.0)
    border.setCosmetic(True)
    for node_id, node in doc.nodes.items():
        _draw_block(painter, theme, node_id, node.type, QRectF(*node.pos, NODE_W, NODE_H),
                    border, scale)
    painter.restore()


def _ports(doc: GraphDocument, node_id: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    block = blocks.get(doc.nodes[node_id].type)
    if block is not None:
        return block.inputs, block.outputs
    # an unknown type: the ports its wires use, as the canvas draws it
    return (tuple(dict.fromkeys(e.dst_port for e in doc.edges if e.dst == node_id)),
            tuple(dict.fromkeys(e.src_port for e in doc.edges if e.src == node_id)))


def _port_at(doc: GraphDocument, ports: dict, node_id: str, port: str, is_output: bool) -> QPointF:
    names = ports[node_id][1 if is_output else 0]
    x, y = doc.nodes[node_id].pos
    i = names.index(port) if port in names else 0
    dy = port_y(i, len(names)) if port in names else NODE_H / 2
    return QPointF(x + (NODE_W if is_output else 0), y + dy)


def _draw_block(painter: QPainter, theme: Theme, node_id: str, block_type: str, rect: QRectF,
                border: QPen, scale: float) -> None:
    block = blocks.get(block_type)
    head = theme.category_color(block.category if block is not None else "")
    painter.setPen(border)
    painter.setBrush(theme.color("node_body"))
    painter.drawRoundedRect(rect, RADIUS, RADIUS)
    # the top half in the category colour, like the canvas's compact face at a low zoom
    outline = QPainterPath()
    outline.addRoundedRect(rect, RADIUS, RADIUS)
    top = QPainterPath()
    top.addRect(QRectF(rect.x(), rect.y(), rect.width(), rect.height() / 2))
    painter.setPen(Qt.NoPen)
    painter.setBrush(head)
    painter.drawPath(outline.intersected(top))
    if rect.width() * scale < LABEL_MIN_W:
        return
    # the id in the lower half, at a pixel size that does not shrink with the scale
    painter.save()
    painter.scale(1 / scale, 1 / scale)
    low = QRectF(rect.x() * scale + 3, (rect.y() + rect.height() / 2) * scale,
                 rect.width() * scale - 6, rect.height() / 2 * scale)
    font = canvas_font(LABEL_PX)
    painter.setFont(font)
    painter.setPen(QColor(theme.node_text))
    text = QFontMetricsF(font).elidedText(node_id, Qt.ElideRight, low.width())
    painter.drawText(low, Qt.AlignCenter, text)
    painter.restore()


def _draw_unreadable(painter: QPainter, theme: Theme, area: QRectF) -> None:
    """A block outline in dashes where the network would be: there is none to show."""
    painter.setRenderHint(QPainter.Antialiasing)
    painter.setPen(QPen(theme.color("node_border"), 1.5, Qt.DashLine))
    painter.setBrush(Qt.NoBrush)
    block = QRectF(0, 0, NODE_W * MAX_SCALE * 1.6, NODE_H * MAX_SCALE * 1.6)
    block.moveCenter(area.center())
    painter.drawRoundedRect(block, RADIUS, RADIUS)
    painter.setFont(canvas_font(LABEL_PX * 2, True))
    painter.setPen(theme.color("muted"))
    painter.drawText(block, Qt.AlignCenter, "?")
