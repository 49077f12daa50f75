"""The CSV panel under a Dataset's form: file chooser, preview table, column roles set by
clicking headers (one undo step each), and the engine's messages on the node and in the panel."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from gui.data import csv_roles as cr
from gui.data.csv_panel import CsvPanel
from tests.conftest import GRAPHS


def _write_table(path, rows: int = 60) -> None:
    """A text column, a numeric column, a column that copies the answer, and the answer."""
    rng = np.random.default_rng(1)
    label = rng.integers(0, 2, rows)
    lines = ["colour,size,leak,label"]
    for i in range(rows):
        colour = ("red", "green", "blue")[i % 3]
        lines.append(f"{colour},{rng.normal():.3f},{label[i] * 10 + 3},{label[i]}")
    path.write_text("\n".join(lines) + "\n")


def _graph(tmp_path, source: str = "csv:table.csv", target: str = "label"):
    doc = {
        "format": "deepcanvas-graph", "version": 1, "meta": {"title": "csv"},
        "nodes": [
            {"id": "data", "type": "Dataset", "params": {"source": source, "target": target},
             "pos": [0, 0]},
            {"id": "out", "type": "Dense", "params": {"units": 2}, "pos": [200, 0]},
            {"id": "loss", "type": "Loss", "params": {"kind": "cross_entropy"}, "pos": [400, 0]},
        ],
        "edges": [
            {"src": "data", "src_port": "x", "dst": "out", "dst_port": "in"},
            {"src": "out", "src_port": "out", "dst": "loss", "dst_port": "pred"},
            {"src": "data", "src_port": "y", "dst": "loss", "dst_port": "target"},
        ],
        "training": {},
    }
    path = tmp_path / "graph.json"
    path.write_text(json.dumps(doc))
    return path


def _open_and_select(window, path) -> CsvPanel:
    assert window.open_path(path, ask=False), window.errors
    window.scene.select_nodes(["data"])
    window.controller.analyse_now()
    panel = window.inspector.csv_panel
    assert panel is not None and panel.node_id == "data"
    return panel


def _click_header(qtbot, panel: CsvPanel, column: str, role: str, monkeypatch) -> None:
    """Click the column's header and pick `role` from the menu it opens."""
    asked = []
    monkeypatch.setattr(panel, "ask_role", lambda col, current, where: asked.append(col) or role)
    section = panel.preview.columns.index(column)
    panel.table.scrollTo(panel.model.index(0, section))
    header = panel.table.horizontalHeader()
    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    qtbot.mouseClick(header.viewport(), Qt.LeftButton, pos=QPoint(x, header.height() // 2))
    assert asked == [column], "the click reached the header of that column"
    panel.controller.analyse_now()


def _params(window) -> dict:
    return window.controller.doc.nodes["data"].params


def _badge(window):
    return window.scene.node_item("data").badge


@pytest.fixture
def table_graph(tmp_path):
    _write_table(tmp_path / "table.csv")
    return _graph(tmp_path)


def test_preview_shows_first_rows_roles_and_flags_the_text_column(window, table_graph):
    panel = _open_and_select(window, table_graph)
    assert panel.preview.columns == ["colour", "size", "leak", "label"]
    assert panel.model.rowCount() == 20 and panel.preview.n_rows == 60
    assert panel.model.data(panel.model.index(0, 0)) == "red"
    assert [panel.model.role(i) for i in range(4)] == ["input", "input", "input", "target"]
    header = panel.model.headerData(0, Qt.Horizontal)
    assert header == "colour\ninput"
    assert panel.model.flag(0)[0] == "text!" and panel.model.flag(1)[0] == ""
    # the engine refuses the text column: an error on the node and in the panel
    assert _badge(window).isVisible() and _badge(window).severity == "error"
    assert "'colour'" in _badge(window).toolTip()
    assert "'colour'" in panel.messages.text() and panel.messages.isVisible()


def test_roles_set_by_clicking_headers_are_saved_and_undo_one_step_each(window, qtbot, table_graph,
                                                                      monkeypatch):
    panel = _open_and_select(window, table_graph)
    stack = window.controller.undo_stack
    _click_header(qtbot, panel, "colour", cr.ONE_HOT, monkeypatch)
    assert panel.model.role(0) == cr.ONE_HOT and panel.model.flag(0)[0] == ""

    # no error left, but 'leak' gives the answer away: an amber badge that names it
    badge = _badge(window)
    assert badge.isVisible() and badge.severity == "warning"
    assert "possible leak: column 'leak'" in badge.toolTip()
    assert "column 'leak'" in panel.messages.text()
    assert panel.model.flag(2)[0] == "leak?"
    assert "1 warning" in window.inspector.status_label.text()

    count = stack.count()
    _click_header(qtbot, panel, "leak", cr.DROPPED, monkeypatch)
    assert stack.count() == count + 1, "one role change, one undo step"
    assert not _badge(window).isVisible()
    assert window.inspector.editors["drop"].widget.text() == "leak", "the form follows"

    window.controller.save()
    saved = json.loads(table_graph.read_text())["nodes"][0]["params"]
    assert (saved["target"], saved["drop"], saved["one_hot"]) == ("label", ["leak"], ["colour"])

    stack.undo()
    assert not _params(window).get("drop") and _params(window)["one_hot"] == ["colour"]
    assert panel.model.role(2) == cr.INPUT
    stack.undo()
    assert not _params(window).get("one_hot")


def test_a_new_target_turns_the_old_one_into_an_input_in_one_step(window, qtbot, table_graph,
                                                                 monkeypatch):
    panel = _open_and_select(window, table_graph)
    _click_header(qtbot, panel, "colour", cr.DROPPED, monkeypatch)
    _click_header(qtbot, panel, "leak", cr.DROPPED, monkeypatch)
    count = window.controller.undo_stack.count()
    _click_header(qtbot, panel, "size", cr.TARGET, monkeypatch)
    assert window.controller.undo_stack.count() == count + 1
    assert _params(window)["target"] == "size"
    roles = [panel.model.role(i) for i in range(4)]
    assert roles == [cr.DROPPED, cr.TARGET, cr.DROPPED, cr.INPUT]
    assert roles.count(cr.TARGET) == 1

    # taking the target out of drop happens in the same step as making it the target
    _click_header(qtbot, panel, "leak", cr.TARGET, monkeypatch)
    assert _params(window)["target"] == "leak" and _params(window)["drop"] == ["colour"]
    window.controller.undo_stack.undo()
    assert _params(window)["target"] == "size" and _params(window)["drop"] == ["colour", "leak"]


def test_the_role_menu_lists_every_role_with_the_current_one_checked(window, table_graph):
    panel = _open_and_select(window, table_graph)
    menu = panel.role_menu("size", cr.INPUT)
    actions = [a for a in menu.actions() if a.data()]
    assert [a.data() for a in actions] == list(cr.ROLES)
    assert [a.isChecked() for a in actions] == [True, False, False, False]


def test_a_click_in_the_real_menu_sets_the_role(window, qtbot, table_graph):
    """The menu under a header, without a stand-in: find it once it opens and click an entry."""
    panel = _open_and_select(window, table_graph)
    seen = []

    def pick() -> None:
        # the open popup itself: scanning every top-level widget while a menu runs its own event
        # loop crashed PySide6 now and then
        popup = QApplication.activePopupWidget()
        menus = [popup] if isinstance(popup, QMenu) and popup.isVisible() else []
        if not menus:
            if len(seen) < 60:
                seen.append(None)
                QTimer.singleShot(50, pick)
            return
        menu = menus[0]
        dropped = next(a for a in menu.actions() if a.data() == cr.DROPPED)
        seen.append(menu)
        QTest.mouseClick(menu, Qt.LeftButton, Qt.NoModifier, menu.actionGeometry(dropped).center())

    QTimer.singleShot(50, pick)
    header = panel.table.horizontalHeader()
    section = panel.preview.columns.index("size")
    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    qtbot.mouseClick(header.viewport(), Qt.LeftButton, pos=QPoint(x, header.height() // 2))
    assert seen and seen[-1] is not None, "the menu opened"
    assert _params(window)["drop"] == ["size"]


def test_a_missing_file_shows_its_message_in_the_panel(window, tmp_path):
    panel = _open_and_select(window, _graph(tmp_path, source="csv:nowhere.csv"))
    assert panel.preview is None and not panel.table.isVisible()
    assert "CSV file 'nowhere.csv' not found" in panel.messages.text()
    assert panel.messages.isVisible() and panel.choose_button.isEnabled()
    assert _badge(window).severity == "error" and "nowhere.csv" in _badge(window).toolTip()


def test_a_broken_file_shows_its_message_and_keeps_the_graph(window, tmp_path):
    (tmp_path / "table.csv").write_bytes(b"")
    panel = _open_and_select(window, _graph(tmp_path))
    assert "is empty" in panel.messages.text()
    assert _params(window)["source"] == "csv:table.csv"
    (tmp_path / "table.csv").write_text("a b c\n1 2 3\n")
    window.controller.analyse_now()
    assert "single column" in panel.messages.text()


def test_choosing_a_file_beside_the_graph_stores_a_relative_path(window, qtbot, tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    _write_table(tmp_path / "sub" / "other.csv")
    panel = _open_and_select(window, _graph(tmp_path, source="csv:nowhere.csv", target="y"))
    monkeypatch.setattr(CsvPanel, "ask_csv_path", lambda self: str(tmp_path / "sub" / "other.csv"))
    count = window.controller.undo_stack.count()
    qtbot.mouseClick(panel.choose_button, Qt.LeftButton)
    assert window.controller.undo_stack.count() == count + 1
    assert _params(window)["source"] == "csv:sub/other.csv"
    assert _params(window)["target"] == "label", "the last column, as the old target is absent"
    assert panel.preview is not None and panel.preview.columns[-1] == "label"
    window.controller.undo_stack.undo()
    assert _params(window)["source"] == "csv:nowhere.csv" and _params(window)["target"] == "y"


def test_choosing_a_file_elsewhere_stores_an_absolute_path(window, tmp_path, tmp_path_factory,
                                                           monkeypatch):
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "t.csv"
    _write_table(elsewhere)
    panel = _open_and_select(window, _graph(tmp_path, source="csv:nowhere.csv"))
    monkeypatch.setattr(CsvPanel, "ask_csv_path", lambda self: str(elsewhere))
    assert panel.choose_file()
    assert _params(window)["source"] == f"csv:{elsewhere.resolve()}"


def test_the_button_switches_a_built_in_dataset_to_csv(window, qtbot, tmp_path, monkeypatch):
    window.controller.new_document()
    node = window.controller.add_node("Dataset", (0, 0))
    window.scene.select_nodes([node])
    panel = window.inspector.csv_panel
    assert panel is not None and not panel.table.isVisible()
    assert "choose a CSV file" in panel.file_label.text()
    _write_table(tmp_path / "t.csv")
    monkeypatch.setattr(CsvPanel, "ask_csv_path", lambda self: str(tmp_path / "t.csv"))
    qtbot.mouseClick(panel.choose_button, Qt.LeftButton)
    params = window.controller.doc.nodes[node].params
    assert params["source"] == f"csv:{(tmp_path / 't.csv').resolve()}", "unsaved graph: absolute"
    assert params["target"] == "label"
    assert panel.table.isVisible() and panel.model.rowCount() == 20
    assert window.inspector.editors["source"].widget.text() == params["source"]


def test_cancelling_the_file_dialog_changes_nothing(window, table_graph, monkeypatch):
    panel = _open_and_select(window, table_graph)
    monkeypatch.setattr(CsvPanel, "ask_csv_path", lambda self: None)
    before = window.controller.undo_stack.count()
    assert not panel.choose_file()
    assert window.controller.undo_stack.count() == before


def test_role_clicks_are_refused_while_training(window, qtbot, table_graph, monkeypatch):
    panel = _open_and_select(window, table_graph)
    window.controller.set_locked(True)
    assert not panel.choose_button.isEnabled()
    messages = []
    window.controller.message.connect(messages.append)
    with pytest.raises(AssertionError, match="the click reached"):
        _click_header(qtbot, panel, "leak", cr.DROPPED, monkeypatch)
    assert not _params(window).get("drop")
    assert messages and "Stop" in messages[-1]
    assert not panel.set_role("leak", cr.DROPPED), "the controller refuses it too"


def test_forest_fires_undropping_area_warns_that_it_leaks(window, qtbot, monkeypatch):
    # no data folder set: the lesson finds the CSV file the project ships
    panel = _open_and_select(window, GRAPHS / "forest_fires.json")
    assert panel.model.role(panel.preview.columns.index("area")) == cr.DROPPED
    assert not _badge(window).isVisible()
    _click_header(qtbot, panel, "area", cr.INPUT, monkeypatch)
    assert "area" not in _params(window)["drop"]
    badge = _badge(window)
    assert badge.isVisible() and badge.severity == "warning"
    assert "possible leak: column 'area'" in badge.toolTip()
    assert "column 'area'" in panel.messages.text()
    window.controller.undo_stack.undo()
    window.controller.analyse_now()
    assert not _badge(window).isVisible()
