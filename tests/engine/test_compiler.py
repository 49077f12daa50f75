"""Validation names every problem with its node; shapes are inferred; one module is built."""
import pytest
import torch
import torch.nn.functional as F

from engine.compiler import analyse, compile_graph
from engine.errors import GraphError
from engine.graph import Edge, Node
from tests.engine.helpers import chain_doc, mlp


def problems(doc):
    return [(p.node, p.message) for p in analyse(doc).errors]


def test_valid_graph_has_no_problems_and_known_widths():
    a = analyse(chain_doc(mlp()))
    assert a.ok, a.problems
    assert str(a.widths["data"]["x"]) == "64 (8x8)"
    assert str(a.widths["data"]["y"]) == "10 classes"
    assert a.widths["h1"]["out"].features == 32
    assert a.order.index("data") < a.order.index("h1") < a.order.index("loss")


def test_unknown_block_type():
    doc = chain_doc(mlp())
    doc.add_node(Node("weird", "Convolution3D", {}))
    [(node, msg)] = problems(doc)
    assert node == "weird" and msg.startswith("unknown block type 'Convolution3D' (known: Dataset,")


def test_cycle_names_its_nodes():
    doc = chain_doc(mlp())
    doc.add_node(Node("sum", "Add", {}))
    doc.remove_edge(doc.edges_into("out")[0])
    doc.add_edge(Edge("a1", "out", "sum", "a"))
    doc.add_edge(Edge("sum", "out", "out", "in"))
    doc.add_edge(Edge("out", "out", "sum", "b"))
    [(node, msg)] = problems(doc)
    assert msg.startswith("the graph has a cycle:") and "sum" in msg and "out" in msg


def test_edge_to_missing_node_and_bad_port():
    doc = chain_doc(mlp())
    doc.edges.append(Edge("h1", "out", "ghost", "in"))
    doc.edges.append(Edge("h1", "sideways", "a1", "in"))
    found = problems(doc)
    assert ("h1", "edge h1.out -> ghost.in refers to a missing node 'ghost'") in found
    assert any(n == "h1" and "has no output port 'sideways'" in m for n, m in found)


def test_required_input_unconnected_and_two_edges_into_one_input():
    doc = chain_doc(mlp())
    doc.remove_edge(doc.edges_into("a1")[0])
    assert ("a1", "input 'in' is not connected") in problems(doc)
    doc = chain_doc(mlp())
    doc.add_edge(Edge("data", "x", "a1", "in"))
    assert any(n == "a1" and "has two edges" in m for n, m in problems(doc))


def test_width_mismatch_in_add():
    doc = chain_doc([("h1", "Dense", {"units": 16}), ("h2", "Dense", {"units": 8}),
                     ("sum", "Add", {})])
    doc.remove_edge(doc.edges_into("sum")[0])
    doc.add_edge(Edge("h1", "out", "sum", "a"))
    doc.add_edge(Edge("h2", "out", "sum", "b"))
    assert ("sum", "inputs have widths 16 and 8; Add needs equal widths") in problems(doc)


def test_loss_prediction_width_must_fit_target():
    doc = chain_doc(mlp(out=3))
    [(node, msg)] = problems(doc)
    assert node == "loss" and "prediction width 3 does not fit 10 classes" in msg


def test_out_of_range_param_names_node_and_param():
    doc = chain_doc(mlp())
    doc.set_param("h1", "units", -4)
    assert ("h1", "param 'units' is -4, below the minimum 1") in problems(doc)


def test_bad_training_setting():
    doc = chain_doc(mlp(), training={"optimizer": "lbfgs"})
    assert any("training: 'optimizer'" in m for _, m in problems(doc))


def test_compile_raises_with_every_problem():
    doc = chain_doc(mlp())
    doc.set_param("h1", "units", 0)
    doc.set_param("out", "init", "nope")
    with pytest.raises(GraphError) as info:
        compile_graph(doc)
    assert {p.node for p in info.value.problems} == {"h1", "out"}


def test_module_is_named_by_node_id_and_counts_parameters():
    model = compile_graph(chain_doc(mlp()))
    assert set(model.nodes.keys()) == {"h1", "a1", "out", "sm"}
    names = {n for n, _ in model.named_parameters()}
    assert "nodes.h1.weight" in names and "nodes.out.bias" in names
    assert model.parameter_count() == 64 * 32 + 32 + 32 * 10 + 10


def test_softmax_before_cross_entropy_is_folded_into_a_stable_loss():
    model = compile_graph(chain_doc(mlp()))
    spec = model.primary
    assert spec.fused == "softmax" and spec.pred_key == "out.out"
    logits = torch.tensor([[1000.0, -1000.0], [0.0, 0.0]])
    target = torch.tensor([1, 0])
    value = spec.fn(logits, target)
    assert torch.isfinite(value) and value.item() == pytest.approx(
        F.cross_entropy(logits, target).item())


def test_sigmoid_before_bce_is_folded_into_a_stable_loss():
    doc = chain_doc([("h", "Dense", {"units": 1}), ("sig", "Activation", {"fn": "sigmoid"})],
                    data={"source": "sklearn:breast_cancer"}, loss={"kind": "bce"})
    model = compile_graph(doc)
    spec = model.primary
    assert spec.fused == "sigmoid" and spec.pred_key == "h.out"
    # a logit of 200 on the wrong class: log(1 - sigmoid(200)) underflows to log(0) if done naively
    value = spec.fn(torch.tensor([[200.0]]), torch.tensor([0]))
    assert value.item() == pytest.approx(200.0)


def test_bce_on_two_classes_needs_width_one():
    doc = chain_doc([("h", "Dense", {"units": 2})], data={"source": "sklearn:breast_cancer"},
                    loss={"kind": "bce"})
    assert ("loss", "bce on two classes needs a prediction of width 1, got 2") in problems(doc)


def test_skip_connection_and_concat_compile_and_run():
    doc = chain_doc([("h1", "Dense", {"units": 16}), ("a1", "Activation", {"fn": "relu"}),
                     ("h2", "Dense", {"units": 16}), ("sum", "Add", {}), ("cat", "Concat", {}),
                     ("out", "Dense", {"units": 10})])
    for e in list(doc.edges_into("sum")) + list(doc.edges_into("cat")):
        doc.remove_edge(e)
    doc.add_edge(Edge("h2", "out", "sum", "a"))
    doc.add_edge(Edge("h1", "out", "sum", "b"))
    doc.add_edge(Edge("sum", "out", "cat", "a"))
    doc.add_edge(Edge("a1", "out", "cat", "b"))
    a = analyse(doc)
    assert a.ok, a.problems
    assert a.widths["cat"]["out"].features == 32
    model = compile_graph(doc)
    v = model(torch.randn(5, 64), torch.zeros(5, dtype=torch.long))
    assert v["out.out"].shape == (5, 10)
