"""Locks for students: a lesson file hides panels and locks params, blocks and training
settings; locked things say why; Edit ▸ Unlock Lesson lifts them; the file keeps them."""
from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QLabel

from tests.conftest import ROOT

LOCKS = {"panels": ["palette"], "params": {"h1": ["units"], "out": "*"}, "blocks": ["data"],
         "training": ["lr"], "message": "Change only the activations"}
REASON = "Change only the activations"


def _lesson(tmp_path, locks=LOCKS, name="locked.json"):
    data = json.loads((ROOT / "graphs" / "deep_sigmoid.json").read_text(encoding="utf-8"))
    data["meta"]["locks"] = locks
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


@pytest.fixture
def locked(window, tmp_path, qtbot):
    assert window.open_path(_lesson(tmp_path))
    qtbot.waitUntil(lambda: "This lesson locks" in window.status.currentMessage())
    return window


def _status(window) -> str:
    return window.status.currentMessage()


def test_a_locked_param_is_read_only_in_the_inspector_and_says_why(locked, user, qtbot):
    w = locked
    w.scene.select_nodes(["h1"])
    units = w.inspector.editors["units"]
    assert units.widget.isReadOnly()
    assert units.lock_reason == f"'h1.units' is locked by the lesson: {REASON}"
    assert REASON in units.widget.toolTip()
    icons = [lab for lab in w.inspector.findChildren(QLabel, "lock_icon") if lab.isVisible()]
    assert len(icons) == 1 and "'h1.units'" in icons[0].toolTip()
    # a free param of the same block stays editable
    assert w.inspector.editors["init"].widget.isEnabled() and not w.inspector.editors["init"].lock_reason
    user.type_into("units", "12")
    assert w.controller.doc.nodes["h1"].params["units"] == 64
    assert not w.controller.undo_stack.canUndo()


def test_the_controller_refuses_a_locked_param_and_says_which_and_why(locked):
    w, c = locked, locked.controller
    before = c.doc.to_json()
    assert not c.set_param("h1", "units", 12)
    assert not c.set_params("out", {"units": 3}, "Set out")
    assert not c.set_training("lr", 0.5)
    assert c.doc.to_json() == before and not c.undo_stack.canUndo()
    assert _status(w) == f"'training.lr' is locked by the lesson: {REASON}"
    c.set_param("h1", "units", 12)
    assert _status(w) == f"'h1.units' is locked by the lesson: {REASON}"
    # what the lesson does not lock is the students' to change
    assert c.set_param("a1", "fn", "relu") and c.set_training("epochs", 3)


def test_a_locked_training_setting_is_read_only_in_the_training_form(locked, user):
    w = locked
    user.click_empty()
    w.inspector.show_training()
    assert w.inspector.editors["lr"].widget.isReadOnly()
    assert w.inspector.editors["lr"].lock_reason.startswith("'training.lr' is locked")
    # choosing another optimizer re-greys the settings it ignores, never the lock
    user.choose("optimizer", "sgd")
    assert w.inspector.editors["lr"].widget.isReadOnly()
    assert not w.inspector.editors["momentum"].lock_reason


def test_a_locked_block_cannot_be_deleted_or_cut_but_can_be_moved(locked, user):
    w, c = locked, locked.controller
    w.scene.select_nodes(["data"])
    user.trigger("delete")
    assert "data" in c.doc.nodes
    assert _status(w) == f"the block 'data' is locked by the lesson and cannot be deleted: {REASON}"
    user.trigger("cut")
    assert "data" in c.doc.nodes
    w.scene.select_nodes(["data", "a1"])        # one locked block refuses the whole delete
    user.trigger("delete")
    assert {"data", "a1"} <= set(c.doc.nodes)
    x, y = c.doc.nodes["data"].pos
    assert c.move_nodes({"data": (x + 20, y)})     # position is not the lesson
    item = w.scene.node_item("data")
    assert item.lock_badge.isVisible() and item.lock_badge.whole
    assert "cannot be deleted" in item.lock_badge.toolTip()
    partly = w.scene.node_item("h1").lock_badge
    assert partly.isVisible() and not partly.whole and "units" in partly.toolTip()
    assert not w.scene.node_item("a1").lock_badge.isVisible()


def test_a_hidden_panel_is_hidden_and_its_menu_entry_says_why(locked, qtbot):
    w = locked
    assert not w.palette_dock.isVisible()
    act = w.palette_dock.toggleViewAction()
    assert not act.isEnabled()
    assert "hidden by the lesson" in act.text() and REASON in act.toolTip()
    w.palette_dock.show()                  # a saved layout or presenter mode giving it back
    qtbot.waitUntil(lambda: not w.palette_dock.isVisible())
    assert w.inspector_dock.isVisible() and w.inspector_dock.toggleViewAction().isEnabled()


def test_unlock_lesson_lifts_every_lock_and_checking_it_again_puts_them_back(locked, user, qtbot):
    w, c = locked, locked.controller
    act = w.lesson_locks_view.unlock_action
    assert act.isEnabled() and not act.isChecked()
    assert act in w.menuBar().actions()[1].menu().actions()       # Edit menu
    act.trigger()
    assert act.isChecked()
    assert _status(w).startswith("Lesson unlocked for this session")
    assert w.palette_dock.isVisible() and w.palette_dock.toggleViewAction().isEnabled()
    assert not w.scene.node_item("data").lock_badge.isVisible()
    w.scene.select_nodes(["h1"])
    assert not w.inspector.editors["units"].widget.isReadOnly()
    user.type_into("units", "12")
    assert c.doc.nodes["h1"].params["units"] == 12
    act.trigger()                          # locks back on: the edit made meanwhile cannot be undone
    assert w.inspector.editors["units"].widget.isReadOnly()
    assert not w.palette_dock.isVisible()
    user.trigger("undo")
    assert c.doc.nodes["h1"].params["units"] == 12
    assert _status(w) == f"'h1.units' is locked by the lesson: {REASON}"


def test_a_malformed_locks_object_opens_the_graph_unlocked_with_one_line(window, tmp_path, qtbot):
    path = _lesson(tmp_path, {"panels": ["palette"], "params": {"h1": "units"}})
    assert window.open_path(path)
    assert "h1" in window.controller.doc.nodes and window.errors == []
    qtbot.waitUntil(lambda: _status(window).startswith("meta.locks.params.h1"))
    assert "\n" not in _status(window) and "opens without its locks" in _status(window)
    assert window.palette_dock.isVisible()
    assert window.controller.set_param("h1", "units", 12)
    assert not window.lesson_locks_view.unlock_action.isEnabled()


def test_an_unknown_node_id_is_reported_and_the_other_locks_hold(window, tmp_path, qtbot):
    assert window.open_path(_lesson(tmp_path, {"blocks": ["data", "dta"]}))
    qtbot.waitUntil(lambda: "no block 'dta'" in _status(window))
    assert not window.controller.remove(["data"])


def test_saving_keeps_the_files_locks_even_after_unlocking(locked, tmp_path):
    w, c = locked, locked.controller
    w.lesson_locks_view.unlock_action.trigger()
    assert c.set_param("h1", "units", 12)
    out = tmp_path / "saved.json"
    w.save_path = str(out)
    assert w.save_as()
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved["meta"]["locks"] == LOCKS
    assert saved["nodes"][1]["params"]["units"] == 12
    assert w.open_path(out)             # the next student gets the locks back
    assert not c.lesson_unlocked and not c.set_param("h1", "units", 5)


def test_opening_a_graph_without_locks_lifts_the_last_ones(locked, qtbot):
    w = locked
    assert w.open_path(ROOT / "graphs" / "deep_sigmoid.json")
    assert w.palette_dock.isVisible()
    assert not w.scene.node_item("data").lock_badge.isVisible()
    assert not w.lesson_locks_view.unlock_action.isEnabled()
    assert w.controller.remove(["data"])
