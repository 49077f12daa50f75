"""Long graphs: nothing recurses per node, and a loop far down a chain is still found and named.

Speed itself is measured by bench/big_graph.py (a figure, not a timed test); these check that
the linear code paths give the same answers as before on graphs deeper than Python's
recursion limit."""
import sys

import pytest

from engine import graph
from engine.compiler import CompiledGraph, analyse
from engine.graph import Edge
from tests.engine.helpers import chain_doc

N = 3000


@pytest.fixture
def low_recursion_limit():
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(500)      # far below N: a recursive walk over the chain would fail
    yield
    sys.setrecursionlimit(old)


def long_chain():
    layers = [(f"h{k}", "Dense", {"units": 4}) for k in range(1, N)] + [("out", "Dense", {"units": 10})]
    return chain_doc(layers)


def test_a_chain_deeper_than_the_recursion_limit_loads_analyses_and_compiles(low_recursion_limit):
    doc = graph.loads(long_chain().to_json())
    assert doc.copy().to_dict() == doc.to_dict()
    a = analyse(doc)
    assert a.ok and len(a.order) == N + 2 and a.order[0] == "data" and a.order[-1] == "loss"
    assert a.total_parameters == 64 * 4 + 4 + (N - 2) * (4 * 4 + 4) + 4 * 10 + 10
    model = CompiledGraph(doc, a)          # the walk back from the loss visits every layer
    assert len(model.computed_nodes) == N          # every Dense (the Loss is computed by the trainer)


def test_a_loop_at_the_end_of_a_long_chain_is_named(low_recursion_limit):
    doc = long_chain()
    doc.remove_edge(("data", "x", "h1", "in"))
    doc.add_edge(Edge(f"h{N - 1}", "out", "h1", "in"))
    [p] = analyse(doc).errors
    assert p.message.startswith("the graph has a cycle: ") and p.message.count("->") == N - 1


def test_a_duplicate_edge_far_down_a_long_file_is_refused():
    data = long_chain().to_dict()
    data["edges"].append(dict(data["edges"][-5]))
    with pytest.raises(graph.GraphError, match=f"edge #{len(data['edges'])} is listed twice"):
        graph.from_dict(data)
