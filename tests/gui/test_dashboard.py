"""The training panel driven as a user drives it: buttons pressed, numbers read off the widgets
and compared with what the engine computes headless."""
from __future__ import annotations

import math
import time

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMainWindow

from engine import graph
from engine.telemetry import DoneReport
from engine.training.trainer import train_to_end
from gui.dashboard.controls import SPEED_STEPS, delay_for
from gui.dashboard.panel import DashboardPanel
from gui.dashboard.thresholds import ThresholdForm
from gui.training.training_session import TrainingSession
from tests.conftest import GRAPHS


class FakeScene:
    """Records what the session tells the canvas."""

    def __init__(self):
        self.colors, self.badges = {}, {}
        self.highlighted, self.message = None, ""
        self.overlays = self.clears = 0
        self.locks: list[bool] = []

    def set_training_overlay(self, colors, badges):
        self.colors, self.badges = dict(colors), dict(badges)
        self.overlays += 1

    def highlight_node(self, node_id, message=""):
        self.highlighted, self.message = node_id, message

    def clear_training_overlay(self):
        self.colors, self.badges = {}, {}
        self.clears += 1

    def lock(self, locked: bool):
        self.locks.append(locked)

    def node_items(self):
        return []           # no blocks: pictures drawn on them (hidden units) have nowhere to go


class Host:
    def __init__(self, qtbot, name: str):
        self.doc = graph.load(GRAPHS / name)
        self.scene = FakeScene()
        self.window = QMainWindow()
        self.session = TrainingSession(lambda: self.doc, scene=self.scene, lock=self.scene.lock,
                                       parent=self.window)
        self.panel = DashboardPanel(self.session)
        self.window.setCentralWidget(self.panel)
        self.window.resize(1400, 700)
        qtbot.addWidget(self.window)
        self.window.show()
        self.qtbot = qtbot

    @property
    def dashboard(self):
        return self.panel.dashboard

    def click(self, name: str) -> None:
        self.qtbot.mouseClick(self.panel.controls.buttons[name], Qt.LeftButton)

    def wait_idle(self, timeout=120_000) -> None:
        self.qtbot.waitUntil(lambda: self.session.status == "idle", timeout=timeout)

    def wait_steps(self, n: int) -> None:
        self.qtbot.waitUntil(lambda: self.session.state.snapshot().global_step >= n, timeout=60_000)


@pytest.fixture
def host(qtbot, request):
    hosts = []

    def make(name="mlp_digits.json"):
        h = Host(qtbot, name)
        hosts.append(h)
        return h
    yield make
    for h in hosts:
        h.session.shutdown()
        assert h.session.worker is None


def os_threads() -> int:
    """Threads of this process as the kernel counts them (QThreads included)."""
    with open("/proc/self/status") as f:
        return int(next(line for line in f if line.startswith("Threads:")).split()[1])


def test_run_shows_the_engines_final_accuracy(host):
    h = host("mlp_digits.json")
    engine_done = next(r for r in train_to_end(graph.load(GRAPHS / "mlp_digits.json"))
                       if isinstance(r, DoneReport))
    h.click("run")
    assert h.session.status == "running" and h.scene.locks == [True]
    h.wait_idle()
    acc = engine_done.test["accuracy"]
    shown = h.dashboard.summary.text()
    assert f"Test accuracy {acc:.4f}" in shown
    assert h.dashboard.metrics.frame.note.text() == f"test accuracy {acc:.4f}"
    x, y = h.dashboard.metrics.test_point.getData()
    assert list(y) == [acc]
    assert h.dashboard.confusion.shown is None             # hidden tabs are not drawn...
    h.dashboard.tabs.setCurrentIndex(2)                     # ...until they are shown
    assert h.dashboard.confusion.shown == engine_done.test["confusion"]
    assert h.dashboard.confusion.frame.note.text() == "test set"
    assert h.scene.locks == [True, False]
    assert "Completed: 20 of 20 epochs" in h.panel.controls.progress_label.text()
    # the canvas was coloured for every Dense layer, on the fixed scale
    assert set(h.scene.colors) == {"h1", "h2", "out"}
    assert h.session.worker is None


def test_only_the_overview_is_built_until_another_tab_is_shown(host):
    """The other tabs' plots are made when first needed (start-up time), and a tab built
    after a run has ended draws that run at once."""
    h = host("mlp_digits.json")
    d = h.dashboard
    assert d.built(0) and not any(d.built(i) for i in range(1, d.tabs.count()))
    assert "confusion" not in d.__dict__
    h.click("run")
    h.wait_idle()
    assert not d.built(2)
    d.tabs.setCurrentIndex(2)
    assert d.built(2) and not d.built(1)
    assert d.confusion.shown == d.session.state.snapshot().done.test["confusion"]


def test_figures_copied_as_text_are_the_ones_shown(host):
    h = host("mlp_digits.json")
    h.click("run")
    h.wait_idle()
    text = h.dashboard.copy_figures()
    assert QApplication.clipboard().text() == text
    snap = h.session.state.snapshot()
    assert f"accuracy {snap.done.test['accuracy']:.6g}" in text
    assert text.count("\n20\t") == 1                  # one row per epoch, the 20th among them
    for layer in ("h1", "h2", "out"):
        assert f"\n{layer}\t" in text


def test_every_plot_saves_as_png(host, tmp_path):
    h = host("mlp_digits.json")
    h.click("run")
    h.wait_idle()
    for i, frame in enumerate(h.dashboard.frames):
        path = tmp_path / f"plot{i}.png"
        assert frame.save_png(path) and path.stat().st_size > 1000


def test_deep_sigmoid_shows_vanishing_gradient(host):
    h = host("deep_sigmoid.json")
    h.click("run")
    h.wait_steps(30)
    h.qtbot.waitUntil(lambda: "h1" in h.dashboard.bars.shown and bool(h.scene.badges), timeout=10_000)
    bars = h.dashboard.bars.shown
    # input side first, and the first layer's gradient orders of magnitude below the last's
    assert list(bars) == [f"h{i}" for i in range(1, 11)] + ["out"]
    assert bars["h1"] < 1e-4 * bars["out"]
    assert h.scene.badges.get("h1") == "vanishing" and "out" not in h.scene.badges
    h.qtbot.waitUntil(lambda: h.dashboard.heat.image.image is not None, timeout=10_000)
    strip = h.dashboard.heat.image.image            # columns: time; rows: out ... h1 (h1 on top)
    assert strip.shape[1] == 11
    assert strip[-1, -1] < strip[-1, 0] - 3         # h1 is 1000 times below out, in log10
    h.click("stop")


def test_badge_thresholds_apply_at_once(host):
    h = host("deep_sigmoid.json")
    h.click("run")
    h.wait_steps(25)
    h.click("stop")
    h.wait_idle()
    assert h.scene.badges.get("h1") == "vanishing"       # the overlay stays after the run
    h.panel.edit_thresholds()
    form = h.panel.thresholds_dialog.findChild(ThresholdForm)
    form.vanishing.setCurrentIndex(form.vanishing.count() - 1)   # a million times smaller
    assert h.session.thresholds.vanishing_ratio == 1e-6
    norms, _ = h.session.state.overlay_figures()
    expect = {k for k, n in norms.items() if n < 1e-6 * max(norms.values())}
    assert {k for k, b in h.scene.badges.items() if b == "vanishing"} == expect
    assert "h10" not in h.scene.badges
    h.panel.thresholds_dialog.close()


def test_stop_takes_effect_within_a_second(host):
    h = host("deep_sigmoid.json")
    h.click("run")
    h.wait_steps(20)
    t = time.perf_counter()
    h.click("stop")
    assert h.session.status == "stopping"
    h.wait_idle(timeout=5_000)
    assert time.perf_counter() - t < 1.0
    snap = h.session.state.snapshot()
    assert snap.done.reason == "stopped" and h.scene.locks == [True, False]
    assert "Stopped" in h.panel.controls.progress_label.text()


def test_step_from_idle_trains_one_batch_at_a_time(host):
    h = host("mlp_digits.json")
    h.click("step")
    h.wait_steps(1)
    time.sleep(0.2)
    QApplication.processEvents()
    assert h.session.state.snapshot().global_step == 1 and h.session.status == "paused"
    h.click("step")
    h.wait_steps(2)
    time.sleep(0.2)
    assert h.session.state.snapshot().global_step == 2
    assert h.panel.controls.buttons["run"].text() == "Resume"
    h.click("run")                              # resumes the same run
    h.wait_steps(30)
    assert h.session.status == "running"
    h.click("stop")
    h.wait_idle()


def test_speed_slider_slows_training_down(host):
    h = host("mlp_digits.json")
    slider = h.panel.controls.speed
    slider.setValue(SPEED_STEPS - 1)            # the slowest that is not full speed: 1 ms
    assert h.session.delay_s == pytest.approx(delay_for(SPEED_STEPS - 1))
    slider.setValue(10)
    began = time.perf_counter()
    h.click("run")
    assert h.session.run.control.delay_s == pytest.approx(delay_for(10)) and delay_for(10) > 0.05
    time.sleep(0.6)
    QApplication.processEvents()
    # a batch takes ~1 ms at full speed; in slow motion, at most one per delay (the time is
    # measured: on a busy machine the sleep and the event processing may take longer than asked)
    steps = h.session.state.snapshot().global_step
    assert steps <= (time.perf_counter() - began) / delay_for(10) + 2
    slider.setValue(SPEED_STEPS)
    assert h.session.run.control.delay_s == 0
    h.click("stop")
    h.wait_idle()


def test_divergence_points_at_the_first_layer(host):
    h = host("exploding.json")
    h.click("run")
    h.wait_idle()
    assert h.scene.highlighted == "h1"
    assert "'h1'" in h.scene.message and "What usually helps" in h.scene.message
    assert h.dashboard.summary.isVisible() and "'h1'" in h.dashboard.summary.text()
    assert h.scene.badges.get("h1") == "exploding"
    assert h.dashboard.loss.log_y               # the loss grew by orders of magnitude


def test_clipped_run_shows_the_clipped_sizes_level_and_the_raw_ones_beside_them(host):
    h = host("exploding_clipped.json")
    clip = h.doc.training["grad_clip"]["max"]
    h.click("run")
    h.wait_steps(20)
    h.qtbot.waitUntil(lambda: bool(h.dashboard.bars.raw) and bool(h.scene.colors), timeout=10_000)
    h.click("stop")
    bars, raw = h.dashboard.bars.shown, h.dashboard.bars.raw
    # every layer's bar is what the optimizer used: finite and within the clipping norm
    assert all(math.isfinite(v) and v <= clip * 1.01 for v in bars.values()), bars
    # the raw sizes are marked beside them, far above: the run would explode without clipping
    assert max(raw.values()) > 100 * clip
    assert "after clipping" in h.dashboard.bars.frame.note.text()
    assert "exploding" not in h.scene.badges.values()


def test_reset_weights_restarts_a_running_run_and_clears_when_idle(host):
    h = host("deep_sigmoid.json")
    h.click("run")
    h.wait_steps(40)
    old_state = h.session.state
    h.click("reset")
    h.qtbot.waitUntil(lambda: h.session.state is not old_state and h.session.status == "running",
                      timeout=10_000)
    h.qtbot.waitUntil(lambda: h.session.state.snapshot().global_step > 0, timeout=30_000)
    assert old_state.snapshot().done is None          # the old run was dropped, not finished
    h.click("stop")
    h.wait_idle()
    h.click("reset")
    assert h.session.state.snapshot().start is None and h.scene.colors == {}
    assert h.dashboard.bars.shown == {}


def test_closing_mid_run_ends_the_thread(host):
    h = host("deep_sigmoid.json")
    h.click("run")
    h.wait_steps(10)
    worker = h.session.worker
    t = time.perf_counter()
    h.window.close()
    h.session.shutdown()
    assert time.perf_counter() - t < 2.0
    # the session waited for the thread's end, then let Qt delete the worker
    assert h.session.worker is None
    h.qtbot.waitUntil(lambda: not shiboken6.isValid(worker), timeout=2_000)
    assert h.scene.locks[-1] is False


def test_selected_layer_gets_histograms(host):
    h = host("mlp_digits.json")
    h.dashboard.tabs.setCurrentIndex(1)
    h.session.set_delay(0.002)
    h.click("run")
    h.qtbot.waitUntil(lambda: h.dashboard.layer_combo.count() == 3, timeout=30_000)
    h.session.select_node("h2")
    assert h.dashboard.layer_combo.currentText() == "h2"
    h.qtbot.waitUntil(lambda: h.dashboard.hist.weights.title_label.text() == "Weights of h2",
                      timeout=30_000)
    h.click("stop")
    h.wait_idle()


def test_run_stop_cycles_leave_no_thread(host):
    h = host("mlp_digits.json")
    counts = []
    for _ in range(5):
        h.click("run")
        h.wait_steps(3)
        assert os_threads() > (counts[-1] if counts else 1)      # the worker is one of them
        h.click("stop")
        h.wait_idle(timeout=5_000)
        counts.append(os_threads())
    # after the first run (torch's own pools start once), every cycle ends where it began
    assert h.session.worker is None and len(set(counts[1:])) == 1 and counts[-1] <= counts[0]
    assert math.isfinite(h.session.state.snapshot().done.seconds)


def test_a_progress_line_too_long_for_its_row_ends_in_an_ellipsis_and_keeps_its_words(qtbot):
    from gui.dashboard.controls import ElidedLabel
    label = ElidedLabel("")
    qtbot.addWidget(label)
    label.resize(90, 24)
    text = "epoch 6/30  ·  step 12/21  ·  0:03 left"
    label.setText(text)
    assert label.text() == text and label.toolTip() == text
    assert label.displayed().endswith("…") and text.startswith(label.displayed()[:-1])
    label.resize(600, 24)
    assert label.displayed() == text


def test_a_narrow_progress_line_keeps_the_epoch_count_whole(qtbot):
    """At 1280x720 the line beside the bar is short: "epoch 5/3…" read as five of three."""
    from gui.dashboard.controls import ElidedLabel
    label = ElidedLabel()
    qtbot.addWidget(label)
    label.setText("epoch 5/30  ·  step 21/21  ·  0:02 left", "epoch 5/30")
    fm = label.fontMetrics()
    label.resize(fm.horizontalAdvance("epoch 5/30") + 4, 20)
    assert label.displayed() == "epoch 5/30"
    assert label.toolTip() == "epoch 5/30  ·  step 21/21  ·  0:02 left"
    label.resize(fm.horizontalAdvance("epoch 5/30  ·  step 21/21  ·  0:02 left") + 4, 20)
    assert label.displayed() == "epoch 5/30  ·  step 21/21  ·  0:02 left"


def test_a_second_run_keeps_the_first_outcome_greyed_and_the_plots_their_size(host):
    """While the next run trains, the last run's outcome stays above the plots marked as the last
    one, so the plots are not resized (every axis would be redrawn with training waiting)."""
    h = host("mlp_digits.json")
    h.doc.training["epochs"] = 2
    h.click("run")
    h.wait_idle()
    first = h.dashboard.summary.text()
    assert first.startswith("Test accuracy")
    size = h.dashboard.loss.frame.widget.size()
    h.session.start()
    assert h.session.status == "running"
    assert h.dashboard.summary.isVisible()
    assert h.dashboard.summary.text() == "Last run: " + first
    h.qtbot.wait(50)
    assert h.dashboard.loss.frame.widget.size() == size
    h.wait_idle()
    assert h.dashboard.summary.text().startswith("Test accuracy")


def test_an_axis_grows_from_an_eighth_of_the_run_in_three_jumps():
    from gui.dashboard.plot_frame import GrowingLimit
    limit, values = GrowingLimit(1.0), []
    for epoch in range(1, 101):
        limit.fit(epoch, 100.0)
        if not values or values[-1] != limit.value:
            values.append(limit.value)
    assert values == [12.5, 25.0, 50.0, 100.0]
    limit.reset()
    assert limit.value == 1.0
    limit.fit(0.5)                       # no cap (a length not known): doubling from the start
    assert limit.value == 1.0


def test_an_axis_name_too_long_for_a_short_plot_gives_way_to_its_short_form(qtbot):
    from gui.dashboard.plot_frame import PlotFrame
    frame = PlotFrame("Gradient norm per layer")
    qtbot.addWidget(frame)
    frame.label_axes("layer", "weight-gradient norm", "gradient norm")
    left = frame.plot.getAxis("left")
    frame.resize(400, 150)                 # the Overview plots' height in a 1280x720 window
    frame.show()
    qtbot.waitUntil(lambda: 0 < left.geometry().height() < 130)
    assert left.labelText == "gradient norm"
    frame.resize(400, 400)
    qtbot.waitUntil(lambda: left.geometry().height() > 300)
    assert left.labelText == "weight-gradient norm"


def test_one_report_a_batch_is_placed_where_counting_reports_put_it():
    """A plan of one update a batch (every lesson but the GANs) keeps its per-step x exactly:
    across phases of different steps per epoch, and once the series are folded into columns."""
    import numpy as np

    from engine.telemetry import StartReport, StepReport
    from gui.training.run_state import RunState

    plan, epochs, steps = ["pretrain:r1", "pretrain:r2", "train"], (3, 2, 4), (170, 90, 23)
    state = RunState()
    state.apply(StartReport(plan, "cpu", 10, ["r1", "r2", "out"], [], {}, sum(epochs), steps[0],
                            "classification", [], phase_epochs=list(epochs),
                            phase_steps=list(steps)))
    for phase, n_epochs, n_steps in zip(plan, epochs, steps):
        g = 0
        for epoch in range(1, n_epochs + 1):
            for step in range(1, n_steps + 1):
                g += 1
                state.apply(StepReport(epoch, step, g, 1.0, {"x": 1.0},
                                       {"r1": 0.5, "r2": 0.25, "out": 0.125}, phase=phase))
        snap = state.snapshot()
        assert np.array_equal(snap.loss_x, snap.step_x(len(snap.loss_cols), snap.loss_span))
        assert np.array_equal(snap.grad_x, snap.step_x(len(snap.grad_cols), snap.grad_span))
    assert snap.loss_span > 1 and snap.grad_span > 1
    assert snap.loss_x[-1] == pytest.approx(sum(epochs), abs=snap.loss_span / steps[-1])


def test_an_axis_name_falls_back_to_the_first_short_form_that_fits(qtbot):
    from gui.dashboard.plot_frame import PlotFrame
    frame = PlotFrame("Gradient norm per layer")
    qtbot.addWidget(frame)
    frame.label_axes("layer", "weight-gradient norm", "gradient norm", "norm")
    left = frame.plot.getAxis("left")
    frame.resize(400, 100)                 # a plot squeezed under a failed run's message
    frame.show()
    qtbot.waitUntil(lambda: 0 < left.geometry().height() < 70)
    assert left.labelText == "norm"
    frame.resize(400, 180)                 # about the Overview plots' in a 1280x720 window
    qtbot.waitUntil(lambda: 100 < left.geometry().height() < 130)
    assert left.labelText == "gradient norm"


def test_a_progress_line_shortens_step_by_step_before_it_is_cut(qtbot):
    from gui.dashboard.controls import ElidedLabel
    label = ElidedLabel()
    qtbot.addWidget(label)
    label.setText("Completed: 1 of 10 epochs in 0:01 (cpu)", "Done: 1/10 epochs", "Done: 1/10",
                  "1/10")
    fm = label.fontMetrics()
    for shown in ("Done: 1/10 epochs", "Done: 1/10", "1/10"):
        label.resize(fm.horizontalAdvance(shown) + 4, 20)
        assert label.displayed() == shown
    assert label.toolTip() == "Completed: 1 of 10 epochs in 0:01 (cpu)"


def test_before_a_run_the_layer_axes_show_no_numbers(qtbot):
    """An axis of layer names has nothing to say before a run names its layers; pyqtgraph would
    number it (-0.4 ... 0.4)."""
    from gui.dashboard.gradients import GradBarsView, HeatStripView
    from gui.training.badges import Thresholds
    bars, heat = GradBarsView(Thresholds()), HeatStripView()
    for frame in (bars.frame, heat.frame):
        qtbot.addWidget(frame)
    # pyqtgraph keeps the ticks it was given here; None would mean numbers of its own
    assert bars.frame.plot.getAxis("bottom")._tickLevels == [[]]
    assert heat.frame.plot.getAxis("left")._tickLevels == [[]]
    assert heat.frame.plot.viewRange()[1] == [0, 1]
