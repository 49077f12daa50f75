"""What the RBM views draw, read from a snapshot: no Qt, so it is tested headless.

An RBM's pictures are told from an autoencoder's by what the reports carry (the contract in
engine/telemetry.py): an RBM's come with its `filters`, a decoder's never do. Which RBMs a run
pretrains, and in what order, comes from the plan's phase names (gui/training/phases.py).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from gui.training.phases import PRETRAIN, Phases


def is_rbm(arrays: dict[str, Any]) -> bool:
    """Pictures of an RBM (inputs, reconstructions and filters), not of a decoder."""
    return "filters" in arrays


def autoencoder_images(images: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    # a decoder's always come with its reconstructions; an RBM's come with filters too, and a
    # GAN's generator files samples, never reconstructions
    return {nid: a for nid, a in images.items() if "recon" in a and not is_rbm(a)}


def pretrains(snap: Any) -> bool:
    """The run pretrains nodes in phases of their own (its plan names them)."""
    return bool(snap.phases.pretrained_nodes) or any(is_rbm(a) for a in snap.images.values())


def training_node(snap: Any) -> str | None:
    """The node pretraining now, or None in a phase of the whole network."""
    return Phases.pretrained_node(snap.phase) if snap.phase else None


def followed_node(snap: Any, pinned: str | None = None) -> str | None:
    """The RBM the views show: the one chosen (`pinned`), else the one pretraining, else the
    last one pretrained (once fine-tuning runs, the top of the stack), else the first."""
    nodes = snap.phases.pretrained_nodes or [n for n, a in snap.images.items() if is_rbm(a)]
    if pinned in nodes:
        return pinned
    now = training_node(snap)
    if now in nodes:
        return now
    done = [n for n in nodes if n in snap.images]
    if done:
        return done[-1]
    return nodes[0] if nodes else None


def epoch_figures(snap: Any, node: str, split: str, key: str) -> tuple[np.ndarray, np.ndarray]:
    """(epochs, values) of a figure of `node`'s own pretraining epochs, epoch counted within its
    phase: e.g. the free energy of the training rows ('train') or of held-out ones ('val')."""
    phase = PRETRAIN + node
    xs, ys = [], []
    for rep in snap.epochs:
        if rep.phase != phase:
            continue
        v = getattr(rep, split).get(key)
        if isinstance(v, (int, float)):
            xs.append(rep.epoch)
            ys.append(float(v))
    return np.asarray(xs, float), np.asarray(ys, float)


def phase_rows(snap: Any) -> list[tuple[str, float, str]]:
    """Per phase of the plan: (words, fraction done in [0, 1], epochs done of its epochs)."""
    phases = snap.phases
    here = phases.index(snap.phase) if snap.phase else (0 if snap.start else -1)
    ended = snap.done is not None and snap.done.reason in ("completed", "early_stopped")
    rows = []
    for i, name in enumerate(phases.names):
        epochs = phases.epochs[i]
        reported = sum(1 for rep in snap.epochs if rep.phase == name
                       or (not rep.phase and i == 0))
        if i < here or (i == here and ended):
            frac, done = 1.0, reported or epochs
        elif i == here:
            steps = epochs * phases.steps[i]
            within = (max(0, snap.epoch - 1) * phases.steps[i] + snap.step) if snap.step else 0
            frac = min(1.0, within / steps) if steps else 0.0
            done = reported
        else:
            frac, done = 0.0, 0
        rows.append((phases.label(name), frac, f"{done}/{epochs} epochs"))
    return rows
