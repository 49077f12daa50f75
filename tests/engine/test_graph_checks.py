"""Graphs that look plausible but cannot train as drawn: each gets a clear message, never a
traceback; and the trainer's edge cases (tiny splits, a last batch of one, patience)."""
import json
import os
import time

import pytest

from engine import graph
from engine.blocks import Width
from engine.compiler import analyse, compile_graph, node_parameter_count
from engine.errors import GraphError
from engine.graph import Edge, Node
from engine.telemetry import DoneReport, ErrorReport
from engine.training.stopping import EarlyStopper
from engine.training.trainer import Run, train_to_end
from tests.engine.helpers import chain_doc, mlp


def errors(doc):
    return [(p.node, p.message) for p in analyse(doc).errors]


def test_a_layer_that_feeds_nothing_is_left_out_with_a_warning():
    doc = chain_doc(mlp())
    doc.add_node(Node("spare", "Dense", {"units": 4}))
    doc.add_edge(Edge("a1", "out", "spare", "in"))
    a = analyse(doc)
    assert a.ok and any(p.node == "spare" and p.severity == "warning" and "feeds nothing" in p.message
                        for p in a.problems)
    d = next(r for r in train_to_end(doc, epochs=1) if isinstance(r, DoneReport))
    assert d.reason == "completed"


def test_class_labels_only_go_to_a_loss_target():
    doc = chain_doc(mlp())
    doc.remove_edge(doc.edges_into("h1")[0])
    doc.add_edge(Edge("data", "y", "h1", "in"))
    [(node, msg)] = errors(doc)
    assert node == "h1" and "gets class labels from data.y" in msg


def test_bce_needs_targets_between_zero_and_one():
    layers = [("enc", "Dense", {"units": 16}), ("dec", "Dense", {"units": 64}),
              ("sig", "Activation", {"fn": "sigmoid"})]
    doc = chain_doc(layers, loss={"kind": "bce"})
    doc.remove_edge(doc.edges_into("loss", "target")[0])
    doc.add_edge(Edge("data", "x", "loss", "target"))
    assert any(n == "loss" and "between 0 and 1" in m for n, m in errors(doc))
    doc.set_param("data", "scaling", "minmax")          # an autoencoder on [0, 1] pixels: fine
    assert analyse(doc).ok
    d = next(r for r in train_to_end(doc, epochs=2) if isinstance(r, DoneReport))
    assert d.reason == "completed" and d.test["loss"] > 0 and d.baseline == {}


def test_batchnorm_and_batches_of_one():
    layers = [("h1", "Dense", {"units": 16}), ("bn", "BatchNorm", {}), ("out", "Dense", {"units": 10})]
    doc = chain_doc(layers, training={"batch_size": 1})
    assert ("bn", "BatchNorm needs batches of at least 2 examples (training.batch_size is 1)") in errors(doc)
    # 1293 training rows in batches of 2 leave one row over: it joins the last batch
    doc = chain_doc(layers, training={"batch_size": 2, "epochs": 1})
    run = Run(doc)
    reps = list(run.steps())
    assert len(run.context.y) % 2 == 1
    assert isinstance(reps[-1], DoneReport) and reps[-1].reason == "completed"


@pytest.mark.parametrize("bad_id", ["h.1", "train", "forward", "to"])
def test_node_ids_that_cannot_name_a_module(bad_id):
    doc = chain_doc(mlp())
    data = doc.to_dict()
    text = json.dumps(data).replace('"h1"', json.dumps(bad_id))
    doc = graph.loads(text)
    assert any(n == bad_id and "cannot be used" in m for n, m in errors(doc))


def test_nothing_to_learn():
    doc = chain_doc([("a", "Activation", {"fn": "relu"})], loss={"kind": "mse"},
                    data={"source": "sklearn:diabetes"})
    doc.remove_edge(doc.edges_into("loss", "target")[0])
    doc.remove_edge(doc.edges_into("loss", "pred")[0])
    doc.add_edge(Edge("data", "x", "loss", "pred"))
    doc.add_edge(Edge("data", "x", "loss", "target"))
    with pytest.raises(GraphError, match="nothing to learn"):
        compile_graph(doc)
    first = next(iter(Run(doc).steps()))
    assert isinstance(first, ErrorReport) and "nothing to learn" in first.message


def test_tiny_splits_are_a_data_error_not_a_traceback():
    doc = chain_doc(mlp(out=2), data={"source": "synthetic:moons", "n_samples": 10, "test_split": 0.9},
                    training={"val_split": 0.5})
    first = next(iter(Run(doc).steps()))
    assert isinstance(first, ErrorReport) and "val_split" in first.message


def test_early_stopping_patience_counts_epochs_without_improvement():
    stopper = EarlyStopper({"monitor": "val_loss", "patience": 2, "restore_best": False,
                            "min_delta": 0.0}, has_val=True)
    stops = [stopper.update(e, {}, {"loss": v}, None) for e, v in enumerate([1.0, 0.5, 0.6, 0.7, 0.8], 1)]
    assert stops.index(True) == 3, stops      # epoch 4: the second epoch without improvement


def test_val_accuracy_cannot_be_monitored_on_regression():
    doc = chain_doc([("out", "Dense", {"units": 1})], data={"source": "sklearn:diabetes"},
                    loss={"kind": "mse"},
                    training={"early_stopping": {"monitor": "val_accuracy", "patience": 3}})
    assert any("monitors val_accuracy" in m for _, m in errors(doc))


def test_parameter_counts_are_arithmetic_and_instant():
    t = time.perf_counter()
    assert node_parameter_count("Dense", {"units": 20000}, {"in": Width(20000)}) == 20000 * 20000 + 20000
    assert time.perf_counter() - t < 0.05
    assert node_parameter_count("BatchNorm", {}, {"in": Width(7)}) == 14
    assert node_parameter_count("Dense", {"units": 3}, {}) == 0      # input not known yet
    model = compile_graph(chain_doc(mlp()))
    assert sum(node_parameter_count(model.node_types[n], {"units": 32} if n == "h1" else
                                    ({"units": 10} if n == "out" else {}), model_in)
               for n, model_in in (("h1", {"in": Width(64)}), ("out", {"in": Width(32)}))) \
        == model.parameter_count()


def test_save_keeps_the_file_mode_and_rebases_csv_paths(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "t.csv").write_text("x,y\n1,0\n2,1\n3,0\n4,1\n")
    doc = chain_doc(mlp(out=2), data={"source": "csv:t.csv", "target": "y"})
    first = tmp_path / "a" / "g.json"
    doc.save(first)
    os.chmod(first, 0o644)
    doc.save(first)
    assert first.stat().st_mode & 0o777 == 0o644
    doc.save(tmp_path / "b" / "g.json")                       # Save As into another folder
    assert doc.nodes["data"].params["source"] == "csv:../a/t.csv"
    moved = graph.load(tmp_path / "b" / "g.json")
    assert analyse(moved).ok
