"""What the one-click experiments change in a graph, found from the blocks' declarations.

No widget here: given a document (and the last analysis, when there is one) these functions say
which node is the data source and which params hold the activation of the hidden layers, so the
panel and its tests agree on the targets. Blocks are recognised by what they declare (`role`,
`activation_fn`, a param named `activation`), never by their type name.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from engine import blocks
from engine.compiler import Analysis
from engine.data.synthetic import NAMES
from engine.graph import GraphDocument

SYNTHETIC = "synthetic:"
# composite blocks (Encoder, Generator, ...) declare the activation of their inner layers under
# this name, and the activation of their output under another
HIDDEN_PARAM = "activation"
# not element-wise: a hidden softmax couples every unit of its layer, which is not what a class
# comparing sigmoid with relu means to try
NOT_HIDDEN = ("softmax",)


@dataclass(frozen=True)
class Source:
    """The graph's one data source, or why the picker cannot change it (`node` is None then)."""

    node: str | None
    reason: str = ""
    name: str | None = None          # the synthetic set's name, when the source is one
    text: str = ""                   # the source as the file has it

    @property
    def synthetic(self) -> bool:
        return self.name is not None


def synthetic_name(source: Any) -> str | None:
    if isinstance(source, str) and source.startswith(SYNTHETIC):
        name = source[len(SYNTHETIC):]
        return name if name in NAMES else None
    return None


def data_source(doc: GraphDocument) -> Source:
    found = []
    for node in doc.nodes.values():
        block = blocks.get(node.type)
        if block is not None and block.role == "source":
            found.append(node)
    if not found:
        return Source(None, "No Dataset block in this graph: add one to pick a data set")
    if len(found) > 1:
        return Source(None, f"This graph has {len(found)} Dataset blocks: set their sources in "
                            f"the Inspector")
    node = found[0]
    source = node.params.get("source", "")
    block = blocks.get(node.type)
    if block.param("source") is None:
        return Source(None, "This graph's data block has no source to pick")
    return Source(node.id, name=synthetic_name(source), text=source if isinstance(source, str) else "")


@dataclass(frozen=True)
class Target:
    node: str
    param: str
    choices: tuple[str, ...]


def _activation_param(block: type[blocks.Block], params: dict[str, Any]) -> str | None:
    """The choice param that decides the function a block applies, found by trying another
    value: an RBM's sigmoid is fixed, so no param of it follows."""
    try:
        fn = block.activation_fn(params)
        if fn is None:
            return None
        for p in block.params:
            if p.type != "choice" or params.get(p.name) != fn:
                continue
            other = next((c for c in p.choices if c != fn), None)
            if other is not None and block.activation_fn({**params, p.name: other}) == other:
                return p.name
    except Exception:     # noqa: BLE001 - a bad value in a file must not take the panel down
        return None
    return None


def _has_weights(doc: GraphDocument, node_id: str, analysis: Analysis | None) -> bool:
    block = blocks.get(doc.nodes[node_id].type)
    if block is None:
        return False
    if block.watch:
        return True
    return bool(analysis and analysis.parameters.get(node_id, 0) > 0)


def _before_a_layer(doc: GraphDocument, analysis: Analysis | None) -> set[str]:
    """Nodes with a path to a layer with weights. An activation outside this set comes after
    the last such layer (softmax before the loss): it is the output's, and stays as it is.
    One backward sweep from every weighted layer, so a long chain costs no more than its size."""
    before: dict[str, list[str]] = {}
    for e in doc.edges:
        before.setdefault(e.dst, []).append(e.src)
    todo = deque(src for nid in doc.nodes if _has_weights(doc, nid, analysis)
                 for src in before.get(nid, ()))
    seen: set[str] = set()
    while todo:
        nid = todo.popleft()
        if nid in seen:
            continue
        seen.add(nid)
        todo.extend(before.get(nid, ()))
    return seen


def hidden_activations(doc: GraphDocument, analysis: Analysis | None = None) -> list[Target]:
    """Every param that sets the activation of a hidden layer: an activation block with a
    weighted layer after it, and a composite block's own hidden-layer activation."""
    out = []
    feeding = None
    for node in doc.nodes.values():
        block = blocks.get(node.type)
        if block is None:
            continue
        params = block.resolve(node.params)
        declared = block.param(HIDDEN_PARAM)
        if declared is not None and declared.type == "choice":
            out.append(Target(node.id, HIDDEN_PARAM, declared.choices))
            continue
        name = _activation_param(block, params)
        if name is None:
            continue
        if feeding is None:
            feeding = _before_a_layer(doc, analysis)
        if node.id in feeding:
            out.append(Target(node.id, name, block.param(name).choices))
    return out


def activation_choices(targets: list[Target]) -> list[str]:
    """The functions every target accepts, in the first target's order."""
    if not targets:
        return []
    common = set(targets[0].choices)
    for t in targets[1:]:
        common &= set(t.choices)
    return [c for c in targets[0].choices if c in common and c not in NOT_HIDDEN]


def current_activation(doc: GraphDocument, targets: list[Target]) -> str | None:
    """The hidden layers' function when they all share one, else None."""
    values = set()
    for t in targets:
        node = doc.nodes[t.node]
        block = blocks.get(node.type)
        values.add(block.resolve(node.params).get(t.param))
    return values.pop() if len(values) == 1 else None


def number_or(value: Any, default: float) -> float:
    """A file's number, or `default` for anything else: the analysis reports a bad value, and a
    control shows the default meanwhile."""
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else default
