"""A dashboard plot that shows pictures rather than data: one mosaic of small images (made by
gui/training/tiles.py) with square pixels, first row on top, each row named on the left axis.
The reconstructions and the latent explorer draw their images in these."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFont

from gui.dashboard.plot_frame import INK, TICK_PT, PlotFrame


class ImageFrame:
    def __init__(self, title: str) -> None:
        self.frame = PlotFrame(title)
        p = self.frame.plot
        p.showGrid(x=False, y=False)
        p.setMouseEnabled(x=False, y=False)
        p.setMenuEnabled(False)
        p.hideButtons()
        p.setAspectLocked(True)       # an 8x8 digit stays square whatever the frame's shape
        p.invertY(True)               # row 0 of the mosaic at the top
        p.hideAxis("bottom")
        p.hideAxis("left")
        self.image = pg.ImageItem(axisOrder="row-major")
        p.addItem(self.image)
        self._font = QFont()
        self._font.setPointSize(TICK_PT + 1)
        self.message = pg.TextItem("", color=INK, anchor=(0.5, 0.5))
        self.message.setFont(self._font)
        p.addItem(self.message)
        self.shown: np.ndarray | None = None      # the RGB mosaic on screen (tests read it)
        self._shape: tuple = ()                   # (mosaic shape, row names) laid out
        self._names: list[pg.TextItem] = []

    def reset(self) -> None:
        self.reset_image()
        self.frame.note.setText("")
        self.say("")

    def reset_image(self) -> None:
        self.image.clear()
        self.shown = None
        self._shape = ()
        for t in self._names:
            self.frame.plot.removeItem(t)
        self._names = []

    def say(self, text: str) -> None:
        """A message in place of the images (why there is nothing to show yet)."""
        self.message.setText(text)
        if text:
            self.reset_image()
            self.message.setPos(0.5, 0.5)
            self.frame.plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)

    def show(self, rgb: np.ndarray, row_names: list[str] = (), row_h: int = 0, gap: int = 1) -> None:
        """An RGB uint8 mosaic (H, W, 3); row i (of height `row_h`, after `gap` pixels) named
        row_names[i] just left of it."""
        if self.message.toPlainText():
            self.message.setText("")
        self.image.setImage(rgb, autoLevels=False, levels=(0, 255))
        self.shown = rgb
        h, w = rgb.shape[:2]
        if (rgb.shape, list(row_names)) == self._shape:
            return
        # the layout changed: place the image and name its rows, just left of each row (the
        # locked aspect centres the image in a wide frame: an axis would name it from afar)
        self._shape = (rgb.shape, list(row_names))
        self.image.setRect(QRectF(0, 0, w, h))
        p = self.frame.plot
        for t in self._names:
            p.removeItem(t)
        self._names = []
        for i, name in enumerate(row_names):
            t = pg.TextItem(name, color=INK, anchor=(1, 0.5))
            t.setFont(self._font)
            t.setPos(-1, gap + i * (row_h + gap) + row_h / 2)
            p.addItem(t)
            self._names.append(t)
        margin = 0.3 * w if row_names else 0
        p.setRange(xRange=(-margin, w), yRange=(0, h), padding=0.02)
