"""Latent points the GUI wants decoded while a run trains, decoded by the training thread.

Run.decode may be called from the GUI thread, but while the training thread runs, each torch
call the GUI thread makes waits for the GIL that thread holds: a ten-point decode that takes half
a millisecond alone took 15 ms on average and up to 47 ms beside training (measured), long
enough to stall the window. So while a run trains, the GUI posts its points here and the
training thread decodes them between two reports (the run's generator is suspended then), and
the GUI collects the pictures on a later frame. Only the newest request counts: a drag posts one
per mouse move, and older ones are dropped unserved. Plain Python, no Qt.

A subclass asks the run for something else the same way (gibbs_mailbox.py: an RBM's Gibbs
chain): it says what it calls in `ask` and how a failure reads in `failed`.
"""
from __future__ import annotations

import threading
from typing import Any

import numpy as np


class DecodeMailbox:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._serial = 0
        self._request: tuple[int, str, np.ndarray] | None = None
        self._result: tuple[int, np.ndarray | None, str] | None = None

    # ---- GUI thread --------------------------------------------------------------------------
    def post(self, node_id: str, z: np.ndarray) -> int:
        """Ask for z (k, units) through decoding node `node_id`; returns the request's serial."""
        with self._lock:
            self._serial += 1
            self._request = (self._serial, node_id, np.array(z, np.float32))
            return self._serial

    def take(self) -> tuple[int, Any, str] | None:
        """(serial, images (or what `ask` answers) or None, why not) of the last request served
        since the last take."""
        with self._lock:
            result, self._result = self._result, None
            return result

    def withdraw(self) -> tuple[int, str, np.ndarray] | None:
        """The request not yet served, taken back (to decode it elsewhere), or None."""
        with self._lock:
            request, self._request = self._request, None
            return request

    # ---- training thread ---------------------------------------------------------------------
    @property
    def waiting(self) -> bool:
        """A request is waiting. Read without the lock: a stale False only delays it a step."""
        return self._request is not None

    def serve(self, run: Any) -> None:
        """Answer the waiting request with `run` (between two of its reports)."""
        request = self.withdraw()
        if request is None:
            return
        serial, node_id, z = request
        try:
            images, problem = self.ask(run, node_id, z), ""
        except Exception as exc:  # noqa: BLE001 - the view shows why, the run goes on
            images, problem = None, self.failed(node_id, exc)
        with self._lock:
            self._result = (serial, images, problem)

    # ---- what is asked -------------------------------------------------------------------------
    def ask(self, run: Any, node_id: str, request: Any) -> Any:
        return np.asarray(run.decode(node_id, request))

    @staticmethod
    def failed(node_id: str, exc: Exception) -> str:
        return f"cannot decode at '{node_id}': {type(exc).__name__}: {exc}"
