"""The hidden units' pictures over the input plane (engine/training/unit_pictures.py), made by
the training thread and collected by the GUI.

The training thread makes them between two reports, when the run's generator is suspended and
the model is not being trained (the GUI thread would wait on the GIL for every torch call it made
beside training: decode_mailbox.py measured it), at most every INTERVAL_S while steps come, and
at the moments a picture must be exact: the start, a pause at an asked-for epoch, the end. The
GUI's overlay timer takes the newest set; older ones are simply replaced. Plain Python, no Qt.
"""
from __future__ import annotations

import threading
import time
from typing import Any

from engine.training import unit_pictures

INTERVAL_S = 0.25        # the decision boundary's rate: a 32 x 32 grid costs well under 1 ms


class UnitPicturesBox:
    def __init__(self, interval_s: float = INTERVAL_S) -> None:
        self._lock = threading.Lock()
        self._serial = 0
        self._pictures: dict[str, dict[str, Any]] = {}
        self.interval_s = interval_s
        self.active = False            # this run's data and graph have pictures to draw
        # set by the GUI while the run is paused: each single step then brings a new set
        self.eager = False
        self.problem = ""              # why pictures stopped, if a set could not be made
        self.seconds = 0.0             # time spent making them (the cost, for benches)
        self._layers: dict[str, str] = {}
        self._extent: tuple[float, float, float, float] | None = None
        self._last = 0.0

    # ---- training thread ---------------------------------------------------------------------
    def begin(self, run: Any) -> bool:
        """At the run's start report: find the hidden layers and the plane once, and make the
        first set. A run whose data has not two input features costs nothing after this."""
        try:
            ctx = run.context
            x = ctx.data.train.x if ctx is not None else None
            self.active = x is not None and unit_pictures.two_features(x)
            if self.active:
                self._layers = unit_pictures.hidden_layers(ctx.model)
                self.active = bool(self._layers)
            if self.active:
                self._extent = unit_pictures.plane_extent(x)
        except Exception as exc:  # noqa: BLE001 - a picture must never stop the training
            self.active = False
            self.problem = f"no unit pictures: {type(exc).__name__}: {exc}"
        if self.active:
            self.sample(run)
        return self.active

    def tick(self, run: Any, now: float) -> None:
        """After a step report: a new set when INTERVAL_S has passed since the last."""
        if self.active and (self.eager or now - self._last >= self.interval_s):
            self.sample(run)

    def sample(self, run: Any) -> None:
        if not self.active:
            return
        t0 = time.perf_counter()
        try:
            pictures = unit_pictures.unit_pictures(run.context.model, self._extent,
                                                   layers=self._layers)
        except Exception as exc:  # noqa: BLE001 - a picture must never stop the training
            self.active = False
            self.problem = f"unit pictures stopped: {type(exc).__name__}: {exc}"
            return
        self._last = t1 = time.perf_counter()
        self.seconds += t1 - t0
        with self._lock:
            self._serial += 1
            self._pictures = pictures

    # ---- GUI thread --------------------------------------------------------------------------
    def latest(self) -> tuple[int, dict[str, dict[str, Any]]]:
        """(serial, node id -> pictures) of the newest set (0 and {} before the first)."""
        with self._lock:
            return self._serial, self._pictures
