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
MAX_SIZE = (1480, 900)           # logical pixels; a 1280x720 window gets 1200x660


class LessonGalleryCommand:
    """Shows the gallery over `window` and opens what is chosen in it."""

    def __init__(self, window, folder: Path = LESSONS_DIR):
        self.window = window
        self.folder = folder
        self.dialog: LessonGallery | None = None
        self._built_for: tuple = ()

    def show(self) -> LessonGallery:
        """Show the gallery without blocking and return it. It is built again only when a lesson
        file or the theme changed since it was last shown: building the cards is most of the
        time it takes to appear."""
        w = self.window
        lessons = read_lessons(self.folder)
        key = (str(self.folder), w.theme.name, tuple((x.path, x.stamp) for x in lessons))
        dialog = self.dialog
        if dialog is None or not shiboken6.isValid(dialog) or key != self._built_for:
            if dialog is not None and shiboken6.isValid(dialog):
                dialog.deleteLater()
            dialog = self.dialog = LessonGallery(lessons, w.theme, w.controller.doc.path, w)
            dialog.chosen.connect(self.open_lesson)
            self._built_for = key
        else:
            dialog.mark_open(w.controller.doc.path)
        dialog.say("")
        frame = w.geometry()
        dialog.resize(min(MAX_SIZE[0], max(480, frame.width() - 80)),
                      min(MAX_SIZE[1], max(360, frame.height() - 60)))
        # over the middle of the window, where a teacher's eyes already are
        dialog.move(frame.center() - dialog.rect().center())
        dialog.open()            # window-modal and non-blocking
        dialog.focus_first()
        return dialog

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
