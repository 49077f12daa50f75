"""A stand-in for engine.training.trainer.Run that yields an autoencoder's reports as the
telemetry contract describes them (StepReport.images and .codes, EpochReport.code_mean_activation
and .jacobian_norm) and decodes latent points with a fixed function: the GUI's autoencoder views
are tested against the contract, without depending on how well a real network learns."""
from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import numpy as np

from engine.telemetry import DoneReport, EpochReport, StartReport, StepReport
from engine.training.control import Control

N_IMAGES, SIDE, BATCH = 8, 8, 64


def digit_like(n: int, seed: int = 0) -> np.ndarray:
    """n blurry 8x8 strokes in [0, 1]: something that looks like handwriting at a glance."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:SIDE, 0:SIDE].astype(np.float32)
    out = np.zeros((n, SIDE, SIDE), np.float32)
    for i in range(n):
        for _ in range(3):
            cx, cy, r = rng.uniform(2, 6), rng.uniform(2, 6), rng.uniform(1.5, 3.0)
            ring = np.exp(-((np.hypot(xx - cx, yy - cy) - r) ** 2) / 0.6)
            out[i] = np.maximum(out[i], ring)
    return np.clip(out, 0, 1)


def decode_plane(z: np.ndarray) -> np.ndarray:
    """A fixed 'decoder' of two-unit codes: a blob whose place follows z, (k, 8, 8) in [0, 1]."""
    z = np.asarray(z, np.float32).reshape(len(z), -1)
    yy, xx = np.mgrid[0:SIDE, 0:SIDE].astype(np.float32)
    cx = 3.5 + 2.5 * np.tanh(z[:, 0])[:, None, None]
    cy = 3.5 + 2.5 * np.tanh(z[:, 1] if z.shape[1] > 1 else z[:, 0])[:, None, None]
    return np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / 3.0).astype(np.float32)


class FakeAutoencoderRun:
    """Trains nothing: `steps()` yields `epochs * steps_per_epoch` step reports, each one sampled,
    whose reconstructions sharpen from grey towards the inputs as the steps go by. Node ids are
    the ones the test names (any nodes of the open graph)."""

    def __init__(self, doc, decoder: str, encoder: str, units: int = 2, corrupted: bool = True,
                 epochs: int = 3, steps_per_epoch: int = 10, step_s: float = 0.01):
        self.doc = doc
        self.decoder, self.encoder, self.units = decoder, encoder, units
        self.corrupted = corrupted
        self.epochs, self.steps_per_epoch, self.step_s = epochs, steps_per_epoch, step_s
        self.control = Control()
        self.histogram_node = None
        self._ctx = None
        self.decoded: list[np.ndarray] = []       # every batch of codes decode() was given
        self.decode_threads: list[int] = []        # ...and the thread that asked
        rng = np.random.default_rng(1)
        self.inputs = digit_like(N_IMAGES)
        self.noisy = np.clip(self.inputs + rng.normal(0, 0.3, self.inputs.shape), 0, 1).astype(np.float32)
        self.labels = rng.integers(0, 10, BATCH)
        self.centres = rng.normal(0, 1.5, (10, units))
        self.noise = rng.normal(0, 0.4, (BATCH, units))

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

    def decode(self, node_id: str, z: np.ndarray) -> np.ndarray:
        assert node_id == self.decoder, node_id
        self.decoded.append(np.array(z))
        self.decode_threads.append(threading.get_ident())
        return decode_plane(z)

    def sample(self, progress: float) -> tuple[dict, dict]:
        recon = ((1 - progress) * 0.5 + progress * self.inputs).astype(np.float32)
        images = {"input": self.inputs, "recon": recon}
        if self.corrupted:
            images["corrupted"] = self.noisy
        values = self.centres[self.labels] * (0.2 + progress) + self.noise
        if self.units > 2:
            values = 1 / (1 + np.exp(-values))       # a sigmoid code: sparse-looking bars
        codes = {"unit_mean": values.mean(axis=0), "values": values.astype(np.float32),
                 "labels": self.labels}
        return {self.decoder: images}, {self.encoder: codes}

    def steps(self):
        self._ctx = SimpleNamespace(task="reconstruction")
        total = self.epochs * self.steps_per_epoch
        yield StartReport(["train"], "cpu", 1000, [], [], {}, self.epochs, self.steps_per_epoch,
                          "reconstruction", [str(i) for i in range(10)])
        g = 0
        for epoch in range(1, self.epochs + 1):
            for step in range(1, self.steps_per_epoch + 1):
                if not self.control.gate():
                    yield DoneReport("stopped", epochs_run=epoch - 1)
                    return
                g += 1
                time.sleep(self.step_s)
                images, codes = self.sample(g / total)
                yield StepReport(epoch, step, g, 1.0 / g, {"recon": 1.0 / g}, {},
                                 images=images, codes=codes)
            mean = float(np.mean(codes[self.encoder]["unit_mean"]))
            yield EpochReport("train", epoch, {"loss": 1.0 / g}, {"loss": 1.0 / g}, {}, 0.1,
                              code_mean_activation={self.encoder: mean},
                              jacobian_norm={self.encoder: 10.0 / epoch})
        yield DoneReport("completed", epochs_run=self.epochs, test={"recon_error": 0.01})
