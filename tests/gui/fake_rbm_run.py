"""A stand-in for engine.training.trainer.Run that yields a deep belief network's reports as the
RBM telemetry contract describes them (engine/telemetry.py): one "pretrain:<id>" phase per RBM,
each with its own epochs and steps per epoch, then "train"; an RBM's pictures and filters on
sampled steps of its own phase only; the pretraining epoch figures (pseudo_likelihood,
recon_error, free_energy on training and validation rows); and Run.gibbs. The GUI's RBM views
are tested against the contract, without depending on how well a real RBM learns."""
from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import numpy as np

from engine.telemetry import DoneReport, EpochReport, StartReport, StepReport
from engine.training.control import Control
from tests.gui.fake_autoencoder_run import N_IMAGES, SIDE, digit_like

FILTERS = 16
SAMPLE_EVERY = 2


def stroke_filters(seed: int) -> np.ndarray:
    """(16, 8, 8) weight pictures in [0, 1] around 0.5 (a zero weight): strokes of both signs."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:SIDE, 0:SIDE].astype(np.float32)
    out = np.empty((FILTERS, SIDE, SIDE), np.float32)
    for i in range(FILTERS):
        a, b = rng.uniform(0, np.pi), rng.uniform(-2, 2)
        line = np.exp(-((np.cos(a) * (xx - 3.5) + np.sin(a) * (yy - 3.5) - b) ** 2) / 1.5)
        blob = np.exp(-((xx - rng.uniform(1, 6)) ** 2 + (yy - rng.uniform(1, 6)) ** 2) / 4.0)
        w = line - 0.8 * blob
        out[i] = 0.5 + 0.5 * w / np.abs(w).max()
    return out


class FakeRbmRun:
    """Trains nothing. `rbms` are pretrained in turn (their phases' epochs and steps per epoch
    from `pretrain`), then `layers` are fine-tuned for `epochs` epochs of `steps` steps when
    `fine_tune`. Reconstructions sharpen and the training free energy drops below the held-out
    one as the steps go by."""

    def __init__(self, doc, rbms=("r1", "r2"), pretrain=((2, 10), (2, 5)), fine_tune=True,
                 layers=("r1", "r2", "out"), epochs=2, steps=4, step_s=0.005,
                 pause_at: tuple[str, int] | None = None):
        self.doc = doc
        self.rbms, self.pretrain = list(rbms), list(pretrain)
        self.fine_tune, self.layers = fine_tune, list(layers)
        self.epochs, self.steps_per_epoch, self.step_s = epochs, steps, step_s
        self.control = Control()
        self.pause_at = pause_at        # (phase, step of it): hold the run there, as Pause does
        self.held_at: tuple[str, int] | None = None     # where it last held
        self.histogram_node = None
        self._ctx = None
        self.inputs = digit_like(N_IMAGES, seed=3)
        self.filters = {nid: stroke_filters(i) for i, nid in enumerate(self.rbms)}
        self.chains: list[tuple[str, dict]] = []       # every gibbs() call: node, arguments
        self.chain_threads: list[int] = []               # ...and the thread that asked

    @property
    def context(self):
        return self._ctx

    def pause(self) -> None:
        self.control.pause()

    def resume(self) -> None:
        self.control.resume()

    def step_once(self) -> None:
        self.control.step_once()

    def stop(self) -> None:
        self.control.stop()

    def decode(self, node_id, z):
        raise ValueError(f"'{node_id}' is not a decoder")

    def gibbs(self, node_id: str, n: int = 8, steps: int = 100, every: int = 1,
              seed: int = 0) -> np.ndarray:
        """Noise that settles into the inputs: (1 + steps // every, n, 8, 8) in [0, 1]."""
        if node_id not in self.rbms:
            raise ValueError(f"'{node_id}' is not an RBM of this run")
        self.chains.append((node_id, {"n": n, "steps": steps, "every": every, "seed": seed}))
        self.chain_threads.append(threading.get_ident())
        rng = np.random.default_rng(seed)
        noise = (rng.random((n, SIDE, SIDE)) < 0.5).astype(np.float32)
        target = digit_like(n, seed=seed + 7)
        frames = [noise]
        for k in range(1, steps // every + 1):
            a = min(1.0, k * every / max(1, steps / 3))
            frames.append(((1 - a) * 0.5 + a * target).astype(np.float32))
        return np.stack(frames)

    def _pictures(self, nid: str, progress: float) -> dict:
        recon = ((1 - progress) * 0.5 + progress * self.inputs).astype(np.float32)
        f = 0.5 + (self.filters[nid] - 0.5) * (0.2 + 0.8 * progress)
        return {"input": self.inputs, "recon": recon, "filters": f.astype(np.float32)}

    def steps(self):
        # what the window reads of a prepared run: the task, and inputs of 64 pixels (so no
        # decision boundary is drawn: that needs two inputs)
        train = SimpleNamespace(x=np.zeros((4, SIDE * SIDE), np.float32))
        self._ctx = SimpleNamespace(task="classification", data=SimpleNamespace(train=train))
        plan = [f"pretrain:{nid}" for nid in self.rbms] + (["train"] if self.fine_tune else [])
        phase_epochs = [e for e, _ in self.pretrain] + ([self.epochs] if self.fine_tune else [])
        phase_steps = [s for _, s in self.pretrain] + ([self.steps_per_epoch] if self.fine_tune else [])
        yield StartReport(plan, "cpu", 5000, list(self.layers), [], {}, sum(phase_epochs),
                          phase_steps[0], "classification" if self.fine_tune else "reconstruction",
                          [str(i) for i in range(10)], phase_epochs=phase_epochs,
                          phase_steps=phase_steps)
        ran = 0
        for phase, epochs, steps in zip(plan, phase_epochs, phase_steps):
            nid = phase.partition(":")[2] or None
            g = 0
            for epoch in range(1, epochs + 1):
                for step in range(1, steps + 1):
                    if not self.control.gate():
                        yield DoneReport("stopped", epochs_run=ran)
                        return
                    g += 1
                    time.sleep(self.step_s)
                    progress = g / (epochs * steps)
                    norms = {k: (1.0 / g if nid in (None, k) else 0.0) for k in self.layers}
                    images = ({nid: self._pictures(nid, progress)}
                              if nid and (g % SAMPLE_EVERY == 0 or g == 1) else {})
                    loss = 1.0 / g
                    if (phase, g) == self.pause_at:
                        self.control.pause()
                        self.held_at = (phase, g)
                    yield StepReport(epoch, step, g, loss, {"cd" if nid else "loss": loss}, norms,
                                     images=images, phase=phase)
                ran += 1
                if nid:
                    fe = -20.0 - 2.0 * epoch
                    train = {"loss": loss, "terms": {"cd": loss}, "pseudo_likelihood": -30 + epoch,
                             "recon_error": 0.08 / epoch, "free_energy": fe - 0.3 * epoch}
                    val = {"pseudo_likelihood": -31 + epoch, "recon_error": 0.09 / epoch,
                           "free_energy": fe}
                else:
                    train = {"loss": loss, "terms": {"loss": loss}, "accuracy": 0.5 + 0.2 * epoch}
                    val = {"loss": loss, "accuracy": 0.45 + 0.2 * epoch}
                yield EpochReport(phase, epoch, train, val,
                                  {k: v for k, v in norms.items()}, 0.05)
        test = ({"accuracy": 0.9} if self.fine_tune else
                {"pseudo_likelihood": -25.0, "recon_error": 0.03, "free_energy": -30.0})
        base = {} if self.fine_tune else {"recon_error": 0.07}
        yield DoneReport("completed", epochs_run=ran, test=test, baseline=base)


def dbn_graph(path, epochs: int = 2) -> str:
    """A small deep belief network on digits (two RBMs, a Dense classifier, a Loss) written to
    `path`: the nodes the stand-in names, and a graph the real engine trains too."""
    import json

    def node(nid, kind, params, x, y):
        return {"id": nid, "type": kind, "params": params, "pos": [x, y]}

    rbm = {"epochs": epochs, "batch_size": 20, "lr": 0.06}
    doc = {
        "format": "deepcanvas-graph", "version": 1,
        "meta": {"title": "A small deep belief network"},
        "nodes": [
            node("data", "Dataset", {"source": "sklearn:digits", "scaling": "minmax"}, 0, 0),
            node("r1", "RBM", {"units": 64, **rbm}, 200, 0),
            node("r2", "RBM", {"units": 32, **rbm}, 400, 0),
            node("out", "Dense", {"units": 10}, 600, 0),
            node("loss", "Loss", {"kind": "cross_entropy"}, 800, 0),
        ],
        "edges": [
            {"src": "data", "src_port": "x", "dst": "r1", "dst_port": "in"},
            {"src": "r1", "src_port": "out", "dst": "r2", "dst_port": "in"},
            {"src": "r2", "src_port": "out", "dst": "out", "dst_port": "in"},
            {"src": "out", "src_port": "out", "dst": "loss", "dst_port": "pred"},
            {"src": "data", "src_port": "y", "dst": "loss", "dst_port": "target"},
        ],
        "training": {"optimizer": "adam", "lr": 0.01, "batch_size": 64, "epochs": epochs,
                     "val_split": 0.1, "seed": 0},
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
    return str(path)
