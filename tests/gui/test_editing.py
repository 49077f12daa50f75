"""Edits beyond building: delete, move, clipboard, auto-layout, the training form, locking,
and the look the dashboard drives. Each is undone to check the document comes back exactly."""
from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from gui.editor.controller import LOCKED_MESSAGE, UNLOCKED_MESSAGE
from tests.conftest import GRAPHS


def open_lesson(window, name="mlp_digits.json"):
    assert window.open_path(GRAPHS / name)
    return window.controller.doc


def undo_all_check(window, original):
    while window.controller.undo_stack.canUndo():
        window.menu_actions.undo.trigger()
    assert window.controller.doc.to_dict() == original


def test_delete_a_middle_node_and_undo_restores_the_file_exactly(window, user):
    doc = open_lesson(window)
    original = doc.to_dict()
    user.click_node("h2")
    window.menu_actions.delete.trigger()
    assert "h2" not in doc.nodes
    assert not any("h2" in (e.src, e.dst) for e in doc.edges)
    assert window.scene.node_item("h2") is None and len(window.scene.edge_items()) == len(doc.edges)
    window.menu_actions.undo.trigger()
    assert doc.to_dict() == original, "same nodes, edges and order as before"


def test_delete_a_selected_edge(window, user):
    doc = open_lesson(window)
    original = doc.to_dict()
    window.scene.edge_item(("a1", "out", "h2", "in")).setSelected(True)
    window.menu_actions.delete.trigger()
    assert ("a1", "out", "h2", "in") not in [e.key for e in doc.edges] and len(doc.nodes) == 8
    undo_all_check(window, original)


def test_drag_moves_the_selection_as_one_undo_step(window, user):
    doc = open_lesson(window)
    original = doc.to_dict()
    window.select_all()
    start = user.node_centre("h1")
    user.drag(start, start + QPointF(40, 20))
    assert doc.nodes["h1"].pos == (240, 20) and doc.nodes["loss"].pos == (1440, 240)
    assert window.controller.undo_stack.count() == 1
    edge = window.scene.edge_item(("data", "x", "h1", "in"))
    assert edge.path().elementAt(edge.path().elementCount() - 1).x == 240, "edges follow the node"
    undo_all_check(window, original)
    assert window.scene.node_item("h1").pos() == QPointF(200, 0)


def test_copy_paste_and_duplicate_give_fresh_ids_and_keep_inner_edges(window, user):
    doc = open_lesson(window)
    original = doc.to_dict()
    window.scene.select_nodes(["h1", "a1"])
    window.menu_actions.copy.trigger()
    window.menu_actions.paste.trigger()
    new = [n for n in doc.nodes if n not in {x["id"] for x in original["nodes"]}]
    assert new == ["h3", "a3"]
    assert doc.nodes["h3"].params == doc.nodes["h1"].params
    assert doc.nodes["h3"].pos == (240, 40)
    assert ("h3", "out", "a3", "in") in [e.key for e in doc.edges]
    assert len(doc.edges) == len(original["edges"]) + 1, "edges to outside nodes are not copied"
    assert window.scene.selected_node_ids() == ["h3", "a3"]

    window.menu_actions.duplicate.trigger()
    assert [n for n in doc.nodes][-2:] == ["h4", "a4"]
    undo_all_check(window, original)


def test_cut_then_paste_puts_the_nodes_back(window, user):
    doc = open_lesson(window)
    window.scene.select_nodes(["softmax"])
    window.menu_actions.cut.trigger()
    assert "softmax" not in doc.nodes
    window.menu_actions.paste.trigger()
    assert doc.nodes["softmax"].pos == (1200, 100) and doc.nodes["softmax"].params == {"fn": "softmax"}


def test_auto_layout_is_layered_and_undoable(window):
    doc = open_lesson(window)
    original = doc.to_dict()
    window.menu_actions.auto_layout.trigger()
    xs = {nid: doc.nodes[nid].pos[0] for nid in doc.nodes}
    order = ["data", "h1", "a1", "h2", "a2", "out", "softmax", "loss"]
    assert [xs[n] for n in order] == sorted(xs[n] for n in order) and len(set(xs.values())) == 8
    assert window.controller.undo_stack.undoText() == "Auto-layout"
    undo_all_check(window, original)


def test_select_all_and_nudge_with_arrow_keys(window, user, qtbot):
    doc = open_lesson(window)
    window.menu_actions.select_all.trigger()
    assert len(window.scene.selected_node_ids()) == 8
    window.view.setFocus()
    for _ in range(3):
        qtbot.keyClick(window.view, Qt.Key_Right)
    assert doc.nodes["data"].pos == (30, 220)
    assert window.controller.undo_stack.count() == 1, "nudges merge into one step"


def test_training_form_edits_and_early_stopping_switch(window, user):
    doc = open_lesson(window, "regression_diabetes.json")
    original = doc.to_dict()
    user.click_empty()
    user.choose("optimizer", "sgd")
    assert doc.training["optimizer"] == "sgd"
    box = user.editor("early_stopping")
    assert box.isChecked()
    box.setChecked(False)
    assert "early_stopping" not in doc.training
    clip = user.editor("grad_clip")
    clip.setChecked(True)
    assert doc.training["grad_clip"] == {"mode": "norm", "max": 1.0}
    undo_all_check(window, original)
    assert user.editor("optimizer").currentText() == "adam"


def test_settings_no_plan_reads_are_hidden_and_ignored_ones_say_why(window, user):
    open_lesson(window, "optimizers.json")
    user.click_empty()
    assert "gan" in window.inspector.editors               # the adversarial plan reads it
    user.choose("optimizer", "adam")
    momentum = user.editor("momentum")
    assert not momentum.isEnabled()
    assert "adam does not use this momentum setting" in momentum.toolTip()
    user.choose("optimizer", "nesterov")
    assert user.editor("momentum").isEnabled()
    # a graph that is not a GAN does not read the GAN settings
    gan = user.editor("gan")
    assert not gan.isEnabled() and "trains adversarially" in gan.toolTip()


def test_a_gan_greys_out_the_learning_rate_it_does_not_read_and_edits_its_own(window, user):
    open_lesson(window, "gan_ring.json")
    user.click_empty()
    lr, gan = user.editor("lr"), user.editor("gan")
    assert not lr.isEnabled() and "gan.d_lr and gan.g_lr" in lr.toolTip()
    assert gan.isEnabled() and not gan.isCheckable()       # always there: no off switch
    d_lr = gan.findChild(QWidget, "param_d_lr")
    d_lr.setValue(0.005)
    assert window.controller.doc.training["gan"]["d_lr"] == 0.005


def test_lock_refuses_every_edit_and_says_why(window, user):
    doc = open_lesson(window)
    original = doc.to_dict()
    user.click_node("h1")
    window.controller.set_locked(True)
    assert window.controller.locked
    assert window.lock_label.isVisible() and window.lock_label.text() == LOCKED_MESSAGE
    assert LOCKED_MESSAGE not in window.status.currentMessage()     # said once, not twice

    window.palette.add_requested.emit("Dense")                 # palette add
    user.connect("data", "y", "h1", "in")                      # connect
    assert LOCKED_MESSAGE in window.scene.toast_text()
    start = user.node_centre("h1")
    user.drag(start, start + QPointF(100, 100))                # move
    window.menu_actions.delete.trigger()                       # delete
    window.controller.set_param("h1", "units", 7)              # inspector edit
    window.controller.undo()                                   # undo
    window.menu_actions.paste.trigger()
    assert doc.to_dict() == original
    assert window.scene.node_item("h1").pos() == QPointF(200, 0)
    assert not window.inspector.form_host.isEnabled()
    assert not window.menu_actions.delete.isEnabled() and not window.palette.isEnabled()

    window.controller.set_locked(False)
    assert not window.lock_label.isVisible() and window.inspector.form_host.isEnabled()
    assert window.status.currentMessage() == UNLOCKED_MESSAGE
    window.controller.set_param("h1", "units", 7)
    assert doc.nodes["h1"].params["units"] == 7
    # the next run locks again: the passing 'unlocked' must not stay beside the locked label
    window.controller.set_locked(True)
    assert window.status.currentMessage() != UNLOCKED_MESSAGE
    window.controller.set_locked(False)


def test_training_overlay_highlight_and_clear(window):
    open_lesson(window)
    scene = window.scene
    scene.set_training_overlay({"h1": QColor("#ff0000"), "h2": QColor("#00ff00")}, {"h1": "vanishing"})
    assert scene.node_item("h1").overlay_fill == QColor("#ff0000")
    assert scene.node_item("h1").overlay_badge == "vanishing"
    assert scene.node_item("a1").overlay_fill is None
    scene.set_training_overlay({"h2": QColor("#00ff00")}, {})
    assert scene.node_item("h1").overlay_fill is None and scene.node_item("h1").overlay_badge == ""

    normal_tip = scene.node_item("h2").toolTip()
    scene.highlight_node("h2", "NaN first appeared here")
    assert scene.node_item("h2").highlighted and scene.node_item("h2").toolTip() == "NaN first appeared here"
    assert window.view.visible_scene_rect().contains(scene.node_item("h2").sceneBoundingRect().center())
    scene.clear_training_overlay()
    assert not scene.node_item("h2").highlighted and scene.node_item("h2").toolTip() == normal_tip
    assert scene.node_item("h2").overlay_fill is None


def test_palette_search_and_enter_adds_the_match(window, qtbot):
    window.palette.search.setText("skip")       # Add's help mentions skip connections
    shown = [window.palette.tree.topLevelItem(i).child(j).text(0)
             for i in range(window.palette.tree.topLevelItemCount())
             for j in range(window.palette.tree.topLevelItem(i).childCount())
             if not window.palette.tree.topLevelItem(i).child(j).isHidden()]
    assert shown == ["Add"]
    qtbot.keyClick(window.palette.search, Qt.Key_Return)
    assert [n.type for n in window.controller.doc.nodes.values()] == ["Add"]
    assert window.scene.selected_node_ids() == ["add"]


def test_doc_changed_and_file_loaded_signals(window, qtbot):
    with qtbot.waitSignal(window.controller.file_loaded) as loaded:
        window.open_path(GRAPHS / "mlp_digits.json")
    assert loaded.args == [str(GRAPHS / "mlp_digits.json")]
    with qtbot.waitSignal(window.controller.doc_changed):
        window.controller.set_param("h1", "units", 5)


def test_dark_theme_switch(window):
    window.menu_actions.theme_dark.trigger()
    assert window.scene.theme.dark and window.settings.value("theme") == "dark"
    window.menu_actions.theme_light.trigger()
    assert not window.scene.theme.dark
