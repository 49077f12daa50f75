"""Build a network the way a user does, save it, and check the file; then undo it all away and
redo it all back."""
from __future__ import annotations

import json

EXPECTED = {
    "format": "deepcanvas-graph",
    "version": 1,
    "meta": {},
    "nodes": [
        {"id": "dataset", "type": "Dataset", "params": {"source": "sklearn:digits"}, "pos": [0, 0]},
        {"id": "dense", "type": "Dense", "params": {"units": 10}, "pos": [200, 0]},
        {"id": "activation", "type": "Activation", "params": {"fn": "softmax"}, "pos": [400, 0]},
        {"id": "loss", "type": "Loss", "params": {}, "pos": [600, 0]},
    ],
    "edges": [
        {"src": "dataset", "src_port": "x", "dst": "dense", "dst_port": "in"},
        {"src": "dense", "src_port": "out", "dst": "activation", "dst_port": "in"},
        {"src": "activation", "src_port": "out", "dst": "loss", "dst_port": "pred"},
        {"src": "dataset", "src_port": "y", "dst": "loss", "dst_port": "target"},
    ],
    "training": {"lr": 0.01, "epochs": 5},
}


def build(window, user):
    """The whole session, with checks on the way that each gesture did what it should."""
    doc, stack = window.controller.doc, window.controller.undo_stack
    window.view.centerOn(400, 40)

    user.drop_block_at("Dataset", 0, 0)
    assert list(doc.nodes) == ["dataset"] and doc.nodes["dataset"].pos == (0, 0)

    user.double_click_palette("Dense")            # lands in the middle of the view ...
    assert "dense" in doc.nodes
    x, y = doc.nodes["dense"].pos
    start = user.node_centre("dense")
    user.drag(start, start + (type(start)(200 - x, 0 - y)))  # ... and is dragged into place
    assert doc.nodes["dense"].pos == (200, 0)

    user.drop_block_at("Activation", 400, 0)
    user.drop_block_at("Loss", 600, 0)
    assert list(doc.nodes) == ["dataset", "dense", "activation", "loss"]

    user.connect("dataset", "x", "dense", "in")
    user.connect("dense", "out", "activation", "in")
    user.connect("activation", "out", "loss", "pred")
    assert len(doc.edges) == 3

    # 32 units (the default) cannot be scored against 10 classes: refused, and said so
    before = doc.to_dict()
    user.connect("dataset", "y", "loss", "target")
    assert doc.to_dict() == before
    assert "does not fit" in window.scene.toast_text()
    assert "does not fit" in window.statusBar().currentMessage()

    user.click_node("dense")
    assert window.inspector.node_id == "dense"
    count = stack.count()
    user.type_into("units", "10")
    assert doc.nodes["dense"].params == {"units": 10}
    assert stack.count() == count + 1, "typing 1, 0 is one undo step"

    user.click_node("activation")
    user.choose("fn", "softmax")
    assert doc.nodes["activation"].params == {"fn": "softmax"}

    user.connect("dataset", "y", "loss", "target")
    assert len(doc.edges) == 4

    user.click_empty()
    assert window.inspector.mode == "training"
    count = stack.count()
    user.type_into("lr", "0.01")
    assert stack.count() == count + 1
    user.type_into("epochs", "5")
    assert doc.training == {"lr": 0.01, "epochs": 5}


def test_build_save_undo_redo(window, user, tmp_path):
    build(window, user)
    a = window.controller.analyse_now()
    assert a.ok, [str(p) for p in a.problems]
    assert not any(item.badge.isVisible() for item in window.scene.node_items())
    assert window.isWindowModified()

    window.save_path = str(tmp_path / "built")
    assert window.save()
    saved = json.loads((tmp_path / "built.json").read_text())
    assert saved == EXPECTED
    assert not window.isWindowModified()

    stack, doc = window.controller.undo_stack, window.controller.doc
    full = doc.to_dict()
    empty = {"format": "deepcanvas-graph", "version": 1, "meta": {}, "nodes": [], "edges": [],
             "training": {}}
    while stack.canUndo():
        window.menu_actions.undo.trigger()
    assert doc.to_dict() == empty
    assert window.scene.node_items() == [] and window.scene.edge_items() == []
    while stack.canRedo():
        window.menu_actions.redo.trigger()
    assert doc.to_dict() == full
    assert len(window.scene.node_items()) == 4 and len(window.scene.edge_items()) == 4
    assert not window.isWindowModified()   # back at the saved state


def test_undo_and_redo_of_a_param_edit(window, user):
    build(window, user)
    doc = window.controller.doc
    user.click_node("dense")
    user.type_into("units", "64")
    assert doc.nodes["dense"].params["units"] == 64
    window.menu_actions.undo.trigger()
    assert doc.nodes["dense"].params["units"] == 10
    assert user.editor("units").value() == 10, "the inspector follows undo"
    window.menu_actions.redo.trigger()
    assert user.editor("units").value() == 64
