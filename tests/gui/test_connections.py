"""Connections that cannot be made are refused, with the reason shown at the pointer, and the
document stays exactly as it was."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF

from engine.graph import Edge, GraphDocument, Node
from tests.conftest import GRAPHS


def small_graph(window) -> None:
    doc = GraphDocument()
    doc.add_node(Node("data", "Dataset", {"source": "sklearn:digits"}, (0, 0)))
    doc.add_node(Node("h1", "Dense", {"units": 16}, (200, 0)))
    doc.add_node(Node("h2", "Dense", {"units": 12}, (400, 0)))
    doc.add_node(Node("loss", "Loss", {}, (600, 0)))
    doc.add_node(Node("sum", "Add", {}, (400, 150)))
    doc.add_edge(Edge("data", "x", "h1", "in"))
    doc.add_edge(Edge("h1", "out", "h2", "in"))
    doc.add_edge(Edge("data", "y", "loss", "target"))
    doc.add_edge(Edge("h1", "out", "sum", "a"))
    window.controller.set_document(doc)
    window.view.centerOn(350, 60)


REFUSALS = [
    # (from, to, words the reason must contain)
    (("h2", "out", True), ("h1", "in", False), "already takes"),            # input taken
    (("h2", "out", True), ("h1", "out", True), "Both ports are outputs"),   # wrong direction
    (("sum", "b", False), ("loss", "pred", False), "Both ports are inputs"),
    (("h2", "out", True), ("h2", "in", False), "cannot feed itself"),       # a self-loop
    (("h2", "out", True), ("loss", "pred", False), "does not fit"),         # 12 outputs, 10 classes
    (("data", "x", True), ("sum", "b", False), "Add needs equal widths"),   # 64 + 16
]


@pytest.mark.parametrize("src,dst,words", REFUSALS)
def test_refused_connection_leaves_the_document_unchanged(window, user, src, dst, words):
    small_graph(window)
    before = window.controller.doc.to_dict()
    steps = window.controller.undo_stack.count()
    user.drag(user.port_pos(*src), user.port_pos(*dst))
    assert window.controller.doc.to_dict() == before
    assert window.controller.undo_stack.count() == steps
    assert words in window.scene.toast_text()
    assert words in window.statusBar().currentMessage()
    assert len(window.scene.edge_items()) == len(before["edges"])


def test_a_cycle_is_refused(window, user):
    small_graph(window)
    window.controller.remove([], [("data", "x", "h1", "in")])
    before = window.controller.doc.to_dict()
    user.connect("h2", "out", "h1", "in")
    assert window.controller.doc.to_dict() == before
    assert "loop" in window.scene.toast_text() and "h1 → h2 → h1" in window.scene.toast_text()


def test_dragging_from_an_input_to_an_output_connects_the_right_way(window, user):
    small_graph(window)
    user.drag(user.port_pos("sum", "b", False), user.port_pos("h1", "out", True))
    assert ("h1", "out", "sum", "b") in [e.key for e in window.controller.doc.edges]
    assert window.scene.edge_item(("h1", "out", "sum", "b")) is not None


def test_every_edge_shows_its_width_and_image_shape(window):
    assert window.open_path(GRAPHS / "mlp_digits.json")
    window.controller.analyse_now()
    labels = {e.key: e.label.text for e in window.scene.edge_items()}
    assert labels[("data", "x", "h1", "in")] == "64 (8x8)"
    assert labels[("data", "y", "loss", "target")] == "10 classes"
    assert labels[("h1", "out", "a1", "in")] == "128"
    assert all(labels.values())


def test_a_node_with_problems_shows_a_badge_listing_them(window, user):
    assert window.open_path(GRAPHS / "mlp_digits.json")
    user.click_node("out")
    user.type_into("units", "12")
    window.controller.analyse_now()
    badge = window.scene.node_item("loss").badge
    assert badge.isVisible() and badge.severity == "error"
    assert "prediction width 12 does not fit 10 classes" in badge.toolTip()
    assert not window.scene.node_item("out").badge.isVisible()
    window.menu_actions.undo.trigger()
    window.controller.analyse_now()
    assert not badge.isVisible()


def test_picking_up_a_connection_by_its_input_moves_or_removes_it(window, user):
    small_graph(window)
    doc = window.controller.doc
    original = doc.to_dict()
    user.drag(user.port_pos("h2", "in", False), user.port_pos("sum", "b", False))
    keys = [e.key for e in doc.edges]
    assert ("h1", "out", "h2", "in") not in keys and ("h1", "out", "sum", "b") in keys
    assert window.controller.undo_stack.count() == 1, "a move is one undo step"
    window.menu_actions.undo.trigger()
    assert doc.to_dict() == original
    assert window.scene.edge_item(("h1", "out", "h2", "in")).isVisible()

    user.drag(user.port_pos("h2", "in", False), QPointF(300, 400))      # let go on empty canvas
    assert ("h1", "out", "h2", "in") not in [e.key for e in doc.edges]
    window.menu_actions.undo.trigger()
    assert doc.to_dict() == original


def test_moving_a_connection_where_it_does_not_fit_is_refused(window, user):
    small_graph(window)
    original = window.controller.doc.to_dict()
    user.drag(user.port_pos("h1", "in", False), user.port_pos("loss", "pred", False))
    assert window.controller.doc.to_dict() == original
    assert "does not fit" in window.scene.toast_text()
    assert window.scene.edge_item(("data", "x", "h1", "in")).isVisible()
