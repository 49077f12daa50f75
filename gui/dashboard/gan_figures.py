"""What the GAN views read from a snapshot, and how a GAN run's outcome is put in words: no Qt,
so it is tested headless.

A GAN's samples are told from other pictures by what the reports carry (the contract in
engine/training/gans.py): `images[<generator id>]` holds "samples" (pictures, image data) or
"points" (any other data), never an autoencoder's "recon" or an RBM's "filters".
"""
from __future__ import annotations

from typing import Any

import numpy as np

GAN_KEYS = ("points", "samples")
# a discriminator that scores the generated points near 0 or near 1 has won or lost the game
D_FAKE_SURE = 0.1


def is_gan(arrays: dict[str, Any]) -> bool:
    return any(k in arrays for k in GAN_KEYS)


def gan_node(images: dict[str, dict[str, Any]]) -> str | None:
    """The node a run files its generated samples under (its Generator), or None."""
    return next((nid for nid, a in images.items() if is_gan(a)), None)


def arrows(points: np.ndarray, gradients: np.ndarray, length: float, head: float = 0.3,
           spread: float = 0.45) -> np.ndarray:
    """Line segments (3 per point, as consecutive pairs of rows) of an arrow from each point
    along minus its gradient, the way the generator's update will move it: the longest arrow
    `length` long, the others shorter as the square root of their gradient's size (in
    proportion, the many small pushes would be dots beside one large one); `head` is the barbs'
    share of an arrow, `spread` their angle to the shaft (radians)."""
    p = np.asarray(points, np.float64).reshape(-1, 2)
    g = -np.nan_to_num(np.asarray(gradients, np.float64).reshape(-1, 2))
    size = np.sqrt((g ** 2).sum(axis=1))
    top = float(size.max()) if len(size) else 0.0
    if top <= 0:
        return np.zeros((0, 2))
    scale = np.where(size > 0, length * np.sqrt(size / top) / np.maximum(size, 1e-300), 0.0)
    d = g * scale[:, None]
    tip = p + d
    back = -d * head
    c, s = np.cos(spread), np.sin(spread)
    left = tip + np.stack([c * back[:, 0] - s * back[:, 1], s * back[:, 0] + c * back[:, 1]], 1)
    right = tip + np.stack([c * back[:, 0] + s * back[:, 1], -s * back[:, 0] + c * back[:, 1]], 1)
    return np.stack([p, tip, tip, left, tip, right], axis=1).reshape(-1, 2)


def outcome(test: dict[str, Any]) -> list[str]:
    """Parts of the line above the plots for a GAN's done report: how many of the data's modes
    the samples cover and how many samples are good (data made of known modes), and how the
    discriminator scores real and generated examples."""
    parts = []
    covered, total = test.get("modes_covered"), test.get("modes_total")
    if isinstance(covered, (int, float)) and isinstance(total, (int, float)):
        parts.append(f"Modes covered {int(covered)} of {int(total)}")
        good = test.get("high_quality_fraction")
        if isinstance(good, (int, float)):
            parts.append(f"{100 * good:.0f}% of samples near a mode")
    d_real, d_fake = test.get("d_real"), test.get("d_fake")
    if isinstance(d_real, (int, float)) and isinstance(d_fake, (int, float)):
        parts.append(f"mean D(x) {d_real:.2f}, mean D(G(z)) {d_fake:.2f}")
        if d_fake < D_FAKE_SURE:
            parts.append("the discriminator tells every sample apart")
    return parts
