"""Scores for a split, computed with scikit-learn, in the user's units, beside a baseline."""
from __future__ import annotations

from typing import Any

import numpy as np
from sklearn import metrics as skm


def classification(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> dict[str, Any]:
    labels = list(range(n_classes))
    p, r, f, _ = skm.precision_recall_fscore_support(y_true, y_pred, labels=labels,
                                                      average="macro", zero_division=0)
    return {"accuracy": float(skm.accuracy_score(y_true, y_pred)),
            "precision": float(p), "recall": float(r), "f1": float(f),
            "confusion": skm.confusion_matrix(y_true, y_pred, labels=labels).tolist()}


def regression(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, Any]:
    return {"mse": float(skm.mean_squared_error(y_true, y_pred)),
            "mae": float(skm.mean_absolute_error(y_true, y_pred)),
            "r2": float(skm.r2_score(y_true, y_pred)) if len(y_true) > 1 else float("nan")}


def baseline(task: str, y_train: np.ndarray, y_true: np.ndarray, n_classes: int) -> dict[str, Any]:
    """What a model that learnt nothing scores: always the majority class, or always the mean."""
    if task == "classification":
        majority = int(np.bincount(y_train, minlength=n_classes).argmax())
        out = classification(y_true, np.full_like(y_true, majority), n_classes)
        out.pop("confusion")
        out["predicts"] = majority
        return out
    return regression(y_true, np.broadcast_to(y_train.mean(axis=0), y_true.shape))
