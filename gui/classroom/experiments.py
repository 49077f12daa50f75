"""One-click experiments: the Experiment panel, a Dataset picker and quick controls in a dock
beside the Dashboard.

Every control edits the document through the Controller, so each change is one undo step, and
every control shows the document: after an undo, a redo or another file it says what the graph
now holds. While a run trains, editing is locked, and the controls say so.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QFrame, QHBoxLayout, QScrollArea, QTabWidget, QWidget

from gui.classroom.experiment_dataset import DatasetPicker
from gui.classroom.experiment_quick import QuickControls

# the document's events that change nothing a control shows: a drag fires one per mouse move
QUIET_EVENTS = ("node_moved", "meta_changed")


class ExperimentPanel(QScrollArea):
    def __init__(self, controller, theme, parent=None):
        """`theme`: a function giving the window's current theme (the thumbnails follow it)."""
        super().__init__(parent)
        self.controller = controller
        self.picker = DatasetPicker(controller, theme)
        self.quick = QuickControls(controller)
        inner = QWidget()
        row = QHBoxLayout(inner)
        # at 1280x720 the dock is about 270 px high: margins are height the thumbnails need
        row.setContentsMargins(4, 2, 4, 2)
        row.addWidget(self.picker, 3)
        row.addWidget(self.quick, 2)
        self.setWidget(inner)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.NoFrame)
        self._stale = True
        self.shown = False     # the dock's tab is the current one (see set_shown)
        controller.doc_event.connect(lambda event, _info: event in QUIET_EVENTS or self.refresh())
        controller.locked_changed.connect(lambda _locked: self.refresh())
        controller.lesson_locks_changed.connect(self.refresh)
        # a composite block's weights are counted by the analysis, which comes a moment later
        controller.analysis_ready.connect(lambda _a: self.refresh())

    def refresh(self) -> None:
        """Show the document's values; while hidden behind another tab, wait until shown (the
        thumbnails need scikit-learn, which the window does not load at start)."""
        if not self.shown:
            self._stale = True
            return
        self._stale = False
        self.picker.refresh()
        self.quick.refresh()

    def set_shown(self, shown: bool) -> None:
        """The dock's tab became the current one, or stopped being it: a tab behind another
        stays `isVisible()`, so the dock's `visibilityChanged` is what tells."""
        self.shown = shown
        if shown and self._stale:
            self.refresh()


def install(window) -> None:
    panel = ExperimentPanel(window.controller, lambda: window.theme)
    dock = QDockWidget("Experiment", window)
    dock.setObjectName("experiment_dock")
    dock.setWidget(panel)
    window.addDockWidget(Qt.BottomDockWidgetArea, dock)
    # wide and short, like the dashboard: six thumbnails in a row read well under the canvas.
    # The tabs stand on the left: a tab bar below would take its height from the dashboard's
    # plots, which at 1280x720 have none to spare (the loss legend covered its curve)
    window.setTabPosition(Qt.BottomDockWidgetArea, QTabWidget.West)
    # tabified while hidden: tabifying a shown dock while another group of tabs exists (Lesson,
    # Predict) leaves a second, unused tab bar that Qt 6.11 draws over the status bar's corner
    dock.hide()
    window.tabifyDockWidget(window.dashboard_dock, dock)
    dock.show()
    window.dashboard_dock.raise_()
    # connected once the dock sits behind the Dashboard: tabifying shows it for a moment
    dock.visibilityChanged.connect(panel.set_shown)
    window.panels_menu.addAction(dock.toggleViewAction())
    window.experiment_dock, window.experiment_panel = dock, panel
    for action in (window.menu_actions.theme_light, window.menu_actions.theme_dark):
        action.triggered.connect(lambda _checked=False: panel.refresh())

    def show_the_run(state: str) -> None:
        # the controls lock while a run trains; what the class wants to see then is its plots
        if state == "running" and panel.shown:
            window.dashboard_dock.raise_()
    window.session.state_changed.connect(show_the_run)
