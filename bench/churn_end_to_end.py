"""`main.py train graphs/churn.json` against the same recipe written by hand in plain PyTorch
(bench/baselines/churn_by_hand.py), each timed as a whole process: start-up, data, 100 epochs,
test figures. Rounds alternate the two; the best round of each counts. Last line, JSON:
{"ours_s": ..., "hand_s": ..., "ratio": ours / hand}.

    python bench/churn_end_to_end.py [--rounds N] [--epochs E]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str]) -> tuple[float, str]:
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    return time.perf_counter() - t, out.stdout.strip().splitlines()[-1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=100)
    args = ap.parse_args()
    ours_cmd = [sys.executable, "main.py", "train", "graphs/churn.json", "--epochs", str(args.epochs)]
    hand_cmd = [sys.executable, "bench/baselines/churn_by_hand.py", str(args.epochs)]
    best = {"ours": float("inf"), "hand": float("inf")}
    for r in range(args.rounds):
        for name, cmd in (("hand", hand_cmd), ("ours", ours_cmd)):
            seconds, last = timed(cmd)
            best[name] = min(best[name], seconds)
            print(f"round {r + 1}: {name} {seconds:.2f} s ({last})", flush=True)
    print(json.dumps({"ours_s": round(best["ours"], 2), "hand_s": round(best["hand"], 2),
                      "ratio": round(best["ours"] / best["hand"], 3)}))


if __name__ == "__main__":
    main()
