"""Decoding latent points for the latent view without making the window wait for training.

While a run trains, a request goes to the session's DecodeMailbox and the training thread
decodes it between two steps (gui/training/decode_mailbox.py says why); a short poll picks the
pictures up on a later turn of the event loop. With no training thread running (before, after,
paused), the points are decoded at once, here: nothing competes for the GIL then.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QTimer, Slot

from gui.training.training_session import TrainingSession

POLL_MS = 15           # the training thread serves a request within a step (about 1-2 ms)

Done = Callable[["np.ndarray | None"], None]


class LatentDecoder(QObject):
    def __init__(self, session: TrainingSession, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.problem = ""           # why the last decode gave no pictures ('' when it did)
        self._waiting: tuple | None = None     # (serial, mailbox, node id, z, done)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._collect)

    def request(self, node_id: str, z: np.ndarray, done: Done) -> None:
        """Call done(images or None) with z (k, units) decoded at `node_id`: at once when no
        training thread runs, else once that thread has served it. A newer request replaces
        one still waiting, whose `done` is then never called (a drag asks at every move)."""
        s = self.session
        if s.decodes_in_background():
            serial = s.mailbox.post(node_id, z)
            self._waiting = (serial, s.mailbox, node_id, z, done)
            self._timer.start()
            return
        self._give_up()
        self._decode_here(node_id, z, done)

    def _decode_here(self, node_id: str, z: np.ndarray, done: Done) -> None:
        images = self.session.decode(node_id, z)
        self.problem = self.session.decode_problem
        done(images)

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
        serial, mailbox, node_id, z, done = self._waiting
        if mailbox is not self.session.mailbox:      # another run began: the view starts again
            self._give_up()
            return
        result = mailbox.take()
        if result is not None and result[0] == serial:
            self._waiting = None
            self._timer.stop()
            self.problem = result[2]
            done(result[1])
        elif not self.session.decodes_in_background():
            # paused or ended before the thread got to it: decode here, now that nothing trains
            self._give_up()
            self._decode_here(node_id, z, done)
