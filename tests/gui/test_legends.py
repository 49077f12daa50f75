"""Legends beside or above the plots, never on the data; reference lines named where the names
neither collide nor get cut. Checked on real lessons after a few epochs, in a 1280x720 window
(a projector), on every dashboard view the run has."""
from __future__ import annotations

import itertools

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QApplication

from gui.app import settle
from gui.dashboard.line_names import DATA_PLACE_S
from gui.dashboard.plot_frame import PlotFrame
from gui.dashboard.screenshot import run_until_epochs
from tests.conftest import GRAPHS
from tests.gui.conftest import shown_window

MIN_TEXT_PX = 11
EPOCHS = 3
# each lesson stands for a family of plots: curves and gradient thresholds (deep sigmoid, the
# exploding pair), phase lines (the belief network), a code with its target rho and a latent
# legend of ten digits (sparse autoencoder), a GAN's map and curves
LESSONS = ("deep_sigmoid.json", "exploding.json", "exploding_clipped.json", "dbn_digits.json",
           "sparse_autoencoder.json", "gan_ring.json")
DATA_TYPES = (pg.PlotCurveItem, pg.ScatterPlotItem, pg.BarGraphItem, pg.ImageItem)
# plots whose reference names have room off the data in these lessons: there they must not
# touch a bar (deep sigmoid: the short input-side bars leave the left half free)
ROOM_TO_SPARE = {("deep_sigmoid.json", "Gradient norm per layer")}


@pytest.fixture
def projector(qtbot, tmp_path):
    """The main window as a class sees it: 1280x720 from the first show."""
    w = shown_window(qtbot, tmp_path, (1280, 720))
    yield w
    w.session.shutdown()
    w.controller.set_locked(False)
    w.controller.undo_stack.setClean()


def _leaves(item):
    """The items that draw data: a PlotDataItem draws through its curve and its scatter."""
    if isinstance(item, pg.PlotDataItem):
        return [item.curve, item.scatter]
    return [item]


def _has_data(item) -> bool:
    if isinstance(item, pg.ImageItem):
        return item.image is not None
    if isinstance(item, pg.BarGraphItem):
        return len(item.opts.get("height") if item.opts.get("height") is not None else []) > 0
    x, _y = item.getData()
    return x is not None and len(x) > 0


def data_box(frame: PlotFrame) -> QRectF:
    """The bounding box, in scene coordinates, of what the plot's view boxes draw of their data
    (a second view box, e.g. a right-hand axis's, included), cut to the part in view."""
    box = QRectF()
    for vb in [i for i in frame.plot.scene().items() if isinstance(i, pg.ViewBox)]:
        for added in vb.addedItems:
            for item in _leaves(added):
                if not isinstance(item, DATA_TYPES) or not item.isVisible() or not _has_data(item):
                    continue
                drawn = item.mapRectToScene(item.boundingRect())
                box = box.united(drawn.intersected(vb.sceneBoundingRect()))
    return box


def legends(frame: PlotFrame) -> list[pg.LegendItem]:
    return [i for i in frame.plot.scene().items()
            if isinstance(i, pg.LegendItem) and i.isVisible() and i.items]


def reference_labels(frame: PlotFrame) -> list[pg.TextItem]:
    """The names of the plot's reference lines, wherever they are kept."""
    found = []
    for item in frame.plot.scene().items():
        if isinstance(item, pg.InfLineLabel) or getattr(item, "names_line", None) is not None:
            if item.isVisible() and item.textItem.toPlainText():
                found.append(item)
    return found


def bar_rects(frame: PlotFrame) -> list[QRectF]:
    """Each bar of the plot's bar charts, in scene coordinates."""
    out = []
    for item in frame.plot.vb.addedItems:
        if isinstance(item, pg.BarGraphItem) and item.opts.get("x") is not None:
            o = item.opts
            for x, h in zip(o["x"], o["height"]):
                r = QRectF(x - o["width"] / 2, o["y0"], o["width"], h)
                out.append(item.mapRectToScene(r).normalized())
    return out


def _problems(lesson: str, view: str, frame: PlotFrame) -> list[str]:
    where = f"{lesson} {view} '{frame.title_label.text()}'"
    out = []
    data = data_box(frame)
    for legend in legends(frame):
        rect = legend.sceneBoundingRect()
        if not data.isEmpty() and rect.intersects(data):
            out.append(f"{where}: legend {rect.getRect()} on the data {data.getRect()}")
        for _sample, label in legend.items:
            px = QFontInfo(label.item.font()).pixelSize()
            if px < MIN_TEXT_PX:
                out.append(f"{where}: legend text '{label.text}' at {px} px")
    plot_area = frame.plot.vb.sceneBoundingRect()
    labels = reference_labels(frame)
    for label in labels:
        rect = label.sceneBoundingRect()
        if not plot_area.contains(rect):
            out.append(f"{where}: '{label.textItem.toPlainText()}' {rect.getRect()} cut by the "
                       f"plot's edge {plot_area.getRect()}")
    if (lesson, frame.title_label.text()) in ROOM_TO_SPARE:
        bars = bar_rects(frame)
        assert bars and labels, where
        for label in labels:
            if any(label.sceneBoundingRect().intersects(bar) for bar in bars):
                out.append(f"{where}: '{label.textItem.toPlainText()}' on a bar")
    for a, b in itertools.combinations(labels, 2):
        if a.sceneBoundingRect().intersects(b.sceneBoundingRect()):
            out.append(f"{where}: '{a.textItem.toPlainText()}' overlaps "
                       f"'{b.textItem.toPlainText()}'")
    return out


@pytest.mark.parametrize("lesson", LESSONS)
def test_no_legend_on_the_data_and_reference_names_apart_at_1280x720(projector, qtbot, lesson):
    w = projector
    app = QApplication.instance()
    assert w.open_path(GRAPHS / lesson, ask=False)
    w.show_start_of_graph()
    settle(app)
    assert run_until_epochs(w.session, EPOCHS) in ("epochs", "finished")
    dash = w.dashboard.dashboard
    problems, checked = [], 0
    for view in dash.available_views():
        assert dash.show_view(view)
        settle(app)
        qtbot.wait(int(DATA_PLACE_S * 1000) + 100)     # names follow the data this often
        page = dash.tabs.currentWidget()
        for frame in page.findChildren(PlotFrame):
            if frame.isVisible():
                checked += 1
                problems += _problems(lesson, view, frame)
    assert checked, f"{lesson}: no plot shown"
    assert not problems, "\n".join(problems)


def test_a_legend_too_long_for_two_rows_shows_its_short_names(qtbot):
    from gui.dashboard.plot_legend import MAX_ROWS
    frame = PlotFrame("Loss")
    qtbot.addWidget(frame)
    legend = frame.add_legend()
    for name, short in (("per step", "step"), ("epoch mean", "mean"), ("validation", "val.")):
        legend.shorten(frame.plot.plot([0, 1], [0, 1], name=name), short)
    for term in ("loss", "l2"):
        legend.addItem(frame.plot.plot([0, 1], [1, 0]), f"term: {term}", term)

    def shown():
        return [label.text for _sample, label in legend.items]

    def rows():
        return -(-len(legend.items) // legend.columnCount)

    frame.resize(250, 170)                 # the Loss plot's size in a 1280x720 window
    frame.show()
    qtbot.waitUntil(lambda: shown() == ["step", "mean", "val.", "loss", "l2"])
    assert rows() <= MAX_ROWS
    frame.resize(900, 300)                 # room for every full name
    qtbot.waitUntil(lambda: shown()[-1] == "term: l2")
    assert shown() == ["per step", "epoch mean", "validation", "term: loss", "term: l2"]
    assert rows() <= MAX_ROWS
