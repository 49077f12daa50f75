"""How long a very big graph takes to open and check: loading and analysing must stay linear.

Builds a chain of N nodes (default 20,000): a Dataset (sklearn digits), N-2 small Dense layers
in a row, and a Loss, plus the edge from the Dataset's labels to the Loss target. It is written
to a temporary JSON file, then timed:

- load_analyse_s: `engine.graph.load` of the file plus `engine.compiler.analyse` (the target
  is under 3 s at 20,000 nodes);
- json_parse_s: `json.loads` of the same file text, the floor any loader pays, measured in the
  same run so the ratio means something on any machine;
- copy_s: `GraphDocument.copy`, which the editor makes for every run and for trial edits;
- scene_s: building the canvas scene (every node and edge item, offscreen) from the loaded
  document with its analysis, without painting it.

The digits data set is loaded once before timing, since the figure is about graph size, not
about reading data. Each timing is the best of ROUNDS. `--profile` prints the cProfile top
functions of one load + analyse instead of timing the scene. The last line printed is JSON:
{"nodes": N, "load_analyse_s": X, "json_parse_s": Y, "ratio": X / Y, "copy_s": C, "scene_s": Z}.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import graph  # noqa: E402
from engine.compiler import analyse  # noqa: E402
from engine.graph import Edge, GraphDocument, Node  # noqa: E402

ROUNDS = 3
UNITS = 8          # small layers: the figure is about the number of nodes, not their size


def chain(n_nodes: int) -> GraphDocument:
    """Dataset -> Dense x (n - 2) -> Loss, laid out in rows so the canvas could show it."""
    doc = GraphDocument()
    doc.meta = {"title": f"{n_nodes}-node chain"}
    doc.training = {"epochs": 1, "seed": 0}

    def place(i: int) -> tuple[float, float]:
        row, col = divmod(i, 100)
        return (col * 180.0, row * 200.0)

    # nodes and edges are appended directly: building the benchmark must not itself depend on
    # the speed of the checks it is measuring
    doc.nodes["data"] = Node("data", "Dataset", {"source": "sklearn:digits"}, place(0))
    prev = "data.x"
    dense = n_nodes - 2
    for k in range(1, dense + 1):
        nid = f"h{k}"
        doc.nodes[nid] = Node(nid, "Dense", {"units": 10 if k == dense else UNITS}, place(k))
        src, port = prev.split(".")
        doc.edges.append(Edge(src, port, nid, "in"))
        prev = f"{nid}.out"
    doc.nodes["loss"] = Node("loss", "Loss", {"kind": "cross_entropy"}, place(dense + 1))
    src, port = prev.split(".")
    doc.edges.append(Edge(src, port, "loss", "pred"))
    doc.edges.append(Edge("data", "y", "loss", "target"))
    return doc


def best(fn, rounds: int = ROUNDS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(rounds):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def load_and_analyse(path: Path):
    doc = graph.load(path)
    return doc, analyse(doc)


def scene_build(doc: GraphDocument, a) -> float:
    """Seconds to build the canvas items for the document, offscreen, with badges applied."""
    from PySide6.QtWidgets import QApplication

    from gui.canvas.scene import CanvasScene
    from gui.editor.controller import Controller

    app = QApplication.instance() or QApplication([])
    controller = Controller()
    controller.set_document(doc)      # analyses once, as opening a file does
    t = time.perf_counter()
    scene = CanvasScene(controller)   # builds every item and applies the analysis
    elapsed = time.perf_counter() - t
    assert len(scene.node_items()) == len(doc.nodes)
    scene.clear()
    app.processEvents()
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=20000)
    ap.add_argument("--no-scene", action="store_true", help="skip timing the canvas scene")
    ap.add_argument("--profile", action="store_true", help="print a cProfile of load + analyse")
    args = ap.parse_args()
    sys.setrecursionlimit(1000)     # the default: a recursive walk over the chain would fail here

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "chain.json"
        path.write_text(chain(args.nodes).to_json(), encoding="utf-8")
        text = path.read_text(encoding="utf-8")
        analyse(graph.loads(chain(3).to_json()))          # warm-up: the digits data set is cached

        if args.profile:
            prof = cProfile.Profile()
            prof.enable()
            load_and_analyse(path)
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)

        parse_s, _ = best(lambda: json.loads(text))
        la_s, (doc, a) = best(lambda: load_and_analyse(path))
        assert a.ok, [str(p) for p in a.errors[:3]]
        assert len(a.order) == args.nodes
        copy_s, _ = best(lambda: doc.copy())
        scene_s = None if args.no_scene or args.profile else scene_build(doc, a)

    figures = {"nodes": args.nodes, "load_analyse_s": round(la_s, 3),
               "json_parse_s": round(parse_s, 3), "ratio": round(la_s / parse_s, 1),
               "copy_s": round(copy_s, 3), "scene_s": None if scene_s is None else round(scene_s, 3)}
    print(f"{args.nodes} nodes, {len(text) / 1e6:.1f} MB: load + analyse {la_s:.3f} s "
          f"({la_s / parse_s:.0f}x json.loads {parse_s:.3f} s); copy {copy_s:.3f} s; "
          f"scene {'-' if scene_s is None else f'{scene_s:.3f} s'}")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
