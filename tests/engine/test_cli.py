"""The command line: JSON-lines contract, and one clear line with status 2 for a broken file."""
import json
import subprocess
import sys

import pytest

from engine.cli import main as cli_main
from tests.conftest import GRAPHS, ROOT


def cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def lesson(**changes):
    data = json.loads((GRAPHS / "mlp_digits.json").read_text())
    for path, value in changes.items():
        data[path] = value
    return data


def broken_files():
    ok = lesson()
    unknown = json.loads(json.dumps(ok))
    unknown["nodes"][1]["type"] = "Dense3"
    cycle = json.loads(json.dumps(ok))
    cycle["edges"].append({"src": "a2", "src_port": "out", "dst": "h1", "dst_port": "in"})
    cycle["edges"] = [e for e in cycle["edges"] if not (e["src"] == "data" and e["dst"] == "h1")]
    missing = json.loads(json.dumps(ok))
    missing["edges"].append({"src": "h2", "src_port": "out", "dst": "nowhere", "dst_port": "in"})
    rng = json.loads(json.dumps(ok))
    rng["nodes"][1]["params"]["units"] = -1
    newer = json.loads(json.dumps(ok))
    newer["version"] = 9
    width = json.loads(json.dumps(ok))
    next(n for n in width["nodes"] if n["id"] == "out")["params"]["units"] = 7
    return [
        ("malformed", '{"nodes": [', "not valid JSON (line 1"),
        ("unknown_type", unknown, "node 'h1': unknown block type 'Dense3'"),
        ("cycle", cycle, "the graph has a cycle: "),
        ("missing_node", missing, "refers to a missing node 'nowhere'"),
        ("out_of_range", rng, "node 'h1': param 'units' is -1, below the minimum 1"),
        ("newer_version", newer, "version 9 is newer than this DeepCanvas understands"),
        ("width", width, "node 'loss', port 'pred': prediction width 7 does not fit 10 classes"),
    ]


@pytest.mark.parametrize("name, content, message", broken_files(), ids=[b[0] for b in broken_files()])
@pytest.mark.parametrize("command", ["check", "train"])
def test_broken_file_exits_2_with_one_line(tmp_path, capsys, name, content, message, command):
    path = tmp_path / f"{name}.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    if command == "check":                      # the real process: exit status and no traceback
        r = cli(command, path)
        code, err = r.returncode, r.stderr
    else:                                       # the same entry point in-process, to save time
        code, err = cli_main([command, str(path)]), capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert message in lines[0], lines[0]


def test_check_prints_every_nodes_widths():
    r = cli("check", GRAPHS / "mlp_digits.json")
    assert r.returncode == 0
    out = r.stdout
    assert "data" in out and "x=64 (8x8), y=10 classes" in out
    assert "h1" in out and "out=128" in out
    # 64*128 + 128 weights and biases into h1, 128*64 + 64 into h2, 64*10 + 10 into out
    assert out.strip().endswith("ok: 17,226 parameters")


def test_check_warns_of_a_lessons_bad_locks_and_presenter_settings(tmp_path):
    """A teacher checks a lesson file before class: what the app would leave out is said."""
    doc = json.loads((GRAPHS / "mlp_digits.json").read_text())
    doc["meta"]["locks"] = {"params": {"h1": "units"}}
    doc["meta"]["presenter"] = {"plots": ["loss", "gradient"]}
    path = tmp_path / "lesson.json"
    path.write_text(json.dumps(doc))
    r = cli("check", path)
    assert r.returncode == 0                 # the network itself is fine
    warnings = [line for line in r.stdout.splitlines() if line.startswith("warning: ")]
    assert any("meta.locks.params.h1" in w and "without its locks" in w for w in warnings)
    assert any("'gradient' is not a plot" in w for w in warnings)
    assert r.stdout.strip().endswith("ok: 17,226 parameters")


@pytest.mark.slow
def test_train_json_lines_contract():
    r = cli("train", GRAPHS / "mlp_digits.json", "--json")
    assert r.returncode == 0, r.stderr
    events = [json.loads(line) for line in r.stdout.splitlines()]
    start, *middle, end = events
    assert start["event"] == "start" and start["plan"] == ["train"] and start["parameters"] > 0
    assert start["device"] == "cpu"
    epoch = middle[0]
    assert epoch["event"] == "epoch" and epoch["phase"] == "train" and epoch["epoch"] == 1
    assert set(epoch["grad_norm"]) == {"h1", "h2", "out"}, "every Dense node id, nothing else"
    assert all(v > 0 for v in epoch["grad_norm"].values())
    assert "loss" in epoch["train"] and "accuracy" in epoch["val"]
    assert end["event"] == "done" and end["reason"] == "completed"
    assert end["test"]["accuracy"] >= 0.95


def test_train_diverged_reports_reason_and_node():
    r = cli("train", GRAPHS / "exploding.json", "--json", "--epochs", "2")
    end = json.loads(r.stdout.splitlines()[-1])
    assert end["event"] == "done" and end["reason"] == "diverged" and end["node"] == "h1"
    assert r.returncode == 1


def test_epochs_and_seed_flags():
    r = cli("train", GRAPHS / "mlp_digits.json", "--json", "--epochs", "1", "--seed", "5")
    events = [json.loads(line) for line in r.stdout.splitlines()]
    assert [e["epoch"] for e in events if e["event"] == "epoch"] == [1]


def test_train_piped_into_a_reader_that_stops_early_ends_quietly():
    """`main.py train FILE | head -1`: the reader closes the pipe; no traceback, exit 0."""
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "train",
                             str(GRAPHS / "moons_boundary.json"), "--epochs", "400", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0
    assert first.startswith(b"{") and "Traceback" not in err
