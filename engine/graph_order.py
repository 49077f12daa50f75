"""A graph's evaluation order, with the standard library's graphlib.

The order is topological with ties broken by a rank (a node's position in the file), so the same
file always compiles to the same order. graphlib does the bookkeeping (which nodes are ready, and
naming a cycle when there is one); a heap picks the lowest-ranked ready node. networkx offers the
same sort, but importing it costs about half a second, which every start of the app and of
`main.py train` paid for this one call; the editor's rarer tools (auto-layout, naming a refused
loop) still use networkx and import it when first used.
"""
from __future__ import annotations

import heapq
from graphlib import CycleError, TopologicalSorter

from engine.graph import GraphDocument


def topological_order(doc: GraphDocument, rank: dict[str, int]) -> tuple[list[str], list[str]]:
    """(order, cycle): every node in a topological order, lowest rank first among those ready;
    or ([], the nodes of one cycle in flow order) when the graph has a cycle. Edges to or from
    a missing node are left out."""
    sorter: TopologicalSorter = TopologicalSorter()
    for nid in doc.nodes:
        sorter.add(nid)
    for e in doc.edges:
        if e.src in doc.nodes and e.dst in doc.nodes:
            sorter.add(e.dst, e.src)
    try:
        sorter.prepare()
    except CycleError as exc:
        # graphlib names the cycle in flow order, its first node repeated at the end
        return [], list(exc.args[1][:-1])
    order: list[str] = []
    ready = [(rank[n], n) for n in sorter.get_ready()]
    heapq.heapify(ready)
    while ready:
        _, nid = heapq.heappop(ready)
        order.append(nid)
        sorter.done(nid)
        for n in sorter.get_ready():
            heapq.heappush(ready, (rank[n], n))
    return order, []
