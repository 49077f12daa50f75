"""Opening, saving, the dirty mark, prompts, recent files, and the screenshot mode."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication

from gui import app as gui_app
from tests.conftest import GRAPHS

LESSONS = sorted(GRAPHS.glob("*.json"))


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_lesson_opens_without_an_error_badge_and_saves_back_equal(window, tmp_path, path):
    assert window.open_path(path), window.errors
    window.controller.analyse_now()
    bad = {item.node_id: item.badge.toolTip() for item in window.scene.node_items()
           if item.badge.isVisible() and item.badge.severity == "error"}
    assert bad == {}
    assert len(window.scene.node_items()) == len(window.controller.doc.nodes)
    assert len(window.scene.edge_items()) == len(window.controller.doc.edges)
    assert window.lesson_panel.toPlainText().strip()
    window.save_path = str(tmp_path / path.name)
    assert window.save_as()
    assert json.loads((tmp_path / path.name).read_text()) == json.loads(path.read_text())


def test_a_file_that_fails_to_load_leaves_the_open_graph_alone(window, tmp_path):
    assert window.open_path(GRAPHS / "mlp_digits.json")
    before = window.controller.doc.to_dict()
    bad = tmp_path / "broken.json"
    bad.write_text('{"format": "deepcanvas-graph", "nodes": [ {"id": 3} ]}')
    assert not window.open_path(bad)
    assert window.errors and "node #1 has no string 'id'" in window.errors[-1]
    assert window.controller.doc.to_dict() == before
    assert window.controller.doc.path == GRAPHS / "mlp_digits.json"
    assert len(window.scene.node_items()) == len(before["nodes"])


def test_dirty_mark_and_the_prompt_before_losing_changes(window, user, tmp_path):
    assert window.open_path(GRAPHS / "mlp_digits.json")
    assert not window.isWindowModified() and window.windowTitle().startswith("mlp_digits.json")
    user.click_node("h1")
    user.type_into("units", "100")
    assert window.isWindowModified()
    edited = window.controller.doc.to_dict()

    window.save_answers = ["cancel"]
    window.menu_actions.new.trigger()
    assert window.controller.doc.to_dict() == edited, "cancel keeps the graph"

    window.save_answers = ["save"]
    window.save_path = str(tmp_path / "kept.json")
    window.controller.doc.path = None          # as if it had never been saved: save asks where
    window.menu_actions.new.trigger()
    assert json.loads((tmp_path / "kept.json").read_text()) == edited
    assert window.controller.doc.nodes == {} and not window.isWindowModified()

    window.controller.add_node("Dense", (0, 0))
    window.save_answers = ["discard"]
    assert window.open_path(GRAPHS / "deep_sigmoid.json")
    assert "h7" in window.controller.doc.nodes


def test_close_asks_too(window, user):
    window.controller.add_node("Dense", (0, 0))
    window.save_answers = ["cancel"]
    assert not window.close() and window.isVisible()
    window.save_answers = ["discard"]
    assert window.close()


def test_recent_files_are_remembered(window, tmp_path):
    window.open_path(GRAPHS / "mlp_digits.json")
    window.open_path(GRAPHS / "deep_sigmoid.json")
    assert window.recent.paths()[:2] == [str(GRAPHS / "deep_sigmoid.json"), str(GRAPHS / "mlp_digits.json")]
    actions = [a for a in window.menu_actions.recent_menu.actions() if a.toolTip().endswith(".json")]
    assert [a.toolTip() for a in actions][:2] == window.recent.paths()[:2]
    actions[1].trigger()
    assert window.controller.doc.path == GRAPHS / "mlp_digits.json"


def test_dropping_a_json_file_on_the_window_opens_it(window):
    md = QMimeData()
    md.setUrls([QUrl.fromLocalFile(str(GRAPHS / "regression_diabetes.json"))])
    vp = window.view.viewport()
    p = vp.rect().center()                       # QPoint: every PySide6 6.x accepts it
    QApplication.sendEvent(vp, QDragEnterEvent(p, Qt.CopyAction, md, Qt.LeftButton, Qt.NoModifier))
    QApplication.sendEvent(vp, QDropEvent(p, Qt.CopyAction, md, Qt.LeftButton, Qt.NoModifier))
    assert window.controller.doc.path == GRAPHS / "regression_diabetes.json"


def test_screenshot_mode_writes_the_window_and_exits_zero(qapp, tmp_path, capsys):
    png = tmp_path / "shot.png"
    code = gui_app.main([str(GRAPHS / "mlp_digits.json"), "--screenshot", str(png), "--size", "1280x720"])
    assert code == 0
    image = QImage(str(png))
    assert (image.width(), image.height()) == (1280, 720)   # a small laptop screen


def test_screenshot_of_a_bad_file_fails_with_its_message(qapp, tmp_path, capsys):
    code = gui_app.main([str(tmp_path / "missing.json"), "--screenshot", str(tmp_path / "x.png")])
    assert code != 0
    assert "file not found" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_a_lesson_opens_at_its_first_line_even_after_the_dock_is_resized(window, qtbot):
    assert window.open_path(GRAPHS / "exploding_clipped.json")
    panel = window.lesson_panel
    panel.resize(300, 90)                  # a short dock: the lesson has to scroll
    qtbot.waitUntil(lambda: panel.verticalScrollBar().maximum() > 0)
    panel.ensureCursorVisible()            # what a resize or a focus does to a text edit
    assert panel.textCursor().position() == 0
    assert panel.verticalScrollBar().value() == 0
