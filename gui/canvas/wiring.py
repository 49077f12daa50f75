"""Drawing a connection with the mouse, from first press to release.

A drag starts on any port. Starting on an input that is already connected picks that connection
up by its end, as node editors do: drop it on another input to move it, on empty canvas to
remove it, or back where it was to leave it alone. While dragging, the port under the pointer
turns green or red from the quick rules; the full check (widths) runs on release.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF

from gui.canvas.edge_item import DragEdgeItem, EdgeItem
from gui.canvas.node_item import PortItem
from gui.editor.connection_rules import orient, quick_problem

if TYPE_CHECKING:
    from gui.canvas.scene import CanvasScene


class WireDrag:
    def __init__(self, scene: CanvasScene, port: PortItem):
        self.scene = scene
        self.lifted: EdgeItem | None = None
        self.rules_doc = scene.controller.doc
        if not port.is_output and port.edges:
            self.lifted = port.edges[0]
            port = self.lifted.src                       # the fixed end is now the source
            self.rules_doc = scene.controller.doc.copy()   # the rules judge as if it were gone
            self.rules_doc.remove_edge(self.lifted.key)
            self._show_lifted(False)
        self.start = port
        self.target: PortItem | None = None
        self.item = DragEdgeItem(port, scene.theme)
        scene.addItem(self.item)

    def _show_lifted(self, visible: bool) -> None:
        self.lifted.setVisible(visible)
        self.lifted.label.setVisible(visible)

    def move(self, pos: QPointF) -> None:
        target = self.scene.port_at(pos)
        if target is self.start:
            target = None
        if target is not self.target:
            if self.target is not None:
                self.target.set_state(PortItem.NORMAL)
            self.target = target
        theme = self.scene.theme
        if target is None:
            self.item.set_end(pos, theme.color("accent"))
            return
        ends = orient(self.start.ref, target.ref)
        ok = not isinstance(ends, str) and quick_problem(self.rules_doc, *ends) is None
        target.set_state(PortItem.GOOD if ok else PortItem.BAD)
        self.item.set_end(target.scenePos(), theme.color("ok" if ok else "error"))

    def finish(self, pos: QPointF) -> None:
        target = self.scene.port_at(pos)
        self.scene.removeItem(self.item)
        if self.target is not None:
            self.target.set_state(PortItem.NORMAL)
        controller = self.scene.controller
        if self.lifted is None:
            if target is not None and target is not self.start:
                reason = controller.connect(self.start.ref, target.ref)
                if reason:
                    self.scene.refuse(reason, pos)
            return
        key = self.lifted.key
        if target is self.lifted.dst or target is self.start:
            self._show_lifted(True)                      # put back where it was
        elif target is None:
            if not controller.disconnect([key]):
                self._show_lifted(True)
        else:
            reason = controller.reconnect(key, self.start.ref, target.ref)
            if reason:
                self._show_lifted(True)
                self.scene.refuse(reason, pos)
