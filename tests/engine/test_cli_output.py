"""What `main.py train GRAPH` prints for a person (Keras-like epoch lines, a progress bar on a
terminal, gradient norms for lessons about gradients), and what `main.py --help` and the app's
option checks say."""
import io
import json
import re
import subprocess
import sys

from engine import graph
from engine.cli import build_parser
from engine.cli import main as cli_main
from engine.telemetry import EpochReport, StartReport
from engine.train_printer import TrainPrinter, number
from engine.training.trainer import Run
from tests.conftest import GRAPHS, ROOT
from tests.engine.helpers import chain_doc, mlp

DIGITS = GRAPHS / "mlp_digits.json"
SIG4 = r"(?:[1-9]\.\d{3}|0\.0*[1-9]\d{3})"          # a loss: four significant digits
EPOCH_LINE = re.compile(rf"^21/21 - \S+ \S+/step - loss: {SIG4} - accuracy: \d\.\d{{4}} - "
                        rf"val_loss: {SIG4} - val_accuracy: \d\.\d{{4}}( - ETA: \S+)?$")


def train(capsys, *args):
    code = cli_main(["train", *map(str, args)])
    out = capsys.readouterr().out
    return code, out.splitlines()


def test_train_prints_epoch_n_of_total_then_the_epochs_figures(capsys):
    code, lines = train(capsys, DIGITS, "--epochs", "2", "--seed", "1")
    assert code == 0
    assert lines[0] == "training on cpu: 17,226 parameters, 2 epochs of 21 steps (classification)"
    assert lines[1] == "Epoch 1/2" and lines[3] == "Epoch 2/2"
    assert EPOCH_LINE.match(lines[2]) and EPOCH_LINE.match(lines[4]), lines[2:5]
    assert " - ETA: " in lines[2] and "ETA" not in lines[4]      # nothing left after the last
    assert lines[5].startswith("done (completed) after 2 epochs in ")
    assert re.match(rf"^test - loss: {SIG4} - accuracy: \d\.\d{{4}} - precision: \d\.\d{{4}} - "
                    r"recall: \d\.\d{4} - f1: \d\.\d{4}$", lines[6]), lines[6]
    assert lines[-1].startswith("baseline (always '")
    assert not any("grad norm" in line for line in lines)


def test_a_gradient_lesson_prints_each_layers_gradient_norm(capsys):
    assert graph.load(GRAPHS / "deep_sigmoid.json").meta["cli"] == {"grad": True}
    code, lines = train(capsys, GRAPHS / "deep_sigmoid.json", "--epochs", "1")
    assert code == 0
    grads = [line for line in lines if "grad norm" in line]
    assert len(grads) == 1
    # input side first: the vanishing gradient reads left to right, h1 smallest
    names = re.findall(r"\b(h\d+|out) (\S+)", grads[0])
    assert [n for n, _ in names] == [f"h{i}" for i in range(1, 11)] + ["out"]
    assert float(names[0][1]) < float(names[-1][1]) / 1000


def test_grad_flag_prints_the_norms_for_any_graph(capsys):
    code, lines = train(capsys, DIGITS, "--epochs", "2", "--grad")
    assert code == 0
    grads = [line for line in lines if "grad norm" in line]
    assert len(grads) == 2
    assert re.match(r"^  grad norm \(input side first\): h1 \S+  h2 \S+  out \S+$", grads[0])


def test_json_output_ignores_the_printer(capsys):
    code, lines = train(capsys, DIGITS, "--epochs", "1", "--json", "--grad")
    assert code == 0
    assert all(line.startswith("{") for line in lines)


def test_numbers_have_one_format_per_kind_of_figure():
    assert number("loss", 0.0527) == "0.05270" and number("loss", 1234.0) == "1234"
    assert number("loss", 27160.0) == "2.716e+04" and number("val_loss", 2.0) == "2.000"
    assert number("accuracy", 0.5) == "0.5000" and number("r2", -0.45246) == "-0.4525"
    assert number("modes_covered", 8) == "8"


def fake_terminal_run(monkeypatch, steps=50):
    """A printer on a terminal-like stream driven as the loop drives it, the clock stepped by
    hand: 20 ms a batch."""
    clock = [100.0]
    monkeypatch.setattr("engine.train_printer.time.perf_counter", lambda: clock[0])
    out = io.StringIO()
    p = TrainPrinter(out=out, bar=True)
    p.report(StartReport(["train"], "cpu", 10, ["h1"], [], {}, 2, steps, "classification", []))
    for epoch in (1, 2):
        for step in range(1, steps + 1):
            p.progress("train", epoch, step, steps)
            clock[0] += 0.02
        p.report(EpochReport("train", epoch, {"loss": 0.5, "accuracy": 0.75}, {}, {"h1": 1.0},
                             steps * 0.02))
    return out.getvalue()


def test_the_bar_is_redrawn_at_most_ten_times_a_second_and_gives_way_to_the_figures(monkeypatch):
    text = fake_terminal_run(monkeypatch)
    first, second = text.split("Epoch 2/2\n")
    assert first.startswith("training on cpu") and "Epoch 1/2\n" in first
    # a one-second epoch: a drawing each 0.1 s after the first, not one per batch
    assert 8 <= first.count("] - ETA: ") <= 10
    bars = re.findall(r"\r ?(\d+)/50 \[(=*>\.*)\] - ETA: (\d+)ms\x1b\[K", first)
    assert len(bars) == first.count("] - ETA: ")
    for step, bar, left in bars:      # 20 ms a batch: the batches left at that pace
        assert len(bar) == 30 and bar.index(">") == 30 * int(step) // 50
        assert abs(int(left) - 20 * (50 - int(step))) <= 1
    # the epoch's line takes the bar's place, and ends it
    assert first.endswith("\r50/50 - 1.0s 20.0ms/step - loss: 0.5000 - accuracy: 0.7500 - "
                          "ETA: 1.0s\x1b[K\n")
    assert second.count("] - ETA: ") >= 8


def test_the_loop_reports_every_batch_to_run_progress():
    doc = chain_doc(mlp(8), training={"epochs": 2, "seed": 0, "batch_size": 256})
    run = Run(doc, telemetry="epoch")
    seen = []
    run.progress = lambda *a: seen.append(a)
    reports = list(run.steps())
    steps = reports[0].steps_per_epoch
    assert seen == [("train", e, s, steps) for e in (1, 2) for s in range(1, steps + 1)]


def app(*args, timeout=120):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout,
                          env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})


def test_after_epochs_refuses_zero_and_negative_counts(tmp_path):
    for bad in ("0", "-1"):
        r = app(DIGITS, "--screenshot", tmp_path / "x.png", "--after-epochs", bad)
        assert r.returncode == 2 and r.stdout == ""
        assert r.stderr.strip().splitlines()[-1] == (
            f"main.py: error: argument --after-epochs: must be at least 1, not {bad}")
        assert "Traceback" not in r.stderr
    assert not (tmp_path / "x.png").exists()


def test_help_lists_the_app_options_the_subcommands_and_the_exit_codes():
    r = app("--help")
    assert r.returncode == 0
    for option in ("--screenshot", "--size", "--after-epochs", "--view", "--theme", "--data-dir"):
        assert option in r.stdout
    commands = build_parser()._subparsers._group_actions[0].choices
    for command in commands:
        assert f"main.py {command} " in r.stdout, command
    assert "exit codes:" in r.stdout
    for code in ("0 ", "1 ", "2 ", "130 "):
        assert f"\n  {code}" in r.stdout


def test_a_screenshot_run_that_cannot_train_or_diverges_says_so_and_exits_as_train_does(tmp_path):
    doc = json.loads(DIGITS.read_text())
    for node in doc["nodes"]:
        if node["id"] == "h1":
            node["type"] = "Dense2"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(doc))
    r = app(broken, "--screenshot", tmp_path / "broken.png", "--after-epochs", "2")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("error: node 'h1': unknown block type 'Dense2'")
    assert (tmp_path / "broken.png").exists()       # the picture shows the problem on the canvas
    r = app(DIGITS.parent / "exploding.json", "--screenshot", tmp_path / "ex.png",
            "--after-epochs", "2")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("error: training diverged at epoch 1")
    assert (tmp_path / "ex.png").exists()
