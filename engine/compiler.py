"""Validate a graph, infer every edge's width, and build one torch module from it.

`analyse` never raises for a bad graph: it returns every problem it found, each tied to a node,
so an editor can badge them all at once. `compile_graph` raises GraphError when any problem is an
error, and otherwise returns a `CompiledGraph` whose submodules are named by node id.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from engine import blocks
from engine.blocks.base import BuildContext, ShapeError, Width
from engine.data.bundle import DataBundle
from engine.errors import GraphError, Problem
from engine.graph import GraphDocument
from engine.graph_index import EdgeIndex
from engine.graph_order import topological_order
from engine.limits import Limits, check_sizes, machine_limits
from engine.training import settings
from engine.training.failures import NodeFailure


@dataclass
class Analysis:
    problems: list[Problem] = field(default_factory=list)
    widths: dict[str, dict[str, Width]] = field(default_factory=dict)   # node -> out port -> width
    in_widths: dict[str, dict[str, Width]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    datasets: dict[str, DataBundle] = field(default_factory=dict)
    # trainable numbers per node whose input widths are known, counted without building anything
    parameters: dict[str, int] = field(default_factory=dict)

    @property
    def total_parameters(self) -> int:
        """The whole network's parameters (every counted node, as the compiled model holds)."""
        return sum(self.parameters.values())

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def for_node(self, node_id: str) -> list[Problem]:
        return [p for p in self.problems if p.node == node_id]


def analyse(doc: GraphDocument, data_dir: str | None = None, need_loss: bool = True,
            limits: Limits | None = None,
            datasets: dict[str, DataBundle] | None = None) -> Analysis:
    """Check everything about a graph that can be checked without training it.

    Linear in nodes and edges: every edge lookup goes through one EdgeIndex built here, and the
    graph is ordered without recursion (engine.graph_order), so a 20,000-node chain is fine.
    `limits` overrides this machine's size limits (for tests); `datasets` gives Dataset nodes
    their data by node id instead of loading it (a saved model's stand-in without rows)."""
    a = Analysis()
    a.datasets.update(datasets or {})
    graph_dir = str(Path(doc.path).parent) if doc.path else None
    p = a.problems
    p.extend(settings.check(doc.training))
    resolved: dict[str, dict[str, Any]] = {}
    for node in doc.nodes.values():
        block = blocks.get(node.type)
        if "." in node.id or hasattr(nn.ModuleDict, node.id):
            # ids name submodules and values ("h1.out"): a dot or a torch method name cannot
            p.append(Problem(f"node id '{node.id}' cannot be used (no dots, and not a name torch "
                             f"modules use such as train, eval or forward); rename the node", node.id))
            continue
        if block is None:
            p.append(Problem(f"unknown block type '{node.type}' (known: "
                             f"{', '.join(blocks.REGISTRY)})", node.id))
            continue
        bad = block.check_params(node.params)
        p.extend(Problem(msg, node.id) for _, msg in bad)
        if not bad:
            resolved[node.id] = block.resolve(node.params)

    index = EdgeIndex(doc.edges)
    taken: dict[tuple[str, str], str] = {}
    for e in doc.edges:
        label = f"edge {e.src}.{e.src_port} -> {e.dst}.{e.dst_port}"
        missing = [n for n in (e.src, e.dst) if n not in doc.nodes]
        if missing:
            p.append(Problem(f"{label} refers to a missing node '{missing[0]}'",
                             e.dst if e.dst in doc.nodes else e.src))
            continue
        src_b, dst_b = blocks.get(doc.nodes[e.src].type), blocks.get(doc.nodes[e.dst].type)
        if src_b and e.src_port not in src_b.outputs:
            p.append(Problem(f"{label}: {src_b.name} has no output port '{e.src_port}' "
                             f"(outputs: {', '.join(src_b.outputs) or 'none'})", e.src, e.src_port))
        if dst_b and e.dst_port not in dst_b.inputs:
            p.append(Problem(f"{label}: {dst_b.name} has no input port '{e.dst_port}' "
                             f"(inputs: {', '.join(dst_b.inputs) or 'none'})", e.dst, e.dst_port))
        if (e.dst, e.dst_port) in taken:
            p.append(Problem(f"input '{e.dst_port}' has two edges (from '{taken[(e.dst, e.dst_port)]}' "
                             f"and '{e.src}'); an input takes one", e.dst, e.dst_port))
        taken[(e.dst, e.dst_port)] = e.src

    # a stable order: topological, ties broken by position in the file
    rank = {nid: i for i, nid in enumerate(doc.nodes)}
    seed = settings.valid_seed(doc.training)
    a.order, ids = topological_order(doc, rank)
    if ids:
        p.append(Problem(f"the graph has a cycle: {' -> '.join(ids + [ids[0]])}", ids[0]))
        return a

    for node_id in a.order:
        node = doc.nodes[node_id]
        block = blocks.get(node.type)
        if block is None or node_id not in resolved:
            continue
        ins: dict[str, Width] = {}
        ranges: dict[str, tuple[float, float] | None] = {}
        unknown = False
        for port in block.inputs:
            edge = index.edge_into(node_id, port)
            if edge is None:
                if port not in block.optional_inputs:
                    p.append(Problem(f"input '{port}' is not connected", node_id, port))
                    unknown = True
                continue
            w = a.widths.get(edge.src, {}).get(edge.src_port)
            if w is None:
                unknown = True       # upstream already reported
            elif w.classes and port not in block.label_inputs:
                p.append(Problem(f"input '{port}' gets class labels from {edge.src}.{edge.src_port}; "
                                 f"labels only go to a Loss target (connect the Dataset's x here)",
                                 node_id, port))
                unknown = True
            else:
                ins[port] = w
                src_block = blocks.get(doc.nodes[edge.src].type)
                ranges[port] = src_block.output_range(resolved[edge.src], edge.src_port)
        if unknown:
            continue
        ctx = BuildContext(node_id, data_dir=data_dir, graph_dir=graph_dir, datasets=a.datasets,
                           seed=seed, in_ranges=ranges)
        try:
            a.widths[node_id] = block.infer(resolved[node_id], ins, ctx)
            a.in_widths[node_id] = ins
            a.parameters[node_id] = _count_parameters(block, resolved[node_id], ins)
        except ShapeError as exc:
            p.append(Problem(str(exc), node_id, exc.port))
        for bundle in ([a.datasets[node_id]] if node_id in a.datasets else []):
            p.extend(Problem(w, node_id, severity="warning") for w in bundle.warnings)

    _check_usage(doc, a, resolved, index)
    p.extend(check_sizes(doc, a, limits or machine_limits()))
    n_data = nodes_in_role(doc, "source")
    if len(n_data) > 1:
        p.append(Problem(f"a graph takes one Dataset; this one has {len(n_data)}", n_data[1]))
    if need_loss and not nodes_in_role(doc, "objective") and not unsupervised_nodes(doc):
        p.append(Problem("the graph has no Loss node, so there is nothing to train"))
    if need_loss and not n_data:
        p.append(Problem("the graph has no Dataset node, so there is nothing to train on"))
    return a


def nodes_in_role(doc: GraphDocument, role: str) -> list[str]:
    """Ids of the nodes whose block plays `role` (source, objective, layer), in file order."""
    return [n.id for n in doc.nodes.values()
            if (b := blocks.get(n.type)) is not None and b.role == role]


def unsupervised_nodes(doc: GraphDocument) -> list[str]:
    """Ids of the nodes whose block learns from its input alone (an RBM), in file order."""
    return [n.id for n in doc.nodes.values()
            if (b := blocks.get(n.type)) is not None and b.unsupervised]


def _check_usage(doc: GraphDocument, a: Analysis, resolved: dict[str, dict[str, Any]],
                 index: EdgeIndex) -> None:
    """Checks that need the whole graph: unused outputs, targets a loss cannot take, settings
    that do not fit the data."""
    p = a.problems
    for node in doc.nodes.values():
        block = blocks.get(node.type)
        if (block and block.outputs and block.role != "source" and not block.unsupervised
                and not index.feeds_something(node.id)):
            p.append(Problem(f"'{node.id}' feeds nothing, so training leaves it out", node.id,
                             severity="warning"))
    cfg = settings.resolve(doc.training) if not settings.check(doc.training) else None
    for nid in resolved:
        block = blocks.get(doc.nodes[nid].type)
        if cfg and cfg["batch_size"] < block.min_batch:
            p.append(Problem(f"{block.name} needs batches of at least {block.min_batch} examples "
                             f"(training.batch_size is {cfg['batch_size']})", nid))
    es = cfg.get("early_stopping") if cfg else None
    tasks = {b.task for b in a.datasets.values()}
    if es and es["monitor"] == "val_accuracy" and tasks and tasks != {"classification"}:
        p.append(Problem("training: early_stopping monitors val_accuracy, but this data set is a "
                         "regression; monitor val_loss instead"))


@dataclass
class LossSpec:
    node: str
    pred_key: str      # value the loss reads (the logits when an activation was fused)
    target_key: str
    fn: nn.Module      # (pred, target) -> loss
    weight: float
    fused: str | None  # the activation folded into the loss, if any
    out_key: str = ""  # the value wired to the loss's pred (after the folded activation)


class CompiledGraph(nn.Module):
    """One module for the whole graph. `forward(x, y)` returns every value by 'node.port'."""

    def __init__(self, doc: GraphDocument, a: Analysis):
        super().__init__()
        self.nodes = nn.ModuleDict()
        self.order = a.order
        block_of = {nid: blocks.get(doc.nodes[nid].type) for nid in a.order}
        data_id = next(n for n in a.order if block_of[n].role == "source")
        self.data_id = data_id
        self.bundle: DataBundle = a.datasets[data_id]
        self.x_key, self.y_key = f"{data_id}.x", f"{data_id}.y"
        self.node_types = {nid: doc.nodes[nid].type for nid in a.order}
        self.widths = a.widths
        params = {nid: block_of[nid].resolve(doc.nodes[nid].params) for nid in a.order}
        self.params_of = params
        src_of = {(e.dst, e.dst_port): f"{e.src}.{e.src_port}" for e in doc.edges}

        self.losses: list[LossSpec] = []
        for nid in a.order:
            block = block_of[nid]
            if block.role != "objective":
                continue
            pred_key, target_key = src_of[(nid, "pred")], src_of[(nid, "target")]
            out_key = pred_key
            fold = block.reads_logits_of(params[nid])
            pred_node = pred_key.split(".")[0]
            fused = None
            # a block that ends in the activation and yields the values before it is asked
            # first: an RBM is a sigmoid (its activation_fn) but its input is not its logits
            if fold and (ends := block_of[pred_node].final_activation(params[pred_node])) \
                    and ends[0] == fold and pred_key == f"{pred_node}.out":
                fused = fold
                pred_key = f"{pred_node}.{ends[1]}"
            elif fold and block_of[pred_node].activation_fn(params[pred_node]) == fold:
                fused = fold
                pred_key = src_of[(pred_node, "in")]
            self.losses.append(LossSpec(nid, pred_key, target_key,
                                        block.loss_function(params[nid], a.in_widths[nid]),
                                        params[nid]["weight"], fused, out_key))

        # compute only what some loss needs, in topological order
        # (an explicit stack and one edge index: a long chain neither recurses nor rescans)
        index = EdgeIndex(doc.edges)
        needed: set[str] = set()
        stack = [k.split(".")[0] for s in self.losses for k in (s.pred_key, s.target_key)]
        # and what blocks that learn without a loss need (an RBM, and the layers below it)
        stack += [nid for nid in a.order if block_of[nid].unsupervised]
        while stack:
            nid = stack.pop()
            if nid in needed:
                continue
            needed.add(nid)
            stack.extend(e.src for e in index.edges_into(nid))
        self._steps: list[tuple[str, nn.Module, tuple[str, ...]]] = []
        # the value a node yields first, by step (a Noise node's 'noise.z'), where it is not
        # '<id>.out': `given` may supply a node's output by that key too
        self._first_value: dict[str, str] = {}
        # parameters telemetry watches, by node, input side first (Dense weights, and whatever
        # other blocks declare)
        self.watched: dict[str, list[nn.Parameter]] = {}
        # the value keys each computed node reads, by node, in its block's input order
        self.inputs_of: dict[str, tuple[str, ...]] = {}
        # penalty name -> [(node id, its settings)] for the terms computed nodes add
        self.penalty_nodes: dict[str, list[tuple[str, dict[str, float]]]] = {}
        self.block_of = block_of
        for nid in a.order:
            block = block_of[nid]
            module = block.build(params[nid], a.in_widths.get(nid, {}), a.widths.get(nid, {}))
            if module is None:
                continue
            self.nodes[nid] = module
            if nid in needed:
                self.inputs_of[nid] = tuple(src_of[(nid, port)] for port in block.inputs)
                self._steps.append((f"{nid}.out", module, self.inputs_of[nid]))
                if block.outputs and block.outputs[0] != "out":
                    self._first_value[f"{nid}.out"] = f"{nid}.{block.outputs[0]}"
                for term, term_settings in block.penalties(params[nid]).items():
                    self.penalty_nodes.setdefault(term, []).append((nid, term_settings))
                if (watched := block.watched(module)):
                    self.watched[nid] = watched
        self.watched_ids = list(self.watched)
        self.activation_fns = {nid: fn for nid in a.order if nid in needed
                               and (fn := block_of[nid].activation_fn(params[nid])) is not None}
        self.activation_ids = list(self.activation_fns)
        self.min_batch = max(b.min_batch for b in block_of.values())
        self.plans = sorted({b.plan for b in block_of.values() if b.plan})

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None,
                given: dict[str, torch.Tensor] | None = None) -> dict[str, torch.Tensor]:
        """Every value by 'node.port'. `given` supplies some nodes' outputs instead of computing
        them (an autoencoder's pictures feed a fixed corrupted batch, or a drawn code). A node
        without inputs (Noise) is called with the batch's row count."""
        v = {self.x_key: x, self.y_key: y}
        if given:
            v.update(given)
        try:        # free when nothing fails: it only names the node when something does
            for out, module, ins in self._steps:
                if given is not None and (out in given or self._first_value.get(out) in given):
                    continue
                r = module(*[v[k] for k in ins]) if ins else module(len(x))
                if type(r) is dict:         # a module that yields more than its output
                    node = out[:-4]
                    for k, t in r.items():
                        v[f"{node}.{k}"] = t
                else:
                    v[out] = r
        except (RuntimeError, MemoryError) as exc:
            raise NodeFailure(out.partition(".")[0], exc) from exc
        return v

    def value_of(self, key: str, x: torch.Tensor,
                 given: dict[str, torch.Tensor] | None = None) -> torch.Tensor:
        """One value ('node.port') of the forward pass for inputs x, computing only the steps up
        to it (an RBM's input while the ones below it are frozen; a generator's samples of
        given noise). `given` is as for `forward`."""
        if key == self.x_key:
            return x
        if given and key in given:
            return given[key]
        v = {self.x_key: x, self.y_key: None}
        if given:
            v.update(given)
        for out, module, ins in self._steps:
            if given is not None and (out in given or self._first_value.get(out) in given):
                continue
            r = module(*[v[k] for k in ins]) if ins else module(len(x))
            if type(r) is dict:
                node = out[:-4]
                for k, t in r.items():
                    v[f"{node}.{k}"] = t
            else:
                v[out] = r
            if key in v:
                return v[key]
        raise KeyError(f"the forward pass computes no value '{key}'")

    @property
    def computed_nodes(self) -> list[str]:
        """Ids of the nodes a forward pass computes, in order (those some loss needs)."""
        return [out.partition(".")[0] for out, _, _ in self._steps]

    def loss_terms(self, v: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        out = {}
        for s in self.losses:
            loss = s.fn(v[s.pred_key], v[s.target_key])
            out[s.node] = loss if s.weight == 1.0 else loss * s.weight
        return out

    @property
    def primary(self) -> LossSpec:
        """The loss whose prediction is scored against the data set's targets."""
        return next((s for s in self.losses if s.target_key == self.y_key), self.losses[0])

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def train(self, mode: bool = True) -> CompiledGraph:
        # nn.Module.train walks every submodule and sets an attribute on each (tens of
        # microseconds on a small graph); the loop and the scoring ask for the mode the whole
        # tree is already in at every epoch. Nothing sets a submodule's mode on its own.
        if getattr(self, "_tree_mode", None) is not mode:
            super().train(mode)
            self._tree_mode = mode
        return self


def compile_graph(doc: GraphDocument, data_dir: str | None = None,
                  datasets: dict[str, DataBundle] | None = None) -> CompiledGraph:
    a = analyse(doc, data_dir, datasets=datasets)
    if not a.ok:
        raise GraphError(a.errors)
    model = CompiledGraph(doc, a)
    if not any(p.requires_grad for p in model.parameters()):
        raise GraphError("nothing to learn: no layer with weights lies between the Dataset and a Loss")
    return model


def node_parameter_count(block_name: str, params: dict[str, Any], ins: dict[str, Width]) -> int:
    """Parameters a node would have, for the canvas; 0 when its inputs are not known yet.

    Counted from the declarations, never by building the module: building a large layer on the
    GUI thread would take seconds, and would draw from torch's random generator while a run
    in another thread is seeding it."""
    block = blocks.get(block_name)
    if block is None:
        return 0
    return _count_parameters(block, block.resolve(params), ins)


def _count_parameters(block: type[blocks.Block], params: dict[str, Any], ins: dict[str, Width]) -> int:
    """`block.count_parameters`, or 0 when the params or widths do not allow a count (a bad
    value is reported by the param checks; a count must never take the analysis down)."""
    try:
        return max(0, int(block.count_parameters(params, ins)))
    except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError):
        return 0
