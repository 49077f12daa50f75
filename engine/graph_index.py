"""Edge lookups for passes over a whole graph, built in one scan of the edge list.

`GraphDocument.edges_into` and `edges_out_of` scan every edge, which is right for one node and
quadratic when a pass asks for every node: at 3,000 nodes that alone took seconds. A pass that
visits every node builds an `EdgeIndex` once and reads from it instead. The index is a snapshot:
it is not updated when the document changes, so it lives for one call, never longer.

It is built on every proposed connection while the user drags, so it allocates little: a list
per node (40,000 of them at 20,000 nodes) was enough to set off the garbage collector's full
passes, 0.2 s each once torch is loaded. A node's edges are kept as the Edge itself when there
is one, and as a list only when there are several; the (node, port) keys are tuples of strings,
which the collector stops tracking after its first look.
"""
from __future__ import annotations

from collections.abc import Iterable

from engine.graph import Edge

_Slot = Edge | list[Edge]


class EdgeIndex:
    def __init__(self, edges: Iterable[Edge]):
        # (node, input port) -> the first edge into it in file order, as a scan would find it;
        # a second edge into the same input is an error that analyse reports by itself
        self._into_port: dict[tuple[str, str], Edge] = {}
        self._into: dict[str, _Slot] = {}       # node -> its incoming edges, in file order
        self._out: dict[str, _Slot] = {}        # node -> its outgoing edges, in file order
        for e in edges:
            self._into_port.setdefault((e.dst, e.dst_port), e)
            _put(self._into, e.dst, e)
            _put(self._out, e.src, e)

    def edge_into(self, node_id: str, port: str) -> Edge | None:
        return self._into_port.get((node_id, port))

    def edges_into(self, node_id: str) -> list[Edge]:
        return _listed(self._into.get(node_id))

    def edges_out_of(self, node_id: str) -> list[Edge]:
        return _listed(self._out.get(node_id))

    def feeds_something(self, node_id: str) -> bool:
        """Whether any edge leaves the node (even one to a node that is missing)."""
        return node_id in self._out


def _put(table: dict[str, _Slot], key: str, edge: Edge) -> None:
    have = table.get(key)
    if have is None:
        table[key] = edge
    elif isinstance(have, list):
        have.append(edge)
    else:
        table[key] = [have, edge]


def _listed(slot: _Slot | None) -> list[Edge]:
    """A fresh list, so a caller that appends to it cannot change the index."""
    if slot is None:
        return []
    return list(slot) if isinstance(slot, list) else [slot]
