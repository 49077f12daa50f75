"""Trained models in the window: Save Trained Model, opening a .dcmodel (its weights on the
canvas, Run continuing from them, a tampered file refused in one line), the Predict panel
answering as engine.models.predict does, and Export."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from engine import graph
from engine.models import archive
from engine.models.predict import predict
from engine.telemetry import EpochReport
from engine.training.trainer import Run

GRAPHS = Path(__file__).resolve().parents[2] / "graphs"
# churn as the lesson has it, with bigger batches and steps so a few epochs train it well
FAST = {"batch_size": 64, "lr": 0.01}
SAVED_EPOCHS = 4
CUSTOMER = {"CreditScore": "600", "Geography": "Germany", "Gender": "Female", "Age": "52",
            "Tenure": "3", "Balance": "120000", "NumOfProducts": "1", "HasCrCard": "1",
            "IsActiveMember": "0", "EstimatedSalary": "80000"}


def churn_doc(**training) -> graph.GraphDocument:
    doc = graph.load(GRAPHS / "churn.json")
    doc.training.update({**FAST, **training})
    return doc


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A churn model trained by the engine for a few epochs and saved: (path, epoch losses)."""
    path = tmp_path_factory.mktemp("model") / "churn.dcmodel"
    run = Run(churn_doc(), epochs=SAVED_EPOCHS, telemetry="off")
    reports = list(run.steps())
    archive.save(run, path, reports[-1])
    losses = [r.train["loss"] for r in reports if isinstance(r, EpochReport)]
    return path, losses


def first_epoch_loss(window, qtbot) -> float:
    """Press Run, wait for the first epoch, stop; that epoch's mean training loss."""
    seen = []
    window.session.epoch_ended.connect(seen.append)
    window.session.start()
    qtbot.waitUntil(lambda: bool(seen), timeout=120_000)
    window.session.stop()
    qtbot.waitUntil(lambda: window.session.status == "idle", timeout=60_000)
    window.session.epoch_ended.disconnect(seen.append)
    return seen[0].train["loss"]


def test_the_predict_panel_shows_the_engines_probability_for_a_churn_customer(window, saved):
    path, _ = saved
    assert window.open_path(path)
    assert window.errors == []
    panel = window.predict_panel
    assert set(panel.fields) == {c["name"] for c in archive.load(path).input_columns}
    assert panel.fields["Geography"].count() == 3       # France, Germany, Spain
    panel.set_values(CUSTOMER)
    expected = predict(archive.load(path), CUSTOMER)
    for i, cls in enumerate(expected.class_names):
        assert panel.answer["probabilities"][cls] == pytest.approx(float(expected.probabilities[0, i]),
                                                                   abs=1e-7)
        assert panel.probability_text(cls) == f"{expected.probabilities[0, i]:.4f}"
    assert panel.answer["class"] == expected.labels[0]
    assert expected.labels[0] in panel.answer_label.text()
    # the answer follows every change
    before = panel.answer["probabilities"]["1"]
    panel.set_values({"Age": "25"})
    assert panel.answer["probabilities"]["1"] != before
    # a bad value is named in the panel, in one line, and nothing is raised
    panel.set_values({"Age": "old"})
    assert panel.answer is None and "Age" in panel.problem and "\n" not in panel.problem
    assert panel.problem_label.text() == panel.problem
    panel.set_values({"Age": "40"})
    assert panel.answer is not None and panel.problem == ""


def test_opening_a_model_shows_each_layers_weight_norm_on_its_card(window, saved):
    path, _ = saved
    window.open_path(path)
    model = archive.load(path)
    notes = {i.node_id: i.weight_note for i in window.scene.node_items() if i.weight_note}
    assert set(notes) == set(model.network.watched) == {"h1", "h2", "out"}
    norm = float(torch.linalg.norm(model.weights["nodes.h1.weight"].double()))
    assert f"{norm:.3g}" in notes["h1"]
    assert f"{norm:.3g}" in window.scene.node_item("h1").toolTip()
    # an edit to the blocks may not fit the weights any more: the notes and the start go
    window.controller.set_param("h1", "units", 7)
    assert window.session.start_weights is None
    assert not any(i.weight_note for i in window.scene.node_items())


def test_save_trained_model_writes_a_file_that_reopens_with_the_same_weights(window, qtbot,
                                                                              tmp_path):
    a = window.menu_actions
    assert not a.save_model.isEnabled() and not a.export_model.isEnabled()
    window.controller.set_document(churn_doc(epochs=1, batch_size=256))
    window.session.start()
    qtbot.waitUntil(lambda: window.session.status == "idle", timeout=120_000)
    assert a.save_model.isEnabled() and a.export_model.isEnabled()
    assert window.trained.model is not None          # the Predict panel answers after a run
    assert window.predict_panel.answer is not None
    target = tmp_path / "mine"
    window.models.ask_model_path = lambda: str(target)
    assert window.models.save_model()
    written = tmp_path / "mine.dcmodel"
    assert written.exists()
    trained = {k: v.detach().cpu() for k, v in window.session.run.context.model.state_dict().items()}
    window.controller.undo_stack.setClean()
    assert window.open_path(written)
    assert window.errors == []
    reopened = window.trained.model.weights
    assert set(reopened) == set(trained)
    for k, v in trained.items():
        assert torch.equal(reopened[k], v), k
    assert window.session.start_weights is window.trained.model.weights


def test_a_tampered_model_file_shows_one_line_and_keeps_the_open_graph(window, saved, tmp_path):
    path, _ = saved
    assert window.open_path(GRAPHS / "moons_boundary.json")
    before = window.controller.doc.to_dict()
    doc_path = window.controller.doc.path
    entries = archive.entry_bytes(path)
    entries[archive.GRAPH] = entries[archive.GRAPH].replace(b'"units": 6', b'"units": 9', 1)
    bad = tmp_path / "tampered.dcmodel"
    archive.write_entries(bad, entries, manifest=False)      # the old checksums stay
    assert not window.open_path(bad, ask=False)
    assert len(window.errors) == 1
    message = window.errors[0]
    assert "\n" not in message and "tampered.dcmodel" in message and "checksum" in message
    assert window.controller.doc.to_dict() == before and window.controller.doc.path == doc_path
    assert window.trained.model is None and window.session.start_weights is None


def test_a_new_model_with_the_same_inputs_keeps_the_form_and_what_was_typed(window, qtbot, saved):
    path, _ = saved
    assert window.open_path(path)
    panel = window.predict_panel
    panel.set_values(CUSTOMER)
    fields, opened = dict(panel.fields), window.trained.model
    before = panel.answer["probabilities"]["1"]
    first_epoch_loss(window, qtbot)       # a run of the same graph ends: its weights answer now
    qtbot.waitUntil(lambda: window.trained.model is not opened, timeout=30_000)
    assert all(panel.fields[name] is field for name, field in fields.items())
    assert panel.values() == CUSTOMER
    expected = predict(window.trained.model, CUSTOMER)
    col = expected.class_names.index("1")
    assert panel.answer["probabilities"]["1"] == pytest.approx(
        float(expected.probabilities[0, col]), abs=1e-7)
    assert panel.answer["probabilities"]["1"] != before


def test_run_after_opening_a_model_continues_from_its_weights(window, qtbot, saved):
    path, losses = saved
    window.open_path(path)
    continued = first_epoch_loss(window, qtbot)
    progress = window.dashboard.controls.progress_label.toolTip() or \
        window.dashboard.controls.progress_label.text()
    assert "continuing from the saved weights of churn.dcmodel" in progress.lower()
    assert "continuing from the saved weights of churn.dcmodel" in window.dashboard.dashboard.summary.text()
    window.session.reset_weights()                 # fresh weights: the saved ones are let go
    assert window.session.start_weights is None
    fresh = first_epoch_loss(window, qtbot)
    # the saved run's last epoch, not its first: the run picked up where the file left off
    assert continued < losses[-1] + 0.02
    assert continued < fresh - 0.05, (continued, fresh, losses)
    print(f"first epoch: continued {continued:.4f}, fresh {fresh:.4f}, saved {losses}")
    assert window.session.run_note == ""


@pytest.mark.parametrize("kind", ["pytorch", "torchscript"])
def test_export_writes_the_file_through_the_engine(window, saved, tmp_path, kind):
    path, _ = saved
    window.open_path(path)
    out = tmp_path / f"model.{kind}"
    window.models.ask_export_path = lambda: (str(out), kind)
    assert window.models.export() and out.exists() and window.errors == []
    if kind == "torchscript":
        m = torch.jit.load(str(out))
        x = torch.zeros(1, len(window.trained.model.preprocessing.features))
        assert np.allclose(m(x).detach().sum(1).numpy(), 1.0, atol=1e-5)


def test_an_export_that_fails_says_so_in_one_line(window, saved, tmp_path):
    path, _ = saved
    window.open_path(path)
    window.models.ask_export_path = lambda: (str(tmp_path / "no" / "such" / "dir" / "m.pt"),
                                             "torchscript")
    assert not window.models.export()
    assert len(window.errors) == 1 and "\n" not in window.errors[0]
