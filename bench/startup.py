"""How long the app takes to start, against a bare torch + PySide6 window timed in the same run.

Every figure is a whole process, started fresh, timed from launch to exit (or to a line it
prints), so interpreter start, imports and shutdown all count:

- floor_s: a script that imports torch and then PySide6, opens a QMainWindow holding a label
  at the screenshot size, lets it paint, and saves `grab()` as a PNG. This is what any
  torch + Qt desktop app pays before doing anything of its own. torch is imported first
  because that is the faster order (see `gui.app.import_engine_first`), so the floor is the
  best a bare script does, not a slow one;
- ours_s: `main.py graphs/mlp_digits.json --screenshot PNG --size 1600x1000`: the real
  window with the first lesson open and analysed (widths on the edges, badges), saved as a PNG;
- first_frame_s / opened_s / app_exit_s: plain `main.py` (the app as a user starts it, on the
  first lesson) with DEEPCANVAS_STARTUP_PROBE set, which makes it print a line once its first
  frame is on screen, another once the lesson is open and analysed, and then quit. It runs
  with its settings and app-data folders in a temporary directory, so the user's recent files
  and window layout are not touched.

The three are run ROUNDS times, interleaved, so that a busy spell on the machine hits all of
them alike; each figure is the median of its rounds (the best is printed too). The target is
ours_s / floor_s <= 1.5. QT_QPA_PLATFORM is offscreen unless already set.

`--imports` prints instead where the screenshot process's import time goes (python -X
importtime, summed by top-level package). The last line printed is JSON:
{"floor_s": F, "ours_s": O, "ratio": O / F, "first_frame_s": ..., "opened_s": ..., ...}.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "graphs" / "mlp_digits.json"
SIZE = (1600, 1000)
ROUNDS = 5
TIMEOUT_S = 120

FLOOR = f"""
import sys
import torch
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

app = QApplication([])
window = QMainWindow()
window.setCentralWidget(QLabel("floor"))
window.resize({SIZE[0]}, {SIZE[1]})
window.show()
app.processEvents()
if not window.grab().save(sys.argv[1]):
    sys.exit("could not save the picture")
"""


def environment(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    # the probe run starts the app as a user would; its settings and recovery files go here
    env["XDG_CONFIG_HOME"] = str(tmp / "config")
    env["XDG_DATA_HOME"] = str(tmp / "data")
    env["XDG_CACHE_HOME"] = str(tmp / "cache")
    # Python keeps compiled modules between runs (as it does on a user's machine): a sandbox
    # that sets PYTHONDONTWRITEBYTECODE would have every start compile this project's 160-odd
    # modules afresh (about 0.2 s) while the floor's torch and PySide6 come precompiled. The
    # caches go to the temporary folder, filled by an untimed first run of each command.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    return env


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    elapsed = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stderr[-2000:]}")
    return elapsed


def probe(env: dict[str, str]) -> dict[str, float]:
    """Seconds from launch to each line the app prints under the probe, and to its exit."""
    env = dict(env, DEEPCANVAS_STARTUP_PROBE="1")
    t = time.perf_counter()
    p = subprocess.Popen([sys.executable, "main.py"], cwd=ROOT, env=env, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    seen = {}
    for line in p.stdout:
        if line.strip() in ("first-frame", "opened"):
            seen[line.strip()] = time.perf_counter() - t
    rc = p.wait(timeout=TIMEOUT_S)
    seen["exit"] = time.perf_counter() - t
    if rc != 0 or len(seen) != 3:
        raise SystemExit(f"main.py under the probe exited {rc} having printed {sorted(seen)}")
    return seen


def import_breakdown(env: dict[str, str], png: Path) -> None:
    """Where the screenshot process's import time goes, summed by top-level package."""
    r = subprocess.run([sys.executable, "-X", "importtime", "main.py", str(LESSON), "--screenshot",
                        str(png), "--size", f"{SIZE[0]}x{SIZE[1]}"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=TIMEOUT_S)
    own = Counter()
    for line in r.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if m:
            own[m[2].split(".")[0]] += int(m[1])
    total = sum(own.values())
    print(f"imports: {total / 1e6:.2f} s in all (-X importtime inflates this)")
    for name, us in own.most_common(15):
        print(f"  {name:24s} {us / 1e6:6.3f} s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=ROUNDS)
    ap.add_argument("--imports", action="store_true", help="print the import-time breakdown")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        env = environment(tmp)
        if args.imports:
            import_breakdown(env, tmp / "ours.png")
            return 0
        floor_cmd = [sys.executable, "-c", FLOOR, str(tmp / "floor.png")]
        ours_cmd = [sys.executable, "main.py", str(LESSON), "--screenshot", str(tmp / "ours.png"),
                    "--size", f"{SIZE[0]}x{SIZE[1]}"]
        runs: dict[str, list[float]] = {k: [] for k in
                                        ("floor", "ours", "first-frame", "opened", "exit")}
        timed(floor_cmd, env), timed(ours_cmd, env), probe(env)     # fill the caches
        for k in range(args.rounds):
            runs["floor"].append(timed(floor_cmd, env))
            runs["ours"].append(timed(ours_cmd, env))
            for what, s in probe(env).items():
                runs[what].append(s)
            print(f"round {k + 1}: floor {runs['floor'][-1]:.2f} s, screenshot "
                  f"{runs['ours'][-1]:.2f} s, app: first frame {runs['first-frame'][-1]:.2f} s, "
                  f"lesson open {runs['opened'][-1]:.2f} s, exit {runs['exit'][-1]:.2f} s",
                  flush=True)
    med = {k: statistics.median(v) for k, v in runs.items()}
    best = {k: min(v) for k, v in runs.items()}
    print(f"median: floor {med['floor']:.2f} s, screenshot {med['ours']:.2f} s "
          f"({med['ours'] / med['floor']:.2f}x); best: floor {best['floor']:.2f} s, screenshot "
          f"{best['ours']:.2f} s ({best['ours'] / best['floor']:.2f}x)")
    print(json.dumps({"floor_s": round(med["floor"], 3), "ours_s": round(med["ours"], 3),
                      "ratio": round(med["ours"] / med["floor"], 3),
                      "best_ratio": round(best["ours"] / best["floor"], 3),
                      "first_frame_s": round(med["first-frame"], 3),
                      "opened_s": round(med["opened"], 3), "app_exit_s": round(med["exit"], 3),
                      "rounds": args.rounds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
