"""An autoencoder's code: how its activations are distributed over a fixed batch, each unit's
mean activation (a sparse code: most bars short, against the target rho), and per epoch the
mean activation and the encoder's squared Jacobian norm (what the contractive penalty lowers)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

from gui.dashboard.line_names import LineNames
from gui.dashboard.plot_frame import BLUE, INK, ORANGE, RED, PlotFrame, pen
from gui.training.run_state import Snapshot

BINS = 40


class CodeView:
    """`params(node_id)` gives a node's params (for the sparsity target), {} when unknown."""

    def __init__(self, params: Callable[[str], dict[str, Any]] = lambda _nid: {}) -> None:
        self.params = params
        self.hist = PlotFrame("Code activations")
        self.hist.label_axes("activation", "count")
        self.hist_curve = self.hist.plot.plot(stepMode="center", fillLevel=0, pen=pen(BLUE, 1.5),
                                              brush=QColor(0, 114, 178, 120))
        self.units = PlotFrame("Mean activation per unit")
        self.units.label_axes("code unit", "mean activation", "activation")
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.8, brush=BLUE, pen=pg.mkPen(INK, width=0.5))
        self.units.plot.addItem(self.bars)
        self.rho_lines = [_rho_line() for _ in range(2)]    # the sparsity target, on both
        self.units.plot.addItem(self.rho_lines[0])
        self.unit_names = LineNames(self.units.plot)
        self.unit_names.add(self.rho_lines[0], "target rho", RED)
        self.epochs = PlotFrame("Code per epoch")
        self.epochs.label_axes("epoch", "mean activation", "activation")
        self._jacobian_axis()
        legend = self.epochs.add_legend()
        self.mean_curve = self.epochs.plot.plot(pen=pen(BLUE), symbol="o", symbolSize=6,
                                                symbolBrush=BLUE, name="mean activation")
        self.jac_curve = pg.PlotDataItem(pen=pen(ORANGE), symbol="s", symbolSize=6,
                                         symbolBrush=ORANGE)
        self.jac_box.addItem(self.jac_curve)
        legend.addItem(self.jac_curve, "squared Jacobian norm (right)")
        self.epochs.plot.addItem(self.rho_lines[1])
        self.epoch_names = LineNames(self.epochs.plot, boxes=[self.jac_box])
        self.epoch_names.add(self.rho_lines[1], "target rho", RED)
        self._serial = 0          # the sample (RunState.faces_serial) drawn
        self._epochs_drawn = -1
        self.shown_means: np.ndarray | None = None
        self.reset()

    def _jacobian_axis(self) -> None:
        """The Jacobian norm on its own scale, on the right axis: it lives in another range
        than the mean activation (tens against tenths), and a log axis over both labelled its
        minor ticks into each other. A second ViewBox sharing the x axis, kept over the first."""
        p = self.epochs.plot
        self.jac_box = pg.ViewBox()
        p.showAxis("right")
        right = p.getAxis("right")
        right.setLabel("squared Jacobian norm", color="#282828")
        p.scene().addItem(self.jac_box)
        right.linkToView(self.jac_box)
        self.jac_box.setXLink(p)
        p.vb.sigResized.connect(self._sync_jacobian_box)

    def _sync_jacobian_box(self) -> None:
        self.jac_box.setGeometry(self.epochs.plot.vb.sceneBoundingRect())
        self.jac_box.linkedViewChanged(self.epochs.plot.vb, self.jac_box.XAxis)

    @property
    def frames(self) -> list[PlotFrame]:
        return [self.hist, self.units, self.epochs]

    def reset(self) -> None:
        self.hist_curve.setData([0, 1], [0])
        self.bars.setOpts(x=[], height=[])
        for line in self.rho_lines:
            line.setVisible(False)
        self.mean_curve.setData([], [])
        self.jac_curve.setData([], [])
        self._serial, self._epochs_drawn = 0, -1
        self.shown_means = None
        for f in self.frames:
            f.note.setText("")

    def update(self, snap: Snapshot) -> None:
        if snap.codes and snap.faces_serial != self._serial:
            self._serial = snap.faces_serial
            node, code = next(iter(snap.codes.items()))
            self._draw_sample(node, code)
            self.unit_names.follow_data()
        if len(snap.epochs) != self._epochs_drawn:
            self._epochs_drawn = len(snap.epochs)
            self._draw_epochs(snap)
            self.epoch_names.follow_data()

    def _draw_sample(self, node: str, code: dict[str, Any]) -> None:
        values = np.asarray(code.get("values", ()), np.float64)
        means = np.asarray(code.get("unit_mean", ()), np.float64).ravel()
        finite = values[np.isfinite(values)]
        unit_range = bool(len(finite)) and finite.min() >= 0.0 and finite.max() <= 1.0
        if len(finite):
            # codes in [0, 1] (a sigmoid): fixed bins, so a sparse code shows as a tall bar at 0
            counts, edges = np.histogram(finite, bins=BINS, range=(0.0, 1.0) if unit_range else None)
            self.hist_curve.setData(edges, counts)
            self.hist.note.setText(f"{node}: {values.shape[-1] if values.ndim == 2 else '?'} units, "
                                   f"{len(values)} examples")
        if len(means):
            self.bars.setOpts(x=np.arange(len(means)), height=means, width=0.8)
            self.units.plot.setXRange(-0.6, len(means) - 0.4, padding=0)
            self.units.note.setText(f"mean over units {np.nanmean(means):.3f}")
            self.shown_means = means
        self._show_rho(node)

    def _show_rho(self, node: str) -> None:
        """The target mean activation of a sparse code, where the encoder has one."""
        params = self.params(node)
        rho = params.get("rho")
        sparse = params.get("penalty") == "sparse" and isinstance(rho, (int, float))
        for line in self.rho_lines:
            line.setVisible(sparse)
            if sparse:
                line.setValue(float(rho))

    def _draw_epochs(self, snap: Snapshot) -> None:
        node = next(iter(snap.codes), None)
        xs, mean, jac = [], [], []
        for rep in snap.epochs:
            m = rep.code_mean_activation.get(node) if node else None
            j = rep.jacobian_norm.get(node) if node else None
            if m is None and j is None and rep.code_mean_activation:
                # the first sample has not come yet: the epoch reports name the node too
                node = next(iter(rep.code_mean_activation))
                m, j = rep.code_mean_activation.get(node), rep.jacobian_norm.get(node)
            xs.append(rep.epoch)
            mean.append(m if isinstance(m, (int, float)) and m > 0 else np.nan)
            jac.append(j if isinstance(j, (int, float)) and j > 0 else np.nan)
        if node:
            self._show_rho(node)
        self.mean_curve.setData(xs, mean, connect="finite")
        self.jac_curve.setData(xs, jac, connect="finite")
        # both from zero: a change from 0.48 to 0.47 must not look like a collapse
        for box, ys in ((self.epochs.plot.vb, mean), (self.jac_box, jac)):
            top = np.nanmax(ys) if np.isfinite(ys).any() else 1.0
            box.setYRange(0.0, 1.08 * top, padding=0)
        if xs and np.isfinite(mean[-1]):
            j = f", squared Jacobian norm {jac[-1]:.3g}" if np.isfinite(jac[-1]) else ""
            self.epochs.note.setText(f"epoch {xs[-1]}: mean activation {mean[-1]:.3f}{j}")


def _rho_line() -> pg.InfiniteLine:
    return pg.InfiniteLine(angle=0, pen=pen(RED, 1.5, dashed=True))
