"""A window with the training panel and a stand-in for the canvas, for trying the dashboard (and
taking its pictures) on its own:

    python -m gui.dashboard.preview graphs/deep_sigmoid.json [--screenshot out.png --after-epochs 3]

The stand-in draws the graph's layers in a row, coloured and badged exactly as the session tells
a canvas to; it implements the scene interface that TrainingSession expects.
"""
from __future__ import annotations

import argparse
import sys

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QSplitter, QVBoxLayout, QWidget

from engine import graph
from gui.dashboard.panel import DashboardPanel
from gui.training_session import TrainingSession


class OverlayStrip(QWidget):
    """The graph's Dense and Activation nodes as boxes in a row: the canvas's training overlay."""

    def __init__(self, doc: graph.GraphDocument, parent: QWidget | None = None):
        super().__init__(parent)
        self.ids = [n.id for n in doc.nodes.values() if n.type in ("Dense", "Activation")]
        self.colors: dict[str, QColor] = {}
        self.badges: dict[str, str] = {}
        self.highlighted: str | None = None
        self.message = ""
        self.locked = False

    # the scene interface of TrainingSession
    def set_training_overlay(self, colors, badges) -> None:
        self.colors, self.badges = dict(colors), dict(badges)
        self.update()

    def highlight_node(self, node_id, message: str = "") -> None:
        self.highlighted, self.message = node_id, message
        self.update()

    def clear_training_overlay(self) -> None:
        self.colors, self.badges = {}, {}
        self.update()

    def set_locked(self, locked: bool) -> None:
        self.locked = locked
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(900, 110)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        n = max(1, len(self.ids))
        w = min(90.0, (self.width() - 20) / n - 8)
        fm = self.fontMetrics()
        for i, nid in enumerate(self.ids):
            r = QRectF(10 + i * (w + 8), 30, w, 44)
            fill = self.colors.get(nid, QColor(235, 235, 235))
            p.setBrush(fill)
            thick = 4 if nid == self.highlighted else 1
            p.setPen(QPen(QColor(213, 0, 0) if nid == self.highlighted else QColor(60, 60, 60), thick))
            p.drawRoundedRect(r, 6, 6)
            light = fill.lightness() < 120
            p.setPen(QColor(255, 255, 255) if light else QColor(20, 20, 20))
            p.drawText(r, Qt.AlignCenter, nid)
            badge = self.badges.get(nid)
            if badge:
                b = QRectF(r.left(), r.top() - fm.height() - 6, max(w, fm.horizontalAdvance(badge) + 8),
                           fm.height() + 4)
                p.setBrush(QColor(213, 94, 0) if "vanish" not in badge else QColor(60, 60, 140))
                p.setPen(Qt.NoPen)
                p.drawRoundedRect(b, 4, 4)
                p.setPen(QColor(255, 255, 255))
                p.drawText(b, Qt.AlignCenter, badge)
        if self.locked:
            p.setPen(QColor(90, 90, 90))
            p.drawText(QRectF(10, 80, self.width() - 20, fm.height() + 4), Qt.AlignLeft,
                       "editing locked while training")
        p.end()


class PreviewWindow(QMainWindow):
    def __init__(self, path: str):
        super().__init__()
        self.doc = graph.load(path)
        self.setWindowTitle(f"DeepCanvas dashboard: {self.doc.meta.get('title', path)}")
        self.strip = OverlayStrip(self.doc)
        self.session = TrainingSession(lambda: self.doc, scene=self.strip,
                                       lock=self.strip.set_locked, parent=self)
        self.panel = DashboardPanel(self.session)
        top = QWidget()
        lay = QVBoxLayout(top)
        title = QLabel(self.doc.meta.get("title", path))
        f = title.font()
        f.setPointSize(13)
        f.setBold(True)
        title.setFont(f)
        lay.addWidget(title)
        lay.addWidget(self.strip, 1)
        split = QSplitter(Qt.Vertical)
        split.addWidget(top)
        split.addWidget(self.panel)
        split.setSizes([170, 600])
        self.setCentralWidget(split)
        self.resize(1500, 820)

    def closeEvent(self, event) -> None:
        self.session.shutdown()
        super().closeEvent(event)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m gui.dashboard.preview")
    ap.add_argument("file")
    ap.add_argument("--screenshot")
    ap.add_argument("--after-epochs", type=int, default=1)
    ap.add_argument("--tab", type=int, default=0)
    args = ap.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    win = PreviewWindow(args.file)
    win.panel.dashboard.tabs.setCurrentIndex(args.tab)
    win.show()
    if not args.screenshot:
        return app.exec()
    from gui.dashboard.screenshot import capture_after_epochs
    why = capture_after_epochs(win.session, win, args.after_epochs, args.screenshot)
    print(f"saved {args.screenshot} ({why})")
    win.session.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
