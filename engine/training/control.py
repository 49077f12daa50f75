"""Pause, single step, slow motion and stop: asked for from any thread, honoured between batches."""
from __future__ import annotations

import threading
from collections import deque


class Control:
    """Thread-safe run control, checked by the training loop before every batch."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._paused = False
        self._stopped = False
        # single steps asked for and not taken yet: None for a whole batch, or the name of the one
        # optimizer whose update that batch makes (a GAN's "discriminator" or "generator")
        self._single: deque[str | None] = deque()
        self.delay_s = 0.0                   # slow motion: wait this long before each batch
        # set by gate() for the batch it lets through: the optimizer that batch is limited to
        # (its plan's first update for that optimizer, and no other update), None for all
        self.batch_only: str | None = None

    @property
    def paused(self) -> bool:
        """Whether the next batch will wait (read without the lock: a plain flag, and the loop
        only uses it to take fresh pictures before it waits)."""
        return self._paused

    def pause(self) -> None:
        with self._cond:
            self._paused = True

    def resume(self) -> None:
        with self._cond:
            self._paused = False
            self._cond.notify_all()

    def step_once(self, optimizer: str | None = None) -> None:
        """Pause, then let one batch through. With `optimizer` named, that batch makes one update
        of that optimizer only (a GAN: "discriminator" or "generator"; see Plan.optimizers)."""
        with self._cond:
            self._paused = True
            self._single.append(optimizer)
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def gate(self) -> bool:
        """Block while paused; False when the run should stop."""
        self.batch_only = None
        if self.delay_s > 0:
            with self._cond:
                self._cond.wait_for(lambda: self._stopped, timeout=self.delay_s)
        if not self._paused:
            return not self._stopped
        with self._cond:
            while self._paused and not self._stopped:
                if self._single:
                    self.batch_only = self._single.popleft()
                    return True
                self._cond.wait(0.1)
            return not self._stopped
