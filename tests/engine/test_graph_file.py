"""The v1 graph file: load, validate structure, save atomically, round-trip, refuse newer."""
import json
import os

import pytest

from engine import graph
from engine.errors import GraphError
from tests.conftest import GRAPHS
from tests.engine.helpers import chain_doc, mlp


def test_round_trip_keeps_unknown_keys(tmp_path):
    data = json.loads((GRAPHS / "mlp_digits.json").read_text())
    data["x_future_top"] = {"a": 1}
    data["nodes"][0]["x_note"] = "kept"
    data["edges"][0]["x_style"] = "dashed"
    src = tmp_path / "in.json"
    src.write_text(json.dumps(data))
    doc = graph.load(src)
    out = tmp_path / "out.json"
    doc.save(out)
    assert json.loads(out.read_text()) == data


@pytest.mark.parametrize("path", sorted(GRAPHS.glob("*.json")), ids=lambda p: p.name)
def test_every_lesson_round_trips_unchanged(path, tmp_path):
    doc = graph.load(path)
    assert doc.meta.get("title") and doc.meta.get("lesson"), "every lesson has a title and text"
    doc.save(tmp_path / "copy.json")
    assert json.loads((tmp_path / "copy.json").read_text()) == json.loads(path.read_text())


def test_newer_version_is_refused_with_a_message():
    with pytest.raises(GraphError, match="version 2 is newer"):
        graph.loads(json.dumps({"format": "deepcanvas-graph", "version": 2, "nodes": [], "edges": []}))


def test_malformed_json_names_line_and_column():
    with pytest.raises(GraphError, match=r"not valid JSON \(line 2, column"):
        graph.loads('{"nodes": [\n  {,}]}', "bad.json")


@pytest.mark.parametrize("text, message", [
    ('[]', "top level must be a JSON object"),
    ('{"nodes": {}}', "'nodes' must be a list"),
    ('{"nodes": [{"type": "Dense"}]}', "node #1 has no string 'id'"),
    ('{"nodes": [{"id": "a", "type": "Dense"}, {"id": "a", "type": "Dense"}]}', "two nodes share the id 'a'"),
    ('{"nodes": [{"id": "a", "type": "Dense", "pos": [1]}]}', "'pos' must be"),
    ('{"edges": [{"src": "a"}]}', "edge #1 needs string keys"),
    ('{"edges": [{"src": "a", "src_port": "out", "dst": "b", "dst_port": "in"}]}',
     "no 'nodes' list, yet its 'edges' name nodes"),
    ('{"format": "other"}', "expected 'deepcanvas-graph'"),
])
def test_structural_errors_say_what_and_where(text, message):
    with pytest.raises(GraphError, match=message):
        graph.loads(text)


def test_a_node_named_in_the_message_is_not_named_again_in_front_of_it():
    with pytest.raises(GraphError) as caught:
        graph.loads('{"nodes": [{"id": "h1", "type": "Dense", "pos": [1e300, 0]}]}')
    assert str(caught.value).count("node 'h1'") == 1
    assert caught.value.node == "h1"          # still tied to the node


def test_failed_save_leaves_the_old_file_intact(tmp_path, monkeypatch):
    target = tmp_path / "net.json"
    doc = chain_doc(mlp())
    doc.save(target)
    before = target.read_bytes()
    doc.set_meta("title", "changed")

    def boom(*a, **k):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        doc.save(target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["net.json"], "no temp file left behind"


def test_mutations_notify_subscribers():
    doc = chain_doc(mlp())
    seen = []
    doc.subscribe(lambda ev, info: seen.append((ev, info)))
    doc.set_param("h1", "units", 7)
    edge = doc.edges_into("a1")[0]
    doc.remove_edge(edge)
    doc.add_edge(edge)
    doc.move_node("h1", (10, 20))
    assert [e for e, _ in seen] == ["param_changed", "edge_removed", "edge_added", "node_moved"]
    assert doc.nodes["h1"].params["units"] == 7 and doc.nodes["h1"].pos == (10.0, 20.0)


def test_remove_node_returns_what_undo_needs():
    doc = chain_doc(mlp())
    node, edges = doc.remove_node("a1")
    assert node.id == "a1" and {(e.src, e.dst) for e in edges} == {("h1", "a1"), ("a1", "out")}
    assert "a1" not in doc.nodes and not doc.edges_into("out")


def test_missing_file_message(tmp_path):
    with pytest.raises(GraphError, match="file not found"):
        graph.load(tmp_path / "nope.json")
