"""Plain containers for loaded data; nothing here knows about torch."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class DataBundle:
    """A whole data set as loaded from its source, before any split or scaling."""

    x: np.ndarray                       # (n, features) float32
    y: np.ndarray                       # (n,) int64 class index, or (n, targets) float32
    task: str                           # "classification" or "regression"
    feature_names: list[str]
    class_names: list[str] = field(default_factory=list)
    target_names: list[str] = field(default_factory=list)
    image_shape: tuple[int, int] | None = None
    name: str = ""
    warnings: list[str] = field(default_factory=list)
    # a mixture of known Gaussian modes (synthetic:ring): their centres (modes, features) in the
    # loaded units and their standard deviation, for a GAN's mode-coverage figures
    modes: np.ndarray | None = None
    mode_std: float = 0.0
    # a CSV's input columns before one-hot encoding, in file order, for a saved model to encode
    # new rows the same way: {"name", "kind": "number" | "category", and for a category its
    # "categories" (labels as text), "features" (label -> input index; the label left out by
    # drop_first has none) and "fill" (the label an empty cell took, or None)}. Empty: every
    # input is a number column named as in feature_names.
    input_columns: list[dict] = field(default_factory=list)

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def y_width(self) -> int:
        return self.n_classes if self.task == "classification" else int(self.y.shape[1])


@dataclass
class Split:
    x: np.ndarray
    y: np.ndarray


@dataclass
class PreparedData:
    """Train/validation/test splits, scaled, with what is needed to report in user units."""

    train: Split
    val: Split | None
    test: Split | None
    bundle: DataBundle
    y_mean: np.ndarray | None = None    # regression targets are standardised for training
    y_std: np.ndarray | None = None
    # inputs as loaded = scaled inputs * x_scale + x_shift (None: the inputs were not scaled);
    # an autoencoder's pictures are drawn in the loaded units
    x_scale: np.ndarray | None = None
    x_shift: np.ndarray | None = None
    # what was fitted on the training split, as scikit-learn computed it (float64), so a saved
    # model scales new rows to the same bits: "standard" {mean, scale}, "minmax" {scale, min}
    scaling: str = "none"
    scaler: dict[str, np.ndarray] = field(default_factory=dict)
    impute_means: np.ndarray | None = None    # the training means empty inputs were filled with

    def raw_x(self, x: np.ndarray) -> np.ndarray:
        """Scaled inputs back in the units they were loaded in."""
        if self.x_scale is None:
            return x
        return x * self.x_scale + self.x_shift

    def to_user_units(self, y: np.ndarray) -> np.ndarray:
        if self.y_mean is None:
            return y
        return y * self.y_std + self.y_mean
