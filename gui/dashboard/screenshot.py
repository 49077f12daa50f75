"""--screenshot with --after-epochs N: start the run as the Run button does, wait for N epochs
(or the end of the run, e.g. a divergence), hold the run, and save a picture of the window."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEventLoop, QObject, QTimer, Slot
from PySide6.QtWidgets import QWidget

from gui.training_session import TrainingSession

SETTLE_MS = 200        # a few dashboard frames, so the picture shows the newest figures


class _EpochWaiter(QObject):
    """Quits a local event loop at the Nth epoch or at the end of the run (GUI-thread slots)."""

    def __init__(self, session: TrainingSession, epochs: int, loop: QEventLoop):
        super().__init__()
        self.session, self.epochs, self.loop = session, epochs, loop
        self.reason = "timeout"
        session.epoch_ended.connect(self.on_epoch)
        session.run_finished.connect(self.on_finished)

    @Slot(object)
    def on_epoch(self, rep) -> None:
        if rep.epoch >= self.epochs and self.reason == "timeout":
            self.session.pause()
            self.reason = "epochs"
            self.loop.quit()

    @Slot(object)
    def on_finished(self, _rep) -> None:
        if self.reason == "timeout":
            self.reason = "finished"
            self.loop.quit()


def capture_after_epochs(session: TrainingSession, window: QWidget, epochs: int,
                         path: str | Path, timeout_s: float = 600.0) -> str:
    """Returns why the picture was taken: 'epochs', 'finished' (the run ended first) or
    'timeout'. The run is left paused (or ended); call session.shutdown() when done with it."""
    loop = QEventLoop()
    waiter = _EpochWaiter(session, max(0, epochs), loop)
    if epochs > 0:
        session.run_action.trigger()
        QTimer.singleShot(int(timeout_s * 1000), loop.quit)
        loop.exec()
    settle = QEventLoop()
    QTimer.singleShot(SETTLE_MS, settle.quit)
    settle.exec()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(path), "PNG")
    session.epoch_ended.disconnect(waiter.on_epoch)
    session.run_finished.disconnect(waiter.on_finished)
    return waiter.reason if epochs > 0 else "epochs"
