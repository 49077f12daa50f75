"""--screenshot with --after-epochs N: start the run as the Run button does, wait for N epochs
(or the end of the run, e.g. a divergence) and hold the run, so the window's picture shows it."""
from __future__ import annotations

from PySide6.QtCore import QEventLoop, QObject, QTimer, Slot

from gui.training.training_session import TrainingSession

SETTLE_MS = 200        # a few dashboard frames, so the picture shows the newest figures


class _EpochWaiter(QObject):
    """Quits a local event loop at the Nth epoch or at the end of the run (GUI-thread slots)."""

    def __init__(self, session: TrainingSession, epochs: int, loop: QEventLoop):
        super().__init__()
        self.session, self.epochs, self.loop = session, epochs, loop
        self.reason = "timeout"
        self.seen = 0           # epochs of the whole run: a phase's own count restarts at 1
        session.epoch_ended.connect(self.on_epoch)
        session.run_finished.connect(self.on_finished)

    @Slot(object)
    def on_epoch(self, rep) -> None:
        self.seen += 1
        if self.seen >= self.epochs and self.reason == "timeout":
            self.session.pause()
            self.reason = "epochs"
            self.loop.quit()

    @Slot(object)
    def on_finished(self, _rep) -> None:
        if self.reason == "timeout":
            self.reason = "finished"
            self.loop.quit()


def run_until_epochs(session: TrainingSession, epochs: int, timeout_s: float = 600.0) -> str:
    """Start the run as the Run button does and return once `epochs` epochs are reported,
    counted over all its phases (an RBM stack's pretraining epochs count) (the run is then
    paused by its own training thread at that epoch's end, so the picture holds exactly those
    epochs), or the run ended first (a divergence, early stopping), or `timeout_s` passed: 'epochs', 'finished' or 'timeout'. The dashboard has drawn
    the newest figures when this returns. Call session.shutdown() when done with the run."""
    loop = QEventLoop()
    waiter = _EpochWaiter(session, max(1, epochs), loop)
    session.pause_after_epochs = waiter.epochs
    try:
        session.run_action.trigger()
        QTimer.singleShot(int(timeout_s * 1000), loop.quit)
        loop.exec()
    finally:
        session.pause_after_epochs = None
        session.epoch_ended.disconnect(waiter.on_epoch)
        session.run_finished.disconnect(waiter.on_finished)
    settle = QEventLoop()
    QTimer.singleShot(SETTLE_MS, settle.quit)
    settle.exec()
    return waiter.reason

