"""RBMs and deep belief networks on screen: the stack's pretraining on the canvas (the RBM
training highlighted with its pictures and filters, the ones below done, the ones above
waiting), gradient colours once the whole network fine-tunes, the Overview's axis and progress
over phases of different steps per epoch, the Pretraining and Gibbs tabs, and --view. Most tests
run a stand-in that yields reports as the RBM telemetry contract describes them
(tests/gui/fake_rbm_run.py); the last ones train a real stack for an epoch a phase."""
from __future__ import annotations

import threading

import numpy as np
import pytest

import gui.training.training_session as training_session
from engine import blocks
from engine.telemetry import EpochReport, StartReport, StepReport
from gui.app import main as app_main
from gui.dashboard.rbm_figures import followed_node, phase_rows
from gui.training.phases import DONE, TRAINING, WAITING, Phases, node_marks
from gui.training.run_state import RunState
from gui.training.tiles import ink, mosaic, weights
from tests.conftest import GRAPHS
from tests.gui.fake_rbm_run import FakeRbmRun, dbn_graph

PLAN = ["pretrain:r1", "pretrain:r2", "train"]


def start_report(plan=PLAN, epochs=(2, 2, 2), steps=(10, 5, 4)) -> StartReport:
    return StartReport(list(plan), "cpu", 100, ["r1", "r2", "out"], [], {}, sum(epochs), steps[0],
                       "classification", [], phase_epochs=list(epochs), phase_steps=list(steps))


# ---- headless: the phases, the run state, the pictures ------------------------------------------
def test_phases_lay_out_a_run_of_different_steps_per_epoch():
    p = Phases.of(start_report())
    assert p.many and p.pretrained_nodes == ["r1", "r2"]
    assert p.total_steps == 2 * 10 + 2 * 5 + 2 * 4 and p.total_epochs == 6
    assert [p.label(n) for n in PLAN] == ["pretrain r1", "pretrain r2", "fine-tune"]
    assert p.steps_done("pretrain:r2", 3) == 23 and p.steps_done("train", 8) == 38
    assert p.run_epoch("train", 1) == 5
    # steps as they came: 20 of r1, 10 of r2, 8 of the fine-tuning
    starts = [(0, 0), (20, 1), (30, 2)]
    x = p.step_x(np.array([10, 20, 25, 30, 34, 38]), starts)
    assert np.allclose(x, [1, 2, 3, 4, 5, 6])
    # a run whose report has no per-phase lists is one phase, the plain epoch axis
    plain = Phases.of(StartReport(["train"], "cpu", 1, [], [], {}, 3, 7, "classification", []))
    assert not plain.many and plain.total_steps == 21
    assert np.allclose(plain.step_x(np.array([7, 14]), []), [1, 2])
    assert plain.label("train") == "train"


def test_node_marks_follow_the_stack_up():
    p = Phases.of(start_report())
    assert node_marks(p, "pretrain:r1", 2) == {"r1": (TRAINING, "pretraining 2/2"),
                                               "r2": (WAITING, "waiting")}
    assert node_marks(p, "pretrain:r2", 1) == {"r1": (DONE, "pretrained"),
                                               "r2": (TRAINING, "pretraining 1/2")}
    assert node_marks(p, "train", 1) == {"r1": (DONE, "pretrained"), "r2": (DONE, "pretrained")}
    assert node_marks(p, "pretrain:r2", 1, ended="stopped")["r2"] == (WAITING, "stopped at 1/2")
    assert node_marks(Phases.of(start_report(["train"], (3,), (5,))), "train", 1) == {}


def test_run_state_places_every_phase_on_one_axis():
    state = RunState()
    state.apply(start_report())
    for phase, epochs, steps in zip(PLAN, (2, 2, 2), (10, 5, 4)):
        g = 0
        for epoch in range(1, epochs + 1):
            for step in range(1, steps + 1):
                g += 1
                state.apply(StepReport(epoch, step, g, 1.0, {"x": 1.0},
                                       {"r1": 1.0, "r2": 0.0, "out": 0.0}, phase=phase))
            state.apply(EpochReport(phase, epoch, {"loss": 1.0}, {}, {}, 0.01))
        if phase == "pretrain:r2":
            snap = state.snapshot()
            assert snap.run_step == 30 and snap.total_steps == 38
            assert snap.phase == "pretrain:r2" and snap.phase_starts == [(0, 0), (20, 1)]
    snap = state.snapshot()
    assert snap.run_step == snap.total_steps == 38
    x = snap.step_x(len(snap.loss_cols), snap.loss_span)
    assert x[-1] == pytest.approx(6.0) and np.all(np.diff(x) > 0)
    assert [snap.epoch_x(e) for e in snap.epochs] == [1, 2, 3, 4, 5, 6]
    assert [r[1] for r in phase_rows(snap)] == [1.0, 1.0, 1.0]


def test_the_followed_rbm_is_the_one_pretraining_then_the_top():
    state = RunState()
    state.apply(start_report())
    pics = {"input": np.zeros((8, 8, 8)), "recon": np.zeros((8, 8, 8)),
            "filters": np.zeros((16, 8, 8))}
    state.apply(StepReport(1, 1, 1, 1.0, {}, {}, images={"r1": pics}, phase="pretrain:r1"))
    assert followed_node(state.snapshot()) == "r1"
    state.apply(StepReport(1, 1, 1, 1.0, {}, {}, images={"r2": dict(pics)}, phase="pretrain:r2"))
    assert followed_node(state.snapshot()) == "r2"
    state.apply(StepReport(1, 1, 1, 1.0, {}, {}, phase="train"))
    snap = state.snapshot()
    assert followed_node(snap) == "r2" and followed_node(snap, pinned="r1") == "r1"
    assert followed_node(snap, pinned="gone") == "r2"


def test_filters_are_drawn_blue_white_orange():
    w = weights(np.array([[[0.0, 0.5, 1.0]]]))
    assert w[0, 0].tolist() == [[0, 114, 178], [255, 255, 255], [213, 94, 0]]
    assert weights(np.array([[[np.nan]]]))[0, 0, 0].tolist() == [255, 255, 255]
    rows = [np.zeros((6, 8, 8)), np.ones((6, 8, 8)), np.full((6, 8, 8), 0.75)]
    rgb = mosaic(rows, painters=[None, None, weights])
    assert np.array_equal(rgb[1:9, 1:9, 0], ink(rows[0][0]))      # ink rows stay grey
    assert rgb[19, 1].tolist() == weights(rows[2])[0, 0, 0].tolist()


# ---- the window, with the stand-in ---------------------------------------------------------
@pytest.fixture
def fake_rbm(monkeypatch):
    """Runs started from the window are stand-ins: `made` holds each one."""
    made = []

    def use(**kwargs):
        def make(doc, **_run_kwargs):
            run = FakeRbmRun(doc, **kwargs)
            made.append(run)
            return run
        monkeypatch.setattr(training_session, "Run", make)
        return made
    return use


@pytest.fixture
def dbn(window, tmp_path):
    assert window.open_path(dbn_graph(tmp_path / "dbn.json"))
    return window


def dashboard(window):
    return window.dashboard.dashboard


def held_at(window, qtbot, runs, phase: str) -> None:
    """Wait until the stand-in holds at its pause point, with the canvas brought up to date."""
    qtbot.waitUntil(lambda: runs and runs[0].held_at == runs[0].pause_at
                    and window.session.state.phase == phase, timeout=10_000)
    window.session.pause()
    qtbot.waitUntil(lambda: window.scene.node_item("r1").phase_mark[0] != "", timeout=5_000)
    qtbot.wait(250)                  # one more overlay tick: the newest sample on the cards


def test_pretraining_on_the_canvas(dbn, qtbot, fake_rbm):
    window = dbn
    runs = fake_rbm(pause_at=("pretrain:r1", 7))
    window.session.run_action.trigger()
    held_at(window, qtbot, runs, "pretrain:r1")
    scene = window.scene
    assert scene.node_item("r1").phase_mark == (TRAINING, "pretraining 1/2")
    assert scene.node_item("r2").phase_mark == (WAITING, "waiting")
    assert scene.node_item("out").phase_mark == ("", "")
    # the one pretraining shows its pictures; the one waiting has none yet; no gradient colours
    # (nor 'vanishing' badges) while a node learns alone
    face = scene.live_face("r1")
    assert face is not None and face.kind == "rbm" and scene.live_face("r2") is None
    assert all(item.overlay_fill is None and not item.overlay_badge for item in scene.node_items())
    shown = np.frombuffer(face.image.constBits(), np.uint8).reshape(face.image.height(), -1)
    arrays = face.shown
    expected = mosaic([arrays["input"], arrays["recon"], arrays["filters"]], columns=6,
                      painters=[None, None, weights])
    assert np.array_equal(shown[:, :expected.shape[1] * 3].reshape(expected.shape), expected)
    assert face.height > 3 * 8

    # on to the second RBM: the first is done and keeps its last pictures
    runs[0].pause_at = ("pretrain:r2", 3)
    window.session.start()
    held_at(window, qtbot, runs, "pretrain:r2")
    qtbot.waitUntil(lambda: scene.node_item("r2").phase_mark[0] == TRAINING, timeout=5_000)
    assert scene.node_item("r1").phase_mark == (DONE, "pretrained")
    assert scene.live_face("r1").kind == "rbm" and scene.live_face("r2").kind == "rbm"

    # fine-tuning: every layer coloured by its gradient, the stack marked pretrained
    window.session.start()
    qtbot.waitUntil(lambda: window.session.status == "idle", timeout=20_000)
    window.session._push_overlay()
    assert {i.node_id for i in scene.node_items() if i.overlay_fill is not None} == {"r1", "r2", "out"}
    assert scene.node_item("r2").phase_mark == (DONE, "pretrained")
    # a new run starts from a clean canvas
    window.session.reset_weights()
    assert scene.live_face("r1") is None and scene.node_item("r1").phase_mark == ("", "")


def test_overview_and_progress_over_phases(dbn, qtbot, fake_rbm):
    window = dbn
    runs = fake_rbm(pause_at=("pretrain:r2", 5))
    d = dashboard(window)
    window.session.run_action.trigger()
    held_at(window, qtbot, runs, "pretrain:r2")
    assert d.show_view("overview")
    # the others wait while r2 pretrains: no 'vanishing' line over their empty bars
    assert not d.bars.vanish_line.isVisible() and "r2 pretrains alone" in d.bars.frame.note.text()
    controls = window.dashboard.controls
    controls.show_progress(window.session.state.snapshot())
    # 20 steps of r1 and 5 of r2 out of 2*10 + 2*5 + 2*4
    assert controls.progress.value() == 25 * 100 // 38
    assert controls.progress.format() == "pretrain r2" and controls.progress.isTextVisible()
    assert controls.progress_label.text().startswith("epoch 1/2  ·  step 5/5")
    window.session.start()
    qtbot.waitUntil(lambda: window.session.status == "idle", timeout=20_000)
    assert d.available_views() == ["overview", "layers", "classes", "pretraining", "gibbs"]
    assert d.show_view("overview")
    x, _ = d.loss.step_curve.getData()
    assert x[-1] == pytest.approx(6.0)           # 2 + 2 + 2 epochs, whatever their steps
    assert [line.value() for line in d.loss.phase_lines.lines] == [0, 2, 4]
    xs, acc = d.metrics.train_curve.getData()
    assert xs.tolist() == [5, 6] and acc.tolist() == pytest.approx([0.7, 0.9])
    text = d.copy_figures()
    assert "phase\tepoch" in text and "pretrain r2\t2\t" in text and "6 epochs in 3 phases" in text


def test_pretraining_tab(dbn, qtbot, fake_rbm):
    window = dbn
    runs = fake_rbm(pause_at=("pretrain:r2", 8))
    d = dashboard(window)
    window.session.run_action.trigger()
    held_at(window, qtbot, runs, "pretrain:r2")
    assert "reconstructions" not in d.available_views()       # an RBM's pictures go here
    assert d.show_view("pretraining")
    pics = d.rbm_pictures
    assert pics.node == "r2"
    arrays = window.session.state.snapshot().images["r2"]
    want = mosaic([arrays["input"][:4], arrays["recon"][:4], arrays["input"][4:],
                   arrays["recon"][4:]], 4)
    assert np.array_equal(pics.recon.shown, want)
    assert pics.filters.shown.shape == mosaic([arrays["filters"][:4]] * 4, 4).shape
    assert "live" in pics.filters.frame.note.text()
    fe = d.free_energy
    xs, ys = fe.train_curve.getData()
    assert xs.tolist() == [1] and ys.tolist() == [-22.3]       # r2's own first epoch
    assert fe.gap == pytest.approx(0.3) and "gap +0.30" in fe.frame.note.text()
    rows = d.phase_progress.shown
    assert [r[0] for r in rows] == ["pretrain r1", "pretrain r2", "fine-tune"]
    assert rows[0][1] == 1.0 and rows[1][1] == pytest.approx(8 / 10) and rows[2][1] == 0.0
    assert rows[1][2] == "1/2 epochs"
    # choosing r1 in either tab's list shows r1's last pictures and epochs, in both tabs (the
    # Gibbs tab, and its list, are made when first needed)
    assert d.gibbs is not None and len(d.rbm_focus.combos) == 2
    d.rbm_focus.combos[1].setCurrentIndex(d.rbm_focus.combos[1].findData("r1"))
    assert d.rbm_focus.pinned == "r1" and d.rbm_focus.combos[0].currentData() == "r1"
    assert pics.node == "r1" and "pretrained" in pics.filters.frame.note.text()
    assert fe.train_curve.getData()[0].tolist() == [1, 2]
    window.session.stop()
    qtbot.waitUntil(lambda: window.session.status == "idle", timeout=10_000)


def test_gibbs_chains_come_from_the_training_thread(dbn, qtbot, fake_rbm):
    """While the run trains, the chains are run by the training thread (each torch call from
    the GUI thread would wait for the GIL); paused, the GUI thread runs them at once."""
    window = dbn
    runs = fake_rbm(pretrain=((40, 10), (40, 5)), step_s=0.01)
    d = dashboard(window)
    window.session.run_action.trigger()
    qtbot.waitUntil(lambda: d.show_view("gibbs"), timeout=10_000)
    gibbs = d.gibbs
    qtbot.waitUntil(lambda: gibbs.chain is not None, timeout=10_000)
    assert window.session.status == "running"
    gui_thread = threading.get_ident()
    run = runs[0]
    assert run.chain_threads and gui_thread not in run.chain_threads
    assert run.chains[0] == ("r1", {"n": 8, "steps": 100, "every": 2, "seed": 0})
    assert gibbs.chain.shape == (51, 8, 8, 8)
    # it plays: the frame moves on, and the strip shows the chains at a few of their steps
    first = gibbs.frame_index
    qtbot.waitUntil(lambda: gibbs.frame_index > first + 2, timeout=5_000)
    assert gibbs.strip.shown.shape[0] == 1 + 7 * 9
    assert np.array_equal(gibbs.live.shown, mosaic([gibbs.chain[gibbs.frame_index][:4],
                                                     gibbs.chain[gibbs.frame_index][4:]], 4))
    # paused: other noise, sampled here and now
    window.session.pause()
    qtbot.waitUntil(lambda: not window.session.decodes_in_background())
    gibbs.new_chain()
    assert run.chains[-1][1]["seed"] == 1 and run.chain_threads[-1] == gui_thread
    assert gibbs.chain is not None
    # a hidden tab stops animating
    d.show_view("overview")
    qtbot.waitUntil(lambda: not gibbs.timer.isActive(), timeout=2_000)
    window.session.stop()
    qtbot.waitUntil(lambda: window.session.status == "idle", timeout=10_000)


def test_rbm_tabs_only_for_runs_that_pretrain(window, qtbot, fake_rbm):
    assert window.open_path(GRAPHS / "mlp_digits.json")
    d = dashboard(window)
    assert "pretraining" not in d.available_views()
    assert not d.show_view("gibbs")


# ---- the real engine -------------------------------------------------------------------------
def test_the_dbn_lesson_pretrains_then_fine_tunes(window, qtbot):
    """The engine's own reports, end to end, on the lesson made quick (by the inspector's way, an
    undoable edit): two epochs of the first RBM, four of the second (the run is held in its
    first, and the training thread may run on a little before the hold reaches it), then two of
    the fine-tuning."""
    from gui.dashboard.screenshot import run_until_epochs

    assert window.open_path(GRAPHS / "dbn_digits.json")
    c = window.controller
    rbms = [nid for nid, face in c.doc.nodes.items()
            if getattr(blocks.get(face.type), "unsupervised", False)]
    assert len(rbms) == 2
    bottom, top = rbms
    assert c.set_param(bottom, "epochs", 2) and c.set_param(top, "epochs", 4)
    assert c.set_training("epochs", 2)
    # into the second RBM's pretraining
    assert run_until_epochs(window.session, 3, timeout_s=240) == "epochs"
    try:
        # the first RBM's weight histograms go on while the second pretrains (its gradient is
        # zero then: once, its missing gradient failed the run at the phase change)
        assert window.session.state.snapshot().histograms.get(bottom) is not None
        scene = window.scene
        qtbot.waitUntil(lambda: scene.live_face(top) is not None, timeout=5_000)
        for nid in rbms:
            face = scene.live_face(nid)
            assert face.kind == "rbm" and face.shown["filters"].shape == (16, 8, 8)
        assert scene.node_item(bottom).phase_mark == (DONE, "pretrained")
        assert scene.node_item(top).phase_mark[0] == TRAINING
        d = dashboard(window)
        assert d.show_view("pretraining")
        assert d.rbm_pictures.node == top
        assert d.rbm_pictures.error is not None and 0 <= d.rbm_pictures.error < 0.2
        assert 1 <= len(d.free_energy.train_curve.getData()[0]) <= 3
        assert d.show_view("gibbs")
        qtbot.waitUntil(lambda: d.gibbs.chain is not None, timeout=10_000)
        assert d.gibbs.chain.shape == (51, 8, 8, 8)
        assert 0.0 <= d.gibbs.chain.min() and d.gibbs.chain.max() <= 1.0
        window.session.start()
        qtbot.waitUntil(lambda: window.session.status == "idle", timeout=120_000)
        snap = window.session.state.snapshot()
        assert snap.done is not None and snap.done.reason == "completed"
        assert snap.run_step == snap.total_steps and snap.done.test["accuracy"] > 0.2
        window.session._push_overlay()
        colored = {i.node_id for i in scene.node_items() if i.overlay_fill is not None}
        assert set(rbms) <= colored
        assert "Test accuracy" in d.summary.text()
    finally:
        window.session.shutdown()


def test_view_option_reaches_the_rbm_tabs(tmp_path, monkeypatch):
    from gui.main_window import MainWindow
    seen = []
    grab = MainWindow.grab

    def grab_and_note(self, *args):
        tabs = self.dashboard.dashboard.tabs
        seen.append(tabs.tabText(tabs.currentIndex()))
        return grab(self, *args)
    monkeypatch.setattr(MainWindow, "grab", grab_and_note)
    graph = str(GRAPHS / "rbm_digits.json")          # the lesson, two of its epochs
    for view in ("pretraining", "gibbs"):
        png = tmp_path / f"{view}.png"
        assert app_main([graph, "--screenshot", str(png), "--after-epochs", "2", "--view", view,
                         "--size", "1280x720"]) == 0
        assert png.exists()
    assert seen == ["Pretraining", "Gibbs"]
