"""What a classifier predicts: the confusion matrix, and the decision boundary when the data set
has two inputs."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor

from gui.dashboard.plot_frame import INK, SERIES, PlotFrame
from gui.training.run_state import Snapshot

# white to deep blue: the share of each true class predicted as each class
_CONFUSION_CMAP = pg.ColorMap([0.0, 1.0], [QColor(255, 255, 255), QColor(8, 48, 107)])
MAX_LABELLED_CLASSES = 15        # more cells than this and the numbers would not fit


class ConfusionView:
    """Rows are the true class (first at the top), columns the predicted class; the cell's
    colour is the share of its row, the number is the count."""

    def __init__(self) -> None:
        self.frame = PlotFrame("Confusion matrix")
        self.frame.label_axes("predicted class", "true class")
        p = self.frame.plot
        p.showGrid(x=False, y=False)
        p.setMouseEnabled(x=False, y=False)
        p.setAspectLocked(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(_CONFUSION_CMAP.getLookupTable(0.0, 1.0, 256))
        p.addItem(self.image)
        self.message = pg.TextItem("", color=INK, anchor=(0.5, 0.5))
        p.addItem(self.message)
        self._texts: list[pg.TextItem] = []
        self._n = 0
        self.shown: list[list[int]] | None = None

    def reset(self) -> None:
        self.image.clear()
        for t in self._texts:
            t.setText("")
        self.shown = None
        self.frame.note.setText("")
        self.message.setText("")

    def _layout(self, n: int, names: list[str]) -> None:
        """Axis ticks and one text item per cell; made again only when the class count changes."""
        self._n = n
        p = self.frame.plot
        for t in self._texts:
            p.removeItem(t)
        self._texts = []
        if n <= MAX_LABELLED_CLASSES:
            for _ in range(n * n):
                t = pg.TextItem("", color=INK, anchor=(0.5, 0.5))
                p.addItem(t)
                self._texts.append(t)
        labels = names if len(names) == n else [str(i) for i in range(n)]
        p.getAxis("bottom").setTicks([[(i + 0.5, labels[i]) for i in range(n)]])
        p.getAxis("left").setTicks([[(n - i - 0.5, labels[i]) for i in range(n)]])
        p.setXRange(0, n, padding=0)
        p.setYRange(0, n, padding=0)

    def update(self, snap: Snapshot) -> None:
        if snap.start is None:
            return
        if snap.task != "classification":
            self.message.setText("a confusion matrix is for classification")
            self.message.setPos(0.5, 0.5)
            return
        matrix, source = snap.confusion()
        if matrix is None:
            return
        self.frame.note.setText(source)
        if matrix == self.shown:
            return
        counts = np.asarray(matrix, float)
        n = len(counts)
        if n != self._n:
            self._layout(n, snap.start.class_names)
        share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
        # row-major image: row 0 is drawn at the bottom; the first class belongs on top
        self.image.setImage(share[::-1], autoLevels=False, levels=(0.0, 1.0))
        self.image.setRect(QRectF(0, 0, n, n))
        for k, t in enumerate(self._texts):
            i, j = divmod(k, n)
            t.setText(f"{int(counts[i, j])}")
            t.setColor(QColor(255, 255, 255) if share[i, j] > 0.55 else INK)
            t.setPos(j + 0.5, n - i - 0.5)
        self.shown = matrix


class BoundaryView:
    """Class regions coloured by the predicted class, paler where the network is unsure, with
    training points on top. Only for classification on two inputs."""

    def __init__(self) -> None:
        self.frame = PlotFrame("Decision boundary")
        self.frame.label_axes("input 1 (scaled)", "input 2 (scaled)")
        p = self.frame.plot
        p.showGrid(x=False, y=False)
        self.image = pg.ImageItem(axisOrder="row-major")
        p.addItem(self.image)
        self.scatter = pg.ScatterPlotItem(size=7, pen=pg.mkPen(INK, width=0.8))
        p.addItem(self.scatter)
        self.message = pg.TextItem("", color=INK, anchor=(0.5, 0.5))
        p.addItem(self.message)
        self._shown: object = None
        self._points_for: object = None

    def reset(self) -> None:
        self.image.clear()
        self.scatter.setData([], [])
        self._shown = self._points_for = None
        self.message.setText("")

    def update(self, snap: Snapshot) -> None:
        if snap.start is None:
            return
        b = snap.boundary
        if b is None:
            if not self.message.toPlainText():
                self.message.setText("the decision boundary is drawn for\n"
                                     "classification with two inputs")
                self.message.setPos(0.5, 0.5)
                self.frame.plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
            return
        if b is self._shown:
            return
        self._shown = b
        self.message.setText("")
        probs = b["probs"]
        colors = np.array([SERIES[i % len(SERIES)].getRgb()[:3] for i in range(probs.shape[2])],
                          float)
        best = probs.argmax(axis=2)
        conf = probs.max(axis=2)
        k = probs.shape[2]
        # confidence 1/k (a guess) is white, 1 is the full class colour
        strength = np.clip((conf - 1.0 / k) / (1.0 - 1.0 / k), 0, 1)[..., None] * 0.75
        rgb = 255 * (1 - strength) + colors[best] * strength
        self.image.setImage(rgb.astype(np.uint8), autoLevels=False, levels=(0, 255))
        x0, x1, y0, y1 = b["extent"]
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        if self._points_for is not b["points"]:
            self._points_for = b["points"]
            pts, labels = b["points"], b["labels"]
            brushes = [pg.mkBrush(SERIES[int(c) % len(SERIES)]) for c in labels]
            self.scatter.setData(pts[:, 0], pts[:, 1], brush=brushes)
            self.frame.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
