"""Pieces of a graph for copy, cut, paste and duplicate.

A fragment is written in the graph file format itself (a graph holding just the copied nodes
and the edges between them), so the clipboard text is readable, can be pasted into another
window, and a whole graph file's text pasted onto the canvas is inserted too.
"""
from __future__ import annotations

import copy
import json
from typing import Any

from engine.errors import GraphError
from engine.graph import Edge, GraphDocument, Node, from_dict


def make_fragment(doc: GraphDocument, node_ids: list[str]) -> dict[str, Any]:
    """The selected nodes (in document order) and the edges running between them."""
    keep = set(node_ids)
    sub = GraphDocument()
    sub.nodes = {nid: copy.deepcopy(n) for nid, n in doc.nodes.items() if nid in keep}
    sub.edges = [copy.deepcopy(e) for e in doc.edges if e.src in keep and e.dst in keep]
    data = sub.to_dict()
    del data["meta"], data["training"]   # a fragment carries nodes, not a graph's settings
    return data


def fragment_to_text(fragment: dict[str, Any]) -> str:
    return json.dumps(fragment, indent=2, ensure_ascii=False)


def parse_fragment(text: str) -> GraphDocument | None:
    """A fragment (or whole graph) from clipboard text, or None when the text is not one."""
    try:
        data = json.loads(text)
    except (ValueError, TypeError, RecursionError):
        # not JSON, an integer past Python's 4300-digit limit, or nesting deeper than the
        # parser's recursion: clipboard text is anyone's, and none of it is a fragment
        return None
    if not isinstance(data, dict) or "nodes" not in data:
        return None
    try:
        return from_dict(data, "clipboard")
    except GraphError:
        return None


def _next_id(wanted: str, taken: set[str]) -> str:
    """A fresh id that keeps the look of the original: h1 -> h2, dense -> dense1."""
    stem = wanted.rstrip("0123456789") or "node"
    n = 1
    while f"{stem}{n}" in taken:
        n += 1
    return f"{stem}{n}"


def instantiate(doc: GraphDocument, piece: GraphDocument,
                offset: tuple[float, float]) -> tuple[list[Node], list[Edge]]:
    """Copies of a fragment's nodes with ids unused in `doc`, moved by `offset`, and their
    edges renamed to match. Edges to nodes outside the fragment are dropped."""
    taken = set(doc.nodes)
    rename: dict[str, str] = {}
    nodes: list[Node] = []
    for node in piece.nodes.values():
        new_id = node.id if node.id not in taken else _next_id(node.id, taken)
        taken.add(new_id)
        rename[node.id] = new_id
        x, y = node.pos
        nodes.append(Node(new_id, node.type, copy.deepcopy(node.params),
                          (x + offset[0], y + offset[1]), copy.deepcopy(node.extra)))
    edges = [Edge(rename[e.src], e.src_port, rename[e.dst], e.dst_port, copy.deepcopy(e.extra))
             for e in piece.edges if e.src in rename and e.dst in rename]
    return nodes, edges


def bounds(piece: GraphDocument) -> tuple[float, float]:
    """Top-left corner of a fragment's node positions."""
    xs = [n.pos[0] for n in piece.nodes.values()] or [0.0]
    ys = [n.pos[1] for n in piece.nodes.values()] or [0.0]
    return min(xs), min(ys)
