"""The graph document: nodes, edges, meta and training settings, and the v1 file format.

The document is the single source of truth for a network. It knows nothing of torch or Qt;
editors change it through its methods, which tell every subscriber what changed, so a view
can mirror it without polling.
"""
from __future__ import annotations

import copy
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from engine.errors import GraphError, Problem

FORMAT_NAME = "deepcanvas-graph"
FORMAT_VERSION = 1

_NODE_KEYS = ("id", "type", "params", "pos")
_EDGE_KEYS = ("src", "src_port", "dst", "dst_port")
_TOP_KEYS = ("format", "version", "meta", "nodes", "edges", "training")


@dataclass
class Node:
    id: str
    type: str
    params: dict[str, Any] = field(default_factory=dict)
    pos: tuple[float, float] = (0.0, 0.0)
    extra: dict[str, Any] = field(default_factory=dict)  # unknown keys, kept for round-trips

    def to_dict(self) -> dict[str, Any]:
        d = {"id": self.id, "type": self.type, "params": copy.deepcopy(self.params),
             "pos": [_num(self.pos[0]), _num(self.pos[1])]}
        d.update(copy.deepcopy(self.extra))
        return d


@dataclass
class Edge:
    src: str
    src_port: str
    dst: str
    dst_port: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.src, self.src_port, self.dst, self.dst_port)

    def to_dict(self) -> dict[str, Any]:
        d = {"src": self.src, "src_port": self.src_port, "dst": self.dst, "dst_port": self.dst_port}
        d.update(copy.deepcopy(self.extra))
        return d


def _num(v: float) -> float | int:
    """Positions that are whole numbers are written as ints, so files stay tidy."""
    return int(v) if float(v).is_integer() else float(v)


Listener = Callable[[str, dict[str, Any]], None]


class GraphDocument:
    """A network as the user drew it. Every mutation goes through a method that notifies."""

    def __init__(self) -> None:
        self.meta: dict[str, Any] = {}
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []
        self.training: dict[str, Any] = {}
        self.extra: dict[str, Any] = {}
        self.path: Path | None = None
        self._listeners: list[Listener] = []

    # ---- change notification -------------------------------------------------------------
    def subscribe(self, fn: Listener) -> None:
        self._listeners.append(fn)

    def unsubscribe(self, fn: Listener) -> None:
        if fn in self._listeners:
            self._listeners.remove(fn)

    def _emit(self, event: str, **info: Any) -> None:
        for fn in list(self._listeners):
            fn(event, info)

    # ---- queries ---------------------------------------------------------------------------
    def node(self, node_id: str) -> Node:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise GraphError(f"no node with id '{node_id}'", node_id) from None

    def edges_into(self, node_id: str, port: str | None = None) -> list[Edge]:
        return [e for e in self.edges if e.dst == node_id and (port is None or e.dst_port == port)]

    def edges_out_of(self, node_id: str, port: str | None = None) -> list[Edge]:
        return [e for e in self.edges if e.src == node_id and (port is None or e.src_port == port)]

    def digraph(self) -> nx.DiGraph:
        g = nx.DiGraph()
        g.add_nodes_from(self.nodes)
        for e in self.edges:
            if e.src in self.nodes and e.dst in self.nodes:
                g.add_edge(e.src, e.dst)
        return g

    def fresh_id(self, base: str) -> str:
        base = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in base.lower()) or "node"
        if base not in self.nodes:
            return base
        i = 1
        while f"{base}{i}" in self.nodes:
            i += 1
        return f"{base}{i}"

    # ---- mutations -------------------------------------------------------------------------
    def add_node(self, node: Node) -> None:
        if node.id in self.nodes:
            raise GraphError(f"a node with id '{node.id}' already exists", node.id)
        self.nodes[node.id] = node
        self._emit("node_added", node=node.id)

    def remove_node(self, node_id: str) -> tuple[Node, list[Edge]]:
        """Remove a node and every edge touching it; returns both so an undo can restore them."""
        node = self.node(node_id)
        removed = [e for e in self.edges if node_id in (e.src, e.dst)]
        for e in removed:
            self.remove_edge(e)
        del self.nodes[node_id]
        self._emit("node_removed", node=node_id)
        return node, removed

    def set_param(self, node_id: str, name: str, value: Any) -> None:
        node = self.node(node_id)
        if value is None:
            node.params.pop(name, None)
        else:
            node.params[name] = copy.deepcopy(value)
        self._emit("param_changed", node=node_id, param=name)

    def move_node(self, node_id: str, pos: tuple[float, float]) -> None:
        self.node(node_id).pos = (float(pos[0]), float(pos[1]))
        self._emit("node_moved", node=node_id)

    def add_edge(self, edge: Edge) -> None:
        if any(e.key == edge.key for e in self.edges):
            raise GraphError("this connection already exists", edge.dst, edge.dst_port)
        self.edges.append(edge)
        self._emit("edge_added", edge=edge.key)

    def remove_edge(self, edge: Edge | tuple[str, str, str, str]) -> Edge:
        key = edge.key if isinstance(edge, Edge) else tuple(edge)
        for i, e in enumerate(self.edges):
            if e.key == key:
                del self.edges[i]
                self._emit("edge_removed", edge=key)
                return e
        raise GraphError(f"no edge {key[0]}.{key[1]} -> {key[2]}.{key[3]}", key[2], key[3])

    def set_training(self, key: str, value: Any) -> None:
        if value is None:
            self.training.pop(key, None)
        else:
            self.training[key] = copy.deepcopy(value)
        self._emit("training_changed", key=key)

    def set_meta(self, key: str, value: Any) -> None:
        self.meta[key] = value
        self._emit("meta_changed", key=key)

    def replace_with(self, other: GraphDocument) -> None:
        """Take over another document's content (used by open); subscribers stay."""
        self.meta, self.nodes, self.edges = other.meta, other.nodes, other.edges
        self.training, self.extra, self.path = other.training, other.extra, other.path
        self._emit("reset")

    # ---- (de)serialisation -----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "meta": copy.deepcopy(self.meta),
            "nodes": [n.to_dict() for n in self.nodes.values()],
            "edges": [e.to_dict() for e in self.edges],
            "training": copy.deepcopy(self.training),
        }
        d.update(copy.deepcopy(self.extra))
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def _rebase_csv_paths(self, old_dir: Path, new_dir: Path) -> None:
        """Saving into another folder: a CSV path relative to the old one that names an existing
        file is rewritten relative to the new folder, so the saved graph still finds its data."""
        for node in self.nodes.values():
            source = node.params.get("source")
            if node.type != "Dataset" or not isinstance(source, str) or not source.startswith("csv:"):
                continue
            rel = source[4:]
            if not rel or Path(rel).is_absolute() or not (old_dir / rel).is_file():
                continue
            target = (old_dir / rel).resolve()
            try:
                moved = os.path.relpath(target, new_dir)
            except ValueError:                     # another drive (Windows): keep it absolute
                moved = str(target)
            self.set_param(node.id, "source", "csv:" + Path(moved).as_posix())

    def copy(self) -> GraphDocument:
        doc = from_dict(self.to_dict())
        doc.path = self.path
        return doc

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write atomically: a temp file beside the target, then a rename, so a crash mid-save
        never leaves a half-written graph where the user's file was."""
        path = Path(path)
        if self.path is not None and Path(self.path).resolve().parent != path.resolve().parent:
            self._rebase_csv_paths(Path(self.path).resolve().parent, path.resolve().parent)
        text = self.to_json()
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            # mkstemp makes the file private (0600): keep the old file's mode, or the usual one
            os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        self.path = path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def from_dict(data: Any, source: str = "graph") -> GraphDocument:
    """Build a document from parsed JSON, checking the structure (not the semantics)."""
    if not isinstance(data, dict):
        raise GraphError(f"{source}: the top level must be a JSON object")
    fmt = data.get("format", FORMAT_NAME)
    if fmt != FORMAT_NAME:
        raise GraphError(f"{source}: 'format' is '{fmt}', expected '{FORMAT_NAME}'")
    version = data.get("version", FORMAT_VERSION)
    if not isinstance(version, int) or isinstance(version, bool):
        raise GraphError(f"{source}: 'version' must be an integer")
    if version > FORMAT_VERSION:
        raise GraphError(f"{source}: file format version {version} is newer than this DeepCanvas "
                         f"understands (version {FORMAT_VERSION}); update DeepCanvas to open it")
    doc = GraphDocument()
    doc.meta = _obj(data.get("meta", {}), f"{source}: 'meta'")
    doc.training = _obj(data.get("training", {}), f"{source}: 'training'")
    doc.extra = {k: copy.deepcopy(v) for k, v in data.items() if k not in _TOP_KEYS}
    nodes = data.get("nodes", [])
    if not isinstance(nodes, list):
        raise GraphError(f"{source}: 'nodes' must be a list")
    for i, raw in enumerate(nodes):
        doc.add_node(_node_from(raw, i, doc, source))
    edges = data.get("edges", [])
    if not isinstance(edges, list):
        raise GraphError(f"{source}: 'edges' must be a list")
    for i, raw in enumerate(edges):
        if not isinstance(raw, dict) or any(not isinstance(raw.get(k), str) for k in _EDGE_KEYS):
            raise GraphError(f"{source}: edge #{i + 1} needs string keys "
                             + ", ".join(f"'{k}'" for k in _EDGE_KEYS))
        extra = {k: copy.deepcopy(v) for k, v in raw.items() if k not in _EDGE_KEYS}
        edge = Edge(raw["src"], raw["src_port"], raw["dst"], raw["dst_port"], extra)
        if any(e.key == edge.key for e in doc.edges):
            raise GraphError(Problem(f"{source}: edge #{i + 1} is listed twice", edge.dst, edge.dst_port))
        doc.edges.append(edge)
    return doc


def _obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise GraphError(f"{what} must be a JSON object")
    return copy.deepcopy(value)


def _node_from(raw: Any, i: int, doc: GraphDocument, source: str) -> Node:
    if not isinstance(raw, dict):
        raise GraphError(f"{source}: node #{i + 1} must be a JSON object")
    node_id = raw.get("id")
    if not isinstance(node_id, str) or not node_id:
        raise GraphError(f"{source}: node #{i + 1} has no string 'id'")
    if node_id in doc.nodes:
        raise GraphError(f"{source}: two nodes share the id '{node_id}'", node_id)
    ntype = raw.get("type")
    if not isinstance(ntype, str):
        raise GraphError(f"{source}: node '{node_id}' has no string 'type'", node_id)
    params = raw.get("params", {})
    if not isinstance(params, dict):
        raise GraphError(f"{source}: node '{node_id}': 'params' must be a JSON object", node_id)
    pos = raw.get("pos", [0, 0])
    if (not isinstance(pos, list) or len(pos) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in pos)):
        raise GraphError(f"{source}: node '{node_id}': 'pos' must be [x, y]", node_id)
    extra = {k: copy.deepcopy(v) for k, v in raw.items() if k not in _NODE_KEYS}
    return Node(node_id, ntype, copy.deepcopy(params), (float(pos[0]), float(pos[1])), extra)


def loads(text: str, source: str = "graph") -> GraphDocument:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GraphError(f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: "
                         f"{exc.msg})") from None
    return from_dict(data, source)


def load(path: str | os.PathLike[str]) -> GraphDocument:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise GraphError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GraphError(f"{path}: cannot be read ({exc})") from None
    doc = loads(text, str(path))
    doc.path = path
    return doc
