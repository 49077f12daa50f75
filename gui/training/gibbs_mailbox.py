"""Gibbs chains the GUI wants from an RBM while a run trains, run by the training thread.

Run.gibbs may be called from the GUI thread, but beside a training thread every torch call there
waits for the GIL (decode_mailbox.py has the measurements), and a chain is a hundred steps of
them. So while a run trains the Gibbs view posts its request here, the training thread runs the
chain between two reports, and the view collects the frames on a later turn of the event loop.
The newest request wins, as for decodes. Plain Python, no Qt.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from gui.training.decode_mailbox import DecodeMailbox


class GibbsMailbox(DecodeMailbox):
    def post(self, node_id: str, chain: dict[str, int]) -> int:
        """Ask for Run.gibbs(node_id, **chain) (n, steps, every, seed); returns the serial."""
        with self._lock:
            self._serial += 1
            self._request = (self._serial, node_id, dict(chain))
            return self._serial

    def ask(self, run: Any, node_id: str, request: Any) -> Any:
        return np.asarray(run.gibbs(node_id, **request))

    @staticmethod
    def failed(node_id: str, exc: Exception) -> str:
        return f"cannot sample '{node_id}': {type(exc).__name__}: {exc}"
