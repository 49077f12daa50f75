"""Inside one layer and across activations: weight and gradient histograms of the selected layer,
and the saturated (sigmoid/tanh) and dead (ReLU) fraction of every activation."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

from gui.dashboard.line_names import LineNames
from gui.dashboard.plot_frame import BLUE, INK, ORANGE, RED, SKY, PlotFrame, pen
from gui.training.badges import Thresholds
from gui.training.run_state import Snapshot

BINS = 50


class HistogramView:
    """Two histograms, weights and gradients, of the one layer the run samples."""

    def __init__(self) -> None:
        self.weights = PlotFrame("Weights")
        self.grads = PlotFrame("Gradients")
        self.weights.label_axes("weight value", "count")
        self.grads.label_axes("gradient value", "count")
        self.w_curve = self.weights.plot.plot(stepMode="center", fillLevel=0, pen=pen(BLUE, 1.5),
                                              brush=QColor(0, 114, 178, 120))
        self.g_curve = self.grads.plot.plot(stepMode="center", fillLevel=0, pen=pen(ORANGE, 1.5),
                                            brush=QColor(230, 159, 0, 120))
        for frame in self.frames:
            frame.plot.getAxis("bottom").enableAutoSIPrefix(True)
        self._shown_step = -1

    @property
    def frames(self) -> list[PlotFrame]:
        return [self.weights, self.grads]

    def reset(self) -> None:
        self.w_curve.setData([0, 1], [0])
        self.g_curve.setData([0, 1], [0])
        self._shown_step = -1
        for f in self.frames:
            f.note.setText("")

    def update(self, snap: Snapshot) -> None:
        if snap.histogram_step == self._shown_step or not snap.histograms:
            return
        self._shown_step = snap.histogram_step
        node, arrays = next(iter(snap.histograms.items()))
        for frame, curve, key in ((self.weights, self.w_curve, "weight"),
                                  (self.grads, self.g_curve, "grad")):
            values = np.asarray(arrays[key])
            values = values[np.isfinite(values)]
            if not len(values):
                continue
            counts, edges = np.histogram(values, bins=BINS)
            curve.setData(edges, counts)
            frame.title_label.setText(f"{'Weights' if key == 'weight' else 'Gradients'} of {node}")
            frame.note.setText(f"step {snap.histogram_step}, std {values.std():.2g}")


class ActivationView:
    """Per activation: the share of saturated (sigmoid/tanh) or dead (ReLU) units, 0..1."""

    def __init__(self, thresholds: Thresholds) -> None:
        self.frame = PlotFrame("Saturated and dead units")
        self.frame.label_axes("activation (input side first)", "fraction of units", "fraction")
        p = self.frame.plot
        p.setYRange(0, 1.0, padding=0.02)
        p.setMouseEnabled(x=False, y=False)
        legend = self.frame.add_legend()
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7)
        p.addItem(self.bars)
        # legend swatches: bars have one item, so the two kinds get a sample each
        for color, name in ((ORANGE, "saturated (sigmoid, tanh)"), (SKY, "dead (ReLU)")):
            legend.addItem(pg.BarGraphItem(x=[], height=[], width=1, brush=color), name)
        self.dead_line = pg.InfiniteLine(angle=0, pen=pen(RED, 1.5, dashed=True))
        p.addItem(self.dead_line)
        self.names = LineNames(p)
        self.names.add(self.dead_line, "dead ReLU badge", RED, side="right")
        self.set_thresholds(thresholds)
        self._ids: list[str] = []
        self._drawn: tuple = ()
        self.shown: dict[str, float] = {}

    def set_thresholds(self, t: Thresholds) -> None:
        self.dead_line.setValue(t.dead_fraction)

    def reset(self) -> None:
        self.bars.setOpts(x=[], height=[], brushes=[])
        self._ids = []
        self._drawn = ()
        self.shown = {}

    def update(self, snap: Snapshot) -> None:
        if snap.start is None:
            return
        fns = snap.start.activation_fns
        ids = [a for a in snap.start.activations if fns.get(a) in ("sigmoid", "tanh", "relu")]
        if ids != self._ids:
            self._ids = ids
            ticks = [(float(i), a) for i, a in enumerate(ids)]
            self.frame.plot.getAxis("bottom").setTicks([ticks])
            self.frame.plot.setXRange(-0.6, max(0, len(ids) - 1) + 0.6, padding=0)
        sat, dead = snap.sampled.get("saturated", {}), snap.sampled.get("dead", {})
        if not ids or not (sat or dead) or (sat, dead) == self._drawn:
            return
        self._drawn = (sat, dead)
        values = [dead.get(a, 0.0) if fns[a] == "relu" else sat.get(a, 0.0) for a in ids]
        brushes = [SKY if fns[a] == "relu" else ORANGE for a in ids]
        # an empty bar would be invisible: a hairline at zero shows the layer was measured
        heights = [max(v, 0.004) for v in values]
        self.bars.setOpts(x=np.arange(len(ids)), height=heights, brushes=brushes,
                          pens=[pg.mkPen(INK)] * len(ids))
        self.shown = dict(zip(ids, values))
        self.names.follow_data()
