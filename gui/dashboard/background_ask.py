"""Asking the run for pictures (decodes, Gibbs chains) without making the window wait for
training.

While a run trains, a request goes to one of the session's mailboxes and the training thread
serves it between two steps (gui/training/decode_mailbox.py says why: beside a training thread
every torch call the GUI thread makes waits for the GIL); a short poll picks the answer up on a
later turn of the event loop. With no training thread running (before, after, paused) the
request is served at once, here: nothing competes for the GIL then. A newer request replaces
one still waiting, whose `done` is then never called (a drag asks at every move).

Subclasses say which mailbox they post to (`_mailbox`) and how to serve a request here
(`_here`, returning the answer and why there is none).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QTimer, Slot

from gui.training.training_session import TrainingSession

Done = Callable[["np.ndarray | None"], None]


class BackgroundAsk(QObject):
    poll_ms = 15

    def __init__(self, session: TrainingSession, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.problem = ""           # why the last request gave nothing ('' when it did)
        self._waiting: tuple | None = None     # (serial, mailbox, node id, what, done)
        self._timer = QTimer(self)
        self._timer.setInterval(self.poll_ms)
        self._timer.timeout.connect(self._collect)

    # ---- what subclasses say -------------------------------------------------------------------
    def _mailbox(self) -> Any:
        raise NotImplementedError

    def _here(self, node_id: str, what: Any) -> tuple[np.ndarray | None, str]:
        raise NotImplementedError

    # ---- the pattern ---------------------------------------------------------------------------
    @property
    def waiting(self) -> bool:
        return self._waiting is not None

    def request(self, node_id: str, what: Any, done: Done) -> None:
        """Call done(answer or None) for `what` asked of `node_id`: at once when no training
        thread runs, else once that thread has served it."""
        if self.session.decodes_in_background():
            mailbox = self._mailbox()
            serial = mailbox.post(node_id, what)
            self._waiting = (serial, mailbox, node_id, what, done)
            self._timer.start()
            return
        self._give_up()
        self._serve_here(node_id, what, done)

    def _serve_here(self, node_id: str, what: Any, done: Done) -> None:
        answer, self.problem = self._here(node_id, what)
        done(answer)

    def _give_up(self) -> None:
        if self._waiting is not None:
            self._waiting[1].withdraw()
        self._waiting = None
        self._timer.stop()

    @Slot()
    def _collect(self) -> None:
        if self._waiting is None:
            self._timer.stop()
            return
        serial, mailbox, node_id, what, done = self._waiting
        if mailbox is not self._mailbox():      # another run began: the view starts again
            self._give_up()
            return
        result = mailbox.take()
        if result is not None and result[0] == serial:
            self._waiting = None
            self._timer.stop()
            self.problem = result[2]
            done(result[1])
        elif not self.session.decodes_in_background():
            # paused or ended before the thread got to it: serve it here, now nothing trains
            self._give_up()
            self._serve_here(node_id, what, done)
