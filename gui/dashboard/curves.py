"""Loss and metric curves over training time, measured in epochs of the whole run: a run of
several phases (an RBM stack's pretraining, then fine-tuning) lays them end to end, each step
placed by its own phase's steps per epoch (gui/training/phases.py), with a line where each
phase begins."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

from gui.dashboard.line_names import LineNames
from gui.dashboard.plot_frame import (
    BLUE,
    GREEN,
    ORANGE,
    SERIES,
    GrowingLimit,
    PlotFrame,
    omit,
    pen,
)
from gui.training.run_state import Snapshot

MAX_TERMS = 6            # loss terms drawn on their own (more are summed into the total only)
FAINT = QColor(0, 114, 178, 90)
MAX_MARKERS = 40
PHASE_INK = QColor(90, 90, 90)      # the series grey is too pale for a name at 12 px


def epoch_series(snap: Snapshot, split: str, key: str) -> tuple[np.ndarray, np.ndarray]:
    """Per epoch, where it ends on the run axis and its `split` figure `key`."""
    xs, ys = [], []
    for rep in snap.epochs:
        v = getattr(rep, split).get(key)
        if isinstance(v, (int, float)):
            xs.append(snap.epoch_x(rep))
            ys.append(v)
    return np.asarray(xs, float), np.asarray(ys, float)


class PhaseLines:
    """A dashed vertical line, named, where each phase begins (for a run of several); the names
    find their own places (line_names.py), so short phases' names do not run into each other.
    Made once per plan: the lines never move during a run."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.names = LineNames(plot)
        self.lines: list[pg.InfiniteLine] = []
        self._for = None

    def show(self, phases) -> None:
        if phases == self._for:
            return
        self._for = phases
        for line in self.lines:
            self.names.remove(line)
            self.plot.removeItem(line)
        self.lines = []
        if phases is None or not phases.many:
            return
        for i, name in enumerate(phases.names):
            line = pg.InfiniteLine(pos=phases.epoch_base(i), angle=90,
                                   pen=pen(PHASE_INK, 1.2, dashed=True))
            self.plot.addItem(line)
            self.names.add(line, phases.label(name), PHASE_INK)
            self.lines.append(line)


def _set_series(curve, xy: tuple[np.ndarray, np.ndarray], symbol: str) -> None:
    """Epoch points get markers while they are few enough to tell apart (and cheap to draw)."""
    want = symbol if len(xy[0]) <= MAX_MARKERS else None
    if curve.opts["symbol"] != want:
        curve.setSymbol(want)
    curve.setData(*xy)


class LossView:
    """Per-step loss (faint), each loss term, and the epoch's train and validation loss.

    The axes move in jumps (x doubles, y grows to the largest loss seen, from 0) rather than
    following the data every frame: a redrawn axis is the costliest part of a frame."""

    def __init__(self) -> None:
        self.frame = PlotFrame("Loss")
        self.frame.label_axes("epoch", "loss")
        self.frame.setToolTip("Blue: the training loss, faint for each step (batch) and bold for "
                              "each epoch's mean. Orange, dashed: the validation loss at the end "
                              "of each epoch.")
        p = self.frame.plot
        self.frame.add_legend()
        self.step_curve = p.plot(pen=pen(FAINT, 1.5), name="per step")
        self.term_curves = [p.plot(pen=pen(c, 1.5)) for c in SERIES[3:3 + MAX_TERMS]]
        self.train_curve = p.plot(pen=pen(BLUE, 2.5), symbol="o", symbolSize=6,
                                  symbolBrush=BLUE, symbolPen=None, name="epoch mean")
        self.val_curve = p.plot(pen=pen(ORANGE, 2.5, dashed=True), symbol="s", symbolSize=6,
                                symbolBrush=ORANGE, symbolPen=None, name="validation")
        # names that keep the legend to two rows above a short plot (a projector's 1280x720)
        for curve, short in ((self.step_curve, "step"), (self.train_curve, "mean"),
                             (self.val_curve, "val.")):
            p.legend.shorten(curve, short)
        p.disableAutoRange()
        self.phase_lines = PhaseLines(p)
        self._term_names: list[str] = []
        self.log_y = False
        self.x_limit = GrowingLimit(1.0)
        self.y_min = self.y_max = 0.0
        self._x_applied: float | None = None
        self._drawn: tuple = ()

    def reset(self) -> None:
        for c in [self.step_curve, self.train_curve, self.val_curve, *self.term_curves]:
            c.setData([], [])
        self._set_terms([])
        self._set_log(False)
        self.x_limit.reset()
        self.y_min = self.y_max = 0.0
        self._x_applied = None
        self._drawn = ()
        self.phase_lines.show(None)
        self.frame.plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)

    def _set_log(self, on: bool) -> None:
        if on != self.log_y:
            self.log_y = on
            p = self.frame.plot
            p.setLogMode(y=on)
            self.frame.label_axes("epoch", "loss (log scale)" if on else "loss", "loss")
            if on:
                p.enableAutoRange(axis="y")
            else:
                p.disableAutoRange(axis="y")

    def _set_terms(self, names: list[str]) -> None:
        if names == self._term_names:
            return
        self._term_names = names
        legend = self.frame.plot.legend
        for i, c in enumerate(self.term_curves):
            legend.removeItem(c)
            if i < len(names):
                legend.addItem(c, f"term: {names[i]}", names[i])

    def update(self, snap: Snapshot) -> None:
        if snap.start is None:
            return
        key = (len(snap.loss_cols), snap.loss_span, len(snap.epochs))
        if key == self._drawn:
            return
        self._drawn = key
        self.phase_lines.show(snap.phases)
        cols = snap.loss_cols
        x = snap.loss_x[:len(cols)]
        total = cols[:, 0] if len(cols) else np.zeros(0)
        self.step_curve.setData(x, total)
        self._set_terms(snap.term_names[:MAX_TERMS])
        for i, c in enumerate(self.term_curves):
            c.setData(x, cols[:, 1 + i]) if i < len(self._term_names) and len(cols) else c.setData([], [])
        train, val = epoch_series(snap, "train", "loss"), epoch_series(snap, "val", "loss")
        _set_series(self.train_curve, train, "o")
        _set_series(self.val_curve, val, "s")
        # a loss that grows by orders of magnitude (a divergence) flattens everything else on a
        # linear axis: switch to a log axis, once, for the rest of the run
        if not self.log_y and len(total) and np.all(total > 0) and total.max() > 1e3 * total.min():
            self._set_log(True)
        self._fit_axes(x, [total, train[1], val[1]], snap.start.epochs)
        self.phase_lines.names.follow_data()

    def _fit_axes(self, x: np.ndarray, series: list[np.ndarray], epochs: int) -> None:
        p = self.frame.plot
        if len(x):
            self.x_limit.fit(float(x[-1]), float(epochs))
        if self.x_limit.value != self._x_applied:
            self._x_applied = self.x_limit.value
            p.setXRange(0, self.x_limit.value, padding=0)
        if self.log_y:
            return
        finite = [v[np.isfinite(v)] for v in series if len(v)]
        top = max((float(v.max()) for v in finite if len(v)), default=0.0)
        # from 0, unless a loss goes below it (an RBM's contrastive-divergence gap may)
        bottom = min((float(v.min()) for v in finite if len(v)), default=0.0)
        if top > self.y_max or bottom < self.y_min:
            self.y_max = max(self.y_max, top * 1.1)
            self.y_min = min(self.y_min, bottom * 1.1)
            p.setYRange(self.y_min, self.y_max, padding=0)


class MetricsView:
    """Accuracy per epoch (classification) or validation R² (regression), and the test figure."""

    def __init__(self) -> None:
        self.frame = PlotFrame("Metrics")
        self.frame.label_axes("epoch", "accuracy")
        p = self.frame.plot
        self.frame.add_legend()
        self.train_curve = p.plot(pen=pen(BLUE, 2.5), symbol="o", symbolSize=6, symbolBrush=BLUE,
                                  symbolPen=None, name="train")
        self.val_curve = p.plot(pen=pen(ORANGE, 2.5, dashed=True), symbol="s", symbolSize=6,
                                symbolBrush=ORANGE, symbolPen=None, name="validation")
        self.test_point = p.plot(pen=None, symbol="star", symbolSize=16, symbolBrush=GREEN,
                                 symbolPen=pg.mkPen("k"), name="test")
        p.disableAutoRange(axis="x")
        self.phase_lines = PhaseLines(p)
        self.key: str | None = None
        self.x_limit = GrowingLimit(1.0)
        self._x_applied: float | None = None
        self._drawn: tuple = ()

    def reset(self) -> None:
        for c in (self.train_curve, self.val_curve, self.test_point):
            c.setData([], [])
        omit(self.frame, False)
        self.frame.note.setText("")
        self.key = None
        self.x_limit.reset()
        self._x_applied = None
        self._drawn = ()
        self.phase_lines.show(None)
        self.frame.plot.setXRange(0, 1, padding=0)

    def update(self, snap: Snapshot) -> None:
        if snap.start is None:
            return
        drawn = (len(snap.epochs), snap.done is not None)
        if drawn == self._drawn:
            return
        self._drawn = drawn
        # an autoencoder has no accuracy or R² to show: its reconstruction error is the loss
        # curve beside, and the plot would only be an empty frame; a GAN's figures have a tab
        # of their own
        unscored = snap.task in ("reconstruction", "generation")
        omit(self.frame, unscored)
        if unscored:
            return
        key = "accuracy" if snap.task == "classification" else "r2"
        p = self.frame.plot
        if key != self.key:
            self.key = key
            p.setLabel("left", "accuracy" if key == "accuracy" else "R²")
            if key == "accuracy":
                p.setYRange(0, 1.02, padding=0)
            else:
                p.enableAutoRange(axis="y")
        self.phase_lines.show(snap.phases)
        _set_series(self.train_curve, epoch_series(snap, "train", key), "o")
        _set_series(self.val_curve, epoch_series(snap, "val", key), "s")
        last = snap.epoch_x(snap.epochs[-1]) if snap.epochs else 0.0
        self.x_limit.fit(float(last), float(snap.start.epochs))
        # a run in phases scores only in some (a DBN's fine-tuning): the axis starts where the
        # first phase with this figure does, rather than leaving the pretraining's room empty
        scored = next((rep.phase for rep in snap.epochs if key in rep.train), "")
        first = snap.phases.epoch_base(max(0, snap.phases.index(scored))) if scored else 0
        if (self.x_limit.value, first) != self._x_applied:
            self._x_applied = (self.x_limit.value, first)
            # a little room on the right, for the test star at the last epoch
            p.setXRange(first, first + (self.x_limit.value - first) * 1.05, padding=0)
        test = snap.done.test.get(key) if snap.done else None
        if isinstance(test, (int, float)):
            self.test_point.setData([max(1, snap.done.epochs_run)], [test])
            self.frame.note.setText(f"test {key if key != 'r2' else 'R²'} {test:.4f}")
        else:
            self.test_point.setData([], [])
        self.phase_lines.names.follow_data()
