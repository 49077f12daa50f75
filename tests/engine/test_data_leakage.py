"""The leakage guard: a column that alone gives the answer away is named in a warning."""
from __future__ import annotations

import numpy as np

from engine import graph
from engine.compiler import analyse
from engine.data.leakage import find_leaks
from engine.data.sources import load_bundle
from tests.conftest import GRAPHS

FIRES = {"source": "csv:forestfires.csv", "target": "size_category", "drop": ["month", "day"]}


def test_forest_fires_area_is_named_as_a_leak():
    bundle = load_bundle(FIRES)
    assert len(bundle.warnings) == 1
    warning = bundle.warnings[0]
    assert "'area'" in warning and "'size_category'" in warning and "drop" in warning


def test_forest_fires_without_area_raises_no_alarm():
    bundle = load_bundle({**FIRES, "drop": ["month", "day", "area"]})
    assert bundle.warnings == []
    assert "area" not in bundle.feature_names and bundle.x.shape == (517, 27)


def test_check_warns_on_the_dataset_node_when_area_is_kept():
    doc = graph.load(GRAPHS / "forest_fires.json")
    doc.set_param("data", "drop", ["month", "day"])
    a = analyse(doc)
    assert a.ok
    warnings = [p for p in a.problems if p.severity == "warning"]
    assert len(warnings) == 1 and warnings[0].node == "data" and "'area'" in warnings[0].message


def test_honest_columns_raise_no_alarm():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2000, 5)).astype(np.float32)
    # a strong but imperfect signal, as real predictors are: about 90% accuracy
    y = (x[:, 0] + 0.4 * rng.normal(size=2000) > 0).astype(np.int64)
    assert find_leaks(x, y, "classification", list("abcde"), "t", ["n", "p"]) == []


def test_a_copied_label_among_many_columns_is_found():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 3, size=5000)
    x = rng.normal(size=(5000, 6)).astype(np.float32)
    x[:, 4] = y * 10 + rng.uniform(0, 1, size=5000)      # the label, thinly disguised
    found = find_leaks(x, y, "classification", [f"c{i}" for i in range(6)], "t", ["a", "b", "c"])
    assert len(found) == 1 and "'c4'" in found[0]


def test_regression_leak_is_a_near_monotone_copy_of_the_target():
    rng = np.random.default_rng(3)
    y = rng.normal(size=(400, 1)).astype(np.float32)
    x = rng.normal(size=(400, 3)).astype(np.float32)
    x[:, 1] = np.exp(y[:, 0])                            # monotone: ranks match exactly
    x[:, 2] = y[:, 0] + rng.normal(size=400)             # related, not a leak
    found = find_leaks(x, y, "regression", ["a", "b", "c"], "t")
    assert len(found) == 1 and "'b'" in found[0]


def test_guard_is_cheap_on_a_wide_file():
    import time

    rng = np.random.default_rng(4)
    x = rng.normal(size=(10000, 60)).astype(np.float32)
    y = rng.integers(0, 2, size=10000)
    t0 = time.perf_counter()
    assert find_leaks(x, y, "classification", [f"c{i}" for i in range(60)], "t") == []
    assert time.perf_counter() - t0 < 2.0
