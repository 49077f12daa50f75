"""Bad CSV files through `check` and `train`: exit status 2 and one line naming the culprit."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from engine.cli import main as cli
from tests.conftest import GRAPHS, ROOT

GOOD = "a,b,colour,y\n" + "".join(f"{i},{i % 7},{'red' if i % 3 == 0 else 'blue'},{int(i % 5 in (1, 3))}\n"
                                  for i in range(40))
BAD = {
    "missing file": (None, {}, "'data.csv' not found"),
    "empty file": ("", {}, "'data.csv' is empty"),
    "target absent": (GOOD, {"target": "label"}, "target column 'label' is not in 'data.csv'"),
    "text column": (GOOD, {"one_hot": []}, "column 'colour' of 'data.csv' holds text"),
    "missing values": (GOOD.replace("3,3,red,1", "3,,red,1"), {},
                       "empty cells in 1 of 40 rows: 'b' (1 row)"),
    "single class": ("a,y\n" + "1,0\n" * 30, {"one_hot": []}, "single value ('0')"),
    "unreadable rows": ("a,y\n" + "1,0\n" * 30 + "1,2,3\n", {"one_hot": []},
                        "cannot parse 'data.csv'"),
}


def make_graph(tmp_path, csv_text: str | None, **params) -> str:
    if csv_text is not None:
        (tmp_path / "data.csv").write_text(csv_text, encoding="utf-8")
    data = {"source": "csv:data.csv", "target": "y", "one_hot": ["colour"], **params}
    doc = {"format": "deepcanvas-graph", "version": 1, "meta": {"title": "t", "lesson": ""},
           "nodes": [{"id": "data", "type": "Dataset", "params": data, "pos": [0, 0]},
                     {"id": "out", "type": "Dense", "params": {"units": 2}, "pos": [200, 0]},
                     {"id": "loss", "type": "Loss", "params": {"kind": "cross_entropy"},
                      "pos": [400, 0]}],
           "edges": [{"src": "data", "src_port": "x", "dst": "out", "dst_port": "in"},
                     {"src": "out", "src_port": "out", "dst": "loss", "dst_port": "pred"},
                     {"src": "data", "src_port": "y", "dst": "loss", "dst_port": "target"}],
           "training": {"epochs": 2, "batch_size": 8}}
    path = tmp_path / "g.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("case", list(BAD))
@pytest.mark.parametrize("command", ["check", "train"])
def test_bad_csv_gives_status_2_and_one_line(tmp_path, capsys, case, command):
    text, params, expected = BAD[case]
    path = make_graph(tmp_path, text, **params)
    assert cli([command, path]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("error: node 'data': ") and expected in err[0]


def test_good_csv_passes_check(tmp_path, capsys):
    assert cli(["check", make_graph(tmp_path, GOOD)]) == 0
    out = capsys.readouterr().out
    assert "out: x=3, y=2 classes" in out and out.strip().endswith("ok: 8 parameters")
    assert "warning" not in out


def test_semicolon_csv_passes_check(tmp_path, capsys):
    assert cli(["check", make_graph(tmp_path, GOOD.replace(",", ";"))]) == 0
    assert "out: x=3, y=2 classes" in capsys.readouterr().out


def _main(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


@pytest.mark.slow
def test_subprocess_check_and_train_fail_cleanly(tmp_path):
    bad = make_graph(tmp_path, GOOD, one_hot=[])
    for command in (["check", bad], ["train", bad, "--json"]):
        proc = _main(*command)
        assert proc.returncode == 2
        assert "Traceback" not in proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and "'colour'" in lines[0]
    # the JSON stream says the same, as an error event tied to the node
    event = json.loads(proc.stdout.strip().splitlines()[-1])
    assert event["event"] == "error" and event["node"] == "data" and "'colour'" in event["message"]


@pytest.mark.slow
def test_subprocess_check_warns_about_area(tmp_path):
    doc = json.loads((GRAPHS / "forest_fires.json").read_text(encoding="utf-8"))
    data = next(n for n in doc["nodes"] if n["id"] == "data")
    data["params"]["drop"] = ["month", "day"]
    path = tmp_path / "leaky.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    proc = _main("check", str(path))
    assert proc.returncode == 0
    warnings = [ln for ln in proc.stdout.splitlines() if ln.startswith("warning:")]
    assert len(warnings) == 1 and "'area'" in warnings[0]
    clean = _main("check", str(GRAPHS / "forest_fires.json"))
    assert clean.returncode == 0 and "warning" not in clean.stdout
