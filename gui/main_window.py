"""The main window: palette, canvas, inspector, lesson and dashboard docks, menus, status bar,
and the file commands with their prompts.

Every question the window asks the user (save changes? which file?) and every error it shows
goes through one small method (`ask_save_changes`, `ask_open_path`, `ask_save_path`,
`show_error`), so tests and scripts can answer without a modal dialog.
"""
from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QToolBar,
    QWidget,
)

from engine.errors import GraphError
from engine.telemetry import DoneReport
from gui.actions import apply_icons, build_actions, build_menus, build_toolbar
from gui.canvas.node_item import NODE_H, NODE_W
from gui.canvas.scene import CanvasScene
from gui.canvas.view import FIT_MIN_ZOOM, CanvasView
from gui.classroom import CLASSROOM_FEATURES
from gui.dashboard.panel import DashboardPanel
from gui.dashboard.screenshot import run_until_epochs
from gui.editor.controller import LOCKED_MESSAGE, Controller
from gui.editor.inspector import Inspector
from gui.editor.palette import Palette
from gui.lesson_panel import LessonPanel
from gui.models.model_commands import SUFFIX as MODEL_SUFFIX
from gui.models.model_commands import ModelCommands, is_model_file
from gui.models.predict_panel import PredictPanel
from gui.models.trained_model import TrainedModel
from gui.plain_text import as_str, menu_text, plain_tooltip, window_title_text
from gui.recent_files import RecentFiles
from gui.recovery import AUTOSAVE_MS, Autosaver, RecoveryCopy, RecoveryStore
from gui.recovery_dialog import ask_restore
from gui.status_bar import StatusBar
from gui.theme import LIGHT, THEMES, apply_theme
from gui.training.training_session import TrainingSession

APP_NAME = "DeepCanvas"
RESHAPING_EVENTS = ("reset", "node_added", "node_removed", "param_changed", "edge_added",
                    "edge_removed")
# opening a graph fits it whole if its blocks' compact faces stay readable at that zoom
# (view.FIT_MIN_ZOOM), else shows its start (the data side) at this zoom
START_ZOOM = 0.75
DASHBOARD_SHARE = 0.42   # of the window's height, for the dashboard until the user moves it
SHORTCUTS = """<table cellpadding=3>
<tr><td><b>Add a block</b></td><td>drag it from the palette, or double-click it there</td></tr>
<tr><td><b>Connect</b></td><td>drag from an output (right side) to an input (left side)</td></tr>
<tr><td><b>Select</b></td><td>click; drag on empty canvas for a rubber band; Ctrl+A all</td></tr>
<tr><td><b>Move</b></td><td>drag blocks; arrow keys nudge (Shift: further)</td></tr>
<tr><td><b>Pan</b></td><td>middle-drag, or hold Space and drag</td></tr>
<tr><td><b>Zoom</b></td><td>mouse wheel or Ctrl+wheel; F fits the graph; Ctrl+0 is 100%</td></tr>
<tr><td><b>Edit</b></td><td>Ctrl+Z undo, Ctrl+Shift+Z redo, Ctrl+C/X/V, Ctrl+D duplicate, Del delete</td></tr>
<tr><td><b>Files</b></td><td>Ctrl+N new, Ctrl+O open, Ctrl+S save; drop a .json file on the window</td></tr>
</table>"""


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings | None = None, theme: str | None = None,
                 recovery_dir: str | Path | None = None, autosave_ms: int = AUTOSAVE_MS):
        """`recovery_dir`: where unsaved graphs are kept against a crash (default: the
        application-data folder's `recovery/`); tests and screenshots pass their own."""
        super().__init__()
        self.settings = settings if settings is not None else QSettings(APP_NAME, APP_NAME)
        self.recent = RecentFiles(self.settings)
        self.theme = THEMES.get(theme or str(self.settings.value("theme", "light")), LIGHT)
        self.controller = Controller(parent=self)
        self.scene = CanvasScene(self.controller, self.theme, self)
        self.view = CanvasView(self.scene)
        self.setCentralWidget(self.view)
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        self._build_docks()
        self.menu_actions = build_actions(self)
        apply_icons(self.menu_actions, self.theme.color("text"))
        self.menu_actions.theme_dark.setChecked(self.theme.dark)
        self.menu_actions.theme_light.setChecked(not self.theme.dark)
        build_menus(self, self.menu_actions)
        self.main_toolbar = build_toolbar(self, self.menu_actions)
        self.run_toolbar = QToolBar("Run", self)
        self.run_toolbar.setObjectName("run_toolbar")
        self.run_toolbar.setMovable(False)
        self.run_toolbar.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.addToolBar(Qt.TopToolBarArea, self.run_toolbar)
        self._build_training()
        self.status = StatusBar(self.theme, self)
        self.setStatusBar(self.status)
        # the labels the tests and the dashboard look at, under their old names
        self.lock_label, self.zoom_label = self.status.lock_label, self.status.zoom_label
        self.autosaver = Autosaver(self.controller, RecoveryStore(recovery_dir), autosave_ms, self)
        self._connect()
        self._fitted_once = False
        self._layout_restored = False      # a saved dock layout wins over the first sizing
        self.resize(1600, 1000)
        self._update_title()
        self._update_actions()
        self._rebuild_recent_menu()
        data_dir = self.settings.value("data_dir")
        if data_dir:
            self.controller.data_dir = str(data_dir)
        snap = str(self.settings.value("snap_to_grid", "true")).lower() != "false"
        self.menu_actions.snap.setChecked(snap)
        self.scene.snap_to_grid = snap
        self.controller.analyse_now()
        # the classroom features each add their menu entries, keys and panels themselves
        for feature in CLASSROOM_FEATURES:
            feature.install(self)

    # ---- construction ------------------------------------------------------------------------
    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        self.palette = Palette(self.theme)
        self.inspector = Inspector(self.controller)
        self.lesson_panel = LessonPanel(self.controller)
        self.palette_dock = self._dock("Blocks", "palette_dock", self.palette, Qt.LeftDockWidgetArea)
        self.lesson_dock = self._dock("Lesson", "lesson_dock", self.lesson_panel, Qt.RightDockWidgetArea)
        self.inspector_dock = self._dock("Inspector", "inspector_dock", self.inspector, Qt.RightDockWidgetArea)
        self.splitDockWidget(self.lesson_dock, self.inspector_dock, Qt.Vertical)
        placeholder = QLabel("Press Run to train: the loss, accuracy and every layer's gradients appear here.")
        placeholder.setAlignment(Qt.AlignCenter)
        placeholder.setObjectName("FormHelp")
        self.dashboard_dock = self._dock("Dashboard", "dashboard_dock", placeholder, Qt.BottomDockWidgetArea)
        self.resizeDocks([self.palette_dock], [190], Qt.Horizontal)
        self.resizeDocks([self.lesson_dock], [380], Qt.Horizontal)
        self.resizeDocks([self.lesson_dock, self.inspector_dock], [380, 420], Qt.Vertical)
        self.resizeDocks([self.dashboard_dock], [220], Qt.Vertical)

    def _build_training(self) -> None:
        """The training session drives runs in a worker thread; the dashboard dock shows them,
        the scene colours the layers, and the controller locks editing while a run is live."""
        self.session = TrainingSession(get_doc=lambda: self.controller.doc,
                                       data_dir=lambda: self.controller.data_dir,
                                       scene=self.scene, lock=self.controller.set_locked, parent=self)
        self.dashboard = DashboardPanel(self.session)
        self.dashboard_dock.setWidget(self.dashboard)
        self.resizeDocks([self.dashboard_dock], [430], Qt.Vertical)
        for action in self.session.actions:
            self.run_toolbar.addAction(action)
        self.scene.selectionChanged.connect(self._select_for_histograms)
        # the GAN half-step buttons come and go with the graph's blocks
        self.controller.doc_changed.connect(self.session.sync_adversarial)
        self.session.sync_adversarial()
        # trained models: kept in .dcmodel files, asked in the Predict panel, exported
        self.trained = TrainedModel(self.session, self)
        self.models = ModelCommands(self, self.trained)
        self.predict_panel = PredictPanel(self.trained)
        self.predict_dock = self._dock("Predict", "predict_dock", self.predict_panel,
                                       Qt.RightDockWidgetArea)
        self.tabifyDockWidget(self.lesson_dock, self.predict_dock)
        self.lesson_dock.raise_()
        self.panels_menu.addAction(self.predict_dock.toggleViewAction())
        self.trained.changed.connect(self._update_actions)
        self.session.state_changed.connect(lambda _s: self._update_actions())
        # another graph, or an edit to its blocks or wiring, may not fit the saved weights: Run
        # starts afresh then (moving blocks or changing training settings keeps them)
        self.controller.doc_event.connect(
            lambda event, _info: event in RESHAPING_EVENTS and self.models.forget_start_weights())

    def _select_for_histograms(self) -> None:
        nodes = self.scene.selected_node_ids()
        if len(nodes) == 1:
            self.session.select_node(nodes[0])    # ignored unless it is a Dense layer of the run

    def run_for_screenshot(self, epochs: int) -> None:
        """`--after-epochs N`: start as the Run button does and return after N epochs."""
        run_until_epochs(self.session, epochs)

    def _connect(self) -> None:
        c = self.controller
        c.message.connect(self.status.say)
        c.analysis_ready.connect(self.status.show_check)
        c.doc_changed.connect(lambda: self.status.show_counts(self.controller.doc))
        c.locked_changed.connect(self._on_locked)
        c.undo_stack.cleanChanged.connect(lambda _clean: self._update_title())
        c.undo_stack.indexChanged.connect(lambda _i: self._update_actions())
        c.file_loaded.connect(lambda _p: self._update_title())
        self.autosaver.message.connect(self.status.say)
        self.session.state_changed.connect(self.autosaver.on_run_state)
        self.session.state_changed.connect(self.status.show_run)
        self.session.run_finished.connect(
            lambda rep: self.status.show_run_failed(not isinstance(rep, DoneReport)
                                                    or rep.reason == "diverged"))
        self.scene.selectionChanged.connect(self._on_selection)
        self.palette.add_requested.connect(self.add_block)
        self.view.zoom_changed.connect(self.status.set_zoom)
        self.view.files_dropped.connect(lambda paths: self.open_path(paths[0]))
        self.view.setContextMenuPolicy(Qt.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._canvas_menu)

    # ---- questions and errors (tests replace these) -----------------------------------------
    def ask_save_changes(self) -> str:
        """'save', 'discard' or 'cancel'."""
        box = QMessageBox(QMessageBox.Warning, APP_NAME, "This graph has unsaved changes.",
                          QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, self)
        box.setInformativeText("Save them before continuing?")
        box.setDefaultButton(QMessageBox.Save)
        answer = box.exec()
        return {QMessageBox.Save: "save", QMessageBox.Discard: "discard"}.get(answer, "cancel")

    def ask_open_path(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open graph or model", self._file_dir(),
            f"Graphs and models (*.json *{MODEL_SUFFIX});;Graph files (*.json);;"
            f"Model files (*{MODEL_SUFFIX});;All files (*)")
        return path or None

    def ask_save_path(self) -> str | None:
        suggested = str(self.controller.doc.path or Path(self._file_dir()) / "untitled.json")
        path, _ = QFileDialog.getSaveFileName(self, "Save graph as", suggested, "Graph files (*.json)")
        return path or None

    def ask_data_dir(self) -> str | None:
        path = QFileDialog.getExistingDirectory(self, "Folder with CSV data files",
                                                self.controller.data_dir or self._file_dir())
        return path or None

    def ask_recover(self, copy: RecoveryCopy) -> str:
        """'restore', 'discard' or 'later' for a graph a crashed session left unsaved."""
        return ask_restore(copy, self)

    def show_error(self, title: str, message: str) -> None:
        self.error_box(title, message).exec()

    def error_box(self, title: str, message: str) -> QMessageBox:
        """The error dialog, in plain text: messages quote the file (ids, paths, values), and
        text that merely looks like HTML must show as typed, never load an <img>."""
        box = QMessageBox(QMessageBox.Critical, as_str(title, 200), as_str(message), QMessageBox.Ok, self)
        box.setTextFormat(Qt.PlainText)
        return box

    def _file_dir(self) -> str:
        if self.controller.doc.path:
            return str(Path(self.controller.doc.path).parent)
        recent = self.recent.paths()
        return str(Path(recent[0]).parent) if recent else str(Path.cwd())

    # ---- files ---------------------------------------------------------------------------------
    def maybe_save(self) -> bool:
        """True when it is fine to drop the open graph (saved, or the user said so)."""
        if not self.controller.dirty:
            return True
        answer = self.ask_save_changes()
        if answer == "save":
            return self.save()
        return answer == "discard"

    def _refuse_if_locked(self) -> bool:
        if self.controller.locked:
            self.status.say(LOCKED_MESSAGE)
        return self.controller.locked

    def new_file(self) -> None:
        if self._refuse_if_locked() or not self.maybe_save():
            return
        self.controller.new_document()
        self.view.reset_zoom()
        self.view.centerOn(NODE_W * 2, NODE_H)
        self.status.say("New graph: drag blocks from the palette onto the canvas")

    def open_file_dialog(self) -> None:
        if self._refuse_if_locked() or not self.maybe_save():
            return
        path = self.ask_open_path()
        if path:
            self.open_path(path, ask=False)

    def open_path(self, path: str | Path, ask: bool = True) -> bool:
        """Open a graph file; on failure say why and keep the open graph as it was."""
        if self._refuse_if_locked() or (ask and not self.maybe_save()):
            return False
        if is_model_file(path):
            if not self.models.open_model(path):
                return False
            self.recent.add(path)
            self._rebuild_recent_menu()
            self.show_start_of_graph()
            self.status.say(f"Opened the trained model {path}: Run continues from its weights", 5000)
            return True
        try:
            self.controller.open_file(path)
        except GraphError as exc:
            self.show_error("Cannot open graph", str(exc))
            if not Path(path).exists():
                self.recent.remove(path)
                self._rebuild_recent_menu()
            return False
        except Exception as exc:  # noqa: BLE001 - a file the loader did not foresee must not
            # take the window down: say what happened and keep the open graph
            self.show_error("Cannot open graph", f"{path}: {type(exc).__name__}: {exc}")
            return False
        self.recent.add(path)
        self._rebuild_recent_menu()
        self.show_start_of_graph()
        self.status.say(f"Opened {path}", 5000)
        return True

    def save(self) -> bool:
        if self.controller.doc.path is None:
            return self.save_as()
        return self._save_to(self.controller.doc.path)

    def save_as(self) -> bool:
        path = self.ask_save_path()
        if not path:
            return False
        if not path.lower().endswith(".json"):
            path += ".json"
        return self._save_to(path)

    def _save_to(self, path: str | Path) -> bool:
        try:
            saved = self.controller.save(path)
        except OSError as exc:
            self.show_error("Cannot save graph", f"{path}: {exc.strerror or exc}")
            return False
        except UnicodeEncodeError as exc:      # e.g. a lone surrogate from an odd file name
            self.show_error("Cannot save graph", f"{path}: the graph holds text that cannot be "
                            f"written as UTF-8 ({exc.object[exc.start:exc.end]!a} at position {exc.start})")
            return False
        except (GraphError, ValueError) as exc:
            self.show_error("Cannot save graph", f"{path}: {exc}")
            return False
        self.recent.add(saved)
        self._rebuild_recent_menu()
        self._update_title()
        self.status.say(f"Saved {saved}", 5000)
        return True

    def choose_data_dir(self) -> None:
        path = self.ask_data_dir()
        if path:
            self.set_data_dir(path)

    def set_data_dir(self, path: str | Path | None, remember: bool = True) -> None:
        """Where Dataset nodes look for CSV files named without a folder (like --data-dir)."""
        self.controller.data_dir = str(path) if path else None
        if remember:
            self.settings.setValue("data_dir", self.controller.data_dir or "")
        self.controller.analyse_now()
        self.status.say(f"Data folder: {path}" if path else "No data folder", 5000)

    def _rebuild_recent_menu(self) -> None:
        menu = self.menu_actions.recent_menu
        menu.clear()
        paths = self.recent.paths()
        for i, p in enumerate(paths):
            act = menu.addAction(f"&{i + 1}  {menu_text(Path(p).name)}", lambda p=p: self.open_path(p))
            act.setToolTip(plain_tooltip(p))
        if paths:
            menu.addSeparator()
            menu.addAction("Clear Recent", lambda: (self.recent.clear(), self._rebuild_recent_menu()))
        menu.setEnabled(bool(paths))

    def closeEvent(self, event) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self.session.shutdown()
        self.autosaver.close()       # a clean close: nothing to recover, even after Discard
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        event.accept()

    def offer_recovery(self) -> bool:
        """At start: offer back the graphs that sessions which did not close left unsaved
        (asking through `ask_recover`); True when one was restored into this window."""
        if self._refuse_if_locked():
            return False
        restored = self.autosaver.offer(self.ask_recover, self.maybe_save, self.status.say)
        if restored:
            self.show_start_of_graph()
        return restored

    def restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)
            self._layout_restored = True

    def dragEnterEvent(self, event) -> None:
        if any(u.toLocalFile().endswith((".json", MODEL_SUFFIX)) for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls()
                 if u.toLocalFile().endswith((".json", MODEL_SUFFIX))]
        if paths:
            event.acceptProposedAction()
            self.open_path(paths[0])

    # ---- edits ---------------------------------------------------------------------------------
    def add_block(self, block_type: str) -> str | None:
        """Add a block where the user is looking, stepping down past any block already there."""
        centre = self.view.centre_scene_point()
        for _ in range(20):
            if not any(it.node_id for it in self.scene.node_items()
                       if it.mapRectToScene(it.body_rect()).contains(centre)):
                break
            centre.setY(centre.y() + NODE_H + 20)
        return self.scene.add_block_at(block_type, centre)

    def delete_selection(self) -> None:
        self.controller.remove(self.scene.selected_node_ids(), self.scene.selected_edge_keys())

    def copy(self) -> None:
        self.controller.copy(self.scene.selected_node_ids())

    def cut(self) -> None:
        self.controller.cut(self.scene.selected_node_ids())

    def paste(self) -> None:
        at = None
        if self.view.underMouse():     # Ctrl+V over the canvas pastes under the pointer
            p = self.view.mapToScene(self.view.viewport().mapFromGlobal(QCursor.pos()))
            p = self.scene.snapped(p)
            at = (p.x(), p.y())
        ids = self.controller.paste(at)
        if ids:
            self.scene.select_nodes(ids)

    def duplicate(self) -> None:
        ids = self.controller.duplicate(self.scene.selected_node_ids())
        if ids:
            self.scene.select_nodes(ids)

    def select_all(self) -> None:
        self.scene.select_nodes(list(self.controller.doc.nodes))

    def _canvas_menu(self, pos) -> None:
        a = self.menu_actions
        menu = QMenu(self)
        menu.addActions([a.cut, a.copy, a.paste, a.duplicate, a.delete])
        menu.addSeparator()
        menu.addActions([a.select_all, a.auto_layout, a.fit])
        menu.exec(self.view.viewport().mapToGlobal(pos))

    # ---- view ----------------------------------------------------------------------------------
    def show_start_of_graph(self) -> None:
        """Fit the graph; when that would make text unreadable, show its start (the data side)
        at a readable zoom instead, with the minimap for the rest."""
        self.view.fit_all()
        if self.view.zoom >= FIT_MIN_ZOOM:
            return
        self.view.set_zoom(START_ZOOM)
        rect = self.scene.nodes_rect()
        visible = self.view.visible_scene_rect()
        self.view.centerOn(rect.left() - 40 + visible.width() / 2, rect.center().y())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._fitted_once:
            self._fitted_once = True
            if not self._layout_restored:
                # docks sized when the window had its final size: sized while it was still
                # the default 640x480, the dashboard kept a height that suits no real window
                self.resizeDocks([self.dashboard_dock], [round(DASHBOARD_SHARE * self.height())],
                                 Qt.Vertical)
            QTimer.singleShot(0, self.show_start_of_graph)

    def set_snap(self, on: bool) -> None:
        self.scene.snap_to_grid = on
        self.settings.setValue("snap_to_grid", on)

    def set_theme(self, name: str) -> None:
        self.theme = THEMES.get(name, LIGHT)
        app = QApplication.instance()
        if app is not None:
            apply_theme(app, self.theme)
        self.scene.set_theme(self.theme)
        self.palette.set_theme(self.theme)
        apply_icons(self.menu_actions, self.theme.color("text"))
        self.status.set_theme(self.theme)
        self.view.minimap.update()
        self.settings.setValue("theme", self.theme.name)
        self.menu_actions.theme_dark.setChecked(self.theme.dark)
        self.menu_actions.theme_light.setChecked(not self.theme.dark)

    def show_model_panel(self) -> None:
        self.predict_dock.show()
        self.predict_dock.raise_()

    def show_shortcuts(self) -> None:
        QMessageBox.information(self, "Keyboard and mouse", SHORTCUTS)

    # ---- keeping the chrome current --------------------------------------------------------------
    def _alive(self) -> bool:
        """False while Qt tears the window down: the undo stack still signals as it dies."""
        return shiboken6.isValid(self) and shiboken6.isValid(self.controller.undo_stack)

    def _update_title(self) -> None:
        if not self._alive():
            return
        path = self.controller.doc.path
        name = window_title_text(Path(path).name) if path else "Untitled"
        self.setWindowTitle(f"{name}[*] — {APP_NAME}")
        self.setWindowModified(self.controller.dirty)

    def _update_actions(self) -> None:
        if not self._alive():
            return
        a, stack, locked = self.menu_actions, self.controller.undo_stack, self.controller.locked
        a.undo.setEnabled(stack.canUndo() and not locked)
        a.redo.setEnabled(stack.canRedo() and not locked)
        a.undo.setText(f"&Undo {menu_text(stack.undoText())}".rstrip())   # undo texts name nodes
        a.redo.setText(f"&Redo {menu_text(stack.redoText())}".rstrip())
        has_nodes = bool(self.scene.selected_node_ids())
        has_any = has_nodes or bool(self.scene.selected_edge_keys())
        a.copy.setEnabled(has_nodes)
        if hasattr(self, "trained"):
            a.save_model.setEnabled(self.trained.can_save())
            a.export_model.setEnabled(self.trained.model is not None)
        for act, ok in ((a.cut, has_nodes), (a.duplicate, has_nodes), (a.delete, has_any),
                        (a.paste, True), (a.auto_layout, True)):
            act.setEnabled(ok and not locked)
        self.status.show_counts(self.controller.doc)

    def _on_selection(self) -> None:
        if not self._alive() or not shiboken6.isValid(self.inspector):
            return
        nodes, edges = self.scene.selected_node_ids(), self.scene.selected_edge_keys()
        if len(nodes) == 1 and not edges:
            self.inspector.show_node(nodes[0])
        elif nodes:
            self.inspector.show_many(len(nodes))
        elif len(edges) == 1:
            self.inspector.show_edge(edges[0])
        elif self.inspector.mode != "training":
            self.inspector.show_training()
        self._update_actions()

    def _on_locked(self, locked: bool) -> None:
        self.status.set_locked(locked)
        self.palette.setEnabled(not locked)
        self._update_actions()
