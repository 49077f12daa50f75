"""Where an autoencoder puts its inputs: the codes of a fixed batch as points coloured by label
(the code itself for two units, its PCA otherwise), and what the decoder makes of the space
between them.

Explorer, for a two-unit code: drag the cross anywhere in the latent plane and the image beside
shows its decoding (the engine's Run.decode, through the training session). For any code: click
two points, A then B, and the strip below shows the decodings of codes on the straight path from
A's code to B's. Both are decoded again at each new sample, so they follow the network as it
learns; the points keep their identity because the batch is the same for the whole run.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

from gui.dashboard.image_frame import ImageFrame
from gui.dashboard.latent_space import decoder_for, interpolate, project_2d
from gui.dashboard.plot_frame import INK, PlotFrame, pen
from gui.training.run_state import Snapshot
from gui.training.tiles import mosaic

# ten classes (digits) need ten colours: tab10, which stays apart on a projector
LABEL_COLOURS = tuple(QColor(c) for c in ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                          "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"))
PATH_STEPS = 9
PAD = 0.08              # of the cloud's extent, around it
LEGEND_BAND = 4.0       # times PAD, above it

Decode = Callable[[str, np.ndarray], "np.ndarray | None"]


class LatentView:
    """`decode(node, z)` turns codes into images or gives None (then `problem()` says why);
    `edges()` lists the run's (source, destination) node pairs, to pair coder and decoder."""

    def __init__(self, decode: Decode, edges: Callable[[], Iterable[tuple[str, str]]] = tuple,
                 problem: Callable[[], str] = str) -> None:
        self._decode_fn, self._edges, self._problem = decode, edges, problem
        self.scatter_frame = PlotFrame("Latent space")
        p = self.scatter_frame.plot
        # the cross is dragged, the points clicked: a drag must never pan the plot instead
        p.setMouseEnabled(x=False, y=False)
        self.legend = self.scatter_frame.add_legend()
        self.scatter = pg.ScatterPlotItem(size=8, pen=pg.mkPen(255, 255, 255, 160, width=0.6))
        self.scatter.sigClicked.connect(self._clicked)
        p.addItem(self.scatter)
        self.path_line = pg.PlotDataItem(pen=pen(INK, 1.5, dashed=True))
        p.addItem(self.path_line)
        self.picks = pg.ScatterPlotItem(size=18, pen=pg.mkPen(INK, width=2.5), brush=None)
        p.addItem(self.picks)
        self.pick_labels = [pg.TextItem(t, color=INK, anchor=(-0.3, 1.1)) for t in "AB"]
        for t in self.pick_labels:
            p.addItem(t)
        self.target = pg.TargetItem(size=22, pen=pg.mkPen(INK, width=2.5),
                                    hoverPen=pg.mkPen(QColor(213, 94, 0), width=3),
                                    label="drag me", labelOpts={"color": INK, "offset": (12, -12)})
        self.target.setZValue(20)
        self.target.sigPositionChanged.connect(self._target_moved)
        self.target.sigPositionChangeFinished.connect(self._target_dropped)
        p.addItem(self.target)
        self.point_view = ImageFrame("Decoded at the cross")
        self.path_view = ImageFrame("From A to B")
        self.reset()

    @property
    def frames(self) -> list[PlotFrame]:
        return [self.scatter_frame, self.point_view.frame, self.path_view.frame]

    # ---- state -----------------------------------------------------------------------------
    def reset(self) -> None:
        self.scatter.setData([], [])
        self.path_line.setData([], [])
        self.picks.setData([], [])
        for t in self.pick_labels:
            t.setText("")
        self.target.setVisible(False)
        self.legend.clear()
        self.point_view.reset()
        self.path_view.reset()
        self.scatter_frame.note.setText("")
        self._step = -1
        self._values: np.ndarray | None = None     # codes (m, units) of the fixed batch
        self._points = np.zeros((0, 2))             # as plotted
        self._labels: np.ndarray | None = None
        self._axes: np.ndarray | None = None        # PCA axes of the last frame
        self._range: tuple | None = None
        self.decoder: str | None = None
        self.pair: list[int] = []                   # indices of A and B in the batch
        self._next_pick = 0
        self.target_placed = False                  # the user has moved the cross
        self.decoded: np.ndarray | None = None      # the image at the cross (rows, cols)
        self.path_images: np.ndarray | None = None

    @property
    def points(self) -> np.ndarray:
        """The batch as plotted (m, 2): the code itself, or its first principal components."""
        return self._points

    @property
    def codes(self) -> np.ndarray | None:
        """The batch's codes (m, units) at the last sample."""
        return self._values

    @property
    def labels(self) -> np.ndarray | None:
        return self._labels

    @property
    def two_units(self) -> bool:
        return self._values is not None and self._values.shape[1] == 2

    def update(self, snap: Snapshot) -> None:
        if not snap.codes:
            if snap.start is not None and not self.point_view.message.toPlainText():
                self.point_view.say("codes appear at the first sample")
            return
        if snap.faces_step == self._step:
            return
        self._step = snap.faces_step
        encoder, code = next(iter(snap.codes.items()))
        values = np.asarray(code.get("values", np.zeros((0, 0))), np.float64)
        if values.ndim != 2 or not len(values):
            return
        labels = code.get("labels")
        self._values = values
        self._points, self._axes, how = project_2d(values, self._axes)
        self._draw_points(labels, snap)
        self.decoder = decoder_for(encoder, list(snap.images), self._edges())
        x_name, y_name = ("unit 1", "unit 2") if self._axes is None else ("PC 1", "PC 2")
        self.scatter_frame.label_axes(x_name, y_name)
        self.scatter_frame.note.setText(f"{encoder}: {how}, {len(values)} examples, step "
                                        f"{snap.faces_step}")
        if len(self.pair) < 2:
            self.pair = default_pair(labels, values)
        self.target.setVisible(self.two_units and self.decoder is not None)
        if self.two_units and not self.target_placed:
            self.target.blockSignals(True)        # decoded below, once, with the path
            self.target.setPos(*self._points.mean(axis=0))
            self.target.blockSignals(False)
        self._draw_pair()
        self.decode_all()

    def _draw_points(self, labels, snap: Snapshot) -> None:
        pts = self._points
        if labels is not None and len(labels) == len(pts):
            labels = np.asarray(labels).astype(int)
            if self._labels is None or not np.array_equal(labels, self._labels):
                self._labels = labels
                self._brushes = [pg.mkBrush(LABEL_COLOURS[c % len(LABEL_COLOURS)]) for c in labels]
                self._fill_legend(labels, snap.start.class_names if snap.start else [])
            self.scatter.setData(pts[:, 0], pts[:, 1], brush=self._brushes)
        else:
            self.scatter.setData(pts[:, 0], pts[:, 1], brush=pg.mkBrush(LABEL_COLOURS[0]))
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        pad = np.maximum((hi - lo) * PAD, 1e-3)
        # a wider band on top keeps the legend of labels off the points
        rng = (float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]),
               float(hi[1] + pad[1] * LEGEND_BAND))
        # the axes are re-laid only when the cloud leaves the range or shrinks to under half of it
        old = self._range
        if old is None or not (old[0] <= rng[0] and rng[1] <= old[1] and old[2] <= rng[2]
                               and rng[3] <= old[3]) or (rng[1] - rng[0]) < 0.5 * (old[1] - old[0]):
            self._range = rng
            self.scatter_frame.plot.setRange(xRange=rng[:2], yRange=rng[2:], padding=0)

    def _fill_legend(self, labels: np.ndarray, names: list[str]) -> None:
        self.legend.clear()
        classes = sorted(set(labels.tolist()))[:len(LABEL_COLOURS)]
        self.legend.setColumnCount(len(classes))       # one row, in the band kept above the points
        for c in classes:
            name = names[c] if 0 <= c < len(names) else str(c)
            sample = pg.ScatterPlotItem(size=9, pen=None, brush=LABEL_COLOURS[c % len(LABEL_COLOURS)])
            self.legend.addItem(sample, str(name))

    def _draw_pair(self) -> None:
        if len(self.pair) < 2 or not len(self._points):
            return
        ab = self._points[self.pair]
        self.picks.setData(ab[:, 0], ab[:, 1])
        self.path_line.setData(ab[:, 0], ab[:, 1])
        for name, t, (x, y) in zip("AB", self.pick_labels, ab):
            t.setText(name)
            t.setPos(float(x), float(y))

    # ---- decoding --------------------------------------------------------------------------
    def decode_all(self) -> None:
        """Decode the cross (two-unit codes) and the path from A to B with the current model."""
        if self.decoder is None:
            self.point_view.say("no decoder draws images for this code\n"
                                "(the explorer needs image data)")
            self.path_view.say("")
            return
        if self.two_units:
            self._decode_target()
        else:
            self.point_view.say("drag a point to decode it:\nthat needs a two-unit code")
        self._decode_path()

    def _decode(self, z: np.ndarray) -> np.ndarray | None:
        images = self._decode_fn(self.decoder, np.asarray(z, np.float32))
        if images is None or np.ndim(images) != 3 or not len(images):
            return None
        return np.asarray(images)

    def _decode_target(self) -> None:
        pos = self.target.pos()
        images = self._decode(np.array([[pos.x(), pos.y()]]))
        if images is None:
            self.point_view.say(self._problem() or "cannot decode")
            return
        self.decoded = images[0]
        self.point_view.show(mosaic([images]))
        self.point_view.frame.note.setText(f"z = ({pos.x():.2f}, {pos.y():.2f})")

    def _decode_path(self) -> None:
        if len(self.pair) < 2 or self._values is None:
            self.path_view.say("click two points: A, then B")
            return
        a, b = self._values[self.pair]
        images = self._decode(interpolate(a, b, PATH_STEPS))
        if images is None:
            self.path_view.say(self._problem() or "cannot decode")
            return
        self.path_images = images
        self.path_view.show(mosaic([images]))
        names = [self._label_name(i) for i in self.pair]
        self.path_view.frame.note.setText(f"A ({names[0]}) to B ({names[1]}), "
                                          f"{PATH_STEPS} steps along the straight line between codes")

    def _label_name(self, index: int) -> str:
        if self._labels is None or index >= len(self._labels):
            return f"example {index}"
        return f"a {self._labels[index]}"

    # ---- what the user does ----------------------------------------------------------------
    def move_target(self, x: float, y: float) -> None:
        """Put the cross at (x, y) in the latent plane, as a drag that ends there does."""
        self.target.setPos(x, y)
        self._target_dropped()

    def pick(self, index: int) -> None:
        """Choose an example of the batch as A, then as B, then A again..."""
        if self._values is None or not 0 <= index < len(self._values):
            return
        if len(self.pair) < 2:
            self.pair = [index, index]
        self.pair[self._next_pick] = index
        self._next_pick = 1 - self._next_pick
        self._draw_pair()
        if self.decoder is not None:
            self._decode_path()

    def _target_moved(self, _item=None) -> None:
        if self.decoder is not None and self.two_units:
            self._decode_target()

    def _target_dropped(self, _item=None) -> None:
        self.target_placed = True

    def _clicked(self, _item, points, _ev=None) -> None:
        if len(points):
            self.pick(int(points[0].index()))


def default_pair(labels, values: np.ndarray) -> list[int]:
    """A and B before the user picks: the first example and the first one of another class
    (else the one whose code lies farthest from the first's), so the path shows a change."""
    if len(values) < 2:
        return []
    if labels is not None and len(labels) == len(values):
        labels = np.asarray(labels)
        other = np.flatnonzero(labels != labels[0])
        if len(other):
            return [0, int(other[0])]
    return [0, int(np.argmax(np.sum((values - values[0]) ** 2, axis=1)))]
