"""The model file: one zip archive holding a trained graph, its weights, the preprocessing its
run fitted and the run's figures. No entry is ever unpickled: the weights are safetensors and
everything else JSON, so a model file from someone else cannot run code.

    manifest.json          {"format": "deepcanvas-model", "version": 1,
                            "entries": {name: {"bytes": n, "sha256": hex}}}
    graph.json             the graph document (format deepcanvas-graph)
    weights.safetensors    the network's state dict, names `nodes.<node id>.<name>`
    preprocessing.json     engine.models.preprocessing.Preprocessing
    figures.json           the run: epochs, reason, test and baseline figures, seed, device,
                           versions, time saved

`load` refuses, in one line, an archive with any other entry, a missing or oversized entry, a
checksum that does not match, a graph that does not build, or a tensor whose name or shape the
graph's network does not have.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from engine import graph
from engine.compiler import CompiledGraph, compile_graph
from engine.errors import GraphError
from engine.models.errors import ModelError
from engine.models.preprocessing import Preprocessing
from engine.models.weights import mismatch

SUFFIX = ".dcmodel"
FORMAT = "deepcanvas-model"
VERSION = 1
MANIFEST = "manifest.json"
GRAPH, WEIGHTS, PREPROCESSING, FIGURES = ("graph.json", "weights.safetensors",
                                          "preprocessing.json", "figures.json")
ENTRIES = (MANIFEST, GRAPH, WEIGHTS, PREPROCESSING, FIGURES)
# what an entry may weigh once unpacked: a network the engine's limits allow (2e9 parameters)
# does not fit a model file anyway, and a small zip must not unpack into all of memory
MAX_JSON_BYTES = 64 * 2**20
MAX_WEIGHT_BYTES = 8 * 2**30


@dataclass
class SavedModel:
    """A model file, opened and checked: the graph, its weights (CPU tensors by state-dict
    name), the fitted preprocessing, the run's figures, and the network rebuilt with those
    weights (on the CPU, in eval mode)."""

    doc: graph.GraphDocument
    weights: dict[str, torch.Tensor]
    preprocessing: Preprocessing
    figures: dict[str, Any]
    network: CompiledGraph
    path: Path | None = None

    @property
    def task(self) -> str:
        return self.preprocessing.task

    @property
    def class_names(self) -> list[str]:
        return list(self.preprocessing.class_names)

    @property
    def input_columns(self) -> list[dict[str, Any]]:
        """The columns a row gives, in order, for a form: {"name", "kind": "number"} or
        {"name", "kind": "category", "categories": [labels], "fill": label or None}."""
        return [{k: v for k, v in c.items() if k != "features"} for c in self.preprocessing.columns]


# ---- saving -------------------------------------------------------------------------------------
def figures_of(run: Any, report: Any = None) -> dict[str, Any]:
    """The run's figures as a model file keeps them: from its DoneReport when given, otherwise
    the current weights scored on the test split."""
    import sklearn

    ctx = run.prepare()
    if report is not None:
        test, baseline = dict(report.test or {}), dict(report.baseline or {})
        epochs, reason = report.epochs_run, report.reason
    else:
        test = run.evaluate(ctx.data.test, final=True) if ctx.data.test is not None else {}
        baseline, epochs, reason = {}, None, None
    return {"epochs_run": epochs, "reason": reason, "test": _plain(test),
            "baseline": _plain(baseline), "seed": run.cfg["seed"], "device": str(ctx.device),
            "training": _plain(run.cfg), "parameters": ctx.model.parameter_count(),
            "test_rows": 0 if ctx.data.test is None else len(ctx.data.test.y),
            "versions": {"deepcanvas": _version(), "torch": torch.__version__,
                         "numpy": np.__version__, "scikit-learn": sklearn.__version__,
                         "python": platform.python_version()},
            "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def save(run: Any, path: str | os.PathLike[str], report: Any = None) -> Path:
    """Write a trained run as a model file (atomically: a temp file beside it, then a rename).
    `report` is the run's DoneReport, whose figures are kept; without it the test split is
    scored now. Returns the path written."""
    from safetensors.torch import save as st_save

    ctx = run.prepare()
    weights = {k: v.detach().to("cpu").contiguous() for k, v in ctx.model.state_dict().items()}
    contents = {
        GRAPH: _json(run.doc.to_dict()),
        WEIGHTS: st_save(weights, metadata={"format": FORMAT}),
        PREPROCESSING: _json(Preprocessing.from_run(run).to_json()),
        FIGURES: _json(figures_of(run, report)),
    }
    manifest = {"format": FORMAT, "version": VERSION,
                "entries": {k: {"bytes": len(v), "sha256": hashlib.sha256(v).hexdigest()}
                            for k, v in contents.items()}}
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr(MANIFEST, _json(manifest))
                for name, data in contents.items():
                    z.writestr(name, data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


# ---- loading ------------------------------------------------------------------------------------
def load(path: str | os.PathLike[str]) -> SavedModel:
    """Open and check a model file; ModelError (one line, naming the file) for anything wrong."""
    path = Path(path)
    try:
        raw = read_entries(path)
        model = from_entries(raw)
    except ModelError as exc:
        raise ModelError(f"{path.name}: {exc}") from None
    model.path = path
    return model


def read_entries(path: Path) -> dict[str, bytes]:
    """The archive's entries, each checked against the manifest's size and checksum."""
    try:
        z = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise ModelError("no such file") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise ModelError(f"not a model file (not a zip archive: {exc})") from None
    with z:
        infos = z.infolist()
        names = [i.filename for i in infos]
        for name in names:
            if name not in ENTRIES:
                what = " (a pickle: model files never carry code)" if name.endswith(
                    (".pkl", ".pickle", ".pt", ".pth", ".bin")) else ""
                raise ModelError(f"unexpected entry '{name}'{what}; a model file holds only "
                                 f"{', '.join(ENTRIES)}")
        if len(set(names)) != len(names):
            raise ModelError("an entry appears twice in the archive")
        missing = [e for e in ENTRIES if e not in names]
        if missing:
            raise ModelError(f"the entry '{missing[0]}' is missing")
        out = {}
        for info in infos:
            limit = MAX_WEIGHT_BYTES if info.filename == WEIGHTS else MAX_JSON_BYTES
            if info.file_size > limit:
                raise ModelError(f"the entry '{info.filename}' is too big ({info.file_size:,} bytes)")
            try:
                with z.open(info) as f:
                    data = f.read(limit + 1)
            except (zipfile.BadZipFile, RuntimeError, OSError, NotImplementedError) as exc:
                raise ModelError(f"the entry '{info.filename}' cannot be read ({exc})") from None
            if len(data) > limit:
                raise ModelError(f"the entry '{info.filename}' is too big")
            out[info.filename] = data
    manifest = _parse_json(out[MANIFEST], MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelError(f"{MANIFEST} does not say format '{FORMAT}'")
    version = manifest.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ModelError(f"{MANIFEST}: 'version' must be a positive integer")
    if version > VERSION:
        raise ModelError(f"model file version {version} is newer than this DeepCanvas reads "
                         f"({VERSION}); update DeepCanvas")
    listed = manifest.get("entries")
    if not isinstance(listed, dict):
        raise ModelError(f"{MANIFEST} lists no entries")
    for name in ENTRIES[1:]:
        info = listed.get(name)
        if not isinstance(info, dict) or info.get("sha256") != hashlib.sha256(out[name]).hexdigest():
            raise ModelError(f"the entry '{name}' does not match the checksum in {MANIFEST} "
                             f"(the file is damaged or was changed)")
    return out


def from_entries(raw: dict[str, bytes]) -> SavedModel:
    data = _parse_json(raw[GRAPH], GRAPH)
    try:
        doc = graph.from_dict(data, GRAPH)
    except GraphError as exc:
        raise ModelError(str(exc)) from None
    pre = Preprocessing.from_json(_parse_json(raw[PREPROCESSING], PREPROCESSING))
    figures = _parse_json(raw[FIGURES], FIGURES)
    if not isinstance(figures, dict):
        raise ModelError(f"{FIGURES}: the top level must be a JSON object")
    weights = read_weights(raw[WEIGHTS])
    network = build_network(doc, pre)
    why = mismatch(network, weights)
    if why is not None:
        raise ModelError(f"{WEIGHTS} does not fit {GRAPH}: {why}")
    expected = network.state_dict()
    network.load_state_dict({k: v.to(expected[k].dtype) for k, v in weights.items()})
    network.eval()
    return SavedModel(doc, weights, pre, figures, network)


def read_weights(data: bytes) -> dict[str, torch.Tensor]:
    """safetensors bytes as CPU tensors; a pickle or a torch.save file is named and refused."""
    from safetensors import SafetensorError
    from safetensors.torch import load as st_load

    if data[:1] == b"\x80":
        raise ModelError(f"{WEIGHTS} is a pickle, not safetensors; model files never carry code")
    if data[:2] == b"PK":
        raise ModelError(f"{WEIGHTS} is a torch.save archive (pickled), not safetensors")
    try:
        return st_load(data)
    except (SafetensorError, ValueError, TypeError, RuntimeError) as exc:
        raise ModelError(f"{WEIGHTS} is not valid safetensors ({str(exc)[:200]})") from None


def build_network(doc: graph.GraphDocument, pre: Preprocessing) -> CompiledGraph:
    """The graph's network for this preprocessing's inputs, without the training data. The
    initial weights it draws are thrown away, so torch's global random state is left as it was."""
    if pre.data_node not in doc.nodes:
        raise ModelError(f"{PREPROCESSING} names the Dataset node '{pre.data_node}', which "
                         f"{GRAPH} lacks")
    with torch.random.fork_rng(devices=[]):
        try:
            return compile_graph(doc, datasets={pre.data_node: pre.stand_in()})
        except GraphError as exc:
            raise ModelError(f"{GRAPH} does not build: {exc}") from None


def _json(obj: Any) -> bytes:
    return (json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")


def _parse_json(data: bytes, name: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ModelError(f"{name} is not valid JSON ({str(exc)[:120]})") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _plain(obj: Any) -> Any:
    """Figures as JSON allows them: numpy numbers as Python ones, NaN and infinities as null."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, np.ndarray)):
        return [_plain(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj) if np.isfinite(obj) else None
    if isinstance(obj, (str, int, bool)) or obj is None:
        return obj
    return str(obj)


def _version() -> str:
    try:
        from importlib.metadata import version
        return version("deepcanvas")
    except Exception:  # noqa: BLE001 - a source checkout that was never installed
        return "unknown"


def entry_bytes(path: str | os.PathLike[str]) -> dict[str, bytes]:
    """Every entry of an archive as it is, unchecked (for tools and tests that rewrite one)."""
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def write_entries(path: str | os.PathLike[str], entries: dict[str, bytes],
                  manifest: bool = True) -> None:
    """Write entries as an archive; with `manifest`, a fresh manifest of their checksums."""
    entries = dict(entries)
    if manifest:
        entries[MANIFEST] = _json({"format": FORMAT, "version": VERSION, "entries": {
            k: {"bytes": len(v), "sha256": hashlib.sha256(v).hexdigest()}
            for k, v in entries.items() if k != MANIFEST}})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    Path(path).write_bytes(buf.getvalue())
