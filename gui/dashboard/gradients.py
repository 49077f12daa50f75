"""Gradient norms per layer: a bar chart of now, and a layer-by-time heat strip of the whole run.
Both on the fixed log scale of `scale`, input side first, so a vanishing gradient reads as a
staircase of dark bars and dark rows at a glance."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from gui.dashboard.line_names import LineNames
from gui.dashboard.plot_frame import INK, RED, GrowingLimit, PlotFrame, pen
from gui.training import gradient_scale as scale
from gui.training.badges import Thresholds
from gui.training.run_state import Snapshot

NO_TICKS = [[]]          # an axis of layer names before a run has named its layers


def _fmt(norm: float) -> str:
    return f"{norm:.2g}" if math.isfinite(norm) else "NaN/Inf"


MAX_FIRST_LEVEL = 6     # layer names always shown; the others only where the axis has room


def tick_levels(ticks: list[tuple[float, str]]) -> list[list[tuple[float, str]]]:
    """Layer names as two tick levels: pyqtgraph always draws the first, evenly spread and the
    last layer included, and draws the second only when the axis has room for it, so eleven
    names on a 90-pixel axis read as every other one instead of running into each other."""
    stride = max(1, -(-len(ticks) // MAX_FIRST_LEVEL))
    first = [t for i, t in enumerate(ticks) if i % stride == 0 or i == len(ticks) - 1]
    if stride == 1:
        first = ticks[::2] + ([ticks[-1]] if len(ticks) % 2 == 0 else [])
    rest = [t for t in ticks if t not in first]
    return [first, rest]


def _layer_ticks(layers: list[str]) -> list[list[tuple[float, str]]]:
    return tick_levels([(float(i), nid) for i, nid in enumerate(layers)])


class GradBarsView:
    """One bar per Dense layer: its weight-gradient norm (smoothed over the last few steps)."""

    def __init__(self, thresholds: Thresholds) -> None:
        self.thresholds = thresholds
        self.frame = PlotFrame("Gradient norm per layer")
        self.frame.label_axes("layer (input side first)", "weight-gradient norm", "gradient norm", "norm")
        p = self.frame.plot
        p.setYRange(scale.LOG_MIN, scale.LOG_MAX, padding=0.02)
        p.getAxis("left").setTicks([scale.tick_labels(2), scale.tick_labels(1)])
        p.setMouseEnabled(x=False, y=False)
        p.showGrid(x=False, y=True, alpha=0.25)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7, y0=scale.LOG_MIN)
        p.addItem(self.bars)
        # with gradient clipping the bars are the sizes the optimizer used; hollow diamonds mark
        # the raw sizes, so the lesson shows both what was computed and what was applied
        self.raw_marks = pg.ScatterPlotItem(symbol="d", size=11, pen=pen(RED, 1.5), brush=None)
        p.addItem(self.raw_marks)
        self.explode_line = pg.InfiniteLine(angle=0, pen=pen(RED, 1.5, dashed=True))
        self.vanish_line = pg.InfiniteLine(angle=0, pen=pen(INK, 1.5, dashed=True))
        p.addItem(self.explode_line)
        p.addItem(self.vanish_line)
        self.vanish_line.hide()
        # vanishing layers are the short bars on the input side: that name goes left first,
        # over them; the exploding one right, where the output side's tall bars are
        self.names = LineNames(p)
        self.names.add(self.explode_line, "exploding", RED, side="right")
        self.names.add(self.vanish_line, "vanishing", INK, side="left")
        self._layers: list[str] = []
        self.shown: dict[str, float] = {}        # what the bars show now, for tests and export
        self.raw: dict[str, float] = {}          # the raw sizes marked when clipping is on
        self._pens: list = []
        self._step_drawn = self._version_drawn = -1
        self._apply_thresholds()
        p.getAxis("bottom").setTicks(NO_TICKS)

    def set_thresholds(self, t: Thresholds) -> None:
        self.thresholds = t
        self._apply_thresholds()

    def _apply_thresholds(self) -> None:
        self.explode_line.setValue(math.log10(self.thresholds.exploding_norm))

    def reset(self) -> None:
        self.bars.setOpts(x=[], height=[], brushes=[])
        self.raw_marks.setData([], [])
        self.raw = {}
        self.vanish_line.hide()
        self._layers = []
        # no layers yet: pyqtgraph would number an axis of names 0.2, 0.4, ...
        self.frame.plot.getAxis("bottom").setTicks(NO_TICKS)
        self.shown = {}
        self._step_drawn = self._version_drawn = -1
        self.frame.note.setText("")

    def update(self, snap: Snapshot) -> None:
        layers = snap.layers
        if layers != self._layers:
            self._layers = list(layers)
            self.frame.plot.getAxis("bottom").setTicks(_layer_ticks(layers))
            self.frame.plot.setXRange(-0.6, max(0, len(layers) - 1) + 0.6, padding=0)
        if snap.global_step == self._step_drawn and snap.version == self._version_drawn:
            return
        self._step_drawn, self._version_drawn = snap.global_step, snap.version
        norms = [snap.grad_smooth.get(k, math.nan) for k in layers]
        if not any(math.isfinite(n) for n in norms):
            return
        logs = [min(scale.LOG_MAX, max(scale.LOG_MIN, math.log10(n))) if math.isfinite(n) and n > 0
                else (scale.LOG_MAX if not math.isfinite(n) else scale.LOG_MIN) for n in norms]
        if len(self._pens) != len(norms):
            self._pens = [pg.mkPen(INK)] * len(norms)
        self.bars.setOpts(x=np.arange(len(layers)), height=np.asarray(logs) - scale.LOG_MIN,
                          y0=scale.LOG_MIN, brushes=scale.brush_colors(norms), pens=self._pens)
        self.shown = dict(zip(layers, norms))
        # the bars (smoothed over a few steps, like the canvas) stop at the ends of the scale;
        # the note gives the last step's real sizes at the two ends of the network
        last, raw = snap.grad_latest, snap.grad_latest_raw
        first_id, last_id = layers[0], layers[-1]

        def size(nid: str) -> str:
            used = _fmt(last.get(nid, math.nan))
            return f"{used} (raw {_fmt(raw[nid])})" if nid in raw else used

        clipped = " after clipping" if raw else ""
        self.frame.note.setText(f"last step{clipped}: {first_id} {size(first_id)}  ·  "
                                f"{last_id} {size(last_id)}")
        self._mark_raw(layers, raw)
        self._move_vanishing(snap, norms)
        self.names.follow_data()

    def _move_vanishing(self, snap: Snapshot, norms: list[float]) -> None:
        alone = snap.phases.pretrained_node(snap.phase)
        if alone is not None:
            # one node learns alone (an RBM's pretraining): the others have no gradient at all,
            # which is waiting, not vanishing
            self.vanish_line.hide()
            self.frame.note.setText(f"{alone} pretrains alone: its update, the others wait")
            return
        largest = max((n for n in norms if math.isfinite(n)), default=0.0)
        if largest > 0:
            self.vanish_line.setValue(math.log10(largest * self.thresholds.vanishing_ratio))
            self.vanish_line.show()

    def _mark_raw(self, layers: list[str], raw: dict[str, float]) -> None:
        self.raw = dict(raw)
        if not raw:
            self.raw_marks.setData([], [])
            return
        xs = [i for i, nid in enumerate(layers) if nid in raw]
        ys = [min(scale.LOG_MAX, max(scale.LOG_MIN, math.log10(raw[layers[i]])))
              if math.isfinite(raw[layers[i]]) and raw[layers[i]] > 0 else scale.LOG_MAX for i in xs]
        self.raw_marks.setData(xs, ys)


class HeatStripView:
    """Rows are layers (input side at the top), columns are training time, colour is the norm."""

    def __init__(self) -> None:
        self.frame = PlotFrame("Gradient norm over time")
        self.frame.label_axes("epoch", "layer")
        p = self.frame.plot
        p.showGrid(x=False, y=False)
        p.setMouseEnabled(x=False, y=False)
        self.image = pg.ImageItem(axisOrder="col-major")
        self.image.setLookupTable(scale.lut())
        self.image.setLevels((scale.LOG_MIN, scale.LOG_MAX))
        p.addItem(self.image)
        p.invertY(False)
        self._layers: list[str] = []
        self.x_limit = GrowingLimit(0.25)
        self._x_applied: float | None = None
        self._drawn: tuple = ()
        self.reset()

    def reset(self) -> None:
        self.image.clear()
        self._layers = []
        # no layers yet: pyqtgraph would number an axis of names from -0.4 to 0.4
        self.frame.plot.getAxis("left").setTicks(NO_TICKS)
        self.frame.plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
        self.x_limit.reset()
        self._x_applied = None
        self._drawn = ()

    def update(self, snap: Snapshot) -> None:
        layers = snap.layers
        if snap.start is None or not layers:
            return
        if layers != self._layers:
            self._layers = list(layers)
            n = len(layers)
            # row 0 is at the bottom of the plot; the input-side layer goes on the top row
            ticks = [(n - 1 - i + 0.5, nid) for i, nid in enumerate(layers)]
            self.frame.plot.getAxis("left").setTicks(tick_levels(ticks))
            self.frame.plot.setYRange(0, n, padding=0)
        cols = snap.grad_cols
        if not len(cols) or (len(cols), snap.grad_span) == self._drawn:
            return
        self._drawn = (len(cols), snap.grad_span)
        x = snap.grad_x[:len(cols)]
        epochs = float(x[-1])
        if snap.phases.many:
            # phases step at different rates (an RBM's batches of 10, fine-tuning's 64), so
            # columns are not evenly spread in epochs: pick, for evenly spread image columns,
            # the data column at each one's place
            at = np.searchsorted(x, np.linspace(0, epochs, len(cols), endpoint=False), side="right")
            cols = cols[np.minimum(at, len(cols) - 1)]
        self.image.setImage(cols[:, ::-1], autoLevels=False, levels=(scale.LOG_MIN, scale.LOG_MAX))
        self.image.setRect(QRectF(0.0, 0.0, epochs, float(len(layers))))
        # the strip fills between half and all of the width: the axis moves only when it doubles
        self.x_limit.fit(epochs, float(snap.start.epochs))
        if self.x_limit.value != self._x_applied:
            self._x_applied = self.x_limit.value
            self.frame.plot.setXRange(0, self.x_limit.value, padding=0)
