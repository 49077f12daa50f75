"""Does starting and stopping runs leak threads or memory?

With the training panel open (offscreen), presses Run on the digits MLP, lets it train a few
batches, presses Stop, waits until the session is idle, fifty times. Counts the process's threads
(as the kernel sees them, QThreads included) and its resident memory after each cycle.

The first cycle is the baseline: it loads the data set, starts torch's thread pools and fills
allocator caches once per process, none of which is a leak. Last line:
{"cycles": 50, "rss_growth_mb": G, "rss_growth_from_start_mb": S, "threads_left": T}
G is the growth from after the first cycle to after the last (target: below 50), T the threads
beyond those alive after the first cycle (target: 0).
"""
from __future__ import annotations

import gc
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bench.app_window import open_window  # noqa: E402

CYCLES = 50
STEPS_PER_CYCLE = 15


def proc_status(key: str) -> int:
    with open("/proc/self/status") as f:
        return int(next(line for line in f if line.startswith(key + ":")).split()[1])


def rss_mb() -> float:
    return proc_status("VmRSS") / 1024


def wait_until(cond, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    loop = QEventLoop()
    while not cond():
        if time.monotonic() > deadline:
            return False
        QTimer.singleShot(5, loop.quit)
        loop.exec()
    return True


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    win = open_window(ROOT / "graphs" / "mlp_digits.json")
    app.processEvents()
    session = win.session
    start_rss = rss_mb()
    base_rss = base_threads = None
    slow_stops = 0
    for i in range(CYCLES):
        session.run_action.trigger()
        if not wait_until(lambda: session.state.snapshot().global_step >= STEPS_PER_CYCLE, 60):
            raise SystemExit(f"cycle {i + 1}: the run did not start")
        t = time.perf_counter()
        session.stop_action.trigger()
        if not wait_until(lambda: session.status == "idle", 10):
            raise SystemExit(f"cycle {i + 1}: Stop did not end the run within 10 s")
        slow_stops += time.perf_counter() - t > 1.0
        wait_until(lambda: False, 0.02)          # let deleteLater run
        gc.collect()
        if i == 0:
            base_rss, base_threads = rss_mb(), proc_status("Threads")
        if (i + 1) % 10 == 0:
            print(f"cycle {i + 1}: rss {rss_mb():.1f} MB, threads {proc_status('Threads')}, "
                  f"worker {'gone' if session.worker is None else 'ALIVE'}")
    growth = rss_mb() - base_rss
    threads_left = proc_status("Threads") - base_threads
    print(f"stops that took over a second: {slow_stops}")
    print(json.dumps({"cycles": CYCLES, "rss_growth_mb": round(growth, 1),
                      "rss_growth_from_start_mb": round(rss_mb() - start_rss, 1),
                      "threads_left": threads_left}))


if __name__ == "__main__":
    main()
