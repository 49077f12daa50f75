"""scikit-learn's five small data sets, read from the files scikit-learn installs without
importing scikit-learn.

`import sklearn` costs about a second (it brings scipy and pandas with it), some forty times
longer than reading these files, and the first lesson opens on one of them. `read` returns None
when a file is missing or is not laid out as expected (another scikit-learn release may move
or change them); the caller then uses scikit-learn's own loaders. tests/engine/test_toy_sets.py
checks that both give the same arrays and names.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass
class ToySet:
    """The fields of scikit-learn's `Bunch` that sources.py reads."""

    data: np.ndarray                        # (n, features) float64
    target: np.ndarray                      # (n,) int64 classes, or float64 values
    feature_names: list[str]
    target_names: list[str] | None = None   # None for regression (diabetes)


_CELL = ("radius", "texture", "perimeter", "area", "smoothness", "compactness", "concavity",
         "concave points", "symmetry", "fractal dimension")

# the names scikit-learn's loaders give the columns; the files hold only numbers
_FEATURES = {
    "iris": ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"],
    "wine": ["alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols",
             "flavanoids", "nonflavanoid_phenols", "proanthocyanins", "color_intensity", "hue",
             "od280/od315_of_diluted_wines", "proline"],
    "breast_cancer": [f"mean {m}" for m in _CELL] + [f"{m} error" for m in _CELL]
                     + [f"worst {m}" for m in _CELL],
    "diabetes": ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"],
    "digits": [f"pixel_{r}_{c}" for r in range(8) for c in range(8)],
}


def data_folder() -> Path | None:
    """scikit-learn's data folder, found without running scikit-learn's __init__."""
    spec = importlib.util.find_spec("sklearn")   # a top-level spec is found, not imported
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data"


def read(name: str) -> ToySet | None:
    """The data set `name` as scikit-learn's `load_<name>()` gives it, or None if its file
    cannot be read here."""
    folder = data_folder()
    if folder is None or name not in _FEATURES:
        return None
    try:
        if name == "digits":
            return _digits(folder)
        if name == "diabetes":
            return _diabetes(folder)
        return _with_header(folder / {"iris": "iris.csv", "wine": "wine_data.csv",
                                      "breast_cancer": "breast_cancer.csv"}[name], name)
    except (OSError, ValueError, IndexError):
        return None


def _with_header(path: Path, name: str) -> ToySet | None:
    # first line: rows, columns, then the class names; every other line: the inputs, the class
    with path.open(encoding="utf-8") as f:
        head = f.readline().strip().split(",")
        table = np.loadtxt(f, delimiter=",", ndmin=2)
    rows, cols = int(head[0]), int(head[1])
    if table.shape != (rows, cols + 1) or cols != len(_FEATURES[name]):
        return None
    return ToySet(table[:, :-1], table[:, -1].astype(np.int64), list(_FEATURES[name]), head[2:])


def _digits(folder: Path) -> ToySet | None:
    table = np.loadtxt(folder / "digits.csv.gz", delimiter=",", ndmin=2)
    if table.shape[1] != 65:
        return None
    return ToySet(table[:, :-1], table[:, -1].astype(np.int64), list(_FEATURES["digits"]),
                  [str(k) for k in range(10)])


def _diabetes(folder: Path) -> ToySet | None:
    x = np.loadtxt(folder / "diabetes_data_raw.csv.gz", ndmin=2)
    y = np.loadtxt(folder / "diabetes_target.csv.gz")
    if x.shape != (len(y), 10):
        return None
    # scikit-learn's scaled=True default: each column centred, scaled to unit variance, and
    # divided by sqrt(rows), so every column has a sum of squares of 1
    # (nanmean and nanstd, as scikit-learn uses, round the last bit the same way)
    scale = np.nanstd(x, axis=0)
    x = x - np.nanmean(x, axis=0)
    x /= scale
    x /= x.shape[0] ** 0.5
    return ToySet(x, y, list(_FEATURES["diabetes"]))
