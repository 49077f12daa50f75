"""The dashboard: every plot of a run in tabs, redrawn on a ~30 Hz timer from the newest
RunState snapshot. The timer, not the worker, decides when to draw, so training never waits for
painting; only the visible tab is redrawn, and nothing is drawn when nothing changed. The
autoencoder tabs (Reconstructions, Code, Latent) are shown only for runs that have that data,
and the RBM tabs (Pretraining, Gibbs) only for runs that pretrain RBMs."""
from __future__ import annotations

import time

from PySide6.QtCore import QEvent, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.dashboard.classes import BoundaryView, ConfusionView
from gui.dashboard.codes import CodeView
from gui.dashboard.curves import LossView, MetricsView
from gui.dashboard.figures_text import figures_text
from gui.dashboard.free_energy import FreeEnergyView
from gui.dashboard.gan_curves import GanCurvesView
from gui.dashboard.gan_field import GanFieldView
from gui.dashboard.gan_figures import gan_node, outcome
from gui.dashboard.gan_sampler import GanSampler
from gui.dashboard.gibbs_sampler import GibbsSampler
from gui.dashboard.gibbs_view import GibbsView
from gui.dashboard.gradients import GradBarsView, HeatStripView
from gui.dashboard.latent import LatentView
from gui.dashboard.latent_decoder import LatentDecoder
from gui.dashboard.layers import ActivationView, HistogramView
from gui.dashboard.outcome_line import OutcomeLine
from gui.dashboard.phase_progress import PhaseProgressView
from gui.dashboard.plot_frame import OMITTED, PAINT_METER, PlotFrame
from gui.dashboard.rbm_figures import autoencoder_images, pretrains
from gui.dashboard.rbm_focus import RbmFocus
from gui.dashboard.rbm_pictures import RbmPicturesView
from gui.dashboard.reconstructions import ReconstructionsView
from gui.dashboard.views import (
    AUTOENCODER_VIEWS,
    GAN_FACE,
    GAN_VIEW,
    NAMES,
    RBM_FACE,
    RBM_VIEWS,
    TITLES,
)
from gui.training.run_state import RunState, Snapshot
from gui.training.training_session import TrainingSession

FRAME_MS = 33
SUMMARY_STYLE = "QLabel { padding: 6px; font-size: 12pt; border-radius: 4px; "
LAST_RUN = "Last run: "     # the outcome shown while the next run trains
# while a run trains, drawing may take at most this share of one core (measured on the GUI
# thread's CPU clock): past it, frames are skipped. Training shares the GIL with drawing, so
# every millisecond drawn is a millisecond of training lost on a small machine. Measured on
# two cores (bench/gui_latency.py, paired ratios): 0.73-0.78 of headless speed at 8%, 0.81-0.87
# at 4%; at 5% each Overview plot redraws about once a second there at full speed (more on a
# faster CPU, and all of them at once when the run pauses or ends).
GUI_SHARE = 0.05
LATENT_STACK_MIN_H = 48   # px of plot under each of the latent tab's two stacked titles
# the views made with a tab when it is first needed, by the index of their tab
_LAZY_VIEWS = {"hist": 1, "acts": 1, "confusion": 2, "boundary": 2, "recon": 3, "code": 4,
               "latent_decoder": 5, "latent": 5, "rbm_pictures": 6, "free_energy": 6,
               "phase_progress": 6, "gibbs": 7, "gan_field": 8, "gan_curves": 8}
_KEYS = (("accuracy", "accuracy"), ("r2", "R²"), ("mae", "MAE"),
         ("recon_error", "reconstruction error (squared, per pixel)"))


class AdaptiveGrid(QWidget):
    """Four plots in a row when the space is wide (a dock under the canvas), 2 x 2 otherwise.
    A plot a run has nothing for is left out (`omit`) and gives its place to the others."""

    def __init__(self, widgets: list[QWidget], parent: QWidget | None = None):
        super().__init__(parent)
        self.widgets = widgets
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(4)
        self._wide = False
        self._placed: tuple | None = None
        for w in widgets:
            w.installEventFilter(self)
        # start in one row, as the dock under the canvas shows it: started 2 x 2, the grid
        # asked for twice the height before its first resize, and a 1280x720 window grew to
        # 739 px to give it (a window grows for a minimum size and never shrinks back)
        self._arrange(True)

    def _arrange(self, wide: bool) -> None:
        shown = [w for w in self.widgets if not w.property(OMITTED)]
        placed = (wide, tuple(id(w) for w in shown))
        if placed == self._placed:
            return
        self._wide, self._placed = wide, placed
        for w in self.widgets:
            self.grid.removeWidget(w)
        columns = len(shown) if wide else min(2, len(shown))
        for i, w in enumerate(shown):
            self.grid.addWidget(w, 0 if wide else i // 2, i if wide else i % 2)
        for c in range(4):
            self.grid.setColumnStretch(c, 1 if c < columns else 0)

    def eventFilter(self, obj, event) -> bool:
        if event.type() in (QEvent.ShowToParent, QEvent.HideToParent):
            self._arrange(self._wide)
        return False

    def resizeEvent(self, event) -> None:
        self._arrange(event.size().width() > 2.8 * event.size().height())
        super().resizeEvent(event)


class DashboardWidget(QWidget):
    snapshot_shown = Signal(object)      # every snapshot drawn (progress displays listen)

    def __init__(self, session: TrainingSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        t = session.thresholds
        self.loss, self.metrics = LossView(), MetricsView()
        self.bars, self.heat = GradBarsView(t), HeatStripView()
        self.rbm_focus = RbmFocus(self)
        self.rbm_focus.changed.connect(self._rbm_chosen)
        self.layer_combo = QComboBox()
        self.layer_combo.setToolTip("The layer whose weights and gradients are sampled (selecting "
                                    "a Dense node on the canvas does the same)")
        self.layer_combo.currentTextChanged.connect(self._layer_chosen)
        self.summary = OutcomeLine()
        self.summary.hide()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        # only the Overview is built now: the other tabs' plots are made when a tab is first
        # shown or a view is first asked for (building all of them was three quarters of the
        # window's start-up); until then a tab is an empty page with no views to draw
        self._pages: list[tuple[QWidget, list]] = [
            (self._overview_page(), [self.loss, self.metrics, self.bars, self.heat])]
        for _ in TITLES[1:]:
            holder = QWidget()
            QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
            self._pages.append((holder, []))
        for (page, _), title in zip(self._pages, TITLES):
            self.tabs.addTab(page, title)
        self.tabs.setCornerWidget(self._corner_buttons(), Qt.TopRightCorner)
        self.tabs.currentChanged.connect(self._tab_changed)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.summary)
        lay.addWidget(self.tabs, 1)
        self.snap: Snapshot | None = None
        self.large: QWidget | None = None         # plots shown in place of the tabs (show_large)
        self._drawn = [-1] * len(self._pages)      # state version each tab last drew
        self._turn = 0                             # which plot's turn it is while training
        self._frame_cost = 0.0                     # CPU seconds of the last frame, paint included
        self._painted = 0.0
        self._last_frame = 0.0
        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self.refresh)
        session.state_replaced.connect(self._state_replaced)
        session.state_changed.connect(self._state_changed)
        session.thresholds_changed.connect(self._thresholds_changed)
        session.histogram_node_changed.connect(self._histogram_node_changed)
        session.run_finished.connect(self._run_finished)
        self.reset()

    # ---- pages -----------------------------------------------------------------------------
    def __getattr__(self, name: str):
        """A view of a tab not built yet (dashboard.recon, .gibbs, ...): build its tab."""
        index = _LAZY_VIEWS.get(name)
        if index is None or name.startswith("_"):
            raise AttributeError(name)
        self._build(index)
        return self.__dict__[name]

    def built(self, index: int) -> bool:
        return bool(self._pages[index][1])

    def _build(self, index: int) -> None:
        """Make tab `index`'s views and lay them out in its page, once."""
        if self.built(index):
            return
        s = self.session
        if index == 1:
            self.hist, self.acts = HistogramView(), ActivationView(s.thresholds)
            content, views = self._layers_page(), [self.hist, self.acts]
        elif index == 2:
            self.confusion, self.boundary = ConfusionView(), BoundaryView()
            content, views = self._classes_page(), [self.confusion, self.boundary]
        elif index == 3:
            self.recon = ReconstructionsView()
            content, views = self._row_page([self.recon.frame]), [self.recon]
        elif index == 4:
            self.code = CodeView(s.node_params)
            content, views = self._row_page(self.code.frames), [self.code]
        elif index == 5:
            self.latent_decoder = LatentDecoder(s, self)
            self.latent = LatentView(self.latent_decoder.request, s.run_edges,
                                     lambda: self.latent_decoder.problem)
            content, views = self._latent_page(), [self.latent]
        elif index == 6:
            self.rbm_pictures = RbmPicturesView(self.rbm_focus)
            self.free_energy = FreeEnergyView(self.rbm_focus)
            self.phase_progress = PhaseProgressView()
            content = self._pretraining_page()
            views = [self.rbm_pictures, self.free_energy, self.phase_progress]
        elif index == 7:
            self.gibbs = GibbsView(self.rbm_focus, GibbsSampler(s, self),
                                   lambda: s.status == "running", self)
            content, views = self._gibbs_page(), [self.gibbs]
        else:
            self.gan_field = GanFieldView(GanSampler(s, self), lambda: s.status == "running")
            self.gan_curves = GanCurvesView()
            content = self._row_page(self.gan_field.frames + self.gan_curves.frames)
            for i, stretch in enumerate((5, 5, 3, 3)):     # the samples need the room most
                content.layout().setStretch(i, stretch)
            views = [self.gan_field, self.gan_curves]
        page = self._pages[index][0]
        page.layout().addWidget(content)
        self._pages[index] = (page, views)
        self._drawn[index] = -1

    def _overview_page(self) -> QWidget:
        return AdaptiveGrid([self.loss.frame, self.metrics.frame, self.bars.frame, self.heat.frame])

    def _layers_page(self) -> QWidget:
        page = QWidget()
        head = QHBoxLayout()
        head.addWidget(QLabel("Histograms of layer"))
        head.addWidget(self.layer_combo)
        head.addStretch(1)
        grid = QGridLayout()
        grid.addWidget(self.hist.weights, 0, 0)
        grid.addWidget(self.hist.grads, 0, 1)
        grid.addWidget(self.acts.frame, 0, 2)
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 4, 0, 0)
        lay.addLayout(head)
        lay.addLayout(grid, 1)
        return page

    def _classes_page(self) -> QWidget:
        page = QWidget()
        lay = QHBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.confusion.frame)
        lay.addWidget(self.boundary.frame)
        return page

    def _row_page(self, widgets: list[QWidget]) -> QWidget:
        page = QWidget()
        lay = QHBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        for w in widgets:
            lay.addWidget(w)
        return page

    def _latent_page(self) -> QWidget:
        """The cloud of codes on the left, what the decoder makes of them on the right."""
        page = QWidget()
        right = QVBoxLayout()
        # two plots stacked: at their usual smallest height they would make this the tallest
        # tab (272 px), and the dock would push a 1280x720 window off the screen when the
        # outcome line appears above the tabs
        for frame in (self.latent.point_view.frame, self.latent.path_view.frame):
            frame.widget.setMinimumHeight(LATENT_STACK_MIN_H)
        right.addWidget(self.latent.point_view.frame, 3)
        right.addWidget(self.latent.path_view.frame, 2)
        lay = QHBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.latent.scatter_frame, 3)
        lay.addLayout(right, 2)
        return page

    def _rbm_head(self, words: str, extra: list[QWidget] = ()) -> QHBoxLayout:
        """The row above an RBM view: which RBM (one choice for both tabs), and what to see."""
        head = QHBoxLayout()
        head.setContentsMargins(4, 2, 4, 0)
        head.addWidget(QLabel("RBM"))
        head.addWidget(self.rbm_focus.combo())
        for w in extra:
            head.addWidget(w)
        hint = QLabel(words)
        hint.setStyleSheet("color: #555;")
        hint.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)   # cut, never widen
        head.addWidget(hint, 1)
        return head

    def _pretraining_page(self) -> QWidget:
        """An RBM as it pretrains: its pictures, its overfitting monitor, and every phase's
        progress, side by side when the dock is wide."""
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addLayout(self._rbm_head("each RBM learns alone, bottom up, from what the one "
                                     "below it makes of the data"))
        # always one row: a 2 x 2 grid, laid out while the tab is hidden, would ask the dock for
        # twice the height and grow a 1280x720 window past the screen
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        # the pictures' and the curve's notes need the room more than the phase bars do
        for w, stretch in zip((*self.rbm_pictures.frames, self.free_energy.frame,
                               self.phase_progress.frame), (7, 5, 6, 5)):
            row.addWidget(w, stretch)
        lay.addLayout(row, 1)
        return page

    def _gibbs_page(self) -> QWidget:
        page = QWidget()
        new = QToolButton()
        new.setText("New chains")
        new.setToolTip("Start the chains again from other random pixels")
        new.clicked.connect(self.gibbs.new_chain)
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addLayout(self._rbm_head("what the RBM makes of random pixels, one Gibbs step "
                                     "after another", [new]))
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.gibbs.live.frame, 1)
        row.addWidget(self.gibbs.strip.frame, 1)
        lay.addLayout(row, 1)
        return page

    @Slot()
    def _rbm_chosen(self) -> None:
        """Another RBM chosen: its tabs draw again at once, whatever the run is doing."""
        for i, name in enumerate(NAMES):
            if name in RBM_VIEWS:
                self._drawn[i] = -1
        self.refresh()

    def _corner_buttons(self) -> QWidget:
        box = QWidget()
        lay = QHBoxLayout(box)
        lay.setContentsMargins(0, 0, 4, 0)
        copy = QToolButton()
        copy.setText("Copy figures")
        copy.setToolTip("Copy the run's figures (per epoch, per layer, test, confusion) as text")
        copy.clicked.connect(self.copy_figures)
        lay.addWidget(copy)
        return box

    @property
    def frames(self) -> list[PlotFrame]:
        """Every plot, for saving them all (every tab is built for it)."""
        for index in range(1, len(TITLES)):
            self._build(index)
        return [self.loss.frame, self.metrics.frame, self.bars.frame, self.heat.frame,
                *self.hist.frames, self.acts.frame, self.confusion.frame, self.boundary.frame,
                self.recon.frame, *self.code.frames, *self.latent.frames,
                *self.rbm_pictures.frames, self.free_energy.frame, *self.gibbs.frames,
                *self.gan_field.frames, *self.gan_curves.frames]

    # ---- views -----------------------------------------------------------------------------
    def show_view(self, name: str) -> bool:
        """Bring the view `name` (views.NAMES: 'overview', 'reconstructions', ...) to the front
        and draw it; False when there is no such view or this run has nothing for it."""
        if name not in NAMES:
            return False
        index = NAMES.index(name)
        if not self.tabs.isTabVisible(index):
            return False
        self.tabs.setCurrentIndex(index)
        self.refresh()
        return True

    def show_large(self, content: QWidget, views: list) -> None:
        """Show `content` in place of the tabs, drawn from `views` as a tab is, until
        `show_tabs`: presenter mode's few plots, large. The views start again from the run as
        it is (a page shown before may have drawn another run)."""
        self.show_tabs()
        for v in views:
            v.reset()
        self.large = content
        self._pages.append((content, list(views)))
        self._drawn.append(-1)
        self.tabs.hide()
        self.layout().addWidget(content, 1)
        content.show()
        self._refresh_if_run()

    def show_tabs(self) -> None:
        """The tabs again, as they were, after `show_large`. Its content is hidden, not deleted:
        the caller may show it again."""
        if self.large is None:
            return
        content, self.large = self.large, None
        self._pages.pop()
        self._drawn.pop()
        self.layout().removeWidget(content)
        content.hide()
        self.tabs.show()
        self._refresh_if_run()

    def _refresh_if_run(self) -> None:
        # before any run a drawing would tell the progress line "Preparing data and model…"
        if self.session.state.start is not None:
            self.refresh()

    def available_views(self) -> list[str]:
        return [n for i, n in enumerate(NAMES) if self.tabs.isTabVisible(i)]

    def _sync_tabs(self, snap: Snapshot | None) -> None:
        """Show an autoencoder view once its data has come; hide it once the run has gone an
        epoch (or ended) without it. Before either, the blocks' declared faces decide, so the
        tabs are there from the start of an autoencoder's run and never for a classifier's."""
        declared = set(self.session.faces().values())
        for name, face in AUTOENCODER_VIEWS.items():
            index = NAMES.index(name)
            data = ((autoencoder_images(snap.images) if face == "reconstructions" else snap.codes)
                    if snap else {})
            if data:
                visible = True
            elif snap is not None and (snap.epochs or snap.done or snap.error):
                visible = False
            else:
                visible = face in declared
            if self.tabs.isTabVisible(index) != visible:
                self.tabs.setTabVisible(index, visible)
        # an RBM stack: from the plan once the run has started, before that from its blocks
        for name in RBM_VIEWS:
            index = NAMES.index(name)
            visible = pretrains(snap) if snap is not None and snap.start else RBM_FACE in declared
            if self.tabs.isTabVisible(index) != visible:
                self.tabs.setTabVisible(index, visible)
        # a GAN: from its samples or its task once the run has said, before that from its blocks
        index = NAMES.index(GAN_VIEW)
        visible = ((gan_node(snap.images) is not None or snap.task == "generation")
                   if snap is not None and snap.start else GAN_FACE in declared)
        if self.tabs.isTabVisible(index) != visible:
            self.tabs.setTabVisible(index, visible)
        # an autoencoder's labels are only colours in the latent view, a GAN's data is only
        # there to be imitated, and a regression predicts a number: no classes to score
        classes = NAMES.index("classes")
        visible = not (snap is not None and snap.task in ("reconstruction", "generation",
                                                          "regression"))
        if self.tabs.isTabVisible(classes) != visible:
            self.tabs.setTabVisible(classes, visible)

    # ---- drawing ---------------------------------------------------------------------------
    def reset(self, keep_last: bool = False) -> None:
        """Clear every view. `keep_last` (a new run of the same window starts): the outcome of the
        run before stays above the plots, greyed, until this one has its own, so the plots keep
        their size and nothing jumps (a resize redraws every plot and axis while training)."""
        for _, views in self._pages:
            for v in views:
                v.reset()
        self._drawn = [-1] * len(self._pages)
        self.snap = None
        self._sync_tabs(None)
        if keep_last and self.summary.isVisible() and self.summary.text():
            text = self.summary.text()
            if not text.startswith(LAST_RUN):
                self.summary.setText(LAST_RUN + text)
            self.summary.setStyleSheet(SUMMARY_STYLE + "background: #ececec; color: #505050; }")
        else:
            self.summary.hide()
        self.layer_combo.blockSignals(True)
        self.layer_combo.clear()
        self.layer_combo.blockSignals(False)

    @Slot()
    def refresh(self) -> None:
        """Draw the visible tab if the run moved on since it was last drawn.

        While a run trains, one plot is brought up to date per frame, in turn, and frames are
        spaced so that drawing takes at most GUI_SHARE of a core: the GUI thread shares the GIL
        with training (measured: painting every plot at every frame halved training speed).
        Paused, stopped or finished, every plot is drawn at once."""
        state = self.session.state
        index = len(self._pages) - 1 if self.large is not None else self.tabs.currentIndex()
        if self._drawn[index] == state.version and self.snap is not None:
            return
        if not self._within_budget():
            return
        t = time.thread_time()
        self._draw(state, index)
        self._frame_cost += time.thread_time() - t

    def _within_budget(self) -> bool:
        """While training, wait after each frame until its cost (updating the plots, then painting
        them, which happens after this slot returns) is at most GUI_SHARE of the time since."""
        now = time.perf_counter()
        self._frame_cost += PAINT_METER.seconds - self._painted
        self._painted = PAINT_METER.seconds
        if self.session.status == "running" and now - self._last_frame < self._frame_cost / GUI_SHARE:
            return False
        self._last_frame, self._frame_cost = now, 0.0
        return True

    def _draw(self, state: RunState, index: int) -> None:
        snap = self.snap if self.snap and self.snap.version == state.version else state.snapshot()
        self.snap = snap
        self._sync_layer_combo(snap)
        self._sync_tabs(snap)
        views = self._pages[index][1]
        if self.session.status == "running" and snap.done is None and snap.error is None:
            views[self._turn % len(views)].update(snap)
            self._turn += 1
        else:
            for v in views:
                v.update(snap)
            self._drawn[index] = snap.version
        self.snapshot_shown.emit(snap)

    def _sync_layer_combo(self, snap: Snapshot) -> None:
        layers = snap.layers
        if [self.layer_combo.itemText(i) for i in range(self.layer_combo.count())] == layers:
            return
        self.layer_combo.blockSignals(True)
        self.layer_combo.clear()
        self.layer_combo.addItems(layers)
        if self.session.histogram_node in layers:
            self.layer_combo.setCurrentText(self.session.histogram_node)
        self.layer_combo.blockSignals(False)

    def show_summary(self, snap: Snapshot) -> None:
        """The outcome in one line above the plots (red when something went wrong)."""
        text, bad = summary_text(snap)
        note = getattr(self.session, "run_note", "")
        if text and note and not bad:
            text = f"{text}  ·  {note}"
        self.summary.setText(text)
        self.summary.setStyleSheet(SUMMARY_STYLE + ("background: #fde2e1; color: #7a0b05; }" if bad
                                                    else "background: #e3f1e8; color: #0b3d20; }"))
        self.summary.setVisible(bool(text))

    # ---- session events --------------------------------------------------------------------
    @Slot(object)
    def _state_replaced(self, _state: RunState) -> None:
        self.reset(keep_last=self.session.launching)
        self.timer.start()
        self.refresh()

    @Slot(str)
    def _state_changed(self, status: str) -> None:
        if status == "idle":
            self.timer.stop()
            self.refresh()            # the final figures
        elif not self.timer.isActive():
            self.timer.start()

    @Slot(object)
    def _run_finished(self, _rep) -> None:
        self.refresh()
        self.show_summary(self.session.state.snapshot())

    @Slot(int)
    def _tab_changed(self, index: int) -> None:
        if index >= 0:
            self._build(index)
        self.refresh()

    @Slot(object)
    def _thresholds_changed(self, t) -> None:
        self.bars.set_thresholds(t)
        if self.built(1):
            self.acts.set_thresholds(t)
        self._drawn = [-1] * len(self._pages)
        self.refresh()

    @Slot(str)
    def _histogram_node_changed(self, node_id: str) -> None:
        if self.layer_combo.currentText() != node_id and self.layer_combo.findText(node_id) >= 0:
            self.layer_combo.blockSignals(True)
            self.layer_combo.setCurrentText(node_id)
            self.layer_combo.blockSignals(False)

    @Slot(str)
    def _layer_chosen(self, node_id: str) -> None:
        self.session.select_node(node_id)

    @Slot()
    def copy_figures(self) -> str:
        text = figures_text(self.session.state.snapshot(), self.session.thresholds,
                            self.session.title)
        QApplication.clipboard().setText(text)
        return text


def summary_text(snap: Snapshot) -> tuple[str, bool]:
    """(text, is_bad) for the line above the plots."""
    if snap.error:
        return f"Training could not run: {snap.error.message}", True
    d = snap.done
    if d is None:
        return "", False
    if d.reason == "diverged":
        return d.message or "Training diverged: the loss became NaN or infinite.", True
    parts = []
    for key, label in _KEYS:
        v = d.test.get(key)
        if isinstance(v, (int, float)):
            base = d.baseline.get(key)
            extra = f" (a model that learns nothing: {base:.4f})" if isinstance(base, (int, float)) else ""
            parts.append(f"Test {label} {v:.4f}{extra}")
            break
    pl = d.test.get("pseudo_likelihood")
    if isinstance(pl, (int, float)):              # an RBM: how likely it finds the test digits
        parts.append(f"Test pseudo-likelihood {pl:.1f} nats per example")
    parts += outcome(d.test)                      # a GAN: modes covered, D's scores
    elbo = d.test.get("neg_elbo")
    if isinstance(elbo, (int, float)):            # a VAE: the bound on the data's likelihood
        parts.append(f"Test −ELBO {elbo:.1f} nats per example")
    how = {"completed": "completed", "early_stopped": "stopped early, no more improvement",
           "stopped": "stopped by you"}.get(d.reason, d.reason)
    parts.append(f"{how} after {d.epochs_run} epochs")
    if d.best_epoch and d.reason == "early_stopped":
        parts.append(f"weights of epoch {d.best_epoch} kept")
    return "  ·  ".join(parts), False
