"""The training thread: drives an engine Run's step generator and keeps a RunState up to date.

Reports go into the RunState; the GUI is told by coalesced signals (at most one `progressed`
every EMIT_INTERVAL_S), never one signal per step, so a run of a thousand steps a second costs
the event loop fifty wake-ups a second. Connect these signals only to @Slot methods of QObjects
living in the GUI thread: a lambda or plain function would run here, in the worker thread.
"""
from __future__ import annotations

import os
import sys
import time
import traceback

import torch
from PySide6.QtCore import QThread, QTimer, Signal, Slot

from engine.telemetry import DoneReport, EpochReport, ErrorReport, StartReport, StepReport
from engine.training.trainer import Run
from engine.training.watch import FacesReport
from gui.training import boundary, gc_guard
from gui.training.decode_mailbox import DecodeMailbox
from gui.training.run_state import RunState
from gui.training.unit_mailbox import UnitPicturesBox

EMIT_INTERVAL_S = 0.02
BOUNDARY_INTERVAL_S = 0.25


def gui_torch_threads() -> int:
    """Leave one core to the GUI thread: with all cores busy in torch, the UI stutters and (GIL
    contention) training itself gets slower (a digits MLP beside a 30 Hz plot, measured: 0.29 of
    its headless speed with two torch threads on two cores, 0.77 with one)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, (cores or 2) - 1)


class TrainingWorker(QThread):
    """One run, start to end, in its own thread. Create a new worker for every run."""

    run_started = Signal(object)      # StartReport
    progressed = Signal(int, int)     # epoch, global step; coalesced
    epoch_ended = Signal(object)      # EpochReport
    run_done = Signal(object)         # DoneReport
    run_failed = Signal(object)       # ErrorReport

    def __init__(self, run: Run, state: RunState, parent=None,
                 mailbox: DecodeMailbox | None = None,
                 mailboxes: tuple[DecodeMailbox, ...] = (),
                 units: UnitPicturesBox | None = None):
        super().__init__(parent)
        self.engine_run = run
        self.state = state
        # latent points the GUI wants decoded, and any other request of the same kind (an RBM's
        # Gibbs chains): served here between reports (decode_mailbox.py says why)
        self.mailbox = mailbox if mailbox is not None else DecodeMailbox()
        self.mailboxes = (self.mailbox, *mailboxes)
        self.units = units                # hidden units' pictures over a 2-D input plane
        self._abort = False
        # --after-epochs: pause here, in the training thread, once this many epoch reports (all
        # phases together) have passed; a pause asked for from the GUI thread on the epoch signal
        # lands a few batches into the next epoch
        self.pause_after_epochs: int | None = None
        self._torch_threads = gui_torch_threads()
        # the cyclic collector must not run in the training thread (see gc_guard): the GUI
        # thread collects on this timer while the thread lives
        self._gc_timer = QTimer(self)
        self._gc_timer.setInterval(gc_guard.COLLECT_INTERVAL_MS)
        self._gc_timer.timeout.connect(gc_guard.collect_young)
        self._gc_held = False
        self.finished.connect(self._release_gc)

    def start(self, *args) -> None:
        if not self._gc_held:
            self._gc_held = True
            gc_guard.hold()
            self._gc_timer.start()
        super().start(*args)

    @Slot()
    def _release_gc(self) -> None:
        """Runs in the GUI thread once the thread has finished: no Python runs there any more."""
        if self._gc_held:
            self._gc_held = False
            self._gc_timer.stop()
            gc_guard.release()

    def abort(self) -> None:
        """End the thread as soon as possible without a final report (the window is closing).
        Thread-safe; the run stops at its next batch boundary."""
        self._abort = True
        self.engine_run.stop()

    # ---- worker thread ---------------------------------------------------------------------
    def run(self) -> None:
        # torch's thread count is per thread here (OpenMP): set it in this thread, put it back
        previous = torch.get_num_threads()
        torch.set_num_threads(self._torch_threads)
        try:
            self._drive()
        except Exception as exc:  # noqa: BLE001 - any failure must reach the user, not kill the app
            traceback.print_exc(file=sys.stderr)
            rep = ErrorReport(f"training stopped by an unexpected error: {type(exc).__name__}: {exc}")
            self.state.apply(rep)
            self.run_failed.emit(rep)
        finally:
            torch.set_num_threads(previous)

    def _drive(self) -> None:
        gen = self.engine_run.steps()
        state, last_emit, last_boundary = self.state, 0.0, 0.0
        draw_boundary, extent = False, None
        epochs_seen = 0
        units = self.units
        # a stand-in run (the tests') may have no faces of its own to sample
        fresh_faces = getattr(self.engine_run, "fresh_faces", lambda: None)
        for rep in gen:
            if self._abort:
                gen.close()
                return
            state.apply(rep)
            for box in self.mailboxes:
                if box.waiting:
                    box.serve(self.engine_run)
            now = time.perf_counter()
            if isinstance(rep, StepReport):
                if draw_boundary and now - last_boundary >= BOUNDARY_INTERVAL_S:
                    state.set_boundary(self._boundary(extent))
                    last_boundary = now
                if units is not None:
                    units.tick(self.engine_run, now)
                if now - last_emit >= EMIT_INTERVAL_S:
                    self.progressed.emit(rep.epoch, rep.global_step)
                    last_emit = now
            elif isinstance(rep, EpochReport):
                epochs_seen += 1
                if epochs_seen == self.pause_after_epochs:
                    # the generator is suspended at this report: the next batch waits at the gate
                    self.engine_run.pause()
                    if units is not None:
                        units.sample(self.engine_run)     # the picture holds this epoch's
                    # so do the faces, before the GUI hears of the epoch: the last sampled step
                    # may be many steps back
                    state.apply_faces(fresh_faces())
                if draw_boundary:
                    state.set_boundary(self._boundary(extent))
                self.epoch_ended.emit(rep)
            elif isinstance(rep, StartReport):
                draw_boundary = boundary.applies(self.engine_run)
                if draw_boundary:
                    extent = boundary.extent_of(self.engine_run.context.data.train.x)
                    state.set_boundary(self._boundary(extent))
                if units is not None:
                    units.begin(self.engine_run)
                self.run_started.emit(rep)
            elif isinstance(rep, DoneReport):
                if units is not None:
                    units.sample(self.engine_run)         # the last pictures stay after the run
                state.apply_faces(fresh_faces())
                self.run_done.emit(rep)
            elif isinstance(rep, ErrorReport):
                self.run_failed.emit(rep)
            elif isinstance(rep, FacesReport):
                state.apply_faces(rep)                    # the run is about to wait at a pause

    def _boundary(self, extent) -> dict:
        grid = boundary.sample(self.engine_run, extent)
        if self.state.boundary is None:
            grid["points"], grid["labels"] = boundary.points(self.engine_run)
        else:
            grid["points"], grid["labels"] = (self.state.boundary["points"],
                                              self.state.boundary["labels"])
        return grid

