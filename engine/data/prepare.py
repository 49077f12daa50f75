"""Split a loaded data set into train/validation/test and scale it, fitting on train only."""
from __future__ import annotations

import numpy as np

from engine.data.bundle import DataBundle, PreparedData, Split
from engine.errors import DataError

# scikit-learn is imported inside the functions that use it: importing it takes about a second,
# and the app imports this module at start but prepares data only when a run starts


def _split(x, y, fraction: float, seed: int, stratify: bool, what: str):
    n_out = int(np.ceil(fraction * len(y)))
    if len(y) - n_out < 1 or n_out < 1:
        raise DataError(f"{what} {fraction:g} of {len(y)} rows leaves "
                        f"{len(y) - n_out} to train on and {n_out} held out: use a smaller {what}")
    strat = y if stratify and _stratifiable(y, fraction) else None
    from sklearn.model_selection import train_test_split
    return train_test_split(x, y, test_size=fraction, random_state=seed, stratify=strat)


def _stratifiable(y: np.ndarray, fraction: float) -> bool:
    _, counts = np.unique(y, return_counts=True)
    n_test = int(np.ceil(fraction * len(y)))
    return counts.min() >= 2 and n_test >= len(counts) and len(y) - n_test >= len(counts)


def _impute(train: Split, val: Split | None, test: Split | None) -> np.ndarray:
    """Fill empty inputs (a CSV read with missing='impute') with the training split's means."""
    from sklearn.impute import SimpleImputer
    # an input empty in every training row gets 0 rather than vanishing and changing the width
    imputer = SimpleImputer(strategy="mean", keep_empty_features=True).fit(train.x)
    for s in (train, val, test):
        if s is not None:
            s.x = imputer.transform(s.x).astype(np.float32)
    return imputer.statistics_


def prepare(bundle: DataBundle, scaling: str, test_split: float, val_split: float,
            seed: int) -> PreparedData:
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    classify = bundle.task == "classification"
    x, y = bundle.x, bundle.y
    test = val = None
    if test_split > 0:
        x, x_te, y, y_te = _split(x, y, test_split, seed, classify, "test_split")
        test = Split(x_te, y_te)
    if val_split > 0:
        x, x_va, y, y_va = _split(x, y, val_split, seed + 1, classify, "training.val_split")
        val = Split(x_va, y_va)
    train = Split(x, y)
    impute_means = _impute(train, val, test) if np.isnan(bundle.x).any() else None

    scaler = {"standard": StandardScaler(), "minmax": MinMaxScaler()}.get(scaling)
    x_scale = x_shift = None
    stats: dict[str, np.ndarray] = {}
    if scaler is not None:
        scaler.fit(train.x)
        for s in (train, val, test):
            if s is not None:
                s.x = scaler.transform(s.x).astype(np.float32)
        if scaling == "standard":
            x_scale, x_shift = scaler.scale_, scaler.mean_
            stats = {"mean": scaler.mean_.copy(), "scale": scaler.scale_.copy()}
        else:       # minmax maps x to x * scale_ + min_
            x_scale, x_shift = 1.0 / scaler.scale_, -scaler.min_ / scaler.scale_
            stats = {"scale": scaler.scale_.copy(), "min": scaler.min_.copy()}
        x_scale, x_shift = x_scale.astype(np.float32), x_shift.astype(np.float32)

    y_mean = y_std = None
    if not classify:
        # regression targets are trained on a standard scale and reported in the user's units
        y_mean = train.y.mean(axis=0)
        y_std = train.y.std(axis=0)
        y_std[y_std == 0] = 1.0
        for s in (train, val, test):
            if s is not None:
                s.y = ((s.y - y_mean) / y_std).astype(np.float32)
    return PreparedData(train, val, test, bundle, y_mean, y_std, x_scale, x_shift,
                        scaling if scaler is not None else "none", stats, impute_means)
