"""Python's cyclic garbage collector runs in the GUI thread only while a training thread lives.

The collector runs in whichever thread happens to allocate when a generation fills up. If that
is the training thread and the garbage holds Qt objects (a closed dialog, a timer, a window a
test has finished with), their C++ destructors run in the wrong thread. Measured on this stack
(PySide6 6.11, a QThread allocating reference cycles beside a GUI thread that drops QLabel and
QTimer wrappers in cycles): the worker made 3 passes in 60 s instead of 126,000 and the process
then crashed with a corrupted heap. The app's tests saw the milder form: both threads asleep for
good, the worker inside pure-Python graph code where the collector had started.

So while any run's thread is alive, automatic collection is off and the GUI thread collects
the young generations on a timer; the objects a run creates are almost all freed by reference
counting, so little waits for it.
"""
from __future__ import annotations

import gc

COLLECT_INTERVAL_MS = 250

_holders = 0
_was_enabled = True


def hold() -> None:
    """A training thread is about to start: no automatic collection until `release`."""
    global _holders, _was_enabled
    if _holders == 0:
        _was_enabled = gc.isenabled()
        gc.disable()
    _holders += 1


def release() -> None:
    """A training thread has ended (and been joined)."""
    global _holders
    if _holders == 0:
        return
    _holders -= 1
    if _holders == 0 and _was_enabled:
        gc.enable()


def collect_young() -> None:
    """Called on the GUI thread's timer while a run is alive: the two young generations only
    (the old one holds the app's long-lived objects and takes far longer to walk)."""
    if _holders:
        gc.collect(1)
