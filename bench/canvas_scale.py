"""How long a 300-node graph takes to appear on the canvas.

Builds a valid 300-node network (a Dataset, 149 Dense + Activation pairs snaking across the
canvas, and a Loss), saves it, then times what opening it costs in a running app, offscreen:
reading the file, the engine's analysis (widths, problems, parameter counts), building every
node and edge item, fitting the view, and painting the canvas once into an image.

The app is warmed up first on a small lesson (fonts, imports, the digits data set), because the
figure is meant to be what a user waits for when opening a big file, not Python's start-up.
Rounds are repeated and the median is reported. The last line printed is JSON:
{"load_render_s": S, "nodes": 300}; the target is S <= 1.0.
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtGui import QImage, QPainter  # noqa: E402

from engine.graph import Edge, GraphDocument, Node  # noqa: E402
from gui.app import make_app, settle  # noqa: E402

NODES = 300
COLUMNS = 20
ROUNDS = 5
SIZE = (1600, 1000)


def big_graph() -> GraphDocument:
    doc = GraphDocument()
    doc.meta = {"title": "300 nodes"}

    def place(i: int) -> tuple[float, float]:
        row, col = divmod(i, COLUMNS)
        return (col * 180.0, row * 200.0 + (col % 2) * 90.0)

    doc.add_node(Node("data", "Dataset", {"source": "sklearn:digits"}, place(0)))
    prev, i = ("data", "x"), 1
    pairs = (NODES - 2) // 2
    for k in range(1, pairs + 1):
        units = 10 if k == pairs else 32
        fn = "softmax" if k == pairs else "relu"
        doc.add_node(Node(f"h{k}", "Dense", {"units": units}, place(i)))
        doc.add_node(Node(f"a{k}", "Activation", {"fn": fn}, place(i + 1)))
        doc.add_edge(Edge(prev[0], prev[1], f"h{k}", "in"))
        doc.add_edge(Edge(f"h{k}", "out", f"a{k}", "in"))
        prev, i = (f"a{k}", "out"), i + 2
    doc.add_node(Node("loss", "Loss", {"kind": "cross_entropy"}, place(i)))
    doc.add_edge(Edge(prev[0], prev[1], "loss", "pred"))
    doc.add_edge(Edge("data", "y", "loss", "target"))
    assert len(doc.nodes) == NODES
    return doc


def open_and_paint(window, path: Path) -> tuple[float, dict[str, float]]:
    """Time one open, split into its parts; the canvas is painted into an image at the end."""
    parts: dict[str, float] = {}
    t0 = time.perf_counter()
    window.controller.open_file(path)            # read, analyse, build the items (a 'reset')
    t1 = time.perf_counter()
    window.show_start_of_graph()
    view = window.view
    image = QImage(view.viewport().size(), QImage.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    view.render(painter)                         # the canvas as the user sees it after opening
    painter.end()
    t2 = time.perf_counter()
    parts["open_s"], parts["paint_s"] = t1 - t0, t2 - t1
    return t2 - t0, parts


def paint_everything_readable(window) -> float:
    """Worst case for painting: the whole graph at 100% zoom, every label drawn."""
    scene = window.scene
    rect = scene.nodes_rect().adjusted(-40, -40, 40, 40)
    image = QImage(int(rect.width()), int(rect.height()), QImage.Format_ARGB32_Premultiplied)
    t = time.perf_counter()
    painter = QPainter(image)
    painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
    scene.render(painter, source=rect)
    painter.end()
    return time.perf_counter() - t


def main() -> int:
    app = make_app()
    from gui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.json"
        big_graph().save(path)
        window = MainWindow(QSettings(str(Path(tmp) / "s.ini"), QSettings.IniFormat), "light")
        window.resize(*SIZE)
        window.show()
        settle(app)
        window.controller.open_file(ROOT / "graphs" / "mlp_digits.json")   # warm-up
        settle(app)
        a = window.controller.analyse_now()
        first, _ = open_and_paint(window, path)    # first sight of this file: nothing cached yet
        a = window.controller.analyse_now()
        assert a.ok, [str(p) for p in a.problems[:3]]
        assert len(window.scene.node_items()) == NODES and len(window.scene.edge_items()) == NODES
        times, parts = [], []
        for _ in range(ROUNDS):
            window.controller.new_document()
            settle(app)
            s, p = open_and_paint(window, path)
            times.append(s)
            parts.append(p)
            settle(app)
        full = paint_everything_readable(window)
        window.controller.undo_stack.setClean()
        window.close()
    median = statistics.median(times)
    detail = {k: round(statistics.median(p[k] for p in parts), 3) for k in parts[0]}
    print(f"first open {first:.3f} s; rounds: {[round(t, 3) for t in times]}  median parts: {detail}  "
          f"whole graph at 100% zoom painted in {full:.3f} s")
    print(json.dumps({"load_render_s": round(median, 3), "nodes": NODES}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
