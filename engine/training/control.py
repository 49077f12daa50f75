"""Pause, single step, slow motion and stop: asked for from any thread, honoured between batches."""
from __future__ import annotations

import threading


class Control:
    """Thread-safe run control, checked by the training loop before every batch."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._paused = False
        self._stopped = False
        self._single = 0
        self.delay_s = 0.0                   # slow motion: wait this long before each batch

    def pause(self) -> None:
        with self._cond:
            self._paused = True

    def resume(self) -> None:
        with self._cond:
            self._paused = False
            self._cond.notify_all()

    def step_once(self) -> None:
        with self._cond:
            self._paused = True
            self._single += 1
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def gate(self) -> bool:
        """Block while paused; False when the run should stop."""
        if self.delay_s > 0:
            with self._cond:
                self._cond.wait_for(lambda: self._stopped, timeout=self.delay_s)
        if not self._paused:
            return not self._stopped
        with self._cond:
            while self._paused and not self._stopped:
                if self._single > 0:
                    self._single -= 1
                    return True
                self._cond.wait(0.1)
            return not self._stopped
