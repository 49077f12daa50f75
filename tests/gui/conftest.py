"""Fixtures for GUI tests: a main window with throwaway settings, and a `user` that works it
with the mouse and keyboard the way a person does (palette, ports, inspector fields)."""
from __future__ import annotations

import pytest
import torch
from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QMouseEvent
from PySide6.QtWidgets import QApplication

from gui.canvas.node_item import NODE_H, NODE_W
from gui.canvas.scene import BLOCK_MIME
from gui.main_window import MainWindow

# A process's first optimizer imports torch._dynamo (a second and about a thousand modules). Seen:
# a test that stopped a run while its worker thread was still in that import hung in shutdown.
# Paying the import here, before any test starts a run, keeps the tests from depending on it.
torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)


def shown_window(qtbot, tmp_path, size: tuple[int, int] = (1400, 900)) -> MainWindow:
    """A main window with its own settings file, at `size` from its first show."""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    # recovery copies go to the test's folder, never the user's application-data folder
    w = MainWindow(settings, "light", recovery_dir=tmp_path / "recovery")
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    return w


@pytest.fixture
def window(qtbot, tmp_path):
    w = shown_window(qtbot, tmp_path)
    # no modal dialogs in tests: record errors, and answer prompts from a list the test sets
    w.errors = []
    w.show_error = lambda title, message: w.errors.append(message)
    w.save_answers = []
    w.ask_save_changes = lambda: w.save_answers.pop(0) if w.save_answers else "cancel"
    w.save_path = None
    w.ask_save_path = lambda: w.save_path
    yield w
    w.controller.set_locked(False)
    w.controller.undo_stack.setClean()     # closing must not prompt


class User:
    """Mouse and keyboard on the real widgets."""

    def __init__(self, window: MainWindow, qtbot):
        self.w = window
        self.qtbot = qtbot

    # ---- low level ------------------------------------------------------------------------
    def _mouse(self, kind, scene_pos: QPointF, button=Qt.LeftButton, buttons=Qt.LeftButton, mods=Qt.NoModifier):
        view = self.w.view
        p = view.mapFromScene(scene_pos)
        vp = view.viewport()
        ev = QMouseEvent(kind, QPointF(p), QPointF(vp.mapToGlobal(p)), button, buttons, mods)
        QApplication.sendEvent(vp, ev)

    def press(self, pos, button=Qt.LeftButton):
        self._mouse(QMouseEvent.MouseButtonPress, pos, button, button)

    def move(self, pos, buttons=Qt.LeftButton):
        self._mouse(QMouseEvent.MouseMove, pos, Qt.NoButton, buttons)

    def release(self, pos, button=Qt.LeftButton):
        self._mouse(QMouseEvent.MouseButtonRelease, pos, button, Qt.NoButton)

    def drag(self, start: QPointF, end: QPointF, steps: int = 6):
        self.press(start)
        for i in range(1, steps + 1):
            self.move(start + (end - start) * (i / steps))
        self.release(end)

    # ---- what a user does ---------------------------------------------------------------------
    def double_click_palette(self, block: str) -> None:
        tree = self.w.palette.tree
        item = self.w.palette.block_item(block)
        tree.scrollToItem(item)
        centre = tree.visualItemRect(item).center()
        # a real double-click is press, release, then a double-click press: the view only
        # activates an item whose press it saw
        self.qtbot.mouseClick(tree.viewport(), Qt.LeftButton, pos=centre)
        self.qtbot.mouseDClick(tree.viewport(), Qt.LeftButton, pos=centre)

    def drop_block(self, block: str, scene_centre: QPointF) -> None:
        """Drag a block from the palette and let go over the canvas at a scene point."""
        vp = self.w.view.viewport()
        p = self.w.view.mapFromScene(scene_centre)     # QPoint: every PySide6 6.x accepts it
        md = QMimeData()
        md.setData(BLOCK_MIME, block.encode())
        for ev in (QDragEnterEvent(p, Qt.CopyAction, md, Qt.LeftButton, Qt.NoModifier),
                   QDragMoveEvent(p, Qt.CopyAction, md, Qt.LeftButton, Qt.NoModifier),
                   QDropEvent(p, Qt.CopyAction, md, Qt.LeftButton, Qt.NoModifier)):
            QApplication.sendEvent(vp, ev)

    def drop_block_at(self, block: str, x: float, y: float) -> None:
        """Drop so that the block's top-left corner lands on (x, y) (a grid point)."""
        self.drop_block(block, QPointF(x + NODE_W / 2, y + NODE_H / 2))

    def port_pos(self, node_id: str, port: str, is_output: bool) -> QPointF:
        return self.w.scene.node_item(node_id).port(port, is_output).scenePos()

    def connect(self, src: str, src_port: str, dst: str, dst_port: str) -> None:
        self.drag(self.port_pos(src, src_port, True), self.port_pos(dst, dst_port, False))

    def node_centre(self, node_id: str) -> QPointF:
        item = self.w.scene.node_item(node_id)
        return item.mapToScene(QPointF(NODE_W / 2, NODE_H / 2 + 8))

    def click_node(self, node_id: str) -> None:
        pos = self.node_centre(node_id)
        self.press(pos)
        self.release(pos)

    def click_empty(self, pos: QPointF | None = None) -> None:
        pos = pos if pos is not None else QPointF(-3000, -3000)   # far from any node
        self.w.view.centerOn(pos)
        self.press(pos)
        self.release(pos)

    def editor(self, name: str):
        return self.w.inspector.editors[name].widget

    def type_into(self, name: str, text: str) -> None:
        """Select the field's text, type over it, press Enter."""
        w = self.editor(name)
        w.setFocus()
        w.selectAll()
        self.qtbot.keyClicks(w, text)
        self.qtbot.keyClick(w, Qt.Key_Return)

    def choose(self, name: str, text: str) -> None:
        combo = self.editor(name)
        combo.setCurrentIndex(combo.findText(text))

    def trigger(self, action_name: str) -> None:
        getattr(self.w.menu_actions, action_name).trigger()


@pytest.fixture
def user(window, qtbot):
    return User(window, qtbot)
