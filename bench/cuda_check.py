"""On a machine with a CUDA GPU: do the lessons' promises hold there, and what does it cost?

Trains the lessons on `cuda` and on `cpu` in the same run and prints one line per check, then,
as its last line, JSON with the figures and `cuda_over_cpu` (time on the GPU over time on the
CPU for the digits MLP; small networks like ours are launch-bound, so expect no gain).
Usage: python bench/cuda_check.py [--data-dir DIR]   (DIR: another copy of the churn CSV)
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import graph  # noqa: E402
from engine.telemetry import DoneReport, EpochReport  # noqa: E402
from engine.training.trainer import train_to_end  # noqa: E402


def run(name: str, device: str, **kw):
    t = time.perf_counter()
    reps = train_to_end(graph.load(ROOT / "graphs" / name), device=device, **kw)
    secs = time.perf_counter() - t
    done = next(r for r in reps if isinstance(r, DoneReport))
    eps = [r for r in reps if isinstance(r, EpochReport)]
    return done, eps, secs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir")
    args = ap.parse_args()
    if not torch.cuda.is_available():
        print(json.dumps({"error": "no CUDA device"}))
        return
    out = {"gpu": torch.cuda.get_device_name(0), "torch": torch.__version__}
    run("mlp_digits.json", "cuda", epochs=1)                    # warm-up: CUDA context, kernels
    d_gpu, _, t_gpu = run("mlp_digits.json", "cuda")
    d_cpu, _, t_cpu = run("mlp_digits.json", "cpu")
    out["mlp_digits"] = {"cuda_accuracy": d_gpu.test["accuracy"], "cpu_accuracy": d_cpu.test["accuracy"],
                         "cuda_s": round(t_gpu, 2), "cpu_s": round(t_cpu, 2)}
    d2, _, _ = run("mlp_digits.json", "cuda")
    out["mlp_digits"]["cuda_repeatable"] = d2.test["loss"] == d_gpu.test["loss"]
    print("mlp_digits", out["mlp_digits"], flush=True)

    ratios = {}
    for name in ("deep_sigmoid.json", "deep_relu_he.json"):
        _, eps, _ = run(name, "cuda", epochs=1)
        g = eps[0].grad_norm
        ratios[name] = g["h1"] / g["h10"]
    out["first_over_last_hidden_epoch1"] = ratios
    print("gradient ratios", ratios, flush=True)

    d, _, _ = run("exploding.json", "cuda")
    out["exploding"] = {"reason": d.reason, "node": d.node}
    d, eps, _ = run("exploding_clipped.json", "cuda", epochs=3)
    out["exploding_clipped"] = {"reason": d.reason, "final_loss": eps[-1].train["loss"]}
    print("exploding", out["exploding"], out["exploding_clipped"], flush=True)

    # the churn CSV ships in assets/data/; --data-dir points at another copy
    d, _, secs = run("churn.json", "cuda", data_dir=args.data_dir)
    out["churn"] = {"accuracy": d.test.get("accuracy"), "baseline": d.baseline.get("accuracy"),
                    "seconds": round(secs, 1)}
    print("churn", out["churn"], flush=True)
    out["cuda_over_cpu"] = round(t_gpu / t_cpu, 3)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
