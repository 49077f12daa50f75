"""Presenter mode (F5, View ▸ Presenter Mode): the lesson for a room, driven from the keyboard.

Entering saves the window as it is (geometry, window state, docks and toolbars), goes full
screen, folds every side panel, toolbar and the menu bar away, fits the whole graph, and gives
the dashboard the lower part of the screen with the few plots that carry the lesson, made for
the occasion in larger type with thicker lines (presenter_plots.py). Leaving puts everything
back as it was. While presenting, Space runs and pauses, Right steps one batch, R stops and
clears the run, + and - change the speed, and Esc (or F5 again) leaves.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QByteArray, QEvent, QKeyCombination, QObject, QPointF, QRect, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QKeySequence, QTransform
from PySide6.QtWidgets import QDockWidget, QToolBar, QWidget

from engine.lesson_meta import presenter_plots
from gui.classroom.presenter_hint import FadingHint
from gui.classroom.presenter_plots import PlotPage, default_plots, enlarge, make_page

SCALE = 1.6                 # the plots' type and lines, against the dashboard's usual
CONTROLS_SCALE = 1.3        # the progress line's and the speed's type
WIRE_SCALE = 1.75           # the canvas's wires: 2 px at zoom 1 is a hairline from the back row
DASHBOARD_SHARE = 0.5      # of the screen's height, for the run's controls and the plots
SPEED_STEP = 5              # speed-slider positions per + or - (full speed, 3 ms .. 1 s a batch)
HINT = "Space run/pause  ·  → step  ·  R reset  ·  +/− speed  ·  Esc leave"
HINT_MS = 4500
SPEED_MS = 1500
ARRANGE_MS = 60             # after the window's last resize: a full-screen switch comes in steps


@dataclass
class SavedWindow:
    """What entering presenter mode changes, as it was."""

    geometry: QRect
    window_state: Any
    layout: QByteArray
    shown: dict[QWidget, bool]              # docks, toolbars and the menu bar
    dashboard_title: QWidget | None
    transform: QTransform
    centre: QPointF
    minimap: bool


class Presenter(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.w = window
        self.active = False
        self.page: PlotPage | None = None
        self._pages: dict[tuple[str, ...], PlotPage] = {}
        self.problems: list[str] = []          # what the lesson's meta.presenter got wrong
        self._saved: SavedWindow | None = None
        self._clear_when_idle = False
        self.action = QAction("&Presenter Mode", window)
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence("F5"))
        self.action.setToolTip("Full screen for a class: the graph and the plots that matter, "
                               "large; Space runs and pauses (F5)")
        self.action.triggered.connect(self._toggled)
        window.addAction(self.action)         # F5 wherever the focus is in the window
        window.view_menu.addSeparator()
        window.view_menu.addAction(self.action)
        # the keys of a presentation, live only while presenting
        self.keys = [
            self._key("Run or pause", ["Space"], self.run_pause),
            self._key("Step one batch", ["Right"], self.step),
            self._key("Stop and clear the run", ["R"], self.reset),
            self._key("Faster", ["+", "=", QKeyCombination(Qt.KeypadModifier, Qt.Key_Plus)],
                      lambda: self.change_speed(+1), repeat=True),
            self._key("Slower", ["-", QKeyCombination(Qt.KeypadModifier, Qt.Key_Minus)],
                      lambda: self.change_speed(-1), repeat=True),
            self._key("Leave presenter mode", ["Esc"], self.leave),
        ]
        self.hint = FadingHint(window, window.view)
        self._arrange_timer = QTimer(self, singleShot=True, interval=ARRANGE_MS)
        self._arrange_timer.timeout.connect(self._arrange)
        s = window.session
        s.state_changed.connect(self._state_changed)
        s.run_started.connect(self._enlarge_new)
        s.epoch_ended.connect(self._enlarge_new)
        window.controller.file_loaded.connect(self._lesson_changed)
        window.installEventFilter(self)

    def _key(self, text: str, keys: list, slot, repeat: bool = False) -> QAction:
        a = QAction(text, self.w)
        a.setShortcuts([QKeySequence(k) for k in keys])
        a.setAutoRepeat(repeat)             # holding Space must not toggle run and pause
        a.triggered.connect(lambda _checked=False: slot())
        return a

    # ---- entering and leaving ------------------------------------------------------------------
    @Slot(bool)
    def _toggled(self, _checked: bool) -> None:
        self.leave() if self.active else self.enter()

    def enter(self, full_screen: bool = True) -> None:
        """Present the open lesson. `full_screen=False` keeps the window's size (screenshots
        at a chosen size, and offscreen, where full screen is the virtual screen's size)."""
        if self.active:
            return
        w = self.w
        self._saved = SavedWindow(
            geometry=w.geometry(), window_state=w.windowState(), layout=w.saveState(),
            shown={x: x.isVisible() for x in self._chrome()},
            dashboard_title=w.dashboard_dock.titleBarWidget(),
            transform=w.view.transform(), centre=w.view.centre_scene_point(),
            minimap=w.view.minimap_wanted)
        self.active = True
        self.action.setChecked(True)
        for x in self._chrome():
            if x is not w.dashboard_dock:
                x.hide()
        dock = w.dashboard_dock
        dock.setFloating(False)
        dock.setTitleBarWidget(QWidget(dock))   # no title bar: its height goes to the plots
        dock.show()
        w.view.set_minimap_wanted(False)
        w.scene.set_wire_scale(WIRE_SCALE)
        w.status.set_presenting(True)
        w.dashboard.set_presenting(CONTROLS_SCALE)
        self._show_plots()
        w.addActions(self.keys)
        if full_screen:
            w.showFullScreen()
        self._arrange()
        w.view.setFocus()
        # in front of a class the lesson's mistakes get one short line over the canvas; the
        # status bar says what they are
        n = len(self.problems)
        note = ([f"This lesson's presenter settings have {n} problem{'s' if n > 1 else ''}: "
                 "see the status bar"] if n else [])
        self.hint.flash("\n".join([HINT, *note]), HINT_MS)

    def leave(self) -> None:
        """Put the window back exactly as it was before presenting."""
        if not self.active:
            return
        w, saved = self.w, self._saved
        self.active = False
        self.action.setChecked(False)
        self._arrange_timer.stop()
        self.hint.dismiss()
        for a in self.keys:
            w.removeAction(a)
        w.dashboard.dashboard.show_tabs()
        self.page = None
        w.dashboard.set_presenting(None)
        w.scene.set_wire_scale(1.0)
        w.status.set_presenting(False)
        w.dashboard_dock.setTitleBarWidget(saved.dashboard_title)
        w.setWindowState(saved.window_state)
        if not saved.window_state & (Qt.WindowMaximized | Qt.WindowFullScreen):
            w.setGeometry(saved.geometry)
        w.restoreState(saved.layout)
        for x, shown in saved.shown.items():
            x.setVisible(shown)
        w.view.set_minimap_wanted(saved.minimap)
        # the canvas where it was, once the docks have their old sizes back
        QTimer.singleShot(0, lambda: self._restore_view(saved))

    def _restore_view(self, saved: SavedWindow) -> None:
        if self.active:
            return
        self.w.view.set_zoom(saved.transform.m11())     # and the zoom shown in the status bar
        self.w.view.centerOn(saved.centre)

    def _chrome(self) -> list[QWidget]:
        """What presenter mode folds away: the window's docks, toolbars and menu bar."""
        w = self.w
        bars = w.findChildren(QToolBar, options=Qt.FindDirectChildrenOnly)
        docks = w.findChildren(QDockWidget, options=Qt.FindDirectChildrenOnly)
        return [*docks, *bars, w.menuBar()]

    # ---- what is shown -------------------------------------------------------------------------
    def plot_names(self) -> list[str]:
        """The lesson's own choice (meta.presenter.plots), else the graph's default; what the
        lesson's choice got wrong is kept in `problems`."""
        c = self.w.controller
        chosen, self.problems = presenter_plots(c.doc.meta)
        if chosen is not None:
            return chosen
        return default_plots(c.doc, c.analysis or c.analyse_now(), self.w.session.adversarial())

    def _show_plots(self) -> None:
        names = self.plot_names()
        if self.problems:
            self.w.status.say("meta.presenter: " + "; ".join(self.problems), 15000)
        dash = self.w.dashboard.dashboard
        # made once per choice of plots and kept: a deleted plot's legend may still have a
        # reflow queued, and a room presents the same lesson again and again
        key = tuple(names)
        if key not in self._pages:
            self._pages[key] = make_page(dash, names, SCALE)
        self.page = self._pages[key]
        dash.show_large(self.page.widget, self.page.views)

    @Slot()
    def _enlarge_new(self, *_report) -> None:
        """Views add items as a run tells them more (a legend entry, a labelled line)."""
        if self.active and self.page is not None:
            enlarge(self.page.frames, SCALE)

    @Slot()
    def _lesson_changed(self, *_path) -> None:
        if self.active:
            self._show_plots()
            self._arrange()

    def _arrange(self) -> None:
        """The dashboard's share of the height, and the whole graph fitted above it."""
        if not self.active:
            return
        w = self.w
        w.resizeDocks([w.dashboard_dock], [round(DASHBOARD_SHARE * w.height())], Qt.Vertical)
        QTimer.singleShot(0, self._fit)

    def _fit(self) -> None:
        if self.active:
            self.w.view.fit_all()
            if self.hint.isVisible():
                self.hint.place()

    def eventFilter(self, obj, event) -> bool:
        if obj is self.w and self.active:
            if event.type() == QEvent.Resize:
                self._arrange_timer.start()
            elif event.type() == QEvent.Close:
                # leave first, so the window saves its everyday layout for the next start
                self.leave()
        return False

    # ---- the keys --------------------------------------------------------------------------------
    def run_pause(self) -> None:
        s = self.w.session
        if s.status == "running":
            s.pause()
        elif s.status in ("idle", "paused"):
            s.start()

    def step(self) -> None:
        if self.w.session.status != "stopping":
            self.w.session.step()

    def reset(self) -> None:
        """Stop the run and clear its plots and colours, as Stop then Reset weights do."""
        s = self.w.session
        if s.status in ("running", "paused"):
            self._clear_when_idle = True
            s.stop()
        elif s.status == "idle":
            s.reset_weights()

    @Slot(str)
    def _state_changed(self, status: str) -> None:
        if status == "idle" and self._clear_when_idle:
            self._clear_when_idle = False
            self.w.session.reset_weights()

    def change_speed(self, direction: int) -> None:
        """+1 faster, -1 slower, along the dashboard's speed slider (so it shows the speed)."""
        controls = self.w.dashboard.controls
        slider = controls.speed
        slider.setValue(max(slider.minimum(), min(slider.maximum(),
                                                  slider.value() + direction * SPEED_STEP)))
        self.hint.flash(f"Speed: {controls.speed_label.text()}", SPEED_MS)


def install(window) -> None:
    """Presenter mode in the View menu and on F5; the window keeps it as `window.presenter`."""
    window.presenter = Presenter(window)
