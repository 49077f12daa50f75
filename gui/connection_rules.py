"""Whether a connection may be made, and if not, a sentence saying why.

Cheap rules (direction, an input already taken, a loop) are checked while the user drags, to
colour the port under the cursor; the full check also asks the engine's analysis whether the
widths fit, because only the blocks know that. No Qt here: the rules are plain graph logic.
"""
from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from engine import blocks
from engine.compiler import analyse
from engine.graph import Edge, GraphDocument


@dataclass(frozen=True)
class PortRef:
    node: str
    port: str
    is_output: bool

    def __str__(self) -> str:
        return f"{self.node}.{self.port}"


def orient(a: PortRef, b: PortRef) -> tuple[PortRef, PortRef] | str:
    """(output, input) from two ports in either order, or why they cannot be joined."""
    if a.is_output and b.is_output:
        return ("Both ports are outputs: connect an output (right side) to an input (left side).")
    if not a.is_output and not b.is_output:
        return ("Both ports are inputs: connect an output (right side) to an input (left side).")
    return (a, b) if a.is_output else (b, a)


def quick_problem(doc: GraphDocument, src: PortRef, dst: PortRef) -> str | None:
    """The rules that need no analysis: fast enough to run on every mouse move."""
    if src.node == dst.node:
        return f"A block cannot feed itself: '{src.node}' would make a loop."
    for ref, ports, what in ((src, _outputs(doc, src.node), "output"),
                             (dst, _inputs(doc, dst.node), "input")):
        if ports is not None and ref.port not in ports:
            return f"'{ref.node}' has no {what} port '{ref.port}'."
    key = (src.node, src.port, dst.node, dst.port)
    if any(e.key == key for e in doc.edges):
        return f"{src} is already connected to {dst}."
    taken = doc.edges_into(dst.node, dst.port)
    if taken:
        e = taken[0]
        return (f"Input '{dst.port}' of '{dst.node}' already takes {e.src}.{e.src_port}; "
                f"an input takes one connection (drag that one off the input first).")
    g = doc.digraph()
    if dst.node in g and src.node in g and nx.has_path(g, dst.node, src.node):
        loop = nx.shortest_path(g, dst.node, src.node) + [dst.node]
        return f"This would make a loop ({' → '.join(loop)}); data must flow one way."
    return None


def connection_problem(doc: GraphDocument, src: PortRef, dst: PortRef,
                       data_dir: str | None = None) -> str | None:
    """Every rule, including whether the widths fit: None when the connection may be made."""
    quick = quick_problem(doc, src, dst)
    if quick:
        return quick
    before = _errors_on(analyse(doc, data_dir, need_loss=False), dst.node)
    trial = doc.copy()
    trial.add_edge(Edge(src.node, src.port, dst.node, dst.port))
    after = analyse(trial, data_dir, need_loss=False)
    new = [msg for msg in _errors_on(after, dst.node) if msg not in before]
    if new:
        return f"{src} does not fit {dst}: {new[0]}"
    return None


def _errors_on(a, node_id: str) -> list[str]:
    return [p.message for p in a.problems if p.node == node_id and p.severity == "error"]


def _outputs(doc: GraphDocument, node_id: str) -> tuple[str, ...] | None:
    block = blocks.get(doc.nodes[node_id].type) if node_id in doc.nodes else None
    return block.outputs if block else None


def _inputs(doc: GraphDocument, node_id: str) -> tuple[str, ...] | None:
    block = blocks.get(doc.nodes[node_id].type) if node_id in doc.nodes else None
    return block.inputs if block else None
