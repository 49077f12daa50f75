"""The trained model the window can predict with and export: the snapshot of this window's last
run, or a model file the user opened, whichever came last.

Predictions never run on the model a training thread is changing: a snapshot (its own copy of
the weights, gui/models/model_files.py) is taken when a run ends or is paused, and while a run
trains the Predict panel keeps answering from the snapshot it has, saying which weights those
are. Pausing takes a fresh one, so pause, look at the answers, resume."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from engine.models.archive import SavedModel
from engine.telemetry import DoneReport
from gui.models.model_files import snapshot

# the in-flight batch ends before the paused worker waits: a pause is taken a moment later
PAUSE_SNAPSHOT_MS = 150


class TrainedModel(QObject):
    changed = Signal()          # `model` or `source` changed
    failed = Signal(str)        # a snapshot could not be taken: why, in one line

    def __init__(self, session, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.model: SavedModel | None = None
        self.source = ""         # which weights these are, in words
        self.report: DoneReport | None = None    # the last run's report, when it ended well
        session.run_finished.connect(self._on_run_finished)
        session.state_changed.connect(self._on_state)
        session.state_replaced.connect(lambda _s: self._forget_report())

    def set_model(self, model: SavedModel | None, source: str) -> None:
        self.model, self.source = model, source
        self.changed.emit()

    def training(self) -> bool:
        return self.session.status in ("running", "stopping")

    def can_save(self) -> bool:
        """A run of this window has weights worth keeping: paused, or ended without failing."""
        run = self.session.run
        if run is None or run.context is None:
            return False
        if self.session.status == "paused":
            return True
        return self.session.status == "idle" and self.report is not None

    def _forget_report(self) -> None:
        self.report = None

    @Slot(object)
    def _on_run_finished(self, rep) -> None:
        if not isinstance(rep, DoneReport) or rep.reason == "diverged":
            self.report = None
            return
        self.report = rep
        self._take(f"the run that ended after {rep.epochs_run} epochs", rep)

    @Slot(str)
    def _on_state(self, status: str) -> None:
        if status == "paused":
            QTimer.singleShot(PAUSE_SNAPSHOT_MS, self._take_paused)
        else:
            self.changed.emit()       # the panel says whether a run trains

    def _take_paused(self) -> None:
        if self.session.status != "paused" or self.session.run is None:
            return
        epoch = self.session.state.snapshot().epoch
        self._take(f"the paused run (epoch {max(1, epoch)})")

    def _take(self, source: str, report=None) -> None:
        run = self.session.run
        if run is None:
            return
        try:
            model = snapshot(run, report)
        except Exception as exc:  # noqa: BLE001 - a model that cannot be copied must not take
            # the window down; the panel keeps the answers it had and says why
            self.failed.emit(f"cannot take the trained weights: {type(exc).__name__}: {exc}")
            return
        if model is not None:
            self.set_model(model, source)

    def opened(self, model: SavedModel, path: str | Path) -> None:
        self.report = None
        self.set_model(model, f"the model file {Path(path).name}")
