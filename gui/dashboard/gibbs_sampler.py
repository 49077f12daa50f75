"""Gibbs chains of an RBM for the Gibbs view, without making the window wait for training.

The same pattern as the latent explorer's decodes (latent_decoder.py): while a run trains, the
request goes to the session's GibbsMailbox and the training thread runs the chain between two
steps; a short poll picks the frames up on a later turn of the event loop. With no training
thread running (before, after, paused) the chain runs at once, here.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QTimer, Slot

from gui.training.training_session import TrainingSession

POLL_MS = 30           # a chain of a hundred steps on a small RBM takes a few milliseconds

Done = Callable[["np.ndarray | None"], None]


class GibbsSampler(QObject):
    def __init__(self, session: TrainingSession, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.problem = ""           # why the last chain gave no frames ('' when it did)
        self._waiting: tuple | None = None     # (serial, mailbox, node id, chain, done)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._collect)

    @property
    def waiting(self) -> bool:
        return self._waiting is not None

    def request(self, node_id: str, chain: dict[str, int], done: Done) -> None:
        """Call done(frames or None) with Run.gibbs(node_id, **chain): at once when no training
        thread runs, else once that thread has served it. A newer request replaces one still
        waiting, whose `done` is then never called."""
        s = self.session
        if s.decodes_in_background():
            serial = s.gibbs_mailbox.post(node_id, chain)
            self._waiting = (serial, s.gibbs_mailbox, node_id, dict(chain), done)
            self._timer.start()
            return
        self._give_up()
        self._run_here(node_id, chain, done)

    def _run_here(self, node_id: str, chain: dict[str, int], done: Done) -> None:
        frames = self.session.gibbs(node_id, chain)
        self.problem = self.session.gibbs_problem
        done(frames)

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
        serial, mailbox, node_id, chain, done = self._waiting
        if mailbox is not self.session.gibbs_mailbox:    # another run began: start again
            self._give_up()
            return
        result = mailbox.take()
        if result is not None and result[0] == serial:
            self._waiting = None
            self._timer.stop()
            self.problem = result[2]
            done(result[1])
        elif not self.session.decodes_in_background():
            # paused or ended before the thread got to it: run it here, now nothing trains
            self._give_up()
            self._run_here(node_id, chain, done)
