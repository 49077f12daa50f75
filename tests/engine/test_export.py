"""Exports of saved models: ONNX (onnxruntime) and TorchScript match torch, and the standalone
PyTorch script trains, alone in a fresh interpreter, as the app does, on one process or two."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch

from engine import graph
from engine.models import archive
from engine.models.export_formats import Predictor, to_onnx, to_torchscript
from engine.models.export_pytorch import write_script
from engine.training.trainer import Run
from tests.conftest import DATA, GRAPHS

EPOCHS = {"mlp_digits": 4, "churn": 8}


@pytest.fixture(scope="module", params=["mlp_digits", "churn"])
def saved(request, tmp_path_factory):
    name = request.param
    folder = tmp_path_factory.mktemp(name)
    run = Run(graph.load(GRAPHS / f"{name}.json"), epochs=EPOCHS[name], telemetry="off")
    done = list(run.steps())[-1]
    path = archive.save(run, folder / f"{name}.dcmodel", done)
    test_x = run.context.data.test.x
    rows = run.context.data.raw_x(test_x).astype(np.float32)
    return name, archive.load(path), rows, folder, run.predict(test_x)


def test_onnx_and_torchscript_match_torch(saved):
    import onnxruntime

    name, model, rows, folder, by_run = saved
    with torch.no_grad():
        ref = Predictor(model)(torch.from_numpy(rows)).numpy()
    # the exported module (scaler included) answers as the run did for the same rows
    assert np.abs(ref - by_run).max() < 1e-5
    to_onnx(model, folder / "m.onnx")
    session = onnxruntime.InferenceSession(str(folder / "m.onnx"))
    got = session.run(None, {"features": rows})[0]
    assert got.shape == ref.shape and np.abs(got - ref).max() < 1e-5
    to_torchscript(model, folder / "m.pt")
    loaded = torch.jit.load(str(folder / "m.pt"))
    with torch.no_grad():
        traced = loaded(torch.from_numpy(rows)).numpy()
    assert np.abs(traced - ref).max() < 1e-6
    meta = json.loads(dict((p.key, p.value) for p in __import__("onnx").load(
        str(folder / "m.onnx")).metadata_props)["deepcanvas"])
    assert meta["features"] == model.preprocessing.features


def _script(saved):
    name, model, _, folder, _ = saved
    work = folder / "alone"
    work.mkdir(exist_ok=True)
    write_script(model, work / f"{name}.py")
    if name == "churn":
        shutil.copy(DATA / "Churn_Modelling.csv", work)
    return work, work / f"{name}.py"


def _events(stdout):
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


@pytest.mark.slow
def test_the_exported_script_trains_alone_like_the_app(saved):
    name, model, _, folder, _ = saved
    work, script = _script(saved)
    r = subprocess.run([sys.executable, script.name, "--json"], cwd=work, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    done = _events(r.stdout)[-1]
    assert done["event"] == "done"
    assert abs(done["test"]["accuracy"] - model.figures["test"]["accuracy"]) <= 0.02
    if name != "mlp_digits":
        return          # CI time: the loading of saved weights is checked on digits
    # and the saved weights, loaded by the script, score exactly what the app reported
    shutil.copy(model.path, work)
    r = subprocess.run([sys.executable, script.name, "--json", "--epochs", "0", "--weights",
                        model.path.name], cwd=work, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert _events(r.stdout)[-1]["test"]["accuracy"] == pytest.approx(
        model.figures["test"]["accuracy"], abs=1e-6)     # float32 mean of the same counts


@pytest.mark.slow
def test_the_exported_digits_script_trains_under_torchrun_on_two_processes(saved):
    name, model, _, folder, _ = saved
    if name != "mlp_digits":
        pytest.skip("torchrun is checked on the digits script")
    work, script = _script(saved)
    torchrun = shutil.which("torchrun")
    command = ([torchrun] if torchrun else [sys.executable, "-m", "torch.distributed.run"])
    # a second try when a child dies of a signal: on this 2-core machine, in a full test run,
    # gloo once aborted a child (SIGABRT) in a run that passes alone every time; a fault of the
    # script fails both tries
    for _ in range(2):
        r = subprocess.run([*command, "--standalone", "--nproc_per_node", "2", script.name,
                            "--epochs", "2", "--json"], cwd=work, capture_output=True, text=True,
                           timeout=300)
        if r.returncode == 0 or "Signal " not in r.stderr:
            break
    assert r.returncode == 0, r.stderr[-4000:]
    events = _events(r.stdout)
    done = sorted(e["rank"] for e in events if e["event"] == "done")
    assert done == [0, 1]
    for rank in (0, 1):
        losses = [e["train"]["loss"] for e in events if e["event"] == "epoch" and e["rank"] == rank]
        assert len(losses) == 2 and losses[1] < losses[0]
