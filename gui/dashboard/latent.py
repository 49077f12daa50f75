"""Where an autoencoder puts its inputs: the codes of a fixed batch as points coloured by label
(the code itself for two units, its PCA otherwise), and what the decoder makes of the space
between them.

Explorer, for a two-unit code: drag the cross anywhere in the latent plane and the image beside
shows its decoding (the engine's Run.decode, in the training thread while a run trains:
latent_decoder.py). For any code: click
two points, A then B, and the strip below shows the decodings of codes on the straight path from
A's code to B's. Both are decoded again at each new sample, so they follow the network as it
learns; the points keep their identity because the batch is the same for the whole run.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor

from gui.dashboard.image_frame import ImageFrame
from gui.dashboard.latent_space import decoder_for, interpolate, project_2d
from gui.dashboard.plot_frame import INK, PlotFrame, pen
from gui.training.run_state import Snapshot
from gui.training.tiles import mosaic

# ten classes (digits) need ten colours: tab10, which stays apart on a projector
LABEL_COLOURS = tuple(QColor(c) for c in ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                          "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"))
# one brush per class, shared by its points: the scatter then draws ten symbols, not one each
LABEL_BRUSHES = tuple(pg.mkBrush(c) for c in LABEL_COLOURS)
PATH_STEPS = 9
DECODE_INTERVAL_S = 0.4   # while a run trains, the decodings follow it at most this often
PAD = 0.08              # of the cloud's extent, around it

# request(node, z, done): decode z at node and call done(images or None), now or later
Request = Callable[[str, np.ndarray, Callable[["np.ndarray | None"], None]], None]


class LatentView:
    """`request` decodes codes into images (LatentDecoder.request; None, and `problem()` says
    why); `edges()` lists the run's (source, destination) node pairs, to pair coder and
    decoder."""

    def __init__(self, request: Request, edges: Callable[[], Iterable[tuple[str, str]]] = tuple,
                 problem: Callable[[], str] = str) -> None:
        self._request_fn, self._edges, self._problem = request, edges, problem
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
        self._generation = 0
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
        self._serial = 0          # the sample (RunState.faces_serial) drawn
        self._values: np.ndarray | None = None     # codes (m, units) of the fixed batch
        self._points = np.zeros((0, 2))             # as plotted
        self._labels: np.ndarray | None = None
        self._axes: np.ndarray | None = None        # PCA axes of the last frame
        self._range: tuple | None = None
        self._axis_names: tuple[str, str] | None = None
        self.decoder: str | None = None
        self.pair: list[int] = []                   # indices of A and B in the batch
        self._next_pick = 0
        self.target_placed = False                  # the user has moved the cross
        self.decoded: np.ndarray | None = None      # the image at the cross (rows, cols)
        self.decoded_at: tuple[float, float] | None = None     # ...and the point it shows
        self.path_images: np.ndarray | None = None
        self._generation += 1                       # scheduled decodes check it
        self._decode_scheduled = False
        self._decoded_at = 0.0

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
        if snap.faces_serial == self._serial:
            return
        self._serial = snap.faces_serial
        encoder, code = next(iter(snap.codes.items()))
        values = np.asarray(code.get("values", np.zeros((0, 0))), np.float64)
        if values.ndim != 2 or not len(values):
            return
        labels = code.get("labels")
        self._values = values
        self._points, self._axes, how = project_2d(values, self._axes)
        self._draw_points(labels, snap)
        self.decoder = decoder_for(encoder, list(snap.images), self._edges())
        names = ("unit 1", "unit 2") if self._axes is None else ("PC 1", "PC 2")
        if names != self._axis_names:         # a new label lays the plot out again: only once
            self._axis_names = names
            self.scatter_frame.label_axes(*names)
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
        self._schedule_decodes()

    def _draw_points(self, labels, snap: Snapshot) -> None:
        pts = self._points
        if labels is not None and len(labels) == len(pts):
            labels = np.asarray(labels).astype(int)
            if self._labels is None or not np.array_equal(labels, self._labels):
                self._labels = labels
                self._brushes = [LABEL_BRUSHES[c % len(LABEL_BRUSHES)] for c in labels]
                self._fill_legend(labels, snap.start.class_names if snap.start else [])
            self.scatter.setData(pts[:, 0], pts[:, 1], brush=self._brushes)
        else:
            self.scatter.setData(pts[:, 0], pts[:, 1], brush=LABEL_BRUSHES[0])
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        pad = np.maximum((hi - lo) * PAD, 1e-3)
        rng = (float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]),
               float(hi[1] + pad[1]))
        # the axes are re-laid only when the cloud leaves the range or shrinks to under half of it
        old = self._range
        if old is None or not (old[0] <= rng[0] and rng[1] <= old[1] and old[2] <= rng[2]
                               and rng[3] <= old[3]) or (rng[1] - rng[0]) < 0.5 * (old[1] - old[0]):
            self._range = rng
            self.scatter_frame.plot.setRange(xRange=rng[:2], yRange=rng[2:], padding=0)

    def _fill_legend(self, labels: np.ndarray, names: list[str]) -> None:
        self.legend.clear()
        classes = sorted(set(labels.tolist()))[:len(LABEL_COLOURS)]
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
        """Decode the cross (two-unit codes) and the path from A to B with the current model,
        as one request: beside a training thread every call into torch waits for the GIL, so
        one batch of ten points costs about half what two batches cost."""
        if self.decoder is None:
            self.point_view.say("no decoder draws images for this code\n"
                                "(the explorer needs image data)")
            self.path_view.say("")
            return
        pos = self.target.pos()
        path = self._path_codes()
        parts = ([np.array([[pos.x(), pos.y()]])] if self.two_units else []) + \
            ([path] if path is not None else [])
        if not parts:
            self._show_cross(None, pos)
            self._show_path(None)
            return
        z = np.vstack(parts)
        n = 1 if self.two_units else 0

        def done(images: np.ndarray | None) -> None:
            self._show_cross(images[:n] if images is not None else None, pos)
            if path is not None:
                self._show_path(images[n:] if images is not None else None)
        self._request(z, done)

    def _request(self, z: np.ndarray, done: Callable[[np.ndarray | None], None]) -> None:
        """Decode z at the decoder; `done` gets (len(z), rows, cols) pictures or None, and is
        not called at all when a new run began meanwhile (its own sample comes)."""
        generation = self._generation

        def checked(images) -> None:
            if generation != self._generation:
                return
            ok = images is not None and np.ndim(images) == 3 and len(images) == len(z)
            done(np.asarray(images) if ok else None)
        self._request_fn(self.decoder, np.asarray(z, np.float32), checked)

    def _schedule_decodes(self) -> None:
        """Decode after this frame, and at most every DECODE_INTERVAL_S while samples arrive:
        the decodings need not follow every sample, and the points of a new sample are drawn
        in one frame and their decodings asked for in a later one."""
        if self._decode_scheduled:
            return
        self._decode_scheduled = True
        wait = max(0.0, DECODE_INTERVAL_S - (time.perf_counter() - self._decoded_at))
        generation = self._generation
        # the frame is the timer's context: a view closed meanwhile is never called
        QTimer.singleShot(max(1, int(1000 * wait)), self.scatter_frame,
                          lambda: self._scheduled_decode(generation))

    def _scheduled_decode(self, generation: int) -> None:
        self._decode_scheduled = False
        if generation != self._generation:       # a new run began since: its own sample will come
            return
        self._decoded_at = time.perf_counter()
        self.decode_all()

    def _decode_target(self) -> None:
        pos = self.target.pos()
        self._request(np.array([[pos.x(), pos.y()]]), lambda images: self._show_cross(images, pos))

    def _show_cross(self, images: np.ndarray | None, pos) -> None:
        if not self.two_units:
            self.point_view.say("drag a point to decode it:\nthat needs a two-unit code")
            return
        if images is None:
            self.point_view.say(self._problem() or "cannot decode")
            return
        self.decoded = images[0]
        self.decoded_at = (pos.x(), pos.y())
        self.point_view.show(mosaic([images]))
        self.point_view.frame.note.setText(f"z = ({pos.x():.2f}, {pos.y():.2f})")

    def _path_codes(self) -> np.ndarray | None:
        if len(self.pair) < 2 or self._values is None:
            return None
        a, b = self._values[self.pair]
        return interpolate(a, b, PATH_STEPS)

    def _decode_path(self) -> None:
        path = self._path_codes()
        if path is None:
            self._show_path(None)
        else:
            self._request(path, self._show_path)

    def _show_path(self, images: np.ndarray | None) -> None:
        if len(self.pair) < 2 or self._values is None:
            self.path_view.say("click two points: A, then B")
            return
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
