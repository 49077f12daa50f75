"""Small builders shared by the engine tests."""
from __future__ import annotations

from engine.graph import Edge, GraphDocument, Node


def chain_doc(layers, data=None, loss=None, training=None) -> GraphDocument:
    """Dataset -> layers... -> Loss, as a document. `layers` is a list of (id, type, params)."""
    doc = GraphDocument()
    doc.meta = {"title": "test"}
    doc.add_node(Node("data", "Dataset", data or {"source": "sklearn:digits"}))
    prev = ("data", "x")
    for nid, typ, params in layers:
        doc.add_node(Node(nid, typ, dict(params)))
        doc.add_edge(Edge(prev[0], prev[1], nid, "in"))
        prev = (nid, "out")
    doc.add_node(Node("loss", "Loss", loss or {"kind": "cross_entropy"}))
    doc.add_edge(Edge(prev[0], prev[1], "loss", "pred"))
    doc.add_edge(Edge("data", "y", "loss", "target"))
    doc.training = dict(training or {"epochs": 2, "seed": 0})
    return doc


def mlp(hidden=32, fn="relu", out=10, softmax=True):
    layers = [("h1", "Dense", {"units": hidden, "init": "he_uniform"}), ("a1", "Activation", {"fn": fn}),
              ("out", "Dense", {"units": out})]
    if softmax:
        layers.append(("sm", "Activation", {"fn": "softmax"}))
    return layers
