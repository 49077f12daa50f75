"""Two-dimensional toy problems for decision-boundary lessons, deterministic by seed."""
from __future__ import annotations

import numpy as np

NAMES = ("moons", "circles", "spirals", "blobs", "xor", "ring")


def make(name: str, n_samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    if name in ("moons", "circles", "blobs"):
        # imported here: scikit-learn takes a second to import, and only these three need it
        from sklearn import datasets as skd
    if name == "moons":
        return skd.make_moons(n_samples, noise=noise, random_state=seed)
    if name == "circles":
        return skd.make_circles(n_samples, noise=noise, factor=0.5, random_state=seed)
    if name == "blobs":
        return skd.make_blobs(n_samples, centers=3, cluster_std=1.0 + 4 * noise, random_state=seed)
    if name == "xor":
        x = rng.uniform(-1, 1, size=(n_samples, 2))
        y = (x[:, 0] * x[:, 1] > 0).astype(int)
        return x + rng.normal(0, noise, x.shape), y
    if name == "spirals":
        half = n_samples // 2
        t = np.sqrt(rng.uniform(0, 1, size=(2, half))) * 3 * np.pi
        xs = []
        for k in range(2):
            sign = 1 if k == 0 else -1
            xs.append(np.stack([sign * t[k] * np.cos(t[k]), sign * t[k] * np.sin(t[k])], 1) / (3 * np.pi))
        x = np.concatenate(xs) + rng.normal(0, noise, (2 * half, 2))
        return x, np.repeat([0, 1], half)
    if name == "ring":
        # a ring of 8 Gaussian modes, the usual GAN toy; the class is the mode index
        k = rng.integers(0, 8, n_samples)
        centres, std = modes(name, noise)
        x = centres[k] + rng.normal(0, std, (n_samples, 2))
        return x, k
    raise ValueError(f"unknown synthetic data set '{name}' (known: {', '.join(NAMES)})")


def modes(name: str, noise: float) -> tuple[np.ndarray, float] | None:
    """(centres, standard deviation) of a set made of Gaussian modes, or None for the others."""
    if name != "ring":
        return None
    ang = np.arange(8) * (2 * np.pi / 8)
    return 2 * np.stack([np.cos(ang), np.sin(ang)], 1), max(noise, 1e-3)
