"""Model files: a trained churn model saved, reopened in another process and predicting its test
rows with exactly the run's accuracy; tampered archives refused in one line; rows with a bad cell
named by row and column; a run continuing from saved weights."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

from engine import graph
from engine.models import archive
from engine.models.errors import ModelError
from engine.models.predict import predict, predict_row
from engine.training.trainer import Run
from tests.conftest import DATA, GRAPHS, ROOT

CHURN_EPOCHS = 8      # enough to leave the always-'stays' baseline (0.7965) behind


def cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def churn_test_rows(path):
    """The run's test rows, found as its split finds them: the same seed and stratification over
    row numbers instead of rows."""
    from sklearn.model_selection import train_test_split
    df = pd.read_csv(DATA / "Churn_Modelling.csv")
    _, idx = train_test_split(np.arange(len(df)), test_size=0.2, random_state=0,
                              stratify=df["Exited"].to_numpy())
    df.iloc[idx].to_csv(path, index=False)
    return df.iloc[idx]


@pytest.fixture(scope="module")
def churn(tmp_path_factory):
    folder = tmp_path_factory.mktemp("churn")
    model = folder / "churn.dcmodel"
    r = cli("train", GRAPHS / "churn.json", "--epochs", CHURN_EPOCHS, "--json",
            "--save-model", model)
    assert r.returncode == 0, r.stderr
    done = json.loads(r.stdout.strip().splitlines()[-1])
    assert done["reason"] == "completed"
    return model, done, folder


@pytest.mark.slow
def test_a_saved_churn_model_predicts_its_test_rows_with_the_runs_accuracy(churn):
    model, done, folder = churn
    rows = churn_test_rows(folder / "test_rows.csv")
    out = folder / "predictions.csv"
    r = cli("predict", model, "--csv", folder / "test_rows.csv", "--out", out)
    assert r.returncode == 0, r.stderr
    pred = pd.read_csv(out)
    right = int((pred["predicted Exited"].to_numpy() == rows["Exited"].to_numpy()).sum())
    assert right == round(done["test"]["accuracy"] * len(rows))
    assert done["test"]["accuracy"] > done["baseline"]["accuracy"]     # it learnt something
    assert f"({right} of {len(rows)} rows)" in r.stdout
    probs = pred[["p(0)", "p(1)"]].to_numpy()
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)


def _tampered(model, folder, name, change):
    entries = archive.entry_bytes(model)
    fresh_manifest = change(entries)
    bad = folder / f"{name}.dcmodel"
    archive.write_entries(bad, entries, manifest=fresh_manifest is not False)
    return bad


def _wrong_shape(entries):
    w = st_load(entries[archive.WEIGHTS])
    w["nodes.h1.weight"] = torch.zeros(7, 11)
    entries[archive.WEIGHTS] = st_save(w)


def _pickle_inside(entries):
    entries["data.pkl"] = b"\x80\x04K\x01."


def _pickled_weights(entries):
    import pickle
    entries[archive.WEIGHTS] = pickle.dumps({"nodes.h1.weight": [0.0]})


def _missing_entry(entries):
    del entries[archive.FIGURES]


def _stale_manifest(entries):
    entries[archive.FIGURES] = b'{"epochs_run": 1000}'
    return False


def _extra_tensor(entries):
    w = st_load(entries[archive.WEIGHTS])
    w["nodes.h9.weight"] = torch.zeros(2, 2)
    entries[archive.WEIGHTS] = st_save(w)


@pytest.mark.slow
@pytest.mark.parametrize("name, change, words", [
    ("wrong_shape", _wrong_shape, "tensor 'nodes.h1.weight' has shape (7, 11) where the graph's "
                                  "network needs (6, 11)"),
    ("pickle_inside", _pickle_inside, "unexpected entry 'data.pkl' (a pickle"),
    ("pickled_weights", _pickled_weights, "weights.safetensors is a pickle"),
    ("missing_entry", _missing_entry, "the entry 'figures.json' is missing"),
    ("stale_manifest", _stale_manifest, "'figures.json' does not match the checksum"),
    ("extra_tensor", _extra_tensor, "'nodes.h9.weight', which the graph's network has no place"),
])
def test_a_tampered_model_file_is_refused_in_one_line(churn, name, change, words):
    model, _, folder = churn
    bad = _tampered(model, folder, name, change)
    with pytest.raises(ModelError) as err:
        archive.load(bad)
    message = str(err.value)
    assert words in message and "\n" not in message
    assert message.startswith(f"{name}.dcmodel: ")


@pytest.mark.slow
def test_the_command_line_refuses_a_tampered_file_with_one_line(churn):
    model, _, folder = churn
    bad = _tampered(model, folder, "cli_shape", _wrong_shape)
    r = cli("predict", bad, "--csv", DATA / "Churn_Modelling.csv")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "has shape (7, 11)" in r.stderr


ROW = {"CreditScore": 600, "Geography": "Spain", "Gender": "Male", "Age": 40, "Tenure": 3,
       "Balance": 0.0, "NumOfProducts": 1, "HasCrCard": 1, "IsActiveMember": 1,
       "EstimatedSalary": 50000.0}


@pytest.mark.slow
def test_rows_with_a_bad_cell_are_named_by_row_and_column(churn):
    m = archive.load(churn[0])
    assert [c["name"] for c in m.input_columns][:3] == ["CreditScore", "Geography", "Gender"]
    assert m.input_columns[1] == {"name": "Geography", "kind": "category",
                                  "categories": ["France", "Germany", "Spain"], "fill": None}
    one = predict_row(m, ROW)
    assert one["class"] in ("0", "1") and abs(sum(one["probabilities"].values()) - 1) < 1e-6
    rows = [dict(ROW), dict(ROW, Geography="Mars"), dict(ROW)]
    with pytest.raises(ModelError, match=r"^row 2, column 'Geography': 'Mars' is not a category "
                                         r"the model knows \(France, Germany, Spain\)$"):
        predict(m, rows)
    with pytest.raises(ModelError, match=r"^row 3, column 'Age' is empty"):
        predict(m, [dict(ROW), dict(ROW), dict(ROW, Age=None)])
    with pytest.raises(ModelError, match=r"^row 1, column 'Age': 'forty' is not a number$"):
        predict(m, dict(ROW, Age="forty"))
    with pytest.raises(ModelError, match=r"^the rows lack column 'Tenure'"):
        predict(m, {k: v for k, v in ROW.items() if k != "Tenure"})


@pytest.mark.slow
def test_a_run_continues_from_the_saved_weights(churn):
    m = archive.load(churn[0])
    run = Run(m.doc, epochs=1, weights=m.weights, telemetry="off")
    ctx = run.prepare()
    assert run.evaluate(ctx.data.test, final=True)["accuracy"] == m.figures["test"]["accuracy"]
    bad = dict(m.weights, **{"nodes.out.weight": torch.zeros(2, 6)})
    reports = list(Run(m.doc, epochs=1, weights=bad, telemetry="off").steps())
    assert "has shape (2, 6) where the graph's network needs (1, 6)" in reports[-1].message


def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    bad = tmp_path / "x.dcmodel"
    bad.write_bytes(b"\x80\x04K\x01.")
    with pytest.raises(ModelError, match=r"^x\.dcmodel: not a model file \(not a zip archive"):
        archive.load(bad)


def test_the_network_is_rebuilt_without_its_data_and_leaves_torchs_random_state(tmp_path):
    doc = graph.load(GRAPHS / "mlp_digits.json")
    run = Run(doc, epochs=1, telemetry="off")
    list(run.steps())
    path = archive.save(run, tmp_path / "digits.dcmodel")
    torch.manual_seed(5)
    before = torch.rand(3)
    torch.manual_seed(5)
    m = archive.load(path)
    assert torch.equal(torch.rand(3), before)
    x = run.context.data.test.x
    frame = pd.DataFrame(run.context.data.raw_x(x), columns=m.preprocessing.features)
    p = predict(m, frame)
    assert np.allclose(p.probabilities, run.predict(x), atol=1e-5)
