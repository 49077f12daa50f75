"""A titled pyqtgraph plot with a Save-as-PNG button, styled to be read from the back of a room:
light background, dark text, thick lines, tick labels at a projector-friendly size."""
from __future__ import annotations

import time
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPen
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGraphicsItem,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.dashboard.plot_legend import PlotLegend

INK = QColor(40, 40, 40)
GRID_ALPHA = 0.25
TICK_PT = 10
TITLE_PT = 11
AXIS_LABEL_STYLE = {"color": "#282828", "font-size": f"{TICK_PT}pt"}

# series colours (Okabe-Ito: distinguishable for the colour-blind and on a washed-out projector)
BLUE, ORANGE, GREEN, RED = QColor(0, 114, 178), QColor(230, 159, 0), QColor(0, 158, 115), QColor(213, 94, 0)
PURPLE, SKY, YELLOW, GREY = QColor(204, 121, 167), QColor(86, 180, 233), QColor(240, 228, 66), QColor(120, 120, 120)
SERIES = (BLUE, ORANGE, GREEN, PURPLE, SKY, RED, YELLOW, GREY)


class PaintMeter:
    """CPU time the GUI thread has spent painting plots, so the dashboard can keep its share of
    the processor (and of the GIL it shares with training) within a budget."""

    def __init__(self) -> None:
        self.seconds = 0.0


PAINT_METER = PaintMeter()


OMITTED = "omitted"          # a dynamic property: the plot has nothing to show for this run


def omit(widget: QWidget, omitted: bool) -> None:
    """Leave a plot out of its grid (hidden, its place given to the others), or bring it back."""
    if bool(widget.property(OMITTED)) != omitted:
        widget.setProperty(OMITTED, omitted)
        widget.setVisible(not omitted)


class MeteredPlotWidget(pg.PlotWidget):
    def paintEvent(self, event) -> None:
        t = time.thread_time()
        super().paintEvent(event)
        PAINT_METER.seconds += time.thread_time() - t


class GrowingLimit:
    """An axis limit that doubles when the data passes it (up to a cap), so the axis is redrawn
    a handful of times per run instead of at every frame as an autoranged axis would be.

    With a cap (the run's length) the limit starts at an eighth of it: three jumps in any run
    (doubling from 1 took seven for 100 epochs), each one a redraw of the plot and its axes in
    the GUI thread while training waits for the GIL."""

    FIRST_SHARE = 1 / 8

    def __init__(self, start: float = 1.0):
        self.start = start
        self.value = start

    def reset(self) -> None:
        self.value = self.start

    def fit(self, needed: float, cap: float | None = None) -> bool:
        """Grow to cover `needed`; True when the limit changed (the caller sets the range)."""
        old = self.value
        if cap is not None and self.value == self.start:
            self.value = max(self.value, cap * self.FIRST_SHARE)
        while self.value < needed:
            self.value *= 2
        if cap is not None and cap >= needed:
            self.value = min(self.value, cap)
        return self.value != old


def pen(color: QColor, width: float = 2.0, dashed: bool = False) -> QPen:
    p = pg.mkPen(color, width=width)
    if dashed:
        p.setStyle(Qt.DashLine)
    return p


class PlotFrame(QFrame):
    """A title row (title, Save PNG button) above a PlotWidget; `plot` is its PlotItem."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = title
        self.setFrameShape(QFrame.StyledPanel)
        self.widget = MeteredPlotWidget(background="w")
        self.widget.setMinimumSize(180, 100)
        self.plot: pg.PlotItem = self.widget.getPlotItem()
        self.plot.setMenuEnabled(True)
        self.plot.showGrid(x=True, y=True, alpha=GRID_ALPHA)
        font = QFont()
        font.setPointSize(TICK_PT)
        for name in ("left", "bottom", "right", "top"):
            axis = self.plot.getAxis(name)
            axis.setTickFont(font)
            axis.setTextPen(INK)
            axis.setPen(INK)
            # "(x0.001)" beside an axis title puzzles more than it helps; views that show tiny
            # values (gradient histograms) switch it back on
            axis.enableAutoSIPrefix(False)
            # an axis is redrawn only when its range or ticks change, yet pyqtgraph replays its
            # tick labels at every repaint of the plot; caching it as a pixmap makes a frame
            # during training cost a few blits instead of re-rendering text (measured: the
            # largest share of the GUI thread's time)
            axis.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
            # the room for tick labels only grows: shrinking it when a run restarts from a
            # (0, 1) range and growing it back a second later moved the plot sideways twice a
            # run, each time a relayout and a redraw of every axis while training waited
            axis.setStyle(autoReduceTextSpace=False)
        self.title_label = QLabel(title)
        self.title_label.setTextFormat(Qt.PlainText)     # titles and notes name nodes of the file
        f = self.title_label.font()
        f.setPointSize(TITLE_PT)
        f.setBold(True)
        self.title_label.setFont(f)
        self.note = QLabel("")             # a short remark beside the title (e.g. "test set")
        self.note.setTextFormat(Qt.PlainText)
        # a note may say a lot (nodes, steps, figures): it is cut rather than let it widen the
        # dashboard and, through it, the window (a 1280-wide window grew to 1378 mid-run)
        self.note.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.note.setMinimumWidth(1)
        self.note.setStyleSheet("color: #555;")
        save = QToolButton()
        save.setText("Save PNG…")
        save.setAutoRaise(True)
        save.setToolTip(f"Save the '{title}' plot as a PNG image")
        save.clicked.connect(self._ask_save)
        self.save_button = save
        head = QHBoxLayout()
        head.setContentsMargins(4, 2, 2, 0)
        head.setSpacing(10)
        head.addWidget(self.title_label)
        head.addWidget(self.note, 1)
        head.addWidget(save)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.setSpacing(0)
        lay.addLayout(head)
        lay.addWidget(self.widget, 1)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self._left_names: tuple[str, ...] = ("",)
        self._left_shown, self._fitting_left = "", False

    def add_legend(self, beside: bool = False) -> pg.LegendItem:
        """The plot's legend, outside its plot area: a row above it, or a column to its right
        (`beside`, for a plot that keeps its aspect and so has width to spare). Curves made
        with a name join it, as with PlotItem.addLegend."""
        legend = PlotLegend(self.plot, INK, beside=beside)
        self.plot.legend = legend
        return legend

    def label_axes(self, bottom: str, left: str, *shorter: str) -> None:
        """Name the axes. The left name is written upwards along the plot's height, which a
        1280x720 window makes about 110 px (75 under a failed run's message): where `left` does
        not fit, the first of `shorter` that fits is shown instead, or the shortest (pyqtgraph
        would cut it, "weight-gradient n"), and the full name again when it fits."""
        self.plot.setLabel("bottom", bottom, **AXIS_LABEL_STYLE)
        self._left_names = (left, *shorter)
        self._left_shown = ""
        if shorter and not self._fitting_left:
            self._fitting_left = True
            self.plot.getAxis("left").geometryChanged.connect(self._fit_left_name)
        self._fit_left_name()

    @Slot()
    def _fit_left_name(self) -> None:
        font = QFont()
        font.setPointSize(TICK_PT)
        metrics = QFontMetrics(font)
        room = self.plot.getAxis("left").geometry().height()
        names = self._left_names
        name = next((n for n in names if room <= 0 or metrics.horizontalAdvance(n) <= room),
                    names[-1])
        if name != self._left_shown:
            self._left_shown = name
            self.plot.setLabel("left", name, **AXIS_LABEL_STYLE)
            # the axis centred its label for the old text in its resize, before this signal:
            # placed again for the new one, or a longer name hangs off the top ("weight-gradient nc")
            self.plot.getAxis("left").resizeEvent(None)

    def save_png(self, path: str | Path) -> bool:
        """The plot with its title, as shown, at the screen's pixel size."""
        return self.grab().save(str(path), "PNG")

    @Slot()
    def _ask_save(self) -> None:
        name = "".join(c if c.isalnum() else "_" for c in self.title.lower()).strip("_")
        path, _ = QFileDialog.getSaveFileName(self, f"Save '{self.title}' as PNG", f"{name}.png",
                                              "PNG image (*.png)")
        if path:
            self.save_png(path if path.lower().endswith(".png") else path + ".png")
