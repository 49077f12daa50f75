"""The overfitting monitor of an RBM: per epoch of its pretraining, the mean free energy of a
fixed sample of training rows and of held-out (validation) rows. An RBM gives the data it has
learnt low free energy; while both curves fall together it learns the kind of data, and when
the training rows' keeps falling below the held-out rows' it is learning those rows by heart."""
from __future__ import annotations

import numpy as np

from gui.dashboard.plot_frame import BLUE, ORANGE, PlotFrame, pen
from gui.dashboard.rbm_figures import epoch_figures
from gui.dashboard.rbm_focus import RbmFocus
from gui.training.run_state import Snapshot


class FreeEnergyView:
    def __init__(self, focus: RbmFocus) -> None:
        self.focus = focus
        self.frame = PlotFrame("Free energy")
        self.frame.label_axes("epoch of its pretraining", "mean free energy (nats)", "free energy")
        self.frame.setToolTip(
            "Lower free energy is what an RBM gives the data it has learnt. Both curves falling "
            "together: it learns digits. The training rows' curve falling below the held-out "
            "rows' and the gap growing: it learns the training rows by heart (overfitting).")
        p = self.frame.plot
        self.frame.add_legend()
        self.train_curve = p.plot(pen=pen(BLUE, 2.5), symbol="o", symbolSize=6, symbolBrush=BLUE,
                                  symbolPen=None, name="training rows")
        self.val_curve = p.plot(pen=pen(ORANGE, 2.5, dashed=True), symbol="s", symbolSize=6,
                                symbolBrush=ORANGE, symbolPen=None, name="held-out rows")
        self._drawn: tuple = ()
        self.gap: float | None = None      # held-out minus training at the last epoch shown

    def reset(self) -> None:
        self.train_curve.setData([], [])
        self.val_curve.setData([], [])
        self.frame.note.setText("")
        self._drawn = ()
        self.gap = None

    def update(self, snap: Snapshot) -> None:
        node = self.focus.node(snap)
        drawn = (node, len(snap.epochs))
        if drawn == self._drawn or node is None:
            return
        self._drawn = drawn
        train = epoch_figures(snap, node, "train", "free_energy")
        val = epoch_figures(snap, node, "val", "free_energy")
        self.train_curve.setData(*train)
        self.val_curve.setData(*val)
        if not len(train[0]):
            self.frame.note.setText(f"{node}: from its first epoch")
            self.gap = None
            return
        p = self.frame.plot
        last = float(max(train[0][-1], val[0][-1] if len(val[0]) else 0))
        p.setXRange(0.5, max(2.0, last) + 0.5, padding=0)
        ys = np.concatenate([train[1], val[1]])
        lo, hi = float(np.nanmin(ys)), float(np.nanmax(ys))
        room = max(0.5, 0.08 * (hi - lo))
        p.setYRange(lo - room, hi + room, padding=0)
        # the note is short (a quarter of a 1280-wide dock): the gap is the figure to watch
        text = ""
        if len(val[0]) and val[0][-1] == train[0][-1]:
            self.gap = float(val[1][-1] - train[1][-1])
            text = f"gap {self.gap:+.2f}"
        self.frame.note.setText(text)
        self.frame.note.setToolTip(
            f"{node}, epoch {int(train[0][-1])}: training rows {train[1][-1]:.3f} nats"
            + (f", held-out rows {val[1][-1]:.3f} nats" if len(val[0]) else ""))
