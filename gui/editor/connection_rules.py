"""Whether a connection may be made, and if not, a sentence saying why.

Cheap rules (direction, an input already taken, a loop) are checked while the user drags, to
colour the port under the cursor; the full check also asks the engine's analysis whether the
widths fit, because only the blocks know that. No Qt here: the rules are plain graph logic.

Both stay linear in the graph's size, since they run during a drag: the quick rules use one
edge index and a plain search for loops (building a networkx graph on every mouse move cost a
quarter of a second at 20,000 nodes), and the full check analyses a shallow trial document
(same node objects, its own edge list) rather than a deep copy, and reuses an analysis of the
document as it stands when the caller has a fresh one.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine import blocks
from engine.compiler import Analysis, analyse
from engine.graph import Edge, GraphDocument
from engine.graph_index import EdgeIndex


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
    index = EdgeIndex(doc.edges)
    key = (src.node, src.port, dst.node, dst.port)
    if any(e.key == key for e in index.edges_out_of(src.node)):
        return f"{src} is already connected to {dst}."
    e = index.edge_into(dst.node, dst.port)
    if e is not None:
        return (f"Input '{dst.port}' of '{dst.node}' already takes {e.src}.{e.src_port}; "
                f"an input takes one connection (drag that one off the input first).")
    if dst.node in doc.nodes and src.node in doc.nodes and _reaches(doc, index, dst.node, src.node):
        # rare, so networkx may take its time to name the shortest loop
        import networkx as nx  # imported when first needed: half a second at start
        g = doc.digraph()
        loop = nx.shortest_path(g, dst.node, src.node) + [dst.node]
        return f"This would make a loop ({' → '.join(loop)}); data must flow one way."
    return None


def _reaches(doc: GraphDocument, index: EdgeIndex, start: str, goal: str) -> bool:
    """Whether data leaving `start` can arrive at `goal`, by edges between existing nodes (as
    `doc.digraph()` has them); an explicit stack, so a long chain cannot hit the recursion limit."""
    seen, stack = {start}, [start]
    while stack:
        for e in index.edges_out_of(stack.pop()):
            nxt = e.dst
            if nxt == goal:
                return True
            if nxt not in seen and nxt in doc.nodes:
                seen.add(nxt)
                stack.append(nxt)
    return False


def trial_document(doc: GraphDocument, add: Iterable[Edge] = (),
                   remove: Iterable[tuple[str, str, str, str]] = ()) -> GraphDocument:
    """The document as it would be with some edges added or removed, for asking the analysis
    "what if" without touching the real one. Shallow: nodes, meta and training are the same
    objects (analyse only reads them), only the edge list is new, so it costs O(edges), not a
    deep copy of everything. Never edit its nodes; it has no listeners and no undo."""
    trial = GraphDocument()
    trial.meta, trial.training, trial.extra, trial.path = doc.meta, doc.training, doc.extra, doc.path
    trial.nodes = dict(doc.nodes)
    gone = {tuple(k) for k in remove}
    trial.edges = [e for e in doc.edges if e.key not in gone] + list(add)
    return trial


def connection_problem(doc: GraphDocument, src: PortRef, dst: PortRef,
                       data_dir: str | None = None, current: Analysis | None = None) -> str | None:
    """Every rule, including whether the widths fit: None when the connection may be made.

    `current` is an analysis of `doc` exactly as it is now, if the caller has one (the editor
    keeps one); it saves analysing the graph twice. Only its errors are used, and `need_loss`
    affects only errors without a node, so a full analysis serves as well as a partial one."""
    quick = quick_problem(doc, src, dst)
    if quick:
        return quick
    before = _errors_on(current if current is not None
                        else analyse(doc, data_dir, need_loss=False), dst.node)
    trial = trial_document(doc, add=[Edge(src.node, src.port, dst.node, dst.port)])
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
