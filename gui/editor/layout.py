"""Auto-layout: a layered drawing, data on the left flowing right, like the lesson files.

Layers come from networkx's topological generations (each node one column right of its furthest
input); within a column nodes are ordered by the mean row of their neighbours, swept a few
times both ways, which removes most crossings for the graphs people draw here.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from engine.graph import GraphDocument

if TYPE_CHECKING:
    import networkx as nx


def layered_positions(doc: GraphDocument, x_gap: float = 230.0, y_gap: float = 120.0,
                      grid: float = 10.0) -> dict[str, tuple[float, float]]:
    """New positions for every node; empty when the graph has a loop (nothing to layer)."""
    import networkx as nx  # imported when first needed: half a second at start
    g = doc.digraph()
    if not g.number_of_nodes():
        return {}
    rank = {nid: i for i, nid in enumerate(doc.nodes)}
    try:
        layers = [sorted(gen, key=rank.__getitem__) for gen in nx.topological_generations(g)]
    except nx.NetworkXUnfeasible:
        return {}
    # an edge that skips columns (a Dataset's targets to the Loss) drawn straight across would
    # run behind every block between: give it a placeholder in each column it crosses, so its
    # row is kept free of blocks
    col = {nid: i for i, layer in enumerate(layers) for nid in layer}
    h = nx.DiGraph()
    h.add_nodes_from(g)
    for u, v in g.edges():
        path = [u] + [_Gap(u, v, k) for k in range(col[u] + 1, col[v])] + [v]
        nx.add_path(h, path)
        for gap in path[1:-1]:
            layers[gap.col].append(gap)
    _reduce_crossings(h, layers)
    x0 = min(n.pos[0] for n in doc.nodes.values())
    y0 = min(n.pos[1] for n in doc.nodes.values())
    tallest = max(len(layer) for layer in layers)
    pos: dict[str, tuple[float, float]] = {}
    for c, layer in enumerate(layers):
        top = (tallest - len(layer)) * y_gap / 2   # centre each column on the tallest one
        for row, nid in enumerate(layer):
            if isinstance(nid, _Gap):
                continue
            x, y = x0 + c * x_gap, y0 + top + row * y_gap
            pos[nid] = (round(x / grid) * grid, round(y / grid) * grid)
    return pos


class _Gap(tuple):
    """The room a column-skipping edge keeps in column `col`."""

    def __new__(cls, src: str, dst: str, col: int):
        return super().__new__(cls, (src, dst, col))

    @property
    def col(self) -> int:
        return self[2]


def _reduce_crossings(g: nx.DiGraph, layers: list[list[str]], sweeps: int = 4) -> None:
    """Barycentre ordering, in place."""
    for sweep in range(sweeps):
        down = sweep % 2 == 0
        seq = range(1, len(layers)) if down else range(len(layers) - 2, -1, -1)
        for i in seq:
            ref = layers[i - 1] if down else layers[i + 1]
            row = {nid: r for r, nid in enumerate(ref)}
            def centre(nid: str, here: list[str], row=row, down=down) -> float:
                near = g.predecessors(nid) if down else g.successors(nid)
                rows = [row[m] for m in near if m in row]
                return sum(rows) / len(rows) if rows else float(here.index(nid))
            layers[i] = sorted(layers[i], key=lambda nid, here=layers[i]: centre(nid, here))
