"""Load the data a `Dataset` node names: scikit-learn sets, synthetic toys, or a CSV file."""
from __future__ import annotations

from typing import Any

import numpy as np

from engine.data import synthetic, toy_sets
from engine.data.bundle import DataBundle
from engine.errors import DataError

SKLEARN = ("digits", "iris", "wine", "breast_cancer", "diabetes")
_cache: dict[Any, DataBundle] = {}


def clear_cache() -> None:
    """Forget every loaded toy or scikit-learn data set (the next load reads it afresh)."""
    _cache.clear()


def load_bundle(params: dict[str, Any], seed: int = 0, graph_dir: str | None = None,
                data_dir: str | None = None, node: str | None = None) -> DataBundle:
    """Load (and cache) the data set a Dataset node's params describe."""
    source = str(params.get("source", ""))
    kind, _, name = source.partition(":")
    if kind == "csv":
        from engine.data.csv_source import load_csv  # imported late: pandas is slow to import
        return load_csv(name, params, graph_dir=graph_dir, data_dir=data_dir, node=node)
    key = (source, int(params.get("n_samples", 0)), float(params.get("noise", 0.0)), seed)
    if key not in _cache:
        if kind == "sklearn":
            _cache[key] = _sklearn(name, node)
        elif kind == "synthetic":
            _cache[key] = _synthetic(name, params, seed, node)
        else:
            raise DataError(f"unknown source '{source}'; use sklearn:<name>, synthetic:<name> "
                            f"or csv:<path>", node)
    return _cache[key]


def _sklearn(name: str, node: str | None) -> DataBundle:
    if name not in SKLEARN:
        raise DataError(f"unknown scikit-learn data set '{name}' (known: {', '.join(SKLEARN)})", node)
    # scikit-learn's files read directly: importing scikit-learn would cost a second at start
    ds = toy_sets.read(name) or _sklearn_loader(name)()
    x = np.asarray(ds.data, dtype=np.float32)
    features = [str(f) for f in getattr(ds, "feature_names", [])] or [f"x{i}" for i in range(x.shape[1])]
    if name == "diabetes":
        y = np.asarray(ds.target, dtype=np.float32).reshape(-1, 1)
        return DataBundle(x, y, "regression", features, target_names=["disease progression"],
                          name=name)
    names = [str(c) for c in getattr(ds, "target_names", np.unique(ds.target))]
    image = (8, 8) if name == "digits" else None
    return DataBundle(x, np.asarray(ds.target, dtype=np.int64), "classification", features,
                      class_names=names, image_shape=image, name=name)


def _sklearn_loader(name: str):
    """scikit-learn's own `load_<name>`, for when its files cannot be read directly."""
    from sklearn import datasets as skd
    return getattr(skd, f"load_{name}")


def _synthetic(name: str, params: dict[str, Any], seed: int, node: str | None) -> DataBundle:
    if name not in synthetic.NAMES:
        raise DataError(f"unknown synthetic data set '{name}' (known: {', '.join(synthetic.NAMES)})", node)
    x, y = synthetic.make(name, int(params.get("n_samples", 500)), float(params.get("noise", 0.1)), seed)
    y = np.asarray(y, dtype=np.int64)
    classes = [str(c) for c in range(int(y.max()) + 1)]
    bundle = DataBundle(np.asarray(x, dtype=np.float32), y, "classification", ["x1", "x2"],
                        class_names=classes, name=name)
    known = synthetic.modes(name, float(params.get("noise", 0.1)))
    if known is not None:
        bundle.modes, bundle.mode_std = known
    return bundle
