"""`main.py FILE --screenshot PNG`: a picture of exactly what was asked for, or exit status 2 with
the reason."""
import json
import os
import subprocess
import sys
import time

from gui.app import main as app_main
from tests.conftest import GRAPHS, ROOT


def test_after_epochs_holds_exactly_that_many_epochs_even_with_a_busy_gui(tmp_path, monkeypatch):
    from gui.main_window import MainWindow
    seen = []
    grab, run_for = MainWindow.grab, MainWindow.run_for_screenshot

    def busy_then_run(self, epochs):
        # the GUI thread slow to take each epoch's signal, as on a loaded machine: a pause asked
        # for from here would land epochs late
        self.session.epoch_ended.connect(lambda _rep: time.sleep(0.3))
        return run_for(self, epochs)

    def grab_and_note(self, *args):
        s = self.session.state
        seen.append((len(s.epochs), s.epoch, s.step, s.global_step, s.start.steps_per_epoch))
        return grab(self, *args)
    monkeypatch.setattr(MainWindow, "run_for_screenshot", busy_then_run)
    monkeypatch.setattr(MainWindow, "grab", grab_and_note)
    png = tmp_path / "two.png"
    assert app_main([str(GRAPHS / "mlp_digits.json"), "--screenshot", str(png),
                     "--after-epochs", "2", "--size", "800x600"]) == 0
    assert png.exists()
    [(epochs, epoch, step, global_step, steps)] = seen
    assert (epochs, epoch, step, global_step) == (2, 2, steps, 2 * steps)


def test_a_missing_csv_exits_2_naming_the_file_and_how_to_point_at_it(tmp_path):
    doc = json.loads((GRAPHS / "churn.json").read_text(encoding="utf-8"))
    data = next(n for n in doc["nodes"] if n["id"] == "data")
    data["params"]["source"] = "csv:no_such_customers.csv"
    path = tmp_path / "lost.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    png = tmp_path / "lost.png"
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), str(path), "--screenshot", str(png)],
                       cwd=ROOT, capture_output=True, text=True, timeout=120,
                       env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert r.returncode == 2 and r.stdout == ""
    errors = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in r.stderr
    assert "'no_such_customers.csv' not found" in errors[0] and "--data-dir" in errors[0]
    assert not png.exists()
