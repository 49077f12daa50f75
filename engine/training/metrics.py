"""Scores for a split, computed with scikit-learn, in the user's units, beside a baseline."""
from __future__ import annotations

from typing import Any

import numpy as np

# scikit-learn is imported inside the functions that use it: importing it takes about a second,
# and the app imports this module at start but computes test figures only at the end of a run


def classification(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> dict[str, Any]:
    from sklearn import metrics as skm
    labels = list(range(n_classes))
    p, r, f, _ = skm.precision_recall_fscore_support(y_true, y_pred, labels=labels,
                                                      average="macro", zero_division=0)
    return {"accuracy": float(skm.accuracy_score(y_true, y_pred)),
            "precision": float(p), "recall": float(r), "f1": float(f),
            "confusion": skm.confusion_matrix(y_true, y_pred, labels=labels).tolist()}


def classification_fast(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> dict[str, Any]:
    """The same figures as `classification`, from a confusion matrix counted with numpy.

    scikit-learn's input checks cost a few milliseconds a call, as much as a whole epoch of a
    small network, so the per-epoch validation figures use this; the final test figures use
    scikit-learn itself (a test checks that both agree).
    """
    cm = np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    cm = cm.reshape(n_classes, n_classes)
    tp = cm.diagonal().astype(float)
    predicted, actual = cm.sum(axis=0), cm.sum(axis=1)
    # a class never predicted (or never present) scores 0, as scikit-learn's zero_division=0
    prec = np.divide(tp, predicted, out=np.zeros(n_classes), where=predicted > 0)
    rec = np.divide(tp, actual, out=np.zeros(n_classes), where=actual > 0)
    both = prec + rec
    f1 = np.divide(2 * prec * rec, both, out=np.zeros(n_classes), where=both > 0)
    total = int(actual.sum())
    return {"accuracy": float(tp.sum()) / max(1, total), "precision": float(prec.sum()) / n_classes,
            "recall": float(rec.sum()) / n_classes, "f1": float(f1.sum()) / n_classes,
            "confusion": cm.tolist()}


def regression(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, Any]:
    from sklearn import metrics as skm
    return {"mse": float(skm.mean_squared_error(y_true, y_pred)),
            "mae": float(skm.mean_absolute_error(y_true, y_pred)),
            "r2": float(skm.r2_score(y_true, y_pred)) if len(y_true) > 1 else float("nan")}


def regression_fast(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, Any]:
    """`regression` with numpy alone, for the per-epoch figures (see classification_fast)."""
    y_true = y_true.reshape(len(y_true), -1).astype(np.float64)
    y_pred = y_pred.reshape(len(y_pred), -1).astype(np.float64)
    err = y_true - y_pred
    ss_tot = ((y_true - y_true.mean(axis=0)) ** 2).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(ss_tot > 0, 1 - (err ** 2).sum(axis=0) / ss_tot, np.nan)
    return {"mse": float((err ** 2).mean()), "mae": float(np.abs(err).mean()),
            "r2": float(r2.mean()) if len(y_true) > 1 else float("nan")}


def baseline(task: str, y_train: np.ndarray, y_true: np.ndarray, n_classes: int) -> dict[str, Any]:
    """What a model that learnt nothing scores: always the majority class, or always the mean."""
    if task == "classification":
        majority = int(np.bincount(y_train, minlength=n_classes).argmax())
        out = classification(y_true, np.full_like(y_true, majority), n_classes)
        out.pop("confusion")
        out["predicts"] = majority
        return out
    return regression(y_true, np.broadcast_to(y_train.mean(axis=0), y_true.shape))
