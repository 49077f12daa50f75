"""The training worker and the run state it fills: coalesced signals, thread ends, history kept
bounded and equal to the engine's reports."""
from __future__ import annotations

import gc
import threading

import numpy as np
import pytest
from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QLabel

from engine import graph
from engine.telemetry import DoneReport, EpochReport, StartReport, StepReport
from engine.training.trainer import Run
from gui.training.badges import Thresholds, badges_for
from gui.training.run_state import Decimator, RunState
from gui.training.worker import EMIT_INTERVAL_S, TrainingWorker
from tests.conftest import GRAPHS


class Recorder(QObject):
    """Receives the worker's signals in the GUI thread, as the session does."""

    def __init__(self):
        super().__init__()
        self.progress, self.epochs, self.done, self.failed, self.threads = [], [], [], [], set()

    @Slot(int, int)
    def on_progress(self, epoch, step):
        self.progress.append(step)
        self.threads.add(threading.get_ident())

    @Slot(object)
    def on_epoch(self, rep):
        self.epochs.append(rep)

    @Slot(object)
    def on_done(self, rep):
        self.done.append(rep)

    @Slot(object)
    def on_failed(self, rep):
        self.failed.append(rep)


_started: list[TrainingWorker] = []


@pytest.fixture(autouse=True)
def _end_threads(qtbot):
    """A failing test must not leave a thread running into the next one (or crash at exit)."""
    yield
    while _started:
        w = _started.pop()
        w.abort()
        qtbot.waitUntil(w.isFinished, timeout=10_000)
        w.wait()


def start_worker(path, **run_kwargs):
    run = Run(graph.load(path), **run_kwargs)
    state = RunState()
    worker = TrainingWorker(run, state)
    _started.append(worker)
    rec = Recorder()
    worker.progressed.connect(rec.on_progress)
    worker.epoch_ended.connect(rec.on_epoch)
    worker.run_done.connect(rec.on_done)
    worker.run_failed.connect(rec.on_failed)
    worker.start()
    return run, state, worker, rec


def test_worker_fills_state_like_the_engine_and_coalesces_signals(qtbot):
    run, state, worker, rec = start_worker(GRAPHS / "mlp_digits.json", epochs=3)
    qtbot.waitUntil(lambda: bool(rec.done) and worker.isFinished(), timeout=60_000)
    worker.wait()
    snap = state.snapshot()
    headless = [r for r in Run(graph.load(GRAPHS / "mlp_digits.json"), epochs=3).steps()]
    steps = [r for r in headless if isinstance(r, StepReport)]
    assert snap.global_step == len(steps) == 3 * snap.start.steps_per_epoch
    # the same seed gives the same numbers in the thread as headless
    assert [e.val["accuracy"] for e in snap.epochs] == \
        [r.val["accuracy"] for r in headless if isinstance(r, EpochReport)]
    assert snap.done.test == next(r for r in headless if isinstance(r, DoneReport)).test
    assert np.allclose(snap.loss_cols[:, 0], [s.loss for s in steps])
    assert np.allclose(snap.grad_cols[-1], np.log10([steps[-1].grad_norm[k] for k in snap.layers]))
    # coalesced: far fewer signals than steps, and delivered in the GUI thread
    assert 0 < len(rec.progress) < len(steps)
    assert rec.threads == {threading.get_ident()}
    assert len(rec.epochs) == 3 and rec.done[0].reason == "completed"
    assert EMIT_INTERVAL_S <= 0.05


def test_worker_reports_a_graph_error_as_a_failure(qtbot):
    doc = graph.load(GRAPHS / "mlp_digits.json")
    doc.remove_node("loss")
    run, state = Run(doc), RunState()
    worker = TrainingWorker(run, state)
    _started.append(worker)
    rec = Recorder()
    worker.run_failed.connect(rec.on_failed)
    worker.start()
    qtbot.waitUntil(lambda: bool(rec.failed) and worker.isFinished(), timeout=30_000)
    worker.wait()
    assert "Loss" in rec.failed[0].message
    assert state.snapshot().status == "error"


def test_abort_ends_the_thread_without_a_final_report(qtbot):
    run, state, worker, rec = start_worker(GRAPHS / "deep_sigmoid.json")
    qtbot.waitUntil(lambda: state.snapshot().global_step > 5, timeout=30_000)
    worker.abort()
    qtbot.waitUntil(worker.isFinished, timeout=2_000)
    worker.wait()
    assert not rec.done and state.snapshot().done is None


def test_the_garbage_collector_never_runs_in_the_training_thread(qtbot):
    """Collecting Qt wrappers in the worker thread runs their C++ destructors there (seen: a
    corrupted heap, and tests asleep for good); while a run's thread lives only the GUI thread
    collects, and automatic collection is back on afterwards."""
    threads: list[int] = []

    def note(phase, info):
        if phase == "start":
            threads.append(threading.get_ident())

    enabled_before = gc.isenabled()
    gc.callbacks.append(note)
    try:
        run, state, worker, rec = start_worker(GRAPHS / "mlp_digits.json", epochs=4)
        assert not gc.isenabled()
        while not worker.isFinished():
            for _ in range(20):       # Qt objects in reference cycles, left to the collector
                label = QLabel("garbage")
                label.me = label
                timer = QTimer()
                timer.me = timer
            qtbot.wait(5)
        qtbot.waitUntil(lambda: bool(rec.done), timeout=30_000)
        worker.wait()
        qtbot.wait(50)                # the finished signal reaches the GUI thread
    finally:
        gc.callbacks.remove(note)
    assert rec.done[0].reason == "completed"
    assert threads and set(threads) == {threading.get_ident()}
    assert gc.isenabled() == enabled_before


def test_decimator_keeps_means_and_stays_bounded():
    d = Decimator(2, cap=8)
    rows = np.arange(100, dtype=float)
    for v in rows:
        d.append(np.array([v, -v]))
    cols, span = d.view()
    assert len(cols) <= 8 and span == 16
    # every complete column is the mean of exactly `span` consecutive steps
    expect = rows[: len(cols) * span].reshape(len(cols), span).mean(axis=1)
    assert np.allclose(cols[:, 0], expect) and np.allclose(cols[:, 1], -expect)


def test_snapshot_arrays_do_not_change_after_they_are_handed_out():
    state = RunState()
    state.apply(StartReport(["train"], "cpu", 10, ["h1"], [], {}, 1, 10_000, "classification", []))
    state.apply(StepReport(1, 1, 1, 2.0, {"loss": 2.0}, {"h1": 1.0}))
    first = state.snapshot()
    before = first.grad_cols.copy()
    for i in range(2, 3000):
        state.apply(StepReport(1, i, i, 1.0, {"loss": 1.0}, {"h1": 1e-3}))
    assert np.array_equal(first.grad_cols, before)


@pytest.mark.parametrize("norms, dead, expect", [
    ({"h1": 1e-6, "h2": 1e-2, "out": 1.0}, {}, {"h1": "vanishing"}),
    ({"h1": 5e3, "h2": float("nan")}, {}, {"h1": "exploding", "h2": "exploding"}),
    ({"h1": 1e-6, "h2": 2e-6}, {"a1": 0.75, "a2": 0.25}, {"a1": "dead 75%"}),
])
def test_badges(norms, dead, expect):
    assert badges_for(norms, dead, Thresholds()) == expect
