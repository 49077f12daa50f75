"""Which plots presenter mode shows large, made fresh for it, and drawn larger.

The plots are new views, not the dashboard's own: every view draws from a run's Snapshot, so a
view made mid-run draws the whole run at once, and leaving presenter mode has nothing to put
back. A lesson file may name its plots (`meta.presenter.plots`); otherwise the graph decides.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyqtgraph as pg
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QWidget

from engine import blocks
from gui.dashboard.classes import BoundaryView, ConfusionView
from gui.dashboard.codes import CodeView
from gui.dashboard.curves import LossView, MetricsView
from gui.dashboard.free_energy import FreeEnergyView
from gui.dashboard.gan_curves import GanCurvesView
from gui.dashboard.gan_field import GanFieldView
from gui.dashboard.gan_sampler import GanSampler
from gui.dashboard.gradients import GradBarsView, HeatStripView
from gui.dashboard.plot_frame import TICK_PT, TITLE_PT
from gui.dashboard.rbm_pictures import RbmPicturesView
from gui.dashboard.reconstructions import ReconstructionsView
from gui.dashboard.views import GAN_FACE, RBM_FACE

RECONSTRUCTIONS_FACE = "reconstructions"
AXIS_NAME = 0.85         # an axis name's and a note's type against the ticks'
LEGEND = 1.3             # a legend's type against its usual: a row of entries must fit a plot
SCALED = "_presenter_scaled"     # set on a plot item once it has been drawn larger


def _gan_field(dash, page: QWidget) -> GanFieldView:
    s = dash.session
    return GanFieldView(GanSampler(s, page), lambda: s.status == "running")


def _boundary() -> BoundaryView:
    view = BoundaryView()
    # empty, it would autorange over nothing (ticks at 1e-28) until the first picture sets it
    view.frame.plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
    return view


# name -> what it shows (for messages and the docs) and how to make its view for a dashboard,
# given the page it goes on (what its helpers live and die with)
PLOTS: dict[str, tuple[str, Callable[[Any, QWidget], Any]]] = {
    "loss": ("the loss curves", lambda d, _page: LossView()),
    "metrics": ("accuracy (or R²) per epoch", lambda d, _page: MetricsView()),
    "gradients": ("gradient norm per layer", lambda d, _page: GradBarsView(d.session.thresholds)),
    "gradient_history": ("gradient norm over time", lambda d, _page: HeatStripView()),
    "boundary": ("the decision boundary", lambda d, _page: _boundary()),
    "confusion": ("the confusion matrix", lambda d, _page: ConfusionView()),
    "reconstructions": ("an autoencoder's reconstructions", lambda d, _page: ReconstructionsView()),
    "code": ("an autoencoder's code", lambda d, _page: CodeView(d.session.node_params)),
    "samples": ("a GAN's samples", _gan_field),
    "gan_losses": ("a GAN's losses and scores", lambda d, _page: GanCurvesView()),
    "rbm": ("an RBM's reconstructions and filters", lambda d, _page: RbmPicturesView(d.rbm_focus)),
    "free_energy": ("an RBM's free energies", lambda d, _page: FreeEnergyView(d.rbm_focus)),
}


def default_plots(doc, analysis, adversarial: bool) -> list[str]:
    """The plots that carry the lesson a graph teaches, from what its blocks declare and its
    data: a GAN its game, an RBM its pictures, an autoencoder its reconstructions, a
    classifier of points in a plane its boundary, a lesson about gradients its gradients."""
    faces = {getattr(blocks.get(n.type), "face", None) for n in doc.nodes.values()}
    if adversarial or GAN_FACE in faces:
        return ["samples", "gan_losses"]
    if RBM_FACE in faces:
        return ["rbm", "loss"]
    if RECONSTRUCTIONS_FACE in faces:
        return ["reconstructions", "loss"]
    datasets = analysis.datasets.values() if analysis is not None else ()
    if any(b.task == "classification" and b.x.ndim == 2 and b.x.shape[1] == 2 for b in datasets):
        return ["boundary", "loss", "metrics"]
    cli = doc.meta.get("cli")
    if isinstance(cli, dict) and cli.get("grad") is True:
        return ["loss", "gradients", "gradient_history"]
    return ["loss", "metrics", "gradients"]


@dataclass
class PlotPage:
    """The plots made for presenter mode: the page to show, and the views that draw on it."""

    widget: QWidget
    views: list
    names: list[str]

    @property
    def frames(self) -> list:
        return [f for v in self.views for f in (getattr(v, "frames", None) or [v.frame])]


def make_page(dash, names: list[str], scale: float) -> PlotPage:
    """The views `names` for DashboardWidget `dash`, side by side, drawn `scale` times larger."""
    widget = QWidget()
    row = QHBoxLayout(widget)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(6)
    views = [PLOTS[n][1](dash, widget) for n in names]
    page = PlotPage(widget, views, list(names))
    for frame in page.frames:
        row.addWidget(frame)
    enlarge(page.frames, scale)
    return page


# ---- larger type and thicker lines ---------------------------------------------------------
def _bigger(font: QFont, points: float) -> QFont:
    f = QFont(font)
    f.setPointSizeF(points)
    return f


def enlarge(frames: list, scale: float) -> None:
    """Draw `frames` (PlotFrames) larger: titles, ticks and axis names `scale` times the
    dashboard's type, and every line, marker and label on the plots `scale` times thicker.
    Items a view adds later are scaled by calling this again; none is scaled twice."""
    tick = TICK_PT * scale
    for frame in frames:
        if not getattr(frame, SCALED, False):
            setattr(frame, SCALED, True)
            frame.title_label.setFont(_bigger(frame.title_label.font(), TITLE_PT * scale))
            frame.note.setFont(_bigger(frame.note.font(), tick * AXIS_NAME))
            frame.save_button.hide()        # nobody saves a picture in front of a class
            for name in ("left", "bottom", "right", "top"):
                axis = frame.plot.getAxis(name)
                axis.setTickFont(_bigger(QFont(), tick))
                if axis.labelText:
                    # a size under the ticks': an axis name longer than its side is cut
                    style = dict(axis.labelStyle, **{"font-size": f"{tick * AXIS_NAME:.0f}pt"})
                    axis.setLabel(axis.labelText, units=axis.labelUnits, **style)
        for item in frame.plot.items:
            _thicken(item, scale)
        legend = frame.plot.legend
        if legend is not None:
            for _sample, label in legend.items:
                if not getattr(label, SCALED, False):
                    setattr(label, SCALED, True)
                    label.setText(label.text, size=_points(label.opts.get("size"), LEGEND))


def _points(size: Any, scale: float) -> str:
    """A label's size ('9pt') `scale` times larger; the ticks' size when it has none."""
    try:
        points = float(str(size).removesuffix("pt"))
    except ValueError:
        points = TICK_PT
    return f"{points * scale:.1f}pt"


def _thicker(pen_spec: Any, scale: float):
    pen = pg.mkPen(pen_spec)
    pen.setWidthF(max(pen.widthF(), 1.0) * scale)
    return pen


def _thicken(item: Any, scale: float) -> None:
    if getattr(item, SCALED, False):
        return
    setattr(item, SCALED, True)
    if isinstance(item, pg.PlotDataItem):
        if item.opts.get("pen") is not None:
            item.setPen(_thicker(item.opts["pen"], scale))
        if item.opts.get("symbol") is not None or item.opts.get("symbolSize"):
            item.setSymbolSize(item.opts["symbolSize"] * scale)
    elif isinstance(item, pg.PlotCurveItem):
        if item.opts.get("pen") is not None:
            item.setPen(_thicker(item.opts["pen"], scale))
    elif isinstance(item, pg.ScatterPlotItem):
        item.setSize(item.opts["size"] * scale)
    elif isinstance(item, pg.InfiniteLine):
        item.setPen(_thicker(item.pen, scale))
        if getattr(item, "label", None) is not None:
            item.label.setFont(_bigger(QFont(), TICK_PT * scale))
    elif isinstance(item, pg.TextItem):
        # words inside a plot (a picture's row names, a matrix's counts) have only the room
        # their plot leaves them: a legend's growth, not the ticks'
        font = item.textItem.font()
        item.setFont(_bigger(font, font.pointSizeF() * LEGEND))
