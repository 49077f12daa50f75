"""Is the window responsive while training, and what does drawing cost training?

Trains the digits MLP (graphs/mlp_digits.json, more epochs so each run lasts a few seconds) at
full speed with the training panel open (offscreen, Overview tab, a stand-in canvas receiving the
gradient colours), while a 10 ms QTimer records how late it fires. In the same process, the same
run is timed headless (the engine's generator in the main thread, torch's default threads, no
Qt), rounds interleaved so both meet the same machine load.

Steps per second are counted from the StartReport to the DoneReport, in both cases measured in
the thread that runs the engine, so validation and the final test pass count on both sides.

Last line: {"p99_ms": P, "throughput_ratio": R}: P the median over rounds of each round's 99th
percentile of lateness; R the best GUI round's steps/s over the best headless round's.
Targets: P <= 25, R >= 0.8.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QElapsedTimer, QEventLoop, QObject, Qt, QTimer, Slot  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bench.app_window import open_window  # noqa: E402
from engine import graph  # noqa: E402
from engine.telemetry import DoneReport, StartReport, StepReport  # noqa: E402
from engine.training.trainer import Run  # noqa: E402
from gui.training.run_state import RunState  # noqa: E402

EPOCHS = 160            # ~3400 steps: a few seconds per run on a small machine
ROUNDS = 3
TICK_MS = 10


class TimedRunState(RunState):
    """Notes, in the worker thread, when the run's first and last reports arrive."""

    def apply(self, rep) -> None:
        if isinstance(rep, StartReport):
            self.t_start = time.perf_counter()
        elif isinstance(rep, DoneReport):
            self.t_done = time.perf_counter()
        super().apply(rep)


class LatenessProbe(QObject):
    """A 10 ms timer; each firing records how much later than 10 ms after the previous it came."""

    def __init__(self):
        super().__init__()
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        self.clock = QElapsedTimer()
        self.late: list[float] = []

    def start(self):
        self.late.clear()
        self.clock.start()
        self.timer.start()

    def stop(self):
        self.timer.stop()

    @Slot()
    def tick(self):
        ns = self.clock.nsecsElapsed()
        self.clock.restart()
        self.late.append(max(0.0, ns / 1e6 - TICK_MS))


def headless(path: Path) -> float:
    doc = graph.load(path)
    run = Run(doc, epochs=EPOCHS)
    t0 = t1 = 0.0
    steps = 0
    for rep in run.steps():
        if isinstance(rep, StartReport):
            t0 = time.perf_counter()
        elif isinstance(rep, DoneReport):
            t1 = time.perf_counter()
        elif isinstance(rep, StepReport):
            steps += 1
    return steps / (t1 - t0)


def with_gui(win, probe: LatenessProbe) -> tuple[float, float]:
    session = win.session
    session.state_factory = TimedRunState
    probe.start()
    session.run_action.trigger()
    loop = QEventLoop()
    while session.status != "idle":
        QTimer.singleShot(50, loop.quit)
        loop.exec()
    probe.stop()
    state = session.state
    snap = state.snapshot()
    assert snap.done is not None and snap.done.reason == "completed", snap.done
    rate = snap.global_step / (state.t_done - state.t_start)
    # the lateness while training only (the first tick measures the start, drop it)
    p99 = float(np.percentile(probe.late[1:], 99))
    return rate, p99


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    path = ROOT / "graphs" / "mlp_digits.json"
    win = open_window(path)                         # the app's window, dashboard docked
    win.controller.doc.training["epochs"] = EPOCHS
    app.processEvents()
    probe = LatenessProbe()
    headless(path)                                  # warm-up: imports, data set cache
    gui_rates, head_rates, p99s = [], [], []
    for r in range(ROUNDS):
        head_rates.append(headless(path))
        rate, p99 = with_gui(win, probe)
        gui_rates.append(rate)
        p99s.append(p99)
        print(f"round {r + 1}: headless {head_rates[-1]:.0f} steps/s, with GUI {rate:.0f} steps/s, "
              f"10 ms timer late p99 {p99:.1f} ms, max {max(probe.late[1:]):.1f} ms, "
              f"{len(probe.late)} ticks")
    win.session.shutdown()
    ratio = max(gui_rates) / max(head_rates)
    print(json.dumps({"p99_ms": round(float(np.median(p99s)), 2), "throughput_ratio": round(ratio, 3)}))


if __name__ == "__main__":
    main()
