"""What our compiled graph costs against a hand-written PyTorch model of the same layers.

Trains the digits MLP of graphs/mlp_digits.json (batch 64, Adam) four ways in one process:
  - a hand-written nn.Sequential with the same layers, data and batching, and the same Adam
    implementation as ours (torch's fused kernel): the baseline of both ratios, so they measure
    what the engine adds around the same arithmetic;
  - the same hand-written loop with torch's default Adam (what most scripts use): our speed
    against it is printed as "against_default_adam";
  - our Run with telemetry off;
  - our Run with telemetry on (per-step gradient norms, sampled statistics).
Each is timed over the same number of epochs, several rounds interleaved, and the best round of
each counts (the least disturbed by the rest of the machine). Times are the process's CPU time
(torch runs on one thread here), which other programs on a shared machine disturb far less than
wall-clock time. The last line printed is JSON:
{"ratio": ours / hand-written, "ratio_with_telemetry": ours with telemetry / hand-written,
 "against_default_adam": ours / hand-written with torch's default Adam}.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import graph  # noqa: E402
from engine.telemetry import DoneReport, EpochReport  # noqa: E402
from engine.training.trainer import Run  # noqa: E402

EPOCHS = 20
ROUNDS = 7


def time_ours(doc, telemetry: bool) -> float:
    run = Run(doc, epochs=EPOCHS, telemetry=telemetry, device="cpu")
    it = run.steps()
    next(it)                                   # setup (compile, load data) is not timed
    t = time.process_time()
    end = t
    for rep in it:
        if isinstance(rep, EpochReport):
            end = time.process_time()       # the final test scoring (Done) is not training
        if isinstance(rep, DoneReport):
            break
    return end - t


def time_hand(doc, fused: bool) -> float:
    """The same network as a plain training loop: what someone would write by hand."""
    run = Run(doc, epochs=EPOCHS, device="cpu")
    ctx = run.prepare()                         # reuse the exact same prepared data
    x, y, data = ctx.x, ctx.y, ctx.data
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                          nn.Linear(64, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, **({"fused": True} if fused else {}))
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(0)
    n, bs = len(y), 64
    xv, yv = torch.as_tensor(data.val.x), torch.as_tensor(data.val.y)
    t = time.process_time()
    for _ in range(EPOCHS):
        model.train()
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for i in range(0, n, bs):
            idx = perm[i:i + bs]
            loss = loss_fn(model(x[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            total += loss.item()
            opt.step()
        model.eval()
        with torch.no_grad():              # a validation pass per epoch, as ours does
            out = model(xv)
            loss_fn(out, yv).item(), (out.argmax(1) == yv).float().mean().item()
    return time.process_time() - t


def main() -> None:
    torch.set_num_threads(1)                  # steadier timings on a small shared machine
    doc = graph.load(ROOT / "graphs" / "mlp_digits.json")
    best = {"hand": float("inf"), "default": float("inf"), "ours": float("inf"), "tele": float("inf")}
    time_hand(doc, True), time_hand(doc, False), time_ours(doc, False)     # warm-up
    for r in range(ROUNDS):
        best["hand"] = min(best["hand"], time_hand(doc, True))
        best["default"] = min(best["default"], time_hand(doc, False))
        best["ours"] = min(best["ours"], time_ours(doc, False))
        best["tele"] = min(best["tele"], time_ours(doc, True))
        print(f"round {r + 1}: hand {best['hand']:.3f} s, hand with default Adam "
              f"{best['default']:.3f} s, ours {best['ours']:.3f} s, ours+telemetry "
              f"{best['tele']:.3f} s (best so far, {EPOCHS} epochs)")
    print(json.dumps({"ratio": round(best["ours"] / best["hand"], 3),
                      "ratio_with_telemetry": round(best["tele"] / best["hand"], 3),
                      "against_default_adam": round(best["ours"] / best["default"], 3)}))

if __name__ == "__main__":
    main()
