"""What a GAN's generator makes, live. For two-dimensional data: real points and generated
points over the discriminator's score as a heat map (green where it says 'real', purple where
it says 'fake'), with an arrow on each generated point along minus the gradient of the
generator's loss there: the way the generator's next update moves it. For image data: a grid
of pictures made from one fixed batch of noise, so the grid changes only as the generator
learns.

Everything shown at once is answered by one request to the run (gui/training/gan_mailbox.py),
so the heat map, the points and the arrows belong to the same weights; while the run trains the
training thread answers it (GanSampler), at most ASK_INTERVAL_S apart.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor

from gui.dashboard.gan_figures import arrows, gan_node
from gui.dashboard.image_frame import ImageFrame
from gui.dashboard.plot_frame import INK, PlotFrame, omit, pen
from gui.training.run_state import Snapshot
from gui.training.tiles import grid

ASK_INTERVAL_S = 0.25          # a few heat maps a second, whatever the frame rate
GRID_STEPS = 96               # per side of the map, which fills the plot's (wide) view
SAMPLES = 256
ARROW_EVERY = 2                # an arrow on every second sample: all of them are a thicket
ARROW_SHARE = 0.12             # the longest arrow, as a share of the data's width
PICTURES = 64
PICTURE_COLUMNS = 8
REAL = QColor(0, 130, 90)
FAKE = QColor(126, 47, 142)
# D's probability of 'real': purple (fake) through white (unsure) to green (real), pale so the
# points stay the strongest marks
HEAT = pg.ColorMap([0.0, 0.5, 1.0], [QColor(176, 132, 204), QColor(255, 255, 255),
                                     QColor(112, 196, 146)])


class GanFieldView:
    def __init__(self, sampler: Any, running: Callable[[], bool]) -> None:
        self.sampler = sampler
        self.running = running
        self.frame = PlotFrame("Discriminator and samples")
        self.frame.label_axes("x₁", "x₂")
        self.frame.setToolTip(
            "Background: the discriminator's probability that a point is real (green 'real', "
            "purple 'fake', white unsure). Green dots: real data. Purple dots: the generator's "
            "samples of a fixed batch of noise. Arrows: the way the generator's next update "
            "moves each sample (minus the gradient of its loss); the longer, the harder it is "
            "pushed (the length grows as the square root of the gradient's size, so small "
            "pushes stay visible).")
        p = self.frame.plot
        p.setAspectLocked(True)
        p.setMouseEnabled(x=False, y=False)
        p.showGrid(x=False, y=False)
        self.heat = pg.ImageItem(axisOrder="row-major")
        self.heat.setLookupTable(HEAT.getLookupTable(0.0, 1.0, 256))
        self.heat.setZValue(-10)
        p.addItem(self.heat)
        # the real points on top, ringed in white: the modes are small and the samples pile
        # onto them once the generator finds them
        self.real = pg.ScatterPlotItem(size=8, pen=pg.mkPen("w", width=1), brush=pg.mkBrush(REAL),
                                       name="real")
        self.fake = pg.ScatterPlotItem(size=6, pen=None, brush=pg.mkBrush(FAKE),
                                       name="generated")
        self.arrows = pg.PlotCurveItem(pen=pen(INK, 1.2), connect="pairs", name="moves")
        for item in (self.arrows, self.fake, self.real):
            p.addItem(item)
        legend = self.frame.add_legend(beside=True)
        for item, name in ((self.real, "real"), (self.fake, "generated"), (self.arrows, "G's push")):
            legend.addItem(item, name)
        self.message = pg.TextItem("", color=INK, anchor=(0.5, 0.5))
        p.addItem(self.message)
        p.vb.sigRangeChanged.connect(self._range_changed)
        self.pictures = ImageFrame("Generated pictures")
        self.pictures.frame.setToolTip(
            "What the generator makes of one fixed batch of noise, redrawn as it learns: the same "
            "noise every time, so any change is the generator's.")
        self.frames = [self.frame, self.pictures.frame]
        self.reset()

    # ---- state -----------------------------------------------------------------------------
    def reset(self) -> None:
        self.heat.clear()
        self.real.setData([], [])
        self.fake.setData([], [])
        self.arrows.setData([], [])
        self.pictures.reset()
        self.frame.note.setText("")
        self.message.setText("")
        self.shown: dict[str, Any] | None = None      # the answer drawn (tests read it)
        self.extent: tuple[float, float, float, float] | None = None     # the map's, last drawn
        self.data_extent: tuple[float, float, float, float] | None = None    # around the data
        self.kind = ""                 # "points" | "samples": what the run's generator makes
        self._asked: tuple = ()        # (snapshot version, time) of the last request
        self._asked_step = 0
        self._node = ""
        omit(self.frame, False)
        omit(self.pictures.frame, True)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        if text:
            self.message.setPos(0.5, 0.5)
            self.frame.plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)

    # ---- asking ----------------------------------------------------------------------------
    def update(self, snap: Snapshot) -> None:
        node = gan_node(snap.images)
        if node is None:
            if snap.start is not None and self.shown is None:
                self._say("the samples appear at the first sample")
            return
        kind = "points" if "points" in snap.images[node] else "samples"
        if kind != self.kind:
            self.kind = kind
            omit(self.frame, kind != "points")
            omit(self.pictures.frame, kind == "points")
        if self.sampler.waiting or (self._asked and self._asked[0] == snap.version):
            return
        now = time.perf_counter()
        if self.running() and self._asked and now - self._asked[1] < ASK_INTERVAL_S:
            return
        self._asked, self._asked_step, self._node = (snap.version, now), snap.global_step, node
        self.sampler.request(node, self.request(), self._answered)

    def request(self) -> dict[str, Any]:
        if self.kind == "points":
            return {"n": SAMPLES, "seed": 0, "steps": GRID_STEPS, "extent": self._map_extent(),
                    "real": self.data_extent is None}
        return {"pictures": PICTURES, "seed": 0}

    def _range_changed(self, *_args) -> None:
        self._cover()

    def _cover(self) -> None:
        """Ask for the map again when it does not cover the plot: the first map covers the
        data's square, and the plot shows more once laid out (a wide frame, the aspect locked),
        or after the dock is resized. Without this a paused run's map would stay short."""
        wanted, have = self._map_extent(), self.extent
        if wanted is None or have is None or self.sampler.waiting or not self._node:
            return
        slack = 0.02 * (have[1] - have[0])
        if (wanted[0] < have[0] - slack or wanted[1] > have[1] + slack
                or wanted[2] < have[2] - slack or wanted[3] > have[3] + slack):
            self.sampler.request(self._node, self.request(), self._answered)

    def _map_extent(self) -> tuple[float, float, float, float] | None:
        """The region the heat map covers: the whole visible plot (wider than the data's square
        when the frame is wide, since the aspect is locked), at least the data's square."""
        d = self.data_extent
        if d is None:
            return None
        (vx0, vx1), (vy0, vy1) = self.frame.plot.vb.viewRange()
        return (min(vx0, d[0]), max(vx1, d[1]), min(vy0, d[2]), max(vy1, d[3]))

    # ---- drawing ---------------------------------------------------------------------------
    def _answered(self, answer: dict[str, Any] | None) -> None:
        if answer is None:
            self.frame.note.setText(self.sampler.problem)
            self.pictures.frame.note.setText(self.sampler.problem)
            return
        self.shown = answer
        if "grid" in answer:
            self._draw_field(answer)
        if "pictures" in answer:
            pics = np.asarray(answer["pictures"])
            self.pictures.show(grid(pics, PICTURE_COLUMNS))
            self.pictures.frame.note.setText(
                f"step {self._asked_step} · fixed noise")

    def _draw_field(self, answer: dict[str, Any]) -> None:
        if self.message.toPlainText():
            self.message.setText("")
        x0, x1, y0, y1 = answer["extent"]
        if "real" in answer:
            real = np.asarray(answer["real"])
            self.real.setData(real[:, 0], real[:, 1])
            if self.data_extent is None:
                self.data_extent = answer["extent"]
                self.frame.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        if answer["extent"] != self.extent:
            self.extent = answer["extent"]
            self.heat.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        self.heat.setImage(np.asarray(answer["grid"]), autoLevels=False, levels=(0.0, 1.0))
        pts, grads = np.asarray(answer["points"]), np.asarray(answer["gradients"])
        self.fake.setData(pts[:, 0], pts[:, 1])
        d = self.data_extent or self.extent
        segs = arrows(pts[::ARROW_EVERY], grads[::ARROW_EVERY], ARROW_SHARE * (d[1] - d[0]))
        self.arrows.setData(segs[:, 0], segs[:, 1], connect="pairs") if len(segs) \
            else self.arrows.setData([], [])
        (vx0, vx1), (vy0, vy1) = self.frame.plot.vb.viewRange()
        outside = int(np.sum((pts[:, 0] < vx0) | (pts[:, 0] > vx1)
                             | (pts[:, 1] < vy0) | (pts[:, 1] > vy1)))
        text = f"step {self._asked_step}"
        if outside:
            text += f" · {outside} of {len(pts)} samples off the map"
        self.frame.note.setText(text)
        self._cover()          # last: a paused run answers at once, and draws over this one
