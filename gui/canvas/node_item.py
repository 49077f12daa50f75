"""A block on the canvas: title, a summary of its key params, its parameter count, its ports,
and a badge when the engine found something wrong with it. While a run pretrains a stack layer
by layer, a mark above the right of the node says whether it is pretraining (with a halo), done
or waiting its turn.

Sizes suit the lesson files, which place blocks at least 180 apart in x or in rows at least 90
apart in y: a node is narrower than 180 and shorter than 90, so neighbours never overlap.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from engine.errors import Problem
from gui.canvas import style
from gui.editor.connection_rules import PortRef
from gui.plain_text import as_str, esc, plain_tooltip
from gui.theme import Theme

if TYPE_CHECKING:
    from gui.canvas.edge_item import EdgeItem

NODE_W = 150.0
HEADER_H = 24.0
ROW_H = 23.0
NODE_H = HEADER_H + 2 * ROW_H
PORT_R = 6.0
PORT_HIT_R = 11.0      # ports are small to look at but generous to grab
RADIUS = 7.0
WEIGHT_NOTE_H = 17.0   # the pill under a layer of an opened model: its weights' norm
HALO_W = 14.0          # the glow around the node that is pretraining: seen from the back of a room
POS_LIMIT = 1e6        # a file's position beyond this (or inf/NaN) is drawn at the edge: far out,
                       # floats lose the grid's 20-unit steps and the background loop never ends

class PortItem(QGraphicsItem):
    """One input or output of a node. Dragging from it draws a connection."""

    NORMAL, GOOD, BAD = 0, 1, 2

    def __init__(self, node: NodeItem, name: str, is_output: bool, pos: QPointF):
        super().__init__(node)
        self.node_item = node
        self.name = name
        self.is_output = is_output
        self.state = self.NORMAL
        self.has_problem = False
        self.edges: list[EdgeItem] = []
        self.setPos(pos)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CrossCursor)
        self.setZValue(1)
        side = "output" if is_output else "input"
        # port names and node ids come from the file: shown literally, never as markup
        self.setToolTip(plain_tooltip(f"{side} '{name}' of '{node.node_id}': drag to an "
                                      f"{'input' if is_output else 'output'} to connect"))

    @property
    def ref(self) -> PortRef:
        return PortRef(self.node_item.node_id, self.name, self.is_output)

    def boundingRect(self) -> QRectF:
        return QRectF(-PORT_HIT_R, -PORT_HIT_R, 2 * PORT_HIT_R, 2 * PORT_HIT_R)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addEllipse(self.boundingRect())
        return path

    def set_state(self, state: int) -> None:
        if state != self.state:
            self.state = state
            self.update()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        theme = self.node_item.theme
        ring = theme.color("node_border")
        fill = theme.color("port")
        r = PORT_R
        if self.state == self.GOOD:
            ring, fill, r = theme.color("ok"), theme.color("ok"), PORT_R + 2
        elif self.state == self.BAD:
            ring, fill, r = theme.color("error"), theme.color("error"), PORT_R + 2
        elif self.has_problem:
            ring = theme.color("error")
        elif self.edges:
            fill = theme.category_color(self.node_item.category)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(QPen(ring, 2.0))
        painter.setBrush(fill)
        painter.drawEllipse(QPointF(0, 0), r, r)


class BadgeItem(QGraphicsItem):
    """The red (error) or amber (warning) mark on a node; its tooltip lists the engine's messages."""

    R = 10.0

    def __init__(self, node: NodeItem):
        super().__init__(node)
        self.node_item = node
        self.severity = "error"
        self.setZValue(2)
        self.setPos(NODE_W - 4, 0)
        self.setAcceptHoverEvents(True)

    def boundingRect(self) -> QRectF:
        return QRectF(-self.R - 1, -self.R - 1, 2 * self.R + 2, 2 * self.R + 2)

    def set_problems(self, problems: list[Problem]) -> None:
        errors = [p for p in problems if p.severity == "error"]
        self.severity = "error" if errors else "warning"
        lines = [f"<li>{esc(_where(p))}{esc(p.message)}</li>" for p in (errors or problems)]
        lines += [f"<li>warning: {esc(p.message)}</li>" for p in problems
                  if errors and p.severity != "error"]
        head = "Cannot train this block yet:" if errors else "Warning:"
        self.setToolTip(f"<b>{head}</b><ul style='margin:0'>{''.join(lines)}</ul>")
        self.update()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        theme = self.node_item.theme
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(QPen(theme.color("node_body"), 2.0))
        painter.setBrush(theme.color("error" if self.severity == "error" else "warning"))
        painter.drawEllipse(QPointF(0, 0), self.R, self.R)
        painter.setPen(QColor("white"))
        painter.setFont(style.font("badge"))
        painter.drawText(QRectF(-self.R, -self.R, 2 * self.R, 2 * self.R), Qt.AlignCenter, "!")


def paint_padlock(painter: QPainter, rect: QRectF, color: QColor) -> None:
    """A padlock filling `rect`, a shackle over a body: the mark of what a lesson locks."""
    w, h = rect.width(), rect.height()
    body = QRectF(rect.left() + 0.12 * w, rect.top() + 0.45 * h, 0.76 * w, 0.55 * h)
    painter.save()
    painter.setPen(QPen(color, max(1.0, 0.12 * w), Qt.SolidLine, Qt.RoundCap))
    painter.setBrush(Qt.NoBrush)
    shackle = QPainterPath(QPointF(body.left() + 0.18 * w, body.top()))
    shackle.lineTo(body.left() + 0.18 * w, rect.top() + 0.3 * h)
    shackle.arcTo(QRectF(body.left() + 0.18 * w, rect.top() + 0.04 * h, 0.4 * w, 0.5 * h), 180, -180)
    shackle.lineTo(body.right() - 0.18 * w, body.top())
    painter.drawPath(shackle)
    painter.setPen(Qt.NoPen)
    painter.setBrush(color)
    painter.drawRoundedRect(body, 0.1 * w, 0.1 * w)
    painter.restore()


class LockBadgeItem(QGraphicsItem):
    """A padlock on the top-left corner of a block the lesson locks: filled when the whole block
    is locked, outlined when only some of its params are. Its tooltip says what and why."""

    R = 10.0

    def __init__(self, node: NodeItem):
        super().__init__(node)
        self.node_item = node
        self.whole = False
        self.setZValue(2)
        self.setPos(-2, -2)     # on the corner, clear of the id in the header
        # the same size on screen at any zoom: a class reads it from the back of the room
        self.setFlag(QGraphicsItem.ItemIgnoresTransformations)
        self.setAcceptHoverEvents(True)
        self.setVisible(False)

    def boundingRect(self) -> QRectF:
        return QRectF(-self.R - 1, -self.R - 1, 2 * self.R + 2, 2 * self.R + 2)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        theme = self.node_item.theme
        painter.setRenderHint(QPainter.Antialiasing)
        ink = theme.color("node_text")
        painter.setPen(QPen(ink if not self.whole else theme.color("node_body"), 1.5))
        painter.setBrush(ink if self.whole else theme.color("node_body"))
        painter.drawEllipse(QPointF(0, 0), self.R, self.R)
        r = self.R * 0.62
        paint_padlock(painter, QRectF(-r * 0.8, -r, 1.6 * r, 1.8 * r),
                      theme.color("node_body") if self.whole else ink)


class NodeItem(QGraphicsItem):
    """The picture of one node. It holds no state of its own beyond what the scene tells it."""

    def __init__(self, node_id: str, block_type: str, category: str, inputs: tuple[str, ...],
                 outputs: tuple[str, ...], theme: Theme, help_text: str = ""):
        super().__init__()
        self.node_id = node_id
        self.block_type = block_type
        self.category = category
        self.theme = theme
        self.summary = ""
        self.params_text = ""
        self.overlay_fill: QColor | None = None
        self.overlay_badge = ""
        self.phase_mark = ("", "")    # (training | done | waiting, words), phases.node_marks
        self.weight_note = ""         # an opened model's weights, under the card ("" for none)
        self.highlighted = False
        self.highlight_message = ""
        self.problems: list[Problem] = []    # the engine's, from the latest analysis
        self.faults: dict[str, str] = {}      # the canvas's own: why part of the face cannot show
        self.syncing = False          # set while the scene copies a position from the document
        self.setFlags(QGraphicsItem.ItemIsMovable | QGraphicsItem.ItemIsSelectable
                      | QGraphicsItem.ItemSendsGeometryChanges)
        self.setZValue(1)
        self.setAcceptHoverEvents(True)
        self.help_text = help_text
        self._update_tooltip()
        self.ports: dict[tuple[str, bool], PortItem] = {}
        for names, is_out in ((inputs, False), (outputs, True)):
            for i, name in enumerate(names):
                y = port_y(i, len(names))
                self.ports[(name, is_out)] = PortItem(self, name, is_out, QPointF(NODE_W if is_out else 0, y))
        self.badge = BadgeItem(self)
        self.badge.setVisible(False)
        self.lock_badge = LockBadgeItem(self)

    # ---- what the scene sets ---------------------------------------------------------------
    def port(self, name: str, is_output: bool) -> PortItem | None:
        return self.ports.get((name, is_output))

    def set_face(self, summary: str, params_text: str) -> None:
        # whatever a block's summary returned, the face only ever holds strings
        summary, params_text = as_str(summary, 500), as_str(params_text, 500)
        if (summary, params_text) != (self.summary, self.params_text):
            self.summary, self.params_text = summary, params_text
            self._update_tooltip()
            self.update()

    def set_phase_mark(self, kind: str, text: str) -> None:
        """What this node is doing while its stack pretrains ('' for nothing to say)."""
        if (kind, text) != self.phase_mark:
            self.phase_mark = (kind, text)
            self.update()

    def set_weight_note(self, text: str) -> None:
        """The saved weights this layer starts from, in words ('' for none)."""
        text = as_str(text, 100)
        if text != self.weight_note:
            self.prepareGeometryChange()       # the note is drawn under the card
            self.weight_note = text
            self._update_tooltip()
            self.update()

    def set_highlight(self, on: bool, message: str = "") -> None:
        self.highlighted, self.highlight_message = on, (message if on else "")
        self._update_tooltip()
        self.update()

    def _update_tooltip(self) -> None:
        if self.highlighted and self.highlight_message:
            self.setToolTip(plain_tooltip(self.highlight_message))
            return
        # the face may elide the summary; the tooltip always has it whole
        lines = [f"<b>{esc(self.node_id)}</b> ({esc(self.block_type)})"]
        lines += [esc(x) for x in (self.summary, self.params_text, self.weight_note,
                                   self.help_text) if x]
        self.setToolTip("<br>".join(lines))

    def set_lesson_lock(self, whole: bool, text: str) -> None:
        """Show the lesson's padlock with `text` as its tooltip ('' for no lock)."""
        self.lock_badge.whole = whole
        self.lock_badge.setToolTip(plain_tooltip(text) if text else "")
        self.lock_badge.setVisible(bool(text))
        self.lock_badge.update()

    def set_fault(self, key: str, message: str) -> None:
        """Say (message) or stop saying ('') that part of this node could not be shown as the
        file has it: the red badge carries it beside the engine's problems."""
        if message:
            self.faults[key] = as_str(message, 1000)
        elif self.faults.pop(key, None) is None:
            return
        self._show_badge()

    def set_problems(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        self._show_badge()

    def _show_badge(self) -> None:
        problems = self.problems + [Problem(m, self.node_id) for m in self.faults.values()]
        self.badge.setVisible(bool(problems))
        if problems:
            self.badge.set_problems(problems)
        bad_ports = {p.port for p in problems if p.severity == "error" and p.port}
        for (name, _), port in self.ports.items():
            if port.has_problem != (name in bad_ports):
                port.has_problem = name in bad_ports
                port.update()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.update()
        for child in self.childItems():
            child.update()

    def sync_pos(self, x: float, y: float) -> None:
        """Place the node where the document says, bypassing grid snapping. A position the
        canvas cannot draw (NaN, inf, 1e300) is pulled in to the edge, and the badge says so."""
        fx, fy = _drawable(x), _drawable(y)
        off = not (fx == x and fy == y)          # NaN never equals itself, so it counts as off
        self.set_fault("pos", f"its position in the file is off the canvas; shown at "
                              f"({fx:g}, {fy:g}) instead" if off else "")
        x, y = fx, fy
        if self.pos() != QPointF(x, y):
            self.syncing = True
            self.setPos(x, y)
            self.syncing = False

    # ---- Qt ----------------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        # room above for a training badge and around for the thick highlight outline and the
        # halo of a node that pretrains
        m = HALO_W / 2 + 1
        below = max(m, WEIGHT_NOTE_H + 6) if self.weight_note else m
        return QRectF(-m, -26, NODE_W + 2 * m, NODE_H + 26 + below)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(QRectF(0, 0, NODE_W, NODE_H), RADIUS, RADIUS)
        return path

    def body_rect(self) -> QRectF:
        return QRectF(0, 0, NODE_W, NODE_H)

    def itemChange(self, change, value):
        if change == QGraphicsItem.ItemPositionChange and not self.syncing:
            scene = self.scene()
            if scene is not None and getattr(scene, "snap_to_grid", False):
                g = scene.grid_size
                return QPointF(round(value.x() / g) * g, round(value.y() / g) * g)
        elif change == QGraphicsItem.ItemPositionHasChanged:
            for port in self.ports.values():
                for edge in port.edges:
                    edge.update_path()
        return super().itemChange(change, value)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        t = self.theme
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        painter.setRenderHint(QPainter.Antialiasing)
        rect = self.body_rect()
        head = t.category_color(self.category)
        compact = style.TEXT_LOD <= lod and lod * style.smallest_px() < style.MIN_TEXT_PX
        border = QPen(t.color("node_border"), 1.2)
        if self.isSelected():
            border = QPen(t.color("accent"), 3.0)
        mark = self.phase_mark[0]
        if mark == "training":
            halo = t.color("accent")
            halo.setAlpha(70)
            painter.setPen(QPen(halo, HALO_W))
            painter.setBrush(Qt.NoBrush)
            painter.drawRoundedRect(rect, RADIUS, RADIUS)
            border = QPen(t.color("accent"), 3.5)
        elif mark == "waiting":
            border = QPen(t.color("node_border"), 1.6, Qt.DashLine)
        if self.highlighted:
            border = QPen(t.color("error"), 5.0)
        painter.setPen(border)
        painter.setBrush(self.overlay_fill if self.overlay_fill is not None else t.color("node_body"))
        painter.drawRoundedRect(rect, RADIUS, RADIUS)
        # the header: the category colour, clipped to the rounded top
        header = QPainterPath()
        header.addRoundedRect(rect, RADIUS, RADIUS)
        strip = QPainterPath()
        strip.addRect(QRectF(0, 0, NODE_W, NODE_H / 2 if compact else HEADER_H))
        painter.setPen(Qt.NoPen)
        painter.setBrush(head)
        painter.drawPath(header.intersected(strip))
        painter.setPen(border)
        painter.setBrush(Qt.NoBrush)
        painter.drawRoundedRect(rect, RADIUS, RADIUS)
        if lod < style.TEXT_LOD:
            return
        painter.save()
        try:
            if compact:
                self._paint_compact_text(painter, t, lod)
            else:
                self._paint_text(painter, t)
                if self.overlay_badge:
                    self._paint_training_badge(painter, t)
                if self.phase_mark[1]:
                    self._paint_phase_mark(painter, t)
                if self.weight_note:
                    self._paint_weight_note(painter, t)
        except Exception:  # noqa: BLE001 - an exception escaping paint() can leave Qt's
            pass           # painter half-set and crash the view; the badge says what is wrong
        finally:
            painter.restore()

    def _paint_text(self, painter: QPainter, t: Theme) -> None:
        pad = 8.0
        painter.setFont(style.font("type"))
        type_w = QFontMetricsF(style.font("type")).horizontalAdvance(self.block_type)
        painter.setPen(QColor(255, 255, 255, 215))
        painter.drawText(QRectF(pad, 0, NODE_W - 2 * pad, HEADER_H), Qt.AlignVCenter | Qt.AlignRight,
                         self.block_type)
        painter.setFont(style.font("title"))
        painter.setPen(QColor("white"))
        title_w = NODE_W - 2 * pad - type_w - 6
        title = QFontMetricsF(style.font("title")).elidedText(self.node_id, Qt.ElideRight, title_w)
        painter.drawText(QRectF(pad, 0, title_w, HEADER_H), Qt.AlignVCenter | Qt.AlignLeft, title)

        # two rows under the header, the summary and the parameter count, each centred in the
        # room its row's port labels leave
        small = QFontMetricsF(style.font("small"))
        text_pen, muted_pen = self._body_text_colors(t)
        for row, text, kind, color in ((0, self.summary, "body", text_pen),
                                       (1, self.params_text, "small", muted_pen)):
            y = HEADER_H + ROW_H * row
            left = right = 10.0
            for (name, is_out), port in self.ports.items():
                if y <= port.pos().y() < y + ROW_H:
                    room = small.horizontalAdvance(name) + 16
                    if is_out:
                        right = max(right, room)
                    else:
                        left = max(left, room)
            rect = QRectF(left, y, NODE_W - left - right, ROW_H)
            painter.setFont(style.font(kind))
            painter.setPen(color)
            painter.drawText(rect, Qt.AlignCenter,
                             QFontMetricsF(style.font(kind)).elidedText(text, Qt.ElideRight, rect.width()))
        painter.setFont(style.font("small"))
        painter.setPen(muted_pen)
        for (name, is_out), port in self.ports.items():
            y = port.pos().y()
            r = QRectF(NODE_W - 60 - 10, y - 8, 60, 16) if is_out else QRectF(10, y - 8, 60, 16)
            painter.drawText(r, Qt.AlignVCenter | (Qt.AlignRight if is_out else Qt.AlignLeft), name)

    def _paint_compact_text(self, painter: QPainter, t: Theme, lod: float) -> None:
        """Zoomed out, the card's 11-14 px text would shrink below what a room can read, so the
        card keeps only what tells blocks apart (its id over its summary) and enlarges those to
        style.MIN_TEXT_PX on screen. Port names and the parameter count wait for a closer zoom;
        their tooltips still say them. The pills drawn around a full card (a training badge, a
        pretraining mark, a weight note) would need room outside the card to grow, so the
        most urgent of them takes the summary's line instead."""
        px = style.MIN_TEXT_PX / lod
        half = NODE_H / 2
        pad = 6.0
        rows = [(QRectF(pad, 0, NODE_W - 2 * pad, half), self.node_id, True, QColor("white"))]
        second, pill = self._compact_second_line(t)
        # the second line only when it fits under the id's; else the id alone, in the body
        if QFontMetricsF(style.sized_font(px)).height() <= half and second:
            rect = QRectF(pad, half, NODE_W - 2 * pad, half)
            color = self._body_text_colors(t)[0]
            if pill is not None:
                painter.setPen(Qt.NoPen)
                painter.setBrush(pill)
                painter.drawRoundedRect(rect.adjusted(-2, 2, 2, -3), 8, 8)
                color = QColor("white")
            rows.append((rect, second, False, color))
        else:
            rows[0] = (QRectF(pad, half, NODE_W - 2 * pad, half), self.node_id, True,
                       self._body_text_colors(t)[0])
        for rect, text, bold, color in rows:
            font = style.sized_font(px, bold)
            metrics = QFontMetricsF(font)
            words = text.split()
            if not bold and pill is not None and len(words) > 1 and \
                    metrics.horizontalAdvance(text) > rect.width() and \
                    any(c.isdigit() for c in words[-1]):
                text = words[-1]         # 'pretraining 2/5': the count says more than the verb
            painter.setFont(font)
            painter.setPen(color)
            painter.drawText(rect, Qt.AlignCenter, metrics.elidedText(text, Qt.ElideRight, rect.width()))

    def _compact_second_line(self, t: Theme) -> tuple[str, QColor | None]:
        """What the compact face shows under the id, and the pill colour behind it (None: none)."""
        kind, words = self.phase_mark
        if self.overlay_badge:
            return self.overlay_badge, t.color("error")
        if words and kind in ("training", "done"):
            return ("\u2713 " if kind == "done" else "") + words, \
                t.color("accent" if kind == "training" else "ok")
        return words or self.weight_note or self.summary, None

    def _body_text_colors(self, t: Theme) -> tuple[QColor, QColor]:
        """Text that stays readable on the training colour: the gradient scale runs from dark
        violet to light yellow, so dark fills get light text."""
        fill = self.overlay_fill
        if fill is None:
            return t.color("node_text"), t.color("node_muted")
        luma = 0.299 * fill.redF() + 0.587 * fill.greenF() + 0.114 * fill.blueF()
        if luma < 0.5:
            return QColor(255, 255, 255), QColor(255, 255, 255, 190)
        return QColor(20, 20, 20), QColor(20, 20, 20, 170)

    def _paint_training_badge(self, painter: QPainter, t: Theme) -> None:
        painter.setFont(style.font("small"))
        w = QFontMetricsF(style.font("small")).horizontalAdvance(self.overlay_badge) + 14
        r = QRectF(0, -22, w, 18)
        painter.setPen(Qt.NoPen)
        painter.setBrush(t.color("error"))
        painter.drawRoundedRect(r, 9, 9)
        painter.setPen(QColor("white"))
        painter.drawText(r, Qt.AlignCenter, self.overlay_badge)


    def _paint_weight_note(self, painter: QPainter, t: Theme) -> None:
        """A pill under the card (above it are the gradient badges and phase marks)."""
        font = style.font("small")
        painter.setFont(font)
        w = min(NODE_W, QFontMetricsF(font).horizontalAdvance(self.weight_note) + 14)
        r = QRectF((NODE_W - w) / 2, NODE_H + 4, w, WEIGHT_NOTE_H)
        painter.setPen(QPen(t.color("accent"), 1.2))
        painter.setBrush(t.color("node_body"))
        painter.drawRoundedRect(r, 8, 8)
        painter.setPen(t.color("node_text"))
        painter.drawText(r, Qt.AlignCenter, self.weight_note)

    def _paint_phase_mark(self, painter: QPainter, t: Theme) -> None:
        """A pill above the right end of the node (the left end is the gradient badges'):
        filled in the accent colour while it pretrains, green once done, outlined while it
        waits."""
        kind, text = self.phase_mark
        if kind == "done":
            text = "\u2713 " + text
        font = style.font("badge")          # bold: the words are read from the back of a room
        painter.setFont(font)
        w = QFontMetricsF(font).horizontalAdvance(text) + 14
        r = QRectF(NODE_W - w, -22, w, 19)
        if kind == "waiting":
            painter.setPen(QPen(t.color("node_border"), 1.2))
            painter.setBrush(t.color("node_body"))
            painter.drawRoundedRect(r, 9, 9)
            painter.setPen(t.color("node_muted"))
        else:
            painter.setPen(Qt.NoPen)
            painter.setBrush(t.color("accent" if kind == "training" else "ok"))
            painter.drawRoundedRect(r, 9, 9)
            painter.setPen(QColor("white"))
        painter.drawText(r, Qt.AlignCenter, text)


def port_y(i: int, n: int) -> float:
    """A lone port sits on the parameter-count row; two ports take one row each."""
    if n > 2:
        return HEADER_H + (NODE_H - HEADER_H) * (i + 0.5) / n
    return HEADER_H + ROW_H * (i + (2 - n) + 0.5)


def _where(p: Problem) -> str:
    return f"port '{p.port}': " if p.port else ""


def _drawable(v: float) -> float:
    """v itself when the canvas can draw there, else the nearest edge (0 for NaN)."""
    try:
        v = float(v)
    except (TypeError, ValueError, OverflowError):
        return 0.0
    if math.isnan(v):
        return 0.0
    return max(-POS_LIMIT, min(POS_LIMIT, v))
