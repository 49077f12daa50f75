"""`main.py train graphs/churn.json` against the same recipe written by hand in plain PyTorch
(bench/baselines/churn_by_hand.py), each timed as a whole process: start-up, data, 100 epochs,
test figures. The runs alternate, hand first and last (H O H O ... H), and each of ours is
paired with the hand runs on either side of it: its ratio is taken against their geometric
mean, and the figure is the median of these paired ratios. On a shared 2-core VM the hand script
alone took 42.8 to 55.1 s from one run to the next, so the best of each side mostly measured
which one met a quiet spell; the best-over-best ratio is printed as well. Last line, JSON:
{"ours_s": ..., "hand_s": ..., "ratio": median paired ratio, "best_over_best": ...}.

    python bench/churn_end_to_end.py [--rounds N] [--epochs E]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str]) -> tuple[float, str]:
    """Seconds the whole process took, and the line giving its test figures (ours prints a
    confusion matrix and the always-majority baseline after it)."""
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    lines = out.stdout.strip().splitlines()
    return time.perf_counter() - t, next((ln for ln in lines if ln.startswith("test")), lines[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=100)
    args = ap.parse_args()
    ours_cmd = [sys.executable, "main.py", "train", "graphs/churn.json", "--epochs", str(args.epochs)]
    hand_cmd = [sys.executable, "bench/baselines/churn_by_hand.py", str(args.epochs)]
    hand = [timed(hand_cmd)]
    ours, paired = [], []
    print(f"hand {hand[-1][0]:.2f} s ({hand[-1][1]})", flush=True)
    for r in range(args.rounds):
        ours.append(timed(ours_cmd))
        hand.append(timed(hand_cmd))
        paired.append(ours[-1][0] / (hand[-2][0] * hand[-1][0]) ** 0.5)
        print(f"round {r + 1}: ours {ours[-1][0]:.2f} s ({ours[-1][1]}), hand {hand[-1][0]:.2f} s "
              f"({hand[-1][1]}), paired ratio {paired[-1]:.3f}", flush=True)
    best_ours, best_hand = min(s for s, _ in ours), min(s for s, _ in hand)
    print(json.dumps({"ours_s": round(statistics.median(s for s, _ in ours), 2),
                      "hand_s": round(statistics.median(s for s, _ in hand), 2),
                      "ratio": round(statistics.median(paired), 3),
                      "best_over_best": round(best_ours / best_hand, 3)}))

if __name__ == "__main__":
    main()
