"""The canvas scene: a mirror of the graph document, and the place edits begin.

The scene never changes the document. It builds and updates items from the controller's
re-broadcast document events and analyses; gestures (dragging a connection, dropping a block,
moving nodes) become controller calls, and the resulting document events update the items.
"""
from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsScene, QGraphicsSceneMouseEvent

from engine import blocks
from engine.compiler import Analysis, node_parameter_count
from engine.graph_index import EdgeIndex
from gui.canvas.edge_item import EdgeItem
from gui.canvas.live_face import LiveFaceItem
from gui.canvas.node_item import NODE_H, NODE_W, NodeItem, PortItem
from gui.canvas.toast import ToastItem
from gui.canvas.wiring import WireDrag
from gui.editor.controller import LOCKED_MESSAGE, Controller
from gui.plain_text import as_str
from gui.theme import LIGHT, Theme

BLOCK_MIME = "application/x-deepcanvas-block"
GRID = 10.0          # snapping step: lesson files use multiples of 90 and 180, which it keeps
GRID_DRAWN = 20.0
GRID_MAJOR = 100.0


class CanvasScene(QGraphicsScene):
    contents_changed = Signal()      # nodes added, removed or moved: the minimap redraws

    def __init__(self, controller: Controller, theme: Theme = LIGHT, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.theme = theme
        self.snap_to_grid = True
        self.grid_size = GRID
        self._nodes: dict[str, NodeItem] = {}
        self._edges: dict[tuple[str, str, str, str], EdgeItem] = {}
        self.wire_scale = 1.0          # presenter mode draws the wires thicker, for a room
        self._wire: WireDrag | None = None
        self._pressed_node = False
        self._toast: ToastItem | None = None
        self._counts: dict[Any, int] = {}
        self._highlight: str | None = None
        self._faces: dict[str, LiveFaceItem] = {}    # node id -> its live card while training
        self.last_refusal = ""
        controller.doc_event.connect(self._on_doc_event)
        controller.analysis_ready.connect(self.apply_analysis)
        controller.locked_changed.connect(self._on_locked)
        self.rebuild()

    # ---- lookups ---------------------------------------------------------------------------
    def node_item(self, node_id: str) -> NodeItem | None:
        return self._nodes.get(node_id)

    def edge_item(self, key: tuple[str, str, str, str]) -> EdgeItem | None:
        return self._edges.get(tuple(key))

    def node_items(self) -> list[NodeItem]:
        return list(self._nodes.values())

    def set_wire_scale(self, scale: float) -> None:
        if scale != self.wire_scale:
            self.wire_scale = scale
            for edge in self._edges.values():
                edge.update()

    def edge_items(self) -> list[EdgeItem]:
        return list(self._edges.values())

    def selected_node_ids(self) -> list[str]:
        """Selected nodes in document order (so copies keep the file's order)."""
        return [nid for nid, item in self._nodes.items() if item.isSelected()]

    def selected_edge_keys(self) -> list[tuple[str, str, str, str]]:
        return [key for key, item in self._edges.items() if item.isSelected()]

    def select_nodes(self, node_ids: list[str]) -> None:
        self.clearSelection()
        for nid in node_ids:
            if nid in self._nodes:
                self._nodes[nid].setSelected(True)

    def nodes_rect(self, with_cards: bool = True) -> QRectF:
        """The blocks' extent in the scene, with the live cards hanging under them unless
        `with_cards` is false (a fit while training keeps the cards in view)."""
        rect = QRectF()
        for item in self._nodes.values():
            rect = rect.united(item.mapRectToScene(item.body_rect()))
        if with_cards:
            for nid in self._faces:
                face = self.live_face(nid)
                if face is not None:
                    rect = rect.united(face.mapRectToScene(face.boundingRect()))
        return rect

    def node_rects(self) -> list[tuple[QRectF, QColor]]:
        return [(item.mapRectToScene(item.body_rect()), self.theme.category_color(item.category))
                for item in self._nodes.values()]

    # ---- mirroring the document ------------------------------------------------------------
    def rebuild(self) -> None:
        for edge in list(self._edges.values()):
            edge.detach()
        for item in list(self._nodes.values()):
            self.removeItem(item)
        self._edges.clear()
        self._nodes.clear()
        self._faces.clear()          # the cards went with their nodes
        self._highlight = None
        doc = self.controller.doc
        for nid in doc.nodes:
            self._add_node_item(nid)
        for e in doc.edges:
            self._add_edge_item(e.key)
        if self.controller.analysis is not None:
            self.apply_analysis(self.controller.analysis)
        self.contents_changed.emit()

    def _on_doc_event(self, event: str, info: dict[str, Any]) -> None:
        if event == "reset":
            self.rebuild()
            return
        if event == "node_added":
            self._add_node_item(info["node"])
        elif event == "node_removed":
            self._faces.pop(info["node"], None)      # its card goes with it
            item = self._nodes.pop(info["node"], None)
            if item is not None:
                self.removeItem(item)
        elif event == "node_moved":
            item = self._nodes.get(info["node"])
            if item is not None:
                x, y = self.controller.doc.nodes[info["node"]].pos
                item.sync_pos(x, y)
        elif event == "param_changed":
            self._refresh_face(info["node"])
            return
        elif event == "edge_added":
            self._add_edge_item(tuple(info["edge"]))
        elif event == "edge_removed":
            edge = self._edges.pop(tuple(info["edge"]), None)
            if edge is not None:
                edge.detach()
        else:
            return
        self.contents_changed.emit()

    def _add_node_item(self, node_id: str) -> None:
        doc = self.controller.doc
        node = doc.nodes[node_id]
        try:
            item = self._new_node_item(node)
        except Exception as exc:  # noqa: BLE001 - one node that cannot be built must not take
            # the scene down: it still appears, bare, with a red badge that says why
            item = NodeItem(node_id, as_str(node.type, 200), "", (), (), self.theme)
            item.set_fault("build", f"cannot be drawn: {type(exc).__name__}: {exc}")
            item.sync_pos(*node.pos)
        item.setFlag(NodeItem.ItemIsMovable, not self.controller.locked)
        self.addItem(item)
        self._nodes[node_id] = item
        self._refresh_face(node_id)

    def _new_node_item(self, node) -> NodeItem:
        doc = self.controller.doc
        block = blocks.get(node.type)
        if block is not None:
            inputs, outputs, category, help_text = block.inputs, block.outputs, block.category, block.help
        else:
            # an unknown type still gets the ports its edges use, so the picture stays connected
            inputs = tuple(dict.fromkeys(e.dst_port for e in doc.edges if e.dst == node.id))
            outputs = tuple(dict.fromkeys(e.src_port for e in doc.edges if e.src == node.id))
            category, help_text = "", f"unknown block type '{node.type}'"
        item = NodeItem(node.id, node.type, category, inputs, outputs, self.theme, help_text)
        item.sync_pos(*node.pos)
        return item

    def _add_edge_item(self, key: tuple[str, str, str, str]) -> None:
        src_node, dst_node = self._nodes.get(key[0]), self._nodes.get(key[2])
        if src_node is None or dst_node is None:
            return
        src, dst = src_node.port(key[1], True), dst_node.port(key[3], False)
        if src is None or dst is None:
            return   # a port the block does not have: the analysis badges the node instead
        edge = EdgeItem(key, src, dst, self.theme)
        self.addItem(edge)
        self.addItem(edge.label)
        self._edges[key] = edge
        src.update()
        dst.update()

    def _refresh_face(self, node_id: str) -> None:
        item = self._nodes.get(node_id)
        if item is None:
            return
        node = self.controller.doc.nodes[node_id]
        block = blocks.get(node.type)
        summary, fault = "", ""
        if block is not None:
            try:
                summary = block.summary(block.resolve(node.params))
            except Exception as exc:  # noqa: BLE001 - a bad value shows in the badge, not as a crash
                fault = f"its summary cannot be shown: {type(exc).__name__}: {exc}"
        item.set_fault("summary", fault)
        item.set_face(summary, item.params_text)   # set_face makes any non-str summary a str

    def apply_analysis(self, a: Analysis) -> None:
        """Badges, parameter counts and edge widths from the engine's view of the graph."""
        doc = self.controller.doc
        by_node: dict[str, list] = {}
        for p in a.problems:
            by_node.setdefault(p.node, []).append(p)
        index = EdgeIndex(doc.edges)     # one scan for all nodes: per-node scans were quadratic
        for nid, item in self._nodes.items():
            node = doc.nodes.get(nid)
            if node is None:
                continue
            item.set_problems(by_node.get(nid, []))
            try:
                text, fault = self._params_text(node, a, index.edges_into(nid)), ""
            except Exception as exc:  # noqa: BLE001 - one node's count must not stop the rest
                text, fault = "params: ?", f"cannot count its params: {type(exc).__name__}: {exc}"
            item.set_fault("count", fault)
            item.set_face(item.summary, text)
        for key, edge in self._edges.items():
            w = a.widths.get(key[0], {}).get(key[1])
            edge.set_width_text(str(w) if w is not None else "")

    def _params_text(self, node, a: Analysis, incoming: list) -> str:
        block = blocks.get(node.type)
        if block is None:
            return ""
        if block.check_params(node.params):
            # a wrong-typed value has no count (and "abc" units would multiply a string, or 1e308
            # overflow): the badge lists the engine's message instead
            return "params: –"
        # the widths arriving at each input, even when the block itself refused them
        ins = {}
        for e in incoming:
            w = a.widths.get(e.src, {}).get(e.src_port)
            if w is not None:
                ins[e.dst_port] = w
        missing = [p for p in block.inputs if p not in ins and p not in block.optional_inputs]
        if missing:
            connected = {e.dst_port for e in incoming}
            return "params: –" if all(p in connected for p in missing) else "connect inputs"
        key = (node.type, json.dumps(node.params, sort_keys=True, default=str),
               tuple(sorted(ins.items())))
        if key not in self._counts:
            if len(self._counts) > 5000:     # a long session of edits: start the cache afresh
                self._counts.clear()
            self._counts[key] = node_parameter_count(node.type, node.params, ins)
        n = self._counts[key]
        return f"{n:,} params" if n != 1 else "1 param"

    # ---- training look (driven by the dashboard) -------------------------------------------
    def set_training_overlay(self, colors: dict[str, QColor], badges: dict[str, str]) -> None:
        """Colour listed nodes' bodies and badge them; nodes not listed go back to normal.
        Each call describes the whole current state, so a badge that no longer applies goes."""
        for nid, item in self._nodes.items():
            fill, badge = colors.get(nid), badges.get(nid, "")
            if fill != item.overlay_fill or badge != item.overlay_badge:
                item.overlay_fill, item.overlay_badge = (QColor(fill) if fill is not None else None), badge
                item.update()

    def highlight_node(self, node_id: str | None, message: str = "") -> None:
        """Outline one node in red (e.g. where a NaN first appeared), put the message in its
        tooltip, and bring it into view; None clears the highlight."""
        if self._highlight is not None:
            old = self._nodes.get(self._highlight)
            if old is not None:
                old.set_highlight(False)
            self._highlight = None
        item = self._nodes.get(node_id) if node_id else None
        if item is None:
            return
        self._highlight = node_id
        item.set_highlight(True, message)
        for view in self.views():
            view.bring_into_view(item)

    def set_live_faces(self, images: dict[str, dict], codes: dict[str, dict], step: int) -> None:
        """Autoencoders: a strip of reconstructions under each node the run's `images` name, a
        bar per code unit under each node its `codes` name; RBMs (pictures that come with
        `filters`): their reconstructions and a few filters; a GAN's generator (`samples` or `points`):
        what it makes of fixed noise. The run decides which nodes these
        are, from what their blocks declare; other nodes lose their card."""
        for nid, item in self._nodes.items():
            data, kind = (images, "reconstructions") if nid in images else (codes, "code")
            if nid not in data:
                self._drop_face(nid)
                continue
            face = self._faces.get(nid)
            new = face is None or face.parentItem() is not item
            if new:
                face = self._faces[nid] = LiveFaceItem(item, NODE_W, NODE_H, self.theme)
            if face.shown is data[nid]:      # the same sample (a node that stopped reporting)
                continue
            if kind == "code":
                face.show_code(data[nid], step)
            elif "samples" in data[nid] or "points" in data[nid]:     # a GAN's generator
                face.show_samples(data[nid], step)
            elif "filters" in data[nid]:
                face.show_rbm(data[nid], step)
            else:
                face.show_reconstructions(data[nid], step)
            if new:
                for view in self.views():
                    view.show_new_card(face)

    def set_phase_marks(self, marks: dict[str, tuple[str, str]]) -> None:
        """Layer-wise pretraining: node id -> (training | done | waiting, words) for the nodes
        pretrained in phases of their own (gui/training/phases.py); other nodes have none."""
        for nid, item in self._nodes.items():
            item.set_phase_mark(*marks.get(nid, ("", "")))

    def set_weight_notes(self, notes: dict[str, str]) -> None:
        """Node id -> a note under its card about the saved weights it starts from (an opened
        model file's weight norms); nodes not listed show none."""
        for nid, item in self._nodes.items():
            item.set_weight_note(notes.get(nid, ""))

    def live_face(self, node_id: str) -> LiveFaceItem | None:
        face = self._faces.get(node_id)
        return face if face is not None and face.scene() is self else None

    def _drop_face(self, node_id: str) -> None:
        face = self._faces.pop(node_id, None)
        if face is not None and face.scene() is self:
            self.removeItem(face)

    def clear_training_overlay(self) -> None:
        self.set_training_overlay({}, {})
        self.set_phase_marks({})
        self.highlight_node(None)
        for nid in list(self._faces):
            self._drop_face(nid)

    # ---- look --------------------------------------------------------------------------------
    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        for item in self._nodes.values():
            item.set_theme(theme)
        for face in self._faces.values():
            face.set_theme(theme)
        for edge in self._edges.values():
            edge.set_theme(theme)
        self.invalidate(self.sceneRect(), QGraphicsScene.BackgroundLayer)
        self.update()

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        painter.fillRect(rect, self.theme.color("canvas"))
        scale = painter.worldTransform().m11()
        for step, color, min_scale in ((GRID_DRAWN, "grid", 0.6), (GRID_MAJOR, "grid_major", 0.15)):
            if scale < min_scale:
                continue
            painter.setPen(QPen(self.theme.color(color), 0))   # cosmetic: one pixel at any zoom
            left = int(rect.left() // step) * step
            top = int(rect.top() // step) * step
            lines = []
            x = left
            while x < rect.right():
                lines.append(QLineF(x, rect.top(), x, rect.bottom()))
                x += step
            y = top
            while y < rect.bottom():
                lines.append(QLineF(rect.left(), y, rect.right(), y))
                y += step
            painter.drawLines(lines)

    def show_toast(self, text: str, at: QPointF, kind: str = "error") -> None:
        if self._toast is not None and self._toast.scene() is self:
            self._toast.dismiss()
        self._toast = ToastItem(text, self.theme, kind)
        self._toast.place(at)
        self.addItem(self._toast)

    def toast_text(self) -> str:
        """The message on screen now ('' when none), for the status bar and tests."""
        return self._toast.text if self._toast is not None and self._toast.scene() is self else ""

    def snapped(self, p: QPointF) -> QPointF:
        if not self.snap_to_grid:
            return p
        g = self.grid_size
        return QPointF(round(p.x() / g) * g, round(p.y() / g) * g)

    # ---- gestures ----------------------------------------------------------------------------
    def port_at(self, pos: QPointF) -> PortItem | None:
        """The port under a scene position, or None; a node on top hides the ports beneath it."""
        for item in self.items(pos):
            if isinstance(item, PortItem):
                return item
            if isinstance(item, NodeItem):
                return None      # a node on top hides the ports beneath it
        return None

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        port = self.port_at(event.scenePos()) if event.button() == Qt.LeftButton else None
        if port is not None:
            if self.controller.locked:
                self.refuse(LOCKED_MESSAGE, event.scenePos())
            else:
                self._wire = WireDrag(self, port)
            event.accept()
            return
        self._pressed_node = event.button() == Qt.LeftButton
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._wire is not None:
            self._wire.move(event.scenePos())
            return
        if (self.controller.locked and event.buttons() & Qt.LeftButton
                and isinstance(self.mouseGrabberItem(), NodeItem) and self._pressed_node):
            self.controller.message.emit(LOCKED_MESSAGE)    # once per press, not per pixel
            self._pressed_node = False
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._wire is not None:
            wire, self._wire = self._wire, None
            wire.finish(event.scenePos())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        self._pressed_node = False
        self.commit_moves()

    def commit_moves(self) -> None:
        """Turn nodes dragged on screen into one undoable move of the document."""
        doc = self.controller.doc
        moved = {}
        for nid, item in self._nodes.items():
            if not item.isSelected():
                continue    # Qt drags the selection, so only selected nodes can have moved
            p = (item.pos().x(), item.pos().y())
            if nid in doc.nodes and tuple(doc.nodes[nid].pos) != p:
                moved[nid] = p
        if moved and not self.controller.move_nodes(moved):
            for nid in moved:    # refused (locked): put them back where the document has them
                self._nodes[nid].sync_pos(*doc.nodes[nid].pos)

    def refuse(self, reason: str, at: QPointF) -> None:
        """Say why an edit was refused, right where the user was working."""
        self.last_refusal = reason
        self.show_toast(reason, at)
        self.controller.message.emit(reason)

    def keyPressEvent(self, event) -> None:
        steps = {Qt.Key_Left: (-1, 0), Qt.Key_Right: (1, 0), Qt.Key_Up: (0, -1), Qt.Key_Down: (0, 1)}
        ids = self.selected_node_ids()
        if event.key() in steps and ids:
            dx, dy = steps[event.key()]
            step = self.grid_size * (5 if event.modifiers() & Qt.ShiftModifier else 1)
            doc = self.controller.doc
            moves = {nid: (doc.nodes[nid].pos[0] + dx * step, doc.nodes[nid].pos[1] + dy * step) for nid in ids}
            self.controller.move_nodes(moves, "Nudge", merge_key=("nudge", tuple(ids)))
            event.accept()
            return
        super().keyPressEvent(event)

    # ---- dropping blocks from the palette ------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        event.setAccepted(event.mimeData().hasFormat(BLOCK_MIME))

    def dragMoveEvent(self, event) -> None:
        event.setAccepted(event.mimeData().hasFormat(BLOCK_MIME))

    def dropEvent(self, event) -> None:
        if not event.mimeData().hasFormat(BLOCK_MIME):
            event.ignore()
            return
        name = bytes(event.mimeData().data(BLOCK_MIME)).decode("utf-8")
        event.acceptProposedAction()
        self.add_block_at(name, event.scenePos())

    def add_block_at(self, block_type: str, centre: QPointF) -> str | None:
        """Add a block centred on a scene point (a drop, or the view's centre)."""
        if self.controller.locked:
            self.refuse(LOCKED_MESSAGE, centre)
            return None
        top_left = self.snapped(centre - QPointF(NODE_W / 2, NODE_H / 2))
        node_id = self.controller.add_node(block_type, (top_left.x(), top_left.y()))
        if node_id:
            self.select_nodes([node_id])
        return node_id

    def _on_locked(self, locked: bool) -> None:
        for item in self._nodes.values():
            item.setFlag(NodeItem.ItemIsMovable, not locked)
