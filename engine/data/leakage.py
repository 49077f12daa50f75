"""Spot input columns that give the answer away on their own (target leakage).

A column that by itself predicts the target almost perfectly is nearly always a copy of the
target in disguise (the forest fires file's `area` decides `size_category` exactly). A model fed
such a column scores brilliantly and learns nothing it could use on new data, so we warn.

The test is cheap on purpose, because it runs every time a graph is checked: on at most a few
thousand rows, one shallow decision tree per column is fitted on two thirds and scored on the
rest (classification), or the rank correlation with the target is taken (regression).
"""
from __future__ import annotations

import numpy as np

# scikit-learn is imported inside _classification: importing it takes about a second, and the
# app imports this module at start but checks a CSV file only when a graph names one

MAX_ROWS = 3000
MIN_ACCURACY = 0.97         # a single column this good is suspicious ...
MIN_ERROR_CUT = 0.9         # ... when it also removes 90% of the majority guess's errors
MIN_RANK_CORRELATION = 0.99


def find_leaks(x: np.ndarray, y: np.ndarray, task: str, features: list[str], target: str,
               class_names: list[str] | None = None) -> list[str]:
    """One warning line per column that alone predicts the target almost perfectly."""
    if len(y) < 20 or x.shape[1] == 0:
        return []
    rng = np.random.default_rng(0)
    if len(y) > MAX_ROWS:
        keep = rng.choice(len(y), MAX_ROWS, replace=False)
        x, y = x[keep], y[keep]
    if task == "classification":
        return _classification(x, y, features, target, class_names or [])
    return _regression(x, np.asarray(y, dtype=float).reshape(len(y), -1)[:, 0], features, target)


def _classification(x, y, features, target, class_names) -> list[str]:
    from sklearn.model_selection import train_test_split
    from sklearn.tree import DecisionTreeClassifier

    counts = np.bincount(y)
    if np.count_nonzero(counts) < 2:
        return []
    n_classes = np.count_nonzero(counts)
    n_held = int(np.ceil(len(y) / 3))
    # stratify only when each half can hold every class, else scikit-learn refuses
    strat = (y if counts[counts > 0].min() >= 2 and min(n_held, len(y) - n_held) >= n_classes
             else None)
    x_fit, x_held, y_fit, y_held = train_test_split(x, y, test_size=1 / 3, random_state=0,
                                                    stratify=strat)
    majority = int(np.bincount(y_fit).argmax())
    base = float(np.mean(y_held == majority))
    depth = min(4, 1 + int(np.ceil(np.log2(max(2, np.count_nonzero(counts))))))
    out = []
    for j, name in enumerate(features):
        tree = DecisionTreeClassifier(max_depth=depth, random_state=0)
        tree.fit(x_fit[:, j:j + 1], y_fit)
        acc = float(tree.score(x_held[:, j:j + 1], y_held))
        if acc >= MIN_ACCURACY and (1 - acc) <= (1 - MIN_ERROR_CUT) * (1 - base):
            label = class_names[majority] if majority < len(class_names) else str(majority)
            out.append(f"possible leak: column '{name}' alone predicts '{target}' with accuracy "
                       f"{acc:.2f} (always answering '{label}' scores {base:.2f}); it probably "
                       f"encodes the answer, so add '{name}' to drop unless it is truly known "
                       f"before the outcome")
    return out


def _regression(x, y, features, target) -> list[str]:
    import pandas as pd  # imported late: pandas is slow to import

    if np.nanstd(y) == 0:
        return []
    rho = pd.DataFrame(x, columns=range(x.shape[1])).corrwith(pd.Series(y), method="spearman")
    out = []
    for j, name in enumerate(features):
        r = rho.iloc[j]
        if np.isfinite(r) and abs(r) >= MIN_RANK_CORRELATION:
            out.append(f"possible leak: column '{name}' alone tracks '{target}' almost exactly "
                       f"(rank correlation {r:+.3f}); it probably encodes the answer, so add "
                       f"'{name}' to drop unless it is truly known before the outcome")
    return out
