"""What a run fitted to its data, kept with a model so new rows are read exactly as its training
rows were: the input columns and their categories, the column order, the imputed means, the
scaler's statistics, the class names and the target's units.

Everything here is plain data (JSON in a model file). `from_json` treats it as untrusted and
refuses, in one line, anything the encoder could trip over later.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.data.bundle import DataBundle
from engine.models.errors import ModelError

SCALINGS = {"none": (), "standard": ("mean", "scale"), "minmax": ("scale", "min")}
MISSING = ("error", "drop", "impute")
MAX_FEATURES = 1_000_000
MAX_NAME = 1000


@dataclass
class Preprocessing:
    data_node: str                     # the Dataset node's id
    source: str                        # where the training data came from (for people to read)
    task: str                          # classification | regression | reconstruction | generation
    features: list[str]                # the network's inputs, in order (after one-hot encoding)
    # the columns a row gives, before encoding (DataBundle.input_columns' form)
    columns: list[dict[str, Any]]
    class_names: list[str] = field(default_factory=list)
    target_names: list[str] = field(default_factory=list)
    target_width: int = 1
    missing: str = "error"
    impute_means: list[float] | None = None
    scaling: str = "none"
    scaler: dict[str, list[float]] = field(default_factory=dict)
    scaler_dtype: str = "float64"
    y_mean: list[float] | None = None          # regression: the network answers standardised
    y_std: list[float] | None = None
    image_shape: tuple[int, int] | None = None

    # ---- from a run, to and from JSON ---------------------------------------------------------
    @classmethod
    def from_run(cls, run: Any) -> Preprocessing:
        ctx = run.prepare()
        data, bundle = ctx.data, ctx.data.bundle
        model = ctx.model
        params = model.params_of[model.data_id]
        columns = bundle.input_columns or [{"name": f, "kind": "number"}
                                           for f in bundle.feature_names]
        dtype = next((str(v.dtype) for v in data.scaler.values()), "float64")
        return cls(
            data_node=model.data_id, source=str(params.get("source", "")), task=ctx.task,
            features=list(bundle.feature_names), columns=[dict(c) for c in columns],
            class_names=list(bundle.class_names), target_names=list(bundle.target_names),
            target_width=bundle.y_width, missing=str(params.get("missing", "error")),
            impute_means=None if data.impute_means is None else _floats(data.impute_means),
            scaling=data.scaling, scaler={k: _floats(v) for k, v in data.scaler.items()},
            scaler_dtype=dtype,
            y_mean=None if data.y_mean is None else _floats(data.y_mean),
            y_std=None if data.y_std is None else _floats(data.y_std),
            image_shape=tuple(bundle.image_shape) if bundle.image_shape else None)

    def to_json(self) -> dict[str, Any]:
        return {"data_node": self.data_node, "source": self.source, "task": self.task,
                "features": self.features, "columns": self.columns,
                "class_names": self.class_names, "target_names": self.target_names,
                "target_width": self.target_width, "missing": self.missing,
                "impute_means": self.impute_means, "scaling": self.scaling,
                "scaler": self.scaler, "scaler_dtype": self.scaler_dtype,
                "y_mean": self.y_mean, "y_std": self.y_std,
                "image_shape": list(self.image_shape) if self.image_shape else None}

    @classmethod
    def from_json(cls, d: Any) -> Preprocessing:
        """Check every field of an untrusted object; ModelError naming the first bad one."""
        if not isinstance(d, dict):
            raise ModelError("preprocessing.json: the top level must be a JSON object")
        f = _Fields(d)
        features = f.strings("features", MAX_FEATURES)
        n = len(features)
        if n == 0:
            raise ModelError("preprocessing.json: 'features' is empty")
        scaling = f.choice("scaling", tuple(SCALINGS))
        scaler = f.get("scaler", dict)
        if set(scaler) != set(SCALINGS[scaling]):
            raise ModelError(f"preprocessing.json: 'scaler' must hold {', '.join(SCALINGS[scaling]) or 'nothing'} "
                             f"for scaling '{scaling}'")
        stats = {k: f.numbers(f"scaler.{k}", scaler[k], n) for k in SCALINGS[scaling]}
        if scaling == "standard" and any(v == 0 for v in stats["scale"]):
            raise ModelError("preprocessing.json: 'scaler.scale' holds a 0")
        task = f.choice("task", ("classification", "regression", "reconstruction", "generation"))
        classes = f.strings("class_names", 100_000)
        width = f.get("target_width", int)
        if isinstance(width, bool) or not 1 <= width <= MAX_FEATURES:
            raise ModelError("preprocessing.json: 'target_width' must be a positive integer")
        if task == "classification" and (len(classes) < 2 or len(classes) != width):
            raise ModelError("preprocessing.json: a classifier needs at least two 'class_names', "
                             "as many as 'target_width'")
        impute = d.get("impute_means")
        y_mean, y_std = d.get("y_mean"), d.get("y_std")
        if (y_mean is None) != (y_std is None):
            raise ModelError("preprocessing.json: 'y_mean' and 'y_std' come together")
        image = d.get("image_shape")
        if image is not None and not (isinstance(image, list) and len(image) == 2
                                      and all(isinstance(v, int) and not isinstance(v, bool)
                                              and v > 0 for v in image)
                                      and image[0] * image[1] == n):
            raise ModelError("preprocessing.json: 'image_shape' must be [rows, cols] covering "
                             "the features")
        dtype = f.choice("scaler_dtype", ("float32", "float64"))
        p = cls(data_node=f.string("data_node"), source=f.string("source"), task=task,
                features=features, columns=_columns(d.get("columns"), n), class_names=classes,
                target_names=f.strings("target_names", MAX_FEATURES),
                target_width=width, missing=f.choice("missing", MISSING),
                impute_means=None if impute is None else f.numbers("impute_means", impute, n),
                scaling=scaling, scaler=stats, scaler_dtype=dtype,
                y_mean=None if y_mean is None else f.numbers("y_mean", y_mean, width),
                y_std=None if y_std is None else f.numbers("y_std", y_std, width),
                image_shape=tuple(image) if image else None)
        return p

    # ---- what the network and a form need -----------------------------------------------------
    def stand_in(self) -> DataBundle:
        """A data set with no rows but the right widths and names, to rebuild the network
        without the training data."""
        classify = self.task == "classification"
        y = (np.zeros(0, np.int64) if classify
             else np.zeros((0, self.target_width), np.float32))
        return DataBundle(np.zeros((0, len(self.features)), np.float32), y,
                          "classification" if classify else "regression", list(self.features),
                          class_names=list(self.class_names) if classify else [],
                          target_names=list(self.target_names), image_shape=self.image_shape,
                          name=self.source, input_columns=[dict(c) for c in self.columns])

    def to_user_units(self, y: np.ndarray) -> np.ndarray:
        if self.y_mean is None:
            return y
        return y * np.asarray(self.y_std, np.float32) + np.asarray(self.y_mean, np.float32)

    def scale(self, x: np.ndarray) -> np.ndarray:
        """Scale float32 inputs to the same bits as the run's scaler did: a scikit-learn scaler
        given the stored statistics does the transform, so its casts and order are the same."""
        from sklearn.preprocessing import MinMaxScaler, StandardScaler

        dtype = np.dtype(self.scaler_dtype)
        stats = {k: np.asarray(v, dtype) for k, v in self.scaler.items()}
        if self.scaling == "standard":
            sc = StandardScaler()
            sc.mean_, sc.scale_, sc.var_ = stats["mean"], stats["scale"], stats["scale"] ** 2
        elif self.scaling == "minmax":
            sc = MinMaxScaler()
            sc.scale_, sc.min_ = stats["scale"], stats["min"]
            sc.data_min_ = -stats["min"] / stats["scale"]
            sc.data_range_ = 1.0 / stats["scale"]
            sc.data_max_ = sc.data_min_ + sc.data_range_
        else:
            return x
        sc.n_features_in_, sc.n_samples_seen_ = x.shape[1], 1
        return sc.transform(x).astype(np.float32)


def _floats(a: np.ndarray) -> list[float]:
    return [float(v) for v in np.asarray(a, np.float64).reshape(-1)]


class _Fields:
    def __init__(self, d: dict[str, Any]):
        self.d = d

    def get(self, key: str, kind: type) -> Any:
        if key not in self.d:
            raise ModelError(f"preprocessing.json lacks '{key}'")
        v = self.d[key]
        if not isinstance(v, kind):
            raise ModelError(f"preprocessing.json: '{key}' must be a {kind.__name__}")
        return v

    def string(self, key: str) -> str:
        v = self.get(key, str)
        if len(v) > MAX_NAME:
            raise ModelError(f"preprocessing.json: '{key}' is too long")
        return v

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        v = self.get(key, str)
        if v not in allowed:
            raise ModelError(f"preprocessing.json: '{key}' must be one of {', '.join(allowed)}")
        return v

    def strings(self, key: str, limit: int) -> list[str]:
        v = self.get(key, list)
        if len(v) > limit or not all(isinstance(s, str) and len(s) <= MAX_NAME for s in v):
            raise ModelError(f"preprocessing.json: '{key}' must be a list of short strings")
        return list(v)

    @staticmethod
    def numbers(key: str, v: Any, n: int) -> list[float]:
        if not isinstance(v, list) or len(v) != n:
            raise ModelError(f"preprocessing.json: '{key}' must be a list of {n} numbers")
        if not all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
                   for x in v):
            raise ModelError(f"preprocessing.json: '{key}' must hold finite numbers only")
        return [float(x) for x in v]


def _columns(cols: Any, n: int) -> list[dict[str, Any]]:
    """The input columns, checked: unique names, and every input filled by exactly one of them."""
    if not isinstance(cols, list) or not cols:
        raise ModelError("preprocessing.json: 'columns' must be a non-empty list")
    names: set[str] = set()
    used: list[int] = []
    out = []
    for c in cols:
        if not isinstance(c, dict) or not isinstance(c.get("name"), str) \
                or len(c["name"]) > MAX_NAME or c.get("kind") not in ("number", "category"):
            raise ModelError("preprocessing.json: each column needs a 'name' and a 'kind' "
                             "(number or category)")
        name = c["name"]
        if name in names:
            raise ModelError(f"preprocessing.json: column '{name}' is listed twice")
        names.add(name)
        if c["kind"] == "number":
            out.append({"name": name, "kind": "number"})
            continue
        cats, feats, fill = c.get("categories"), c.get("features"), c.get("fill")
        if not isinstance(cats, list) or not cats or not all(isinstance(s, str) for s in cats) \
                or len(set(cats)) != len(cats):
            raise ModelError(f"preprocessing.json: column '{name}' needs a list of distinct "
                             f"'categories'")
        if not isinstance(feats, dict) or any(k not in cats for k in feats) or not all(
                isinstance(i, int) and not isinstance(i, bool) and 0 <= i < n
                for i in feats.values()):
            raise ModelError(f"preprocessing.json: column '{name}' maps categories to inputs "
                             f"that do not exist")
        if fill is not None and fill not in cats:
            raise ModelError(f"preprocessing.json: column '{name}' fills empty cells with an "
                             f"unknown category")
        used += list(feats.values())
        out.append({"name": name, "kind": "category", "categories": list(cats),
                    "features": dict(feats), "fill": fill})
    numbers = sum(c["kind"] == "number" for c in out)
    if numbers + len(used) != n or len(set(used)) != len(used):
        raise ModelError(f"preprocessing.json: the columns make {numbers + len(used)} inputs, "
                         f"not the {n} features listed, or two categories share an input")
    return out
