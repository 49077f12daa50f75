"""The window's commands as QActions, with the shortcuts desktop editors use, and the menus
and toolbar that show them. Behaviour stays in the window and controller; this is wiring."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QColor, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar

from gui import icons

if TYPE_CHECKING:
    from gui.main_window import MainWindow


@dataclass
class Actions:
    new: QAction
    open: QAction
    save: QAction
    save_as: QAction
    save_model: QAction
    export_model: QAction
    data_dir: QAction
    quit: QAction
    undo: QAction
    redo: QAction
    cut: QAction
    copy: QAction
    paste: QAction
    duplicate: QAction
    delete: QAction
    select_all: QAction
    fit: QAction
    zoom_in: QAction
    zoom_out: QAction
    zoom_reset: QAction
    auto_layout: QAction
    snap: QAction
    minimap: QAction
    theme_light: QAction
    theme_dark: QAction
    shortcuts: QAction
    recent_menu: QMenu


def _act(w: MainWindow, text: str, slot, keys=(), icon=None, tip: str = "") -> QAction:
    a = QAction(text, w)
    if keys:
        a.setShortcuts([QKeySequence(k) for k in keys])
    if icon is not None:
        a.setProperty("icon_name", icon)
    label = text.replace("&", "").rstrip("…")
    shortcut = a.shortcut().toString(QKeySequence.NativeText)
    a.setToolTip(f"{tip or label} ({shortcut})" if shortcut else (tip or label))
    a.setStatusTip(tip or label)
    a.triggered.connect(lambda _checked=False: slot())
    w.addAction(a)      # shortcuts work wherever the focus is in the window
    return a


def apply_icons(acts: Actions, color: QColor) -> None:
    """(Re)draw the toolbar icons in `color`, the theme's text colour."""
    for a in vars(acts).values():
        if isinstance(a, QAction) and a.property("icon_name"):
            a.setIcon(icons.icon(a.property("icon_name"), color))


def build_actions(w: MainWindow) -> Actions:
    K = QKeySequence
    acts = Actions(
        new=_act(w, "&New", w.new_file, [K.New], "new", "Start an empty graph"),
        open=_act(w, "&Open…", w.open_file_dialog, [K.Open], "open", "Open a graph file"),
        save=_act(w, "&Save", w.save, [K.Save], "save", "Save the graph"),
        save_as=_act(w, "Save &As…", w.save_as, ["Ctrl+Shift+S"], None, "Save the graph under a new name"),
        save_model=_act(w, "Save &Trained Model…", lambda: w.models.save_model(), [], None,
                        "Save the trained network, its weights and preprocessing as a .dcmodel file"),
        export_model=_act(w, "&Export…", lambda: w.models.export(), [], None,
                          "Export the trained model as a PyTorch script, ONNX or TorchScript"),
        data_dir=_act(w, "Data &Folder…", w.choose_data_dir, [], None,
                      "Choose the folder where CSV data files are looked for"),
        quit=_act(w, "&Quit", w.close, [K.Quit], None, "Close DeepCanvas"),
        undo=_act(w, "&Undo", w.controller.undo, [K.Undo], "undo", "Undo"),
        redo=_act(w, "&Redo", w.controller.redo, ["Ctrl+Shift+Z", "Ctrl+Y"], "redo", "Redo"),
        cut=_act(w, "Cu&t", w.cut, [K.Cut], None, "Cut the selected blocks"),
        copy=_act(w, "&Copy", w.copy, [K.Copy], None, "Copy the selected blocks"),
        paste=_act(w, "&Paste", w.paste, [K.Paste], None, "Paste blocks"),
        duplicate=_act(w, "D&uplicate", w.duplicate, ["Ctrl+D"], None, "Duplicate the selected blocks"),
        delete=_act(w, "&Delete", w.delete_selection, [K.Delete, "Backspace"], "delete",
                    "Delete the selected blocks and connections"),
        select_all=_act(w, "Select &All", w.select_all, [K.SelectAll], None, "Select every block"),
        fit=_act(w, "&Fit to View", w.view.fit_all, ["F"], "fit", "Show the whole graph"),
        zoom_in=_act(w, "Zoom &In", w.view.zoom_in, [K.ZoomIn, "Ctrl+="], None, "Zoom in"),
        zoom_out=_act(w, "Zoom &Out", w.view.zoom_out, [K.ZoomOut], None, "Zoom out"),
        zoom_reset=_act(w, "&Actual Size", w.view.reset_zoom, ["Ctrl+0"], None, "Zoom to 100%"),
        auto_layout=_act(w, "Auto-&layout", w.controller.auto_layout, ["Ctrl+L"], "layout",
                         "Arrange the blocks in layers, data on the left"),
        snap=_act(w, "&Snap to Grid", lambda: w.set_snap(acts.snap.isChecked()), [], None, "Snap to grid"),
        minimap=_act(w, "&Minimap", lambda: w.view.set_minimap_wanted(acts.minimap.isChecked()), [], None,
                     "Show the overview in the canvas corner"),
        theme_light=_act(w, "&Light", lambda: w.set_theme("light"), [], None, "Light theme"),
        theme_dark=_act(w, "&Dark", lambda: w.set_theme("dark"), [], None, "Dark theme"),
        shortcuts=_act(w, "&Keyboard and Mouse", w.show_shortcuts, ["F1"], None, "Keyboard and mouse help"),
        recent_menu=QMenu("Open &Recent", w),
    )
    acts.undo.setIconText("Undo")      # the toolbar keeps a short label; the menu says what
    acts.redo.setIconText("Redo")
    for a in (acts.snap, acts.minimap, acts.theme_light, acts.theme_dark):
        a.setCheckable(True)
    group = QActionGroup(w)
    group.addAction(acts.theme_light)
    group.addAction(acts.theme_dark)
    acts.minimap.setChecked(True)
    acts.snap.setChecked(True)
    return acts


def build_menus(w: MainWindow, a: Actions) -> None:
    bar = w.menuBar()
    file = bar.addMenu("&File")
    w.file_menu = file
    file.addActions([a.new, a.open])
    file.addMenu(a.recent_menu)
    file.addSeparator()
    file.addActions([a.save, a.save_as])
    file.addSeparator()
    file.addActions([a.save_model, a.export_model])
    file.addSeparator()
    file.addAction(a.data_dir)
    file.addSeparator()
    file.addAction(a.quit)
    edit = bar.addMenu("&Edit")
    edit.addActions([a.undo, a.redo])
    edit.addSeparator()
    edit.addActions([a.cut, a.copy, a.paste, a.duplicate, a.delete])
    edit.addSeparator()
    edit.addAction(a.select_all)
    view = bar.addMenu("&View")
    view.addActions([a.fit, a.zoom_in, a.zoom_out, a.zoom_reset])
    view.addSeparator()
    view.addActions([a.auto_layout, a.snap, a.minimap])
    theme = view.addMenu("&Theme")
    theme.addActions([a.theme_light, a.theme_dark])
    view.addSeparator()
    panels = view.addMenu("&Panels")
    for dock in (w.palette_dock, w.inspector_dock, w.lesson_dock, w.dashboard_dock):
        panels.addAction(dock.toggleViewAction())
    w.view_menu = view
    w.panels_menu = panels
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(a.shortcuts)


def build_toolbar(w: MainWindow, a: Actions) -> QToolBar:
    bar = QToolBar("File and edit", w)
    bar.setObjectName("main_toolbar")
    bar.setMovable(False)
    bar.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
    bar.addActions([a.new, a.open, a.save])
    bar.addSeparator()
    bar.addActions([a.undo, a.redo, a.delete])
    bar.addSeparator()
    bar.addActions([a.auto_layout, a.fit])
    w.addToolBar(Qt.TopToolBarArea, bar)
    return bar
