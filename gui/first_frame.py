"""Run something once a shown window's first frame is on screen.

`QTimer.singleShot(0, ...)` after `show()` is not enough: on X11 and Wayland the window is
mapped and exposed by the display server some milliseconds later, after the event loop has
already run zero-delay timers, so work queued that way still runs before the first paint.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

# a window that is never exposed (started minimised, on another virtual desktop) still gets
# its work done after this long
FALLBACK_MS = 1000


class _FirstExpose(QObject):
    def __init__(self, window: QWidget, fn: Callable[[], None]):
        super().__init__(window)
        self._fn: Callable[[], None] | None = fn
        self._handle = window.windowHandle()
        self._handle.installEventFilter(self)
        QTimer.singleShot(FALLBACK_MS, self, self._fire)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Expose and self._handle.isExposed():
            # the expose is painted while this event is handled; the zero timer runs after it
            QTimer.singleShot(0, self, self._fire)
        return False

    def _fire(self) -> None:
        fn, self._fn = self._fn, None
        if fn is None:
            return
        self._handle.removeEventFilter(self)
        fn()


def after_first_frame(window: QWidget, fn: Callable[[], None]) -> None:
    """Call `fn` once, from the event loop, after `window` (already shown) is first painted."""
    _FirstExpose(window, fn)
