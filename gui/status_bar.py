"""The status bar: passing messages on the left; on the right, whether editing is locked, whether
the graph is ready to train, its size, and the zoom."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from engine.compiler import Analysis
from engine.graph import GraphDocument
from gui.editor.controller import LOCKED_MESSAGE, UNLOCKED_MESSAGE
from gui.plain_text import plain_tooltip
from gui.theme import Theme

MESSAGE_MS = 8000


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class StatusBar(QStatusBar):
    def __init__(self, theme: Theme, parent: QWidget | None = None):
        super().__init__(parent)
        self.theme = theme
        self.lock_label = QLabel(LOCKED_MESSAGE)
        self.lock_label.setVisible(False)
        self.check_label = QLabel()
        self.count_label = QLabel()
        self.zoom_label = QLabel("100%")
        for w in (self.lock_label, self.check_label, self.count_label, self.zoom_label):
            self.addPermanentWidget(w)
        self._analysis: Analysis | None = None
        self._locked = self._presenting = False
        # what the last run is doing, which the graph's check must not contradict: a graph that
        # is training, paused or has just failed is not "ready to train"
        self._run = "idle"
        self._failed = False
        self.set_theme(theme)

    def say(self, text: str, ms: int = MESSAGE_MS) -> None:
        self.showMessage(text, ms)

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.lock_label.setStyleSheet(f"color: {theme.warning}; font-weight: 600;")
        if self._analysis is not None:
            self.show_check(self._analysis)

    def set_locked(self, locked: bool) -> None:
        self._locked = locked
        # the last run's passing "unlocked" would still be showing beside the locked label
        if locked and self.currentMessage() == UNLOCKED_MESSAGE:
            self.clearMessage()
        self.lock_label.setVisible(locked and not self._presenting)

    def set_presenting(self, presenting: bool) -> None:
        """In presenter mode the class needs no 'editing is locked' line: nobody edits there."""
        self._presenting = presenting
        self.lock_label.setVisible(self._locked and not presenting)

    def set_zoom(self, zoom: float) -> None:
        self.zoom_label.setText(f"{round(zoom * 100)}%")

    def show_counts(self, doc: GraphDocument) -> None:
        self.count_label.setText(f"{_plural(len(doc.nodes), 'block')} · {_plural(len(doc.edges), 'connection')}")

    def show_run(self, status: str) -> None:
        """The session's state (idle | running | paused | stopping)."""
        if status != "idle":
            self._failed = False
        self._run = status
        self._show()

    def show_run_failed(self, failed: bool) -> None:
        """The run that just ended failed (an error or a divergence): said until the graph is
        checked again after an edit, or another run starts."""
        self._failed = failed
        self._show()

    def show_check(self, analysis: Analysis | None) -> None:
        """'ready to train' in green, or the number of problems in red (hover for the list)."""
        if analysis is None:
            return
        self._analysis = analysis
        self._failed = False
        self._show()

    def _show(self) -> None:
        analysis = self._analysis
        if analysis is None:
            return
        run = {"running": ("● training", self.theme.ok), "paused": ("● paused", self.theme.warning),
               "stopping": ("● stopping", self.theme.warning)}.get(self._run)
        if run is None and self._failed:
            run = ("● the last run failed (see the dashboard)", self.theme.error)
        errors = [p for p in analysis.problems if p.severity == "error"]
        warnings = [p for p in analysis.problems if p.severity != "error"]
        if errors:
            text, color = f"● {_plural(len(errors), 'problem')}", self.theme.error
        elif warnings:
            text, color = f"● ready to train, {_plural(len(warnings), 'warning')}", self.theme.warning
        else:
            text, color = "● ready to train", self.theme.ok
        if run is not None:
            text, color = run
        self.check_label.setText(text)
        self.check_label.setStyleSheet(f"color: {color}; font-weight: 600;")
        # problems quote node ids and values from the file: one per line, shown as typed
        self.check_label.setToolTip(plain_tooltip("\n".join(str(p) for p in analysis.problems[:20])
                                                  or "No problems found"))
