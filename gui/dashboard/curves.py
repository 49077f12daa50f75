"""Loss and metric curves over training time, measured in epochs."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

from gui.dashboard.plot_frame import BLUE, GREEN, ORANGE, SERIES, PlotFrame, pen
from gui.run_state import Snapshot

MAX_TERMS = 6            # loss terms drawn on their own (more are summed into the total only)
FAINT = QColor(0, 114, 178, 90)


def step_x(n_cols: int, span: int, steps_per_epoch: int) -> np.ndarray:
    """The epoch (fractional) at the end of each column of per-step data."""
    return (np.arange(1, n_cols + 1) * span) / max(1, steps_per_epoch)


def epoch_series(snap: Snapshot, split: str, key: str) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for rep in snap.epochs:
        v = getattr(rep, split).get(key)
        if isinstance(v, (int, float)):
            xs.append(rep.epoch)
            ys.append(v)
    return np.asarray(xs, float), np.asarray(ys, float)


class LossView:
    """Per-step loss (faint), each loss term, and the epoch's train and validation loss."""

    def __init__(self) -> None:
        self.frame = PlotFrame("Loss")
        self.frame.label_axes("epoch", "loss")
        p = self.frame.plot
        self.frame.add_legend()
        self.step_curve = p.plot(pen=pen(FAINT, 1.5), name="train, per step")
        self.term_curves = [p.plot(pen=pen(c, 1.5)) for c in SERIES[3:3 + MAX_TERMS]]
        self.train_curve = p.plot(pen=pen(BLUE, 2.5), symbol="o", symbolSize=6,
                                  symbolBrush=BLUE, symbolPen=None, name="train, epoch mean")
        self.val_curve = p.plot(pen=pen(ORANGE, 2.5, dashed=True), symbol="s", symbolSize=6,
                                symbolBrush=ORANGE, symbolPen=None, name="validation")
        self._term_names: list[str] = []
        self.log_y = False

    def reset(self) -> None:
        for c in [self.step_curve, self.train_curve, self.val_curve, *self.term_curves]:
            c.setData([], [])
        self._set_terms([])
        self._set_log(False)

    def _set_log(self, on: bool) -> None:
        if on != self.log_y:
            self.log_y = on
            self.frame.plot.setLogMode(y=on)
            self.frame.plot.setLabel("left", "loss (log scale)" if on else "loss")

    def _set_terms(self, names: list[str]) -> None:
        if names == self._term_names:
            return
        self._term_names = names
        legend = self.frame.plot.legend
        for i, c in enumerate(self.term_curves):
            legend.removeItem(c)
            if i < len(names):
                legend.addItem(c, f"term: {names[i]}")

    def update(self, snap: Snapshot) -> None:
        if snap.start is None:
            return
        cols = snap.loss_cols
        x = step_x(len(cols), snap.loss_span, snap.start.steps_per_epoch)
        total = cols[:, 0] if len(cols) else np.zeros(0)
        self.step_curve.setData(x, total)
        # a loss that grows by orders of magnitude (a divergence) flattens everything else on a
        # linear axis: switch to a log axis, once, for the rest of the run
        if not self.log_y and len(total) and np.all(total > 0) and total.max() > 1e3 * total.min():
            self._set_log(True)
        self._set_terms(snap.term_names[:MAX_TERMS])
        for i, c in enumerate(self.term_curves):
            if i < len(self._term_names) and len(cols):
                c.setData(x, cols[:, 1 + i])
            else:
                c.setData([], [])
        self.train_curve.setData(*epoch_series(snap, "train", "loss"))
        self.val_curve.setData(*epoch_series(snap, "val", "loss"))


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
        self.key: str | None = None

    def reset(self) -> None:
        for c in (self.train_curve, self.val_curve, self.test_point):
            c.setData([], [])
        self.frame.note.setText("")
        self.key = None

    def update(self, snap: Snapshot) -> None:
        if snap.start is None:
            return
        key = "accuracy" if snap.task == "classification" else "r2"
        if key != self.key:
            self.key = key
            self.frame.plot.setLabel("left", "accuracy" if key == "accuracy" else "R²")
            if key == "accuracy":
                self.frame.plot.setYRange(0, 1.02, padding=0)
            else:
                self.frame.plot.enableAutoRange(axis="y")
        self.train_curve.setData(*epoch_series(snap, "train", key))
        self.val_curve.setData(*epoch_series(snap, "val", key))
        test = snap.done.test.get(key) if snap.done else None
        if isinstance(test, (int, float)):
            self.test_point.setData([max(1, snap.done.epochs_run)], [test])
            self.frame.note.setText(f"test {key if key != 'r2' else 'R²'} {test:.4f}")
        else:
            self.test_point.setData([], [])
