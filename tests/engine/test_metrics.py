"""The numpy per-epoch figures equal scikit-learn's; baselines are what learning nothing scores."""
import numpy as np
import pytest

from engine.training import metrics


def test_fast_classification_equals_scikit_learn():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 5, 300)
    pred = np.where(rng.random(300) < 0.6, y, rng.integers(0, 5, 300))
    pred[pred == 4] = 3                       # one class never predicted: zero_division path
    fast, slow = metrics.classification_fast(y, pred, 5), metrics.classification(y, pred, 5)
    assert fast["confusion"] == slow["confusion"]
    for k in ("accuracy", "precision", "recall", "f1"):
        assert fast[k] == pytest.approx(slow[k]), k


def test_fast_regression_equals_scikit_learn():
    rng = np.random.default_rng(1)
    y = rng.normal(size=(200, 2)) * [1, 50]
    pred = y + rng.normal(size=(200, 2))
    fast, slow = metrics.regression_fast(y, pred), metrics.regression(y, pred)
    for k in ("mse", "mae", "r2"):
        assert fast[k] == pytest.approx(slow[k]), k


def test_baselines():
    ytr = np.array([0, 0, 0, 1])
    yte = np.array([0, 1, 0, 0])
    b = metrics.baseline("classification", ytr, yte, 2)
    assert b["accuracy"] == 0.75 and b["predicts"] == 0
    r = metrics.baseline("regression", np.array([[1.0], [3.0]]), np.array([[2.0], [4.0]]), 0)
    assert r["mae"] == pytest.approx(1.0)      # always answers the training mean, 2
