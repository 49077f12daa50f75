"""The lesson gallery: File ▸ Lessons… (and once, at the app's first start) shows every lesson
shipped in graphs/ as a card; choosing one opens it the way File ▸ Open does, so a graph with
unsaved edits is asked about first and a running training refuses.

The cards are built in gallery_dialog.py from what gallery_catalog.py reads; this module is the
wiring into the window.
"""
from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtGui import QAction, QKeySequence

from gui.classroom.gallery_catalog import LESSONS_DIR, read_lessons
from gui.classroom.gallery_dialog import LessonGallery
from gui.editor.controller import LOCKED_MESSAGE

SHORTCUT = "Ctrl+Shift+L"        # Ctrl+L is Auto-layout
SHOWN_AT_START_KEY = "gallery/shown_at_first_start"
MAX_SIZE = (1180, 860)           # logical pixels: inside a 1280x720 window with room round it


class LessonGalleryCommand:
    """Shows the gallery over `window` and opens what is chosen in it."""

    def __init__(self, window, folder: Path = LESSONS_DIR):
        self.window = window
        self.folder = folder
        self.dialog: LessonGallery | None = None

    def show(self) -> LessonGallery:
        """Build the gallery afresh (a lesson file may have changed) and show it without
        blocking; returns it."""
        if self.dialog is not None and shiboken6.isValid(self.dialog):
            self.dialog.close()
            self.dialog.deleteLater()
        w = self.window
        self.dialog = LessonGallery(read_lessons(self.folder), w.theme, w.controller.doc.path, w)
        self.dialog.chosen.connect(self.open_lesson)
        frame = w.geometry()
        width = min(MAX_SIZE[0], max(480, frame.width() - 80))
        height = min(MAX_SIZE[1], max(360, frame.height() - 60))
        self.dialog.resize(width, height)
        self.dialog.open()            # window-modal and non-blocking
        self.dialog.focus_first()
        return self.dialog

    def open_lesson(self, path: Path) -> bool:
        """Open `path` through the window's own open path (asking about unsaved changes);
        the gallery closes when it opened, and says why in a line when it did not."""
        w = self.window
        if w.controller.locked:
            # the window would only say so in its status bar, hidden behind the gallery
            if self.dialog is not None:
                self.dialog.say(LOCKED_MESSAGE)
            return False
        opened = w.open_path(path)
        if self.dialog is not None and shiboken6.isValid(self.dialog):
            if opened:
                self.dialog.accept()
            elif w.controller.dirty:
                self.dialog.say("Not opened: the open graph's changes are kept.")
            else:
                self.dialog.say(f"{path.name} could not be opened.")
        return opened


def install(window) -> None:
    window.lesson_gallery = LessonGalleryCommand(window)
    action = QAction("&Lessons…", window)
    action.setShortcut(QKeySequence(SHORTCUT))
    action.setToolTip(f"Choose a lesson to open ({SHORTCUT})")
    action.setStatusTip("Choose a lesson to open")
    action.triggered.connect(lambda _checked=False: window.lesson_gallery.show())
    window.addAction(action)          # the shortcut works wherever the focus is in the window
    window.lessons_action = action
    menu = window.file_menu
    recent = window.menu_actions.recent_menu.menuAction()
    entries = menu.actions()
    # after Open and Open Recent: the other ways of opening a graph
    after = entries.index(recent) + 1 if recent in entries else len(entries)
    menu.insertAction(entries[after] if after < len(entries) else None, action)


def show_on_first_start(window) -> bool:
    """Show the gallery if this user has never seen it; True when it was shown. Called by the
    app's normal start only (never for a file named on the command line, screenshots or tests)."""
    settings = window.settings
    if settings.value(SHOWN_AT_START_KEY, False, type=bool):
        return False
    settings.setValue(SHOWN_AT_START_KEY, True)
    window.lesson_gallery.show()
    return True
