"""Training on CSV files: class names, regression figures, baselines, and the two lessons."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from engine import graph
from engine.telemetry import DoneReport, EpochReport, StartReport
from engine.training.trainer import train_to_end
from tests.conftest import GRAPHS
from tests.engine.helpers import chain_doc


@pytest.fixture
def one_thread():
    """Tiny networks run faster on one thread, and far faster when other work shares the CPU."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def of(reports, kind):
    return next(r for r in reports if isinstance(r, kind))


def test_text_labels_train_and_report_by_name(tmp_path, one_thread):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 2))
    label = np.where(x[:, 0] + x[:, 1] > 0, "spam", "ham")
    lines = ["f1,f2,kind"] + [f"{a:.4f},{b:.4f},{k}" for (a, b), k in zip(x, label)]
    (tmp_path / "mail.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    doc = chain_doc([("out", "Dense", {"units": 2})],
                    data={"source": f"csv:{tmp_path / 'mail.csv'}", "target": "kind"},
                    training={"epochs": 15, "seed": 0, "optimizer": "adam", "lr": 0.05})
    reports = train_to_end(doc)
    assert of(reports, StartReport).class_names == ["ham", "spam"]
    done = of(reports, DoneReport)
    assert done.class_names == ["ham", "spam"]
    assert done.test["accuracy"] >= 0.9 > done.baseline["accuracy"]
    assert np.array(done.test["confusion"]).sum() == 60
    for key in ("precision", "recall", "f1"):
        assert 0.85 <= done.test[key] <= 1.0
    val = [r.val for r in reports if isinstance(r, EpochReport)]
    assert all({"accuracy", "precision", "recall", "f1", "confusion"} <= set(v) for v in val)


def test_csv_regression_reports_mse_mae_r2_beside_the_mean(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, size=(400, 3))
    y = 300 + 80 * x[:, 0] - 40 * x[:, 1] + rng.normal(scale=5, size=400)
    lines = ["a,b,c,price"] + [f"{a:.4f},{b:.4f},{c:.4f},{t:.3f}" for (a, b, c), t in zip(x, y)]
    (tmp_path / "p.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    doc = chain_doc([("out", "Dense", {"units": 1})],
                    data={"source": f"csv:{tmp_path / 'p.csv'}", "target": "price"},
                    loss={"kind": "mse"}, training={"epochs": 30, "seed": 0, "lr": 0.05})
    done = of(train_to_end(doc), DoneReport)
    assert done.test["r2"] > 0.95 and done.baseline["r2"] < 0.05
    assert done.test["mae"] < 10 < done.baseline["mae"]           # in the file's own units
    assert done.test["mse"] < done.baseline["mse"]


def test_imputed_file_trains_to_finite_figures(tmp_path):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(200, 2))
    rows = [f"{'' if i % 10 == 0 else f'{a:.3f}'},{b:.3f},{int(a > 0)}" for i, (a, b) in enumerate(x)]
    (tmp_path / "gaps.csv").write_text("a,b,y\n" + "\n".join(rows) + "\n", encoding="utf-8")
    doc = chain_doc([("out", "Dense", {"units": 2})],
                    data={"source": f"csv:{tmp_path / 'gaps.csv'}", "target": "y",
                          "missing": "impute"},
                    training={"epochs": 10, "seed": 0, "lr": 0.05})
    done = of(train_to_end(doc), DoneReport)
    assert done.reason == "completed" and done.test["accuracy"] >= 0.8


@pytest.mark.slow
def test_churn_lesson_reaches_the_notes_accuracy(one_thread):
    doc = graph.load(GRAPHS / "churn.json")
    assert doc.training["optimizer"] == "adamax" and doc.training["batch_size"] == 10
    # telemetry only adds reports; the same seed gives the same weights without it
    done = of(train_to_end(doc, telemetry=False), DoneReport)
    assert done.reason == "completed"
    assert done.test["accuracy"] >= 0.85
    assert done.baseline["accuracy"] == pytest.approx(0.7975, abs=0.002)
    assert done.class_names == ["0", "1"] and len(done.test["confusion"]) == 2


@pytest.mark.slow
def test_forest_fires_lesson_reports_beside_the_majority_baseline(one_thread):
    doc = graph.load(GRAPHS / "forest_fires.json")
    assert "area" in doc.nodes["data"].params["drop"]
    reports = train_to_end(doc)
    done = of(reports, DoneReport)
    assert done.class_names == ["large", "small"]
    assert done.baseline["accuracy"] == pytest.approx(0.731, abs=0.005)
    assert set(done.test) >= {"accuracy", "precision", "recall", "f1", "confusion"}
    assert np.array(done.test["confusion"]).sum() == 104
    # weather alone says little about a fire's size: honest figures sit near the baseline
    assert done.test["accuracy"] >= done.baseline["accuracy"] - 0.05


@pytest.mark.slow
def test_forest_fires_with_area_kept_scores_far_above_the_honest_model(one_thread):
    doc = graph.load(GRAPHS / "forest_fires.json")
    doc.set_param("data", "drop", ["month", "day"])
    doc.training["early_stopping"] = None
    done = of(train_to_end(doc, epochs=150), DoneReport)
    assert done.test["accuracy"] >= 0.85 > done.baseline["accuracy"] + 0.1


@pytest.mark.parametrize("name", ["churn.json", "forest_fires.json"])
def test_lesson_files_have_a_title_a_lesson_and_flow_left_to_right(name):
    doc = graph.load(GRAPHS / name)
    assert doc.meta["title"] and len(doc.meta["lesson"]) > 500
    for e in doc.edges:
        assert doc.nodes[e.src].pos[0] < doc.nodes[e.dst].pos[0], (e.src, e.dst)


def test_churn_lesson_has_the_notes_network():
    doc = graph.load(GRAPHS / "churn.json")
    p = {nid: n.params for nid, n in doc.nodes.items()}
    assert p["data"]["drop"] == ["RowNumber", "CustomerId", "Surname"]
    assert p["data"]["one_hot"] == ["Geography", "Gender"] and p["data"]["drop_first"] is True
    assert p["data"]["test_split"] == 0.2
    assert [(p[i]["units"], p[i]["init"]) for i in ("h1", "h2", "out")] == [
        (6, "he_uniform"), (6, "he_uniform"), (1, "xavier_uniform")]
    assert [p[i]["fn"] for i in ("a1", "a2", "sigmoid")] == ["relu", "relu", "sigmoid"]
    assert p["loss"]["kind"] == "bce"
