"""Locks for students, as the window shows them.

A lesson file's `meta.locks` (read and checked by engine.lesson_locks, enforced by the
controller on every edit) is shown here: locked blocks carry a padlock on the canvas, the
panels the lesson hides are hidden and their View ▸ Panels entries say why, a label in the
status bar says what the lesson locks, and Edit ▸ Unlock Lesson lifts every lock for this
session (checked again, it puts them back). The file keeps `meta.locks` when saved, so the
next student who opens it gets the locks; only editing the file removes them.
"""
from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import QDockWidget, QHBoxLayout, QLabel, QMenu, QWidget

from engine.lesson_locks import PANELS
from gui.editor.param_editors import lock_pixmap
from gui.plain_text import plain_tooltip

UNLOCK_TEXT = "Unlock &Lesson"
UNLOCK_TIP = ("Lift the lesson's locks for this session (the file keeps them); choose again to "
              "put them back")


class LessonLocksView(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.controller = window.controller
        self._hidden_by_us: set[str] = set()      # panels that were showing when locked
        self.unlock_action = self._build_action()
        self.status_label = self._build_status_label()
        for name in PANELS:
            dock = self.dock(name)
            if dock is not None:
                dock.visibilityChanged.connect(lambda shown, n=name: shown and self._keep_hidden(n))
        self.controller.lesson_locks_changed.connect(self.apply)
        self.controller.doc_event.connect(self._on_doc_event)
        self.apply()

    # ---- building --------------------------------------------------------------------------
    def _build_action(self) -> QAction:
        act = QAction(UNLOCK_TEXT, self.window)
        act.setCheckable(True)
        act.setToolTip(UNLOCK_TIP)
        act.setStatusTip(UNLOCK_TIP)
        act.triggered.connect(self._unlock)
        self.window.addAction(act)
        menu = _menu(self.window, "&Edit")
        if menu is not None:
            menu.addSeparator()
            menu.addAction(act)
        return act

    def _build_status_label(self) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.status_icon = QLabel()
        self.status_icon.setPixmap(lock_pixmap(13, self.window.status.palette().color(QPalette.WindowText)))
        self.status_text = QLabel()
        self.status_text.setTextFormat(Qt.PlainText)
        row.addWidget(self.status_icon)
        row.addWidget(self.status_text)
        box.setObjectName("lesson_locks_label")
        self.window.status.addPermanentWidget(box)
        box.setVisible(False)
        return box

    def _unlock(self, unlocked: bool) -> None:
        self.controller.set_lesson_unlocked(unlocked)
        if unlocked:
            self.window.status.say("Lesson unlocked for this session: everything can be edited; "
                                   "the file keeps its locks for the next student")

    def dock(self, name: str) -> QDockWidget | None:
        return self.window.findChild(QDockWidget, f"{name}_dock")

    # ---- following the controller ----------------------------------------------------------
    def apply(self) -> None:
        if not shiboken6.isValid(self.window):
            return
        locks, file_locks = self.controller.lesson_locks, self.controller.file_lesson_locks
        self.unlock_action.setEnabled(bool(file_locks))
        self.unlock_action.setChecked(bool(file_locks) and self.controller.lesson_unlocked)
        self._show_panels(locks)
        self._show_badges()
        self.status_label.setVisible(bool(file_locks))
        if file_locks:
            self.status_text.setText("Lesson unlocked" if self.controller.lesson_unlocked
                                     else "Lesson locks on")
            self.status_label.setToolTip(plain_tooltip(file_locks.describe()))
        problem = self.controller.lesson_locks_problem
        if problem:
            # after the window's own "Opened ..." line, which would replace it at once
            QTimer.singleShot(0, lambda: self.window.status.say(problem))
        elif file_locks and not self.controller.lesson_unlocked:
            QTimer.singleShot(0, lambda: self.window.status.say(file_locks.describe()))

    def _on_doc_event(self, event: str, info: dict) -> None:
        if event in ("reset", "node_added"):
            self._show_badges()

    def _show_badges(self) -> None:
        locks = self.controller.lesson_locks
        for item in self.window.scene.node_items():
            item.set_lesson_lock(locks.block_locked(item.node_id), locks.describe_block(item.node_id))

    def _show_panels(self, locks) -> None:
        for name in PANELS:
            dock = self.dock(name)
            if dock is None:
                continue
            act = dock.toggleViewAction()
            why = locks.why_panel(name)
            if why:
                if dock.isVisible():
                    self._hidden_by_us.add(name)
                dock.hide()
                act.setEnabled(False)
                act.setText(f"{dock.windowTitle()} (hidden by the lesson)")
                act.setToolTip(plain_tooltip(why))
            else:
                act.setEnabled(True)
                act.setText(dock.windowTitle())
                act.setToolTip(dock.windowTitle())
                if name in self._hidden_by_us:
                    self._hidden_by_us.discard(name)
                    dock.show()

    def _keep_hidden(self, name: str) -> None:
        """A panel the lesson hides came back (a saved layout, presenter mode giving panels
        back): hide it again once Qt has finished showing it."""
        def hide() -> None:
            dock = self.dock(name)
            if dock is not None and self.controller.lesson_locks.why_panel(name):
                dock.hide()
        if self.controller.lesson_locks.why_panel(name):
            QTimer.singleShot(0, hide)


def _menu(window, title: str) -> QMenu | None:
    for act in window.menuBar().actions():
        if act.text() == title and act.menu() is not None:
            return act.menu()
    return None


def install(window) -> None:
    window.lesson_locks_view = LessonLocksView(window)
    window.panels_menu.setToolTipsVisible(True)       # the hidden panels' entries say why
