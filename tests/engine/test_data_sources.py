"""Built-in sources give the same data for the same seed, and their splits follow the seed too."""
from __future__ import annotations

import numpy as np
import pytest

from engine.data import sources, synthetic
from engine.data.prepare import prepare
from engine.data.sources import load_bundle


def fresh(params, seed):
    sources.clear_cache()          # compare two real loads, not one cached object
    return load_bundle(params, seed=seed)


@pytest.mark.parametrize("name", synthetic.NAMES)
def test_synthetic_sources_are_deterministic_by_seed(name):
    params = {"source": f"synthetic:{name}", "n_samples": 200, "noise": 0.2}
    a, b, other = fresh(params, 3), fresh(params, 3), fresh(params, 4)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.x, other.x)
    assert a.x.shape == (200, 2) and a.x.dtype == np.float32 and a.task == "classification"


@pytest.mark.parametrize("name", sources.SKLEARN)
def test_sklearn_sources_and_their_splits_are_deterministic_by_seed(name):
    a, b = fresh({"source": f"sklearn:{name}"}, 0), fresh({"source": f"sklearn:{name}"}, 0)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    one, same, other = (prepare(a, "standard", 0.2, 0.1, s) for s in (5, 5, 6))
    assert np.array_equal(one.test.x, same.test.x) and np.array_equal(one.val.y, same.val.y)
    assert not np.array_equal(one.test.x, other.test.x)


def test_diabetes_is_regression_and_digits_keeps_its_class_names():
    diabetes = fresh({"source": "sklearn:diabetes"}, 0)
    assert diabetes.task == "regression" and diabetes.y.shape == (442, 1)
    digits = fresh({"source": "sklearn:digits"}, 0)
    assert digits.class_names == [str(i) for i in range(10)] and digits.image_shape == (8, 8)
