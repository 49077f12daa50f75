"""Looking around the canvas: zoom, pan, rubber band, snapping, the minimap, and shortcuts."""
from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QKeySequence, QWheelEvent
from PySide6.QtWidgets import QApplication

from tests.conftest import GRAPHS


def wheel(view, steps: int, mods=Qt.NoModifier):
    pos = QPointF(view.viewport().rect().center())
    ev = QWheelEvent(pos, QPointF(view.viewport().mapToGlobal(pos.toPoint())), QPoint(0, 0),
                     QPoint(0, 120 * steps), Qt.NoButton, mods, Qt.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), ev)


def test_wheel_and_ctrl_wheel_zoom_and_fit(window):
    window.open_path(GRAPHS / "deep_sigmoid.json")
    view = window.view
    view.reset_zoom()
    wheel(view, 2)
    assert view.zoom > 1.3
    z = view.zoom
    wheel(view, -1, Qt.ControlModifier)
    assert view.zoom < z
    assert window.zoom_label.text() == f"{round(view.zoom * 100)}%"
    window.menu_actions.fit.trigger()
    visible = view.visible_scene_rect()
    assert visible.contains(window.scene.nodes_rect())


def test_middle_drag_and_space_drag_pan(window, user, qtbot):
    window.open_path(GRAPHS / "mlp_digits.json")
    view = window.view
    before = view.visible_scene_rect().center()
    p = view.viewport().rect().center()
    user.press(view.mapToScene(p), Qt.MiddleButton)
    user.move(view.mapToScene(p + QPoint(-100, -50)), Qt.MiddleButton)
    user.release(view.mapToScene(p + QPoint(-100, -50)), Qt.MiddleButton)
    after = view.visible_scene_rect().center()
    z = view.zoom     # the canvas follows the hand: 100 pixels of drag is 100 pixels of scene
    assert (round((after.x() - before.x()) * z), round((after.y() - before.y()) * z)) == (100, 50)
    doc_before = window.controller.doc.to_dict()

    view.setFocus()
    qtbot.keyPress(view, Qt.Key_Space)
    centre = view.visible_scene_rect().center()
    start = user.node_centre("h1")        # a Space-drag over a node pans instead of moving it
    user.drag(start, start + QPointF(120, 0))
    qtbot.keyRelease(view, Qt.Key_Space)
    assert view.visible_scene_rect().center().x() < centre.x() - 50
    assert window.controller.doc.to_dict() == doc_before


def test_rubber_band_selects_what_it_touches(window, user):
    window.open_path(GRAPHS / "mlp_digits.json")
    window.view.reset_zoom()
    window.view.centerOn(300, 80)
    user.drag(QPointF(170, -40), QPointF(420, 120))   # from empty canvas across h1 and a1
    assert window.scene.selected_node_ids() == ["h1", "a1"]


def test_snap_to_grid_can_be_switched_off(window, user):
    doc = window.controller.doc
    window.open_path(GRAPHS / "mlp_digits.json")
    window.view.reset_zoom()
    window.view.centerOn(250, 40)
    user.click_node("h1")
    start = user.node_centre("h1")
    user.drag(start, start + QPointF(37, 13))
    assert doc.nodes["h1"].pos == (240, 10)
    window.menu_actions.snap.trigger()
    assert not window.scene.snap_to_grid
    start = user.node_centre("h1")
    user.drag(start, start + QPointF(7, 3))
    assert doc.nodes["h1"].pos == (247, 13)


def test_minimap_click_moves_the_view(window, qtbot):
    window.open_path(GRAPHS / "deep_sigmoid.json")
    window.view.reset_zoom()
    mini = window.view.minimap
    qtbot.waitUntil(mini.isVisible)        # at 100% the ten layers do not fit: it is wanted
    qtbot.mouseClick(mini, Qt.LeftButton, pos=QPoint(mini.width() - 15, mini.height() // 2))
    right = window.view.visible_scene_rect().center().x()
    qtbot.mouseClick(mini, Qt.LeftButton, pos=QPoint(15, mini.height() // 2))
    assert window.view.visible_scene_rect().center().x() < right - 1000


def test_the_shortcuts_desktop_editors_use(window):
    a = window.menu_actions
    expected = {a.new: "Ctrl+N", a.open: "Ctrl+O", a.save: "Ctrl+S", a.undo: "Ctrl+Z",
                a.redo: "Ctrl+Shift+Z", a.copy: "Ctrl+C", a.cut: "Ctrl+X", a.paste: "Ctrl+V",
                a.duplicate: "Ctrl+D", a.select_all: "Ctrl+A", a.delete: "Del", a.fit: "F"}
    for action, keys in expected.items():
        shortcuts = [s.toString(QKeySequence.PortableText) for s in action.shortcuts()]
        assert keys in shortcuts, (action.text(), shortcuts)


def test_keyboard_undo_and_delete_on_the_canvas(window, user, qtbot):
    window.open_path(GRAPHS / "mlp_digits.json")
    original = window.controller.doc.to_dict()
    window.activateWindow()
    window.view.setFocus()
    window.scene.select_nodes(["a1"])
    qtbot.keyClick(window.view, Qt.Key_Delete)
    assert "a1" not in window.controller.doc.nodes
    qtbot.keyClick(window.view, Qt.Key_Z, Qt.ControlModifier)
    assert window.controller.doc.to_dict() == original


def test_minimap_steps_aside_while_the_whole_graph_is_in_view(window, qtbot):
    window.resize(1600, 1000)
    window.open_path(GRAPHS / "deep_sigmoid.json")
    view = window.view
    qtbot.waitUntil(lambda: view.viewport().height() > 2.5 * view.minimap.height())
    view.fit_all()
    assert view.whole_graph_in_view() and not view.minimap.isVisible()
    view.reset_zoom()
    qtbot.waitUntil(view.minimap.isVisible)
    view.fit_all()
    assert not view.minimap.isVisible()


def test_minimap_steps_aside_on_a_small_canvas_and_follows_the_menu(window, qtbot):
    view = window.view
    window.resize(1600, 1000)
    qtbot.waitUntil(lambda: view.viewport().height() > 2.5 * view.minimap.height())
    assert view.minimap.isVisible()
    view.resize(view.width(), 200)          # a projector's canvas with the dashboard open
    qtbot.waitUntil(lambda: not view.minimap.isVisible())
    view.resize(view.width(), 600)
    qtbot.waitUntil(view.minimap.isVisible)
    window.menu_actions.minimap.trigger()        # the View menu's choice wins on a roomy canvas too
    assert not view.minimap.isVisible()
    window.menu_actions.minimap.trigger()
    assert view.minimap.isVisible()
