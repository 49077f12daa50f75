"""The graph document: nodes, edges, meta and training settings, and the v1 file format.

The document is the single source of truth for a network. It knows nothing of torch or Qt;
editors change it through its methods, which tell every subscriber what changed, so a view
can mirror it without polling.
"""
from __future__ import annotations

import copy
import json
import math
import os
import re
import stat
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import GraphError, Problem
from engine.errors import brief as _brief

if TYPE_CHECKING:
    import networkx as nx

FORMAT_NAME = "deepcanvas-graph"
FORMAT_VERSION = 1

_NODE_KEYS = ("id", "type", "params", "pos")
_EDGE_KEYS = ("src", "src_port", "dst", "dst_port")
_TOP_KEYS = ("format", "version", "meta", "nodes", "edges", "training")

# Limits on what a file may hold. A graph file is small (the biggest lesson is under 20 kB, a
# 20,000-node network about 5 MB); anything past these is a mistake or an attack, refused before
# it can exhaust memory, the stack, or the canvas.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 64                   # JSON nesting: lessons use 4 levels
MAX_INT = 2**53                  # larger integers lose precision in every JSON reader but Python's
MAX_COORD = 1e7                  # canvas positions; Qt's scene arithmetic breaks far beyond this
MAX_NAME = 200                   # characters in a node id, block type or port name
_SURROGATE = re.compile("[\ud800-\udfff]")


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
        # one scan of the edge list: right for one node, quadratic when asked for every node;
        # code that needs every node's edges builds a lookup once (engine.graph_index)
        return [e for e in self.edges if e.dst == node_id and (port is None or e.dst_port == port)]

    def edges_out_of(self, node_id: str, port: str | None = None) -> list[Edge]:
        return [e for e in self.edges if e.src == node_id and (port is None or e.src_port == port)]

    def digraph(self) -> nx.DiGraph:
        import networkx as nx  # about half a second to import: only the editor's tools need it
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
        removed = [e for e in self.edges if e.src == node_id or e.dst == node_id]
        if removed:
            # one pass for all of them: remove_edge per edge would scan the list once per edge
            gone = {id(e) for e in removed}
            self.edges[:] = [e for e in self.edges if id(e) not in gone]
            for e in removed:
                self._emit("edge_removed", edge=e.key)
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
        # compare fields, not `e.key`: building a tuple per edge made this scan 3x slower
        src, src_port, dst, dst_port = edge.key
        if any(e.dst == dst and e.dst_port == dst_port and e.src == src and e.src_port == src_port
               for e in self.edges):
            raise GraphError("this connection already exists", edge.dst, edge.dst_port)
        self.edges.append(edge)
        self._emit("edge_added", edge=edge.key)

    def remove_edge(self, edge: Edge | tuple[str, str, str, str]) -> Edge:
        key = edge.key if isinstance(edge, Edge) else tuple(edge)
        src, src_port, dst, dst_port = key
        for i, e in enumerate(self.edges):
            if e.dst == dst and e.dst_port == dst_port and e.src == src and e.src_port == src_port:
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

    def _rebased_sources(self, old_dir: Path, new_dir: Path) -> dict[str, str]:
        """Saving into another folder: a CSV path relative to the old one that names an existing
        file must be rewritten relative to the new folder, so the saved graph still finds its
        data. Returns node id -> new source; nothing is changed here."""
        moved: dict[str, str] = {}
        for node in self.nodes.values():
            source = node.params.get("source")
            if not isinstance(source, str) or not source.startswith("csv:"):
                continue
            rel = source[4:]
            if not rel or Path(rel).is_absolute() or not (old_dir / rel).is_file():
                continue
            target = (old_dir / rel).resolve()
            try:
                new = os.path.relpath(target, new_dir)
            except ValueError:                     # another drive (Windows): keep it absolute
                new = str(target)
            moved[node.id] = "csv:" + Path(new).as_posix()
        return moved

    def copy(self) -> GraphDocument:
        doc = from_dict(self.to_dict())
        doc.path = self.path
        return doc

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write atomically: a temp file beside the target, then a rename, so a crash mid-save
        never leaves a half-written graph where the user's file was. Saving through a symbolic
        link writes the file it points to, and the link stays a link."""
        path = Path(path)
        real = Path(os.path.realpath(path))
        moved: dict[str, str] = {}
        # CSV paths are relative to the folder the graph is opened from, a link's own folder
        old_dir, new_dir = (Path(os.path.abspath(p)).parent for p in (self.path or path, path))
        if old_dir != new_dir:
            moved = self._rebased_sources(old_dir, new_dir)
        data = self.to_dict()
        for node in data["nodes"]:
            if node["id"] in moved:
                node["params"]["source"] = moved[node["id"]]
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            # mkstemp makes the file private (0600): keep the old file's mode, or the usual one
            os.chmod(tmp, real.stat().st_mode & 0o777 if real.exists() else 0o666 & ~_umask())
            os.replace(tmp, real)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        # only once the file is written: a failed save leaves the document as it was
        for node_id, source in moved.items():
            self.set_param(node_id, "source", source)
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
        raise GraphError(f"{source}: 'format' is {_brief(fmt)}, expected '{FORMAT_NAME}'")
    version = data.get("version", FORMAT_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise GraphError(f"{source}: 'version' must be a positive integer, not {_brief(version)}")
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
    seen: set[tuple[str, str, str, str]] = set()    # a set, not a scan: big files stay linear
    for i, raw in enumerate(edges):
        if not isinstance(raw, dict) or any(not isinstance(raw.get(k), str) for k in _EDGE_KEYS):
            raise GraphError(f"{source}: edge #{i + 1} needs string keys "
                             + ", ".join(f"'{k}'" for k in _EDGE_KEYS))
        for k in _EDGE_KEYS:
            if (why := _bad_name(raw[k])):
                raise GraphError(f"{source}: edge #{i + 1}: '{k}' {why}")
        extra = {k: copy.deepcopy(v) for k, v in raw.items() if k not in _EDGE_KEYS}
        edge = Edge(raw["src"], raw["src_port"], raw["dst"], raw["dst_port"], extra)
        if edge.key in seen:
            raise GraphError(Problem(f"{source}: edge #{i + 1} is listed twice", edge.dst, edge.dst_port))
        seen.add(edge.key)
        doc.edges.append(edge)
    if "nodes" not in data and doc.edges:
        # an empty graph may leave both out; edges without nodes are a file cut short
        raise GraphError(f"{source}: the file has no 'nodes' list, yet its 'edges' name nodes")
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
    if (why := _bad_name(node_id)):
        raise GraphError(f"{source}: node #{i + 1}: the id {why}")
    if node_id in doc.nodes:
        raise GraphError(f"{source}: two nodes share the id '{node_id}'")
    ntype = raw.get("type")
    if not isinstance(ntype, str):
        raise GraphError(f"{source}: node '{node_id}' has no string 'type'", node_id)
    if (why := _bad_name(ntype)):
        raise GraphError(f"{source}: node '{node_id}': the type {why}", node_id)
    params = raw.get("params", {})
    if not isinstance(params, dict):
        raise GraphError(f"{source}: node '{node_id}': 'params' must be a JSON object", node_id)
    pos = raw.get("pos", [0, 0])
    if (not isinstance(pos, list) or len(pos) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in pos)):
        raise GraphError(f"{source}: node '{node_id}': 'pos' must be [x, y]", node_id)
    if not all(math.isfinite(v) and abs(v) <= MAX_COORD for v in pos):
        raise GraphError(f"{source}: node '{node_id}': 'pos' {_brief(pos)} lies outside the canvas "
                         f"(each coordinate between -{MAX_COORD:.0e} and {MAX_COORD:.0e})", node_id)
    extra = {k: copy.deepcopy(v) for k, v in raw.items() if k not in _NODE_KEYS}
    return Node(node_id, ntype, copy.deepcopy(params), (float(pos[0]), float(pos[1])), extra)


def _bad_name(text: str) -> str | None:
    """Why a node id, block type or port name cannot be used, or None.

    These names appear in one-line messages, on the canvas and in torch module names, so they
    may hold no control or formatting characters (line breaks, bidirectional overrides) and no
    unpaired surrogates (text that cannot be written back as UTF-8)."""
    if not text:
        return "is empty"
    if len(text) > MAX_NAME:
        return f"is {len(text)} characters long (at most {MAX_NAME})"
    for ch in text:
        if _SURROGATE.match(ch):
            return f"holds an unpaired surrogate (U+{ord(ch):04X}), which is not text"
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            return f"holds the control character U+{ord(ch):04X}"
    return None


class _Refused(ValueError):
    """Raised from inside the JSON parser's hooks for a value no graph may hold."""


def _reject_constant(name: str) -> Any:
    raise _Refused(f"'{name}' is not a number JSON allows")


def _checked_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"the number {text[:40]} is too large")
    return value


def _checked_int(text: str) -> int:
    # checking the length first keeps int() from ever converting thousands of digits
    digits = len(text.lstrip("-"))
    if digits > 16 or abs(int(text)) > MAX_INT:
        shown = text if len(text) <= 24 else f"{text[:12]}... ({digits} digits)"
        raise _Refused(f"the integer {shown} is too large (at most 2^53)")
    return int(text)


def _check_tree(data: Any) -> None:
    """Walk the parsed file once, without recursion: nesting depth and unpaired surrogates."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise _Refused(f"values are nested more than {MAX_DEPTH} levels deep")
            items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
            for key, item in items:
                if key is not None and _SURROGATE.search(key):
                    raise _Refused(f"the key {_brief(key)} holds an unpaired surrogate, which is "
                                   f"not text")
                stack.append((item, depth + 1))
        elif isinstance(value, str) and _SURROGATE.search(value):
            raise _Refused(f"the text {_brief(value)} holds an unpaired surrogate, which is not text")


def loads(text: str, source: str = "graph") -> GraphDocument:
    """Parse a graph file's text; every way it can be wrong is a one-line GraphError."""
    if len(text) > MAX_FILE_BYTES:
        raise GraphError(f"{source}: {len(text) / 2**20:.0f} MB of text; graph files are limited "
                         f"to {MAX_FILE_BYTES // 2**20} MB")
    try:
        data = json.loads(text, parse_constant=_reject_constant, parse_float=_checked_float,
                          parse_int=_checked_int)
        _check_tree(data)
    except json.JSONDecodeError as exc:
        raise GraphError(f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: "
                         f"{exc.msg})") from None
    except _Refused as exc:
        raise GraphError(f"{source}: {exc}") from None
    except RecursionError:
        raise GraphError(f"{source}: values are nested more than {MAX_DEPTH} levels deep") from None
    return from_dict(data, source)


def _read_graph_bytes(path: Path) -> bytes:
    """The file's bytes, refusing anything but a regular file of a sane size.

    The file is opened without blocking and checked on the open descriptor, so a pipe, a
    device such as /dev/zero, or a folder is refused rather than read forever."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise GraphError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise GraphError(f"{path}: is a folder, not a graph file") from None
    except OSError as exc:
        raise GraphError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    info = os.fstat(fd)
    problem = None
    if stat.S_ISDIR(info.st_mode):
        problem = "is a folder, not a graph file"
    elif not stat.S_ISREG(info.st_mode):
        problem = "is not a regular file (a device, pipe or socket)"
    elif info.st_size > MAX_FILE_BYTES:
        problem = f"is {info.st_size / 2**20:.0f} MB; graph files are limited to {MAX_FILE_BYTES // 2**20} MB"
    if problem:
        os.close(fd)
        raise GraphError(f"{path}: {problem}")
    with os.fdopen(fd, "rb") as f:
        try:
            raw = f.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise GraphError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_FILE_BYTES:                 # it grew after the check
        raise GraphError(f"{path}: is over {MAX_FILE_BYTES // 2**20} MB; graph files are limited "
                         f"to that")
    return raw


def load(path: str | os.PathLike[str]) -> GraphDocument:
    path = Path(path)
    raw = _read_graph_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GraphError(f"{path}: is not UTF-8 text (byte {exc.start + 1} cannot be decoded); "
                         f"graph files are JSON in UTF-8") from None
    doc = loads(text, str(path))
    doc.path = path
    return doc
