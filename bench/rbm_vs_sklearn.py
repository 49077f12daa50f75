"""Our RBM against scikit-learn's BernoulliRBM, trained alike in the same process.

Digits scaled to [0, 1] (the Dataset's minmax scaling, fitted on the training split), 100 hidden
units, batch 10, learning rate 0.06, 20 epochs. scikit-learn's BernoulliRBM trains by persistent
CD-1 with plain SGD, so ours is set the same way (persistent, k 1, momentum 0, weight decay 0);
the remaining differences are ours: shuffled batches, visible biases started from the data's
log-odds, and float32 throughout.

Both learn from the very same rows (our run's training split, as float32: scikit-learn keeps the
dtype it is given). Ours runs the way the command line runs it (telemetry "epoch"), and its time
counts everything the loop does per epoch, including the pseudo-likelihood, reconstruction error
and free energy it measures on 256 training rows; setup (compiling, loading the data) and the
done report's test figures are not timed, nor is anything of scikit-learn's outside `fit`. Both
run on one thread: torch with set_num_threads(1) (what a run does for a small network anyway),
numpy's BLAS limited to one thread with threadpoolctl (for matrices this small it uses one
anyway). Times are CPU time of the process, the best of several interleaved rounds. For
reference it also times the same persistent CD-1 as a bare torch loop (no engine, no autograd,
no telemetry): what the update costs written plainly in torch at 10 rows a batch, where each
call's fixed cost outweighs its arithmetic. On the CPU our run does its CD steps in numpy on the
parameters' memory (engine/blocks/rbm_host.py), so "ours" can be below that loop.

The pseudo-likelihoods are scikit-learn's definition (score_samples) on the held-out test rows,
averaged over 20 draws of the flipped units for each model, so the flips' noise (about a nat
for one draw) does not decide the comparison.

The last line printed is JSON: {"time_ratio": ours / scikit-learn, "pl_ours": ..., "pl_sklearn": ...}.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.graph import Edge, GraphDocument, Node  # noqa: E402
from engine.telemetry import DoneReport, EpochReport  # noqa: E402
from engine.training.trainer import Run  # noqa: E402

UNITS, BATCH, LR, EPOCHS = 100, 10, 0.06, 20
ROUNDS = 5
DRAWS = 20


def rbm_doc() -> GraphDocument:
    doc = GraphDocument()
    doc.meta = {"title": "RBM against scikit-learn"}
    doc.add_node(Node("data", "Dataset", {"source": "sklearn:digits", "scaling": "minmax",
                                          "test_split": 0.2}))
    doc.add_node(Node("rbm", "RBM", {"units": UNITS, "batch_size": BATCH, "lr": LR,
                                     "epochs": EPOCHS, "persistent": True, "k": 1,
                                     "momentum": 0.0, "weight_decay": 0.0}))
    doc.add_edge(Edge("data", "x", "rbm", "in"))
    doc.training = {"val_split": 0.0, "seed": 0}
    return doc


def time_ours(doc: GraphDocument, telemetry: str) -> tuple[float, Run]:
    run = Run(doc, telemetry=telemetry, device="cpu")
    it = run.steps()
    next(it)                                   # setup (compile, load data) is not timed
    t = time.process_time()
    end = t
    for rep in it:
        if isinstance(rep, EpochReport):
            end = time.process_time()          # the done report's test figures are not training
        if isinstance(rep, DoneReport):
            break
    return end - t, run


def time_sklearn(x: np.ndarray):
    from sklearn.neural_network import BernoulliRBM

    rbm = BernoulliRBM(n_components=UNITS, learning_rate=LR, batch_size=BATCH, n_iter=EPOCHS,
                       random_state=0)
    t = time.process_time()
    rbm.fit(x)
    return time.process_time() - t, rbm


def time_hand(x: np.ndarray) -> float:
    """The same persistent CD-1 as a bare torch loop, no engine: what the arithmetic costs in
    torch at this size, to tell torch's per-call cost from the engine's."""
    xt = torch.as_tensor(x)
    g = torch.Generator().manual_seed(0)
    w, c, b = torch.randn(UNITS, xt.shape[1]) * 0.01, torch.zeros(UNITS), torch.zeros(xt.shape[1])
    chain = torch.zeros(BATCH, UNITS)
    t = time.process_time()
    with torch.no_grad():
        for _ in range(EPOCHS):
            perm = torch.randperm(len(xt), generator=g)
            for i in range(0, len(xt), BATCH):
                v = xt[perm[i:i + BATCH]]
                h_pos = torch.sigmoid(torch.addmm(c, v, w.t()))
                v_neg = torch.bernoulli(torch.sigmoid(torch.addmm(b, chain, w)), generator=g)
                h_neg = torch.sigmoid(torch.addmm(c, v_neg, w.t()))
                n = len(v)
                w.add_(torch.addmm(h_pos.t() @ v, h_neg.t(), v_neg, alpha=-n / BATCH), alpha=LR / n)
                c.add_(h_pos.sum(0) - h_neg.sum(0) * (n / BATCH), alpha=LR / n)
                b.add_(v.sum(0) - v_neg.sum(0) * (n / BATCH), alpha=LR / n)
                chain = torch.bernoulli(h_neg, generator=g)
    return time.process_time() - t


def pl_ours(run: Run, x: np.ndarray) -> float:
    module = run.context.model.nodes["rbm"]
    v = torch.as_tensor(x)
    with torch.no_grad():
        draws = [float(module.pseudo_likelihood(v, torch.Generator().manual_seed(s)).mean())
                 for s in range(DRAWS)]
    return float(np.mean(draws))


def pl_sklearn(rbm, x: np.ndarray) -> float:
    draws = []
    for s in range(DRAWS):
        rbm.random_state = s                   # score_samples draws its flips from random_state
        draws.append(float(rbm.score_samples(x).mean()))
    return float(np.mean(draws))


def main() -> None:
    from threadpoolctl import threadpool_limits

    global BATCH, EPOCHS
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=BATCH, help="rows per update (the issue's: 10)")
    ap.add_argument("--epochs", type=int, default=EPOCHS, help="the issue's: 20")
    args = ap.parse_args()
    BATCH, EPOCHS = args.batch, args.epochs

    torch.set_num_threads(1)
    doc = rbm_doc()
    ctx = Run(doc, device="cpu").prepare()
    x_train = np.ascontiguousarray(ctx.data.train.x, dtype=np.float32)
    x_test = np.ascontiguousarray(ctx.data.test.x, dtype=np.float32)
    assert np.array_equal(x_train, ctx.x.numpy())      # the very rows our run learns from
    best = {"ours": float("inf"), "ours_off": float("inf"), "sklearn": float("inf"),
            "hand": float("inf")}
    with threadpool_limits(limits=1, user_api="blas"):
        time_sklearn(x_train), time_ours(doc, "epoch"), time_hand(x_train)      # warm-up
        for r in range(ROUNDS):
            t_sk, rbm = time_sklearn(x_train)
            t_ours, run = time_ours(doc, "epoch")
            t_off, _ = time_ours(doc, "off")
            best["sklearn"] = min(best["sklearn"], t_sk)
            best["ours"] = min(best["ours"], t_ours)
            best["ours_off"] = min(best["ours_off"], t_off)
            best["hand"] = min(best["hand"], time_hand(x_train))
            print(f"round {r + 1}: scikit-learn {best['sklearn']:.3f} s, ours {best['ours']:.3f} s "
                  f"(telemetry off: {best['ours_off']:.3f} s), a bare torch loop "
                  f"{best['hand']:.3f} s, best so far, {EPOCHS} epochs of {len(x_train)} rows")
    steps = EPOCHS * -(-len(x_train) // BATCH)
    print(f"per update: scikit-learn {best['sklearn'] / steps * 1e6:.0f} us, a bare torch loop "
          f"{best['hand'] / steps * 1e6:.0f} us, ours {best['ours'] / steps * 1e6:.0f} us; bare "
          f"torch / scikit-learn {best['hand'] / best['sklearn']:.2f}, ours / bare torch "
          f"{best['ours'] / best['hand']:.2f}")
    a, b = pl_ours(run, x_test), pl_sklearn(rbm, x_test)
    print(f"pseudo-likelihood on the {len(x_test)} test rows (mean of {DRAWS} draws): ours {a:.2f}, "
          f"scikit-learn {b:.2f}; on the training rows: ours {pl_ours(run, x_train):.2f}, "
          f"scikit-learn {pl_sklearn(rbm, x_train):.2f}")
    print(json.dumps({"time_ratio": round(best["ours"] / best["sklearn"], 3),
                      "pl_ours": round(a, 3), "pl_sklearn": round(b, 3)}))


if __name__ == "__main__":
    main()
