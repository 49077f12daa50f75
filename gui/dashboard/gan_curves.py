"""A GAN's game, epoch by epoch: the two networks' losses, and the discriminator's mean score of
real examples, D(x), and of generated ones, D(G(z)). Neither loss falling says the samples got
better (each network's loss is measured against the other, which moves too); the scores say who
is winning: D(G(z)) near 0 for long is a discriminator that has won, and the generator's
gradient then tells it little."""
from __future__ import annotations

import numpy as np

from gui.dashboard.curves import _set_series, epoch_series
from gui.dashboard.plot_frame import BLUE, GREEN, GREY, ORANGE, PURPLE, PlotFrame, pen
from gui.training.run_state import Snapshot

UNSURE = 0.5             # the score of a discriminator that cannot tell real from generated
HEADROOM = 1.08          # the axes reach this far above the highest value


def _curve(plot, color, name: str, symbol: str, dashed: bool = False):
    return plot.plot(pen=pen(color, 2.5, dashed=dashed), symbol=symbol, symbolSize=6,
                     symbolBrush=color, symbolPen=None, name=name)


class GanCurvesView:
    def __init__(self) -> None:
        self.losses = PlotFrame("Losses")
        self.losses.label_axes("epoch", "loss (per epoch)", "loss")
        self.losses.setToolTip(
            "The discriminator's loss (telling real from generated) and the generator's (fooling "
            "the discriminator), averaged over each epoch's updates. They fight: one falls when "
            "the other rises, and neither falling means the samples improved.")
        self.losses.add_legend()
        p = self.losses.plot
        self.d_loss = _curve(p, BLUE, "D", "o")
        self.g_loss = _curve(p, ORANGE, "G", "s", dashed=True)
        self.scores = PlotFrame("D(x), D(G(z))")
        self.scores.label_axes("epoch", "mean probability 'real'", "P(real)")
        self.scores.setToolTip(
            "D(x): the discriminator's mean probability that real examples are real. D(G(z)): the "
            "same for generated ones. At 0.5 both, it cannot tell them apart; D(G(z)) near 0 for "
            "long means it has won and the generator learns little.")
        self.scores.add_legend()
        q = self.scores.plot
        q.addLine(y=UNSURE, pen=pen(GREY, 1.2, dashed=True))
        self.d_real = _curve(q, GREEN, "D(x) real", "o")
        self.d_fake = _curve(q, PURPLE, "D(G(z)) fake", "s", dashed=True)
        q.setYRange(0, 1.02, padding=0)
        q.getAxis("left").setTicks([[(v, f"{v:g}") for v in (0, 0.25, 0.5, 0.75, 1)]])
        q.disableAutoRange(axis="y")
        self.frames = [self.losses, self.scores]
        self._drawn: tuple = ()

    def reset(self) -> None:
        for c in (self.d_loss, self.g_loss, self.d_real, self.d_fake):
            c.setData([], [])
        for f in self.frames:
            f.note.setText("")
        self._drawn = ()

    def update(self, snap: Snapshot) -> None:
        if snap.start is None:
            return
        drawn = (len(snap.epochs), snap.done is not None)
        if drawn == self._drawn:
            return
        self._drawn = drawn
        series = {c: epoch_series(snap, "train", key) for c, key in (
            (self.d_loss, "d_loss"), (self.g_loss, "g_loss"), (self.d_real, "d_real"),
            (self.d_fake, "d_fake"))}
        for curve, xy in series.items():
            _set_series(curve, xy, "o" if curve in (self.d_loss, self.d_real) else "s")
        d, g = series[self.d_loss][1], series[self.g_loss][1]
        if len(d) and len(g):
            self.losses.note.setText(f"D {d[-1]:.2f} · G {g[-1]:.2f}")
        real, fake = series[self.d_real][1], series[self.d_fake][1]
        if len(real) and len(fake):
            # the title names the two in this order: the note must fit a 1280-wide window
            self.scores.note.setText(f"{real[-1]:.2f} · {fake[-1]:.2f}")
        last = max((float(xy[0][-1]) for xy in series.values() if len(xy[0])), default=1.0)
        for f in self.frames:
            f.plot.setXRange(0, max(1.0, last) * 1.02, padding=0)
        ys = np.concatenate([d, g]) if len(d) or len(g) else np.zeros(0)
        ys = ys[np.isfinite(ys)]
        if len(ys):
            self.losses.plot.setYRange(0, float(ys.max()) * HEADROOM + 1e-6, padding=0)
