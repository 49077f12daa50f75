"""Autoencoders on screen: reconstructions on the decoding node's face and in the dashboard, the
code bars, the latent explorer driven with the mouse, and --view. The first tests run a stand-in
run that yields reports as the telemetry contract describes them (tests/gui/fake_autoencoder_run.py);
the last ones train the real lessons for an epoch or two."""
from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

import gui.training.training_session as training_session
from gui.app import main as app_main
from gui.dashboard.screenshot import run_until_epochs
from gui.dashboard.views import NAMES
from gui.training.tiles import ink, mosaic
from tests.conftest import GRAPHS
from tests.gui.fake_autoencoder_run import FakeAutoencoderRun

AE_VIEWS = ["overview", "layers", "classes", "reconstructions", "code", "latent"]


@pytest.fixture
def fake_run(monkeypatch):
    """Runs started from the window are stand-ins: `made` holds each one."""
    made = []

    def use(**kwargs):
        def make(doc, **_run_kwargs):
            run = FakeAutoencoderRun(doc, **kwargs)
            made.append(run)
            return run
        monkeypatch.setattr(training_session, "Run", make)
        return made
    return use


def train_to_end(window, qtbot) -> None:
    window.session.run_action.trigger()
    qtbot.waitUntil(lambda: window.session.status == "idle", timeout=60_000)


def dashboard(window):
    return window.dashboard.dashboard


def test_reconstructions_reach_the_decoder_face_and_the_view(window, qtbot, fake_run):
    assert window.open_path(GRAPHS / "mlp_digits.json")
    assert dashboard(window).available_views() == AE_VIEWS[:3]      # nothing to show yet
    runs = fake_run(decoder="out", encoder="h1", units=16)
    train_to_end(window, qtbot)
    run = runs[0]
    last_images, last_codes = run.sample(1.0)

    # the canvas: a strip under the decoding node, code bars under the coding node, nothing else
    face = window.scene.live_face("out")
    assert face is not None and face.kind == "reconstructions" and not face.image.isNull()
    assert face.shown_step == 30
    recon_rows = mosaic([last_images["out"]["corrupted"], last_images["out"]["recon"]],
                        columns=face.image.width() // 9)
    assert face.image.width() == recon_rows.shape[1] and face.image.height() == recon_rows.shape[0]
    bits = face.image.constBits()
    shown = np.frombuffer(bits, np.uint8).reshape(face.image.height(), -1)[:, :recon_rows.shape[1] * 3]
    assert np.array_equal(shown.reshape(recon_rows.shape), recon_rows)
    code = window.scene.live_face("h1")
    assert code is not None and code.kind == "code" and "16 units" in code.caption
    assert all(window.scene.live_face(n) is None for n in ("data", "h2", "loss"))

    # the dashboard: the outcome line, then the three views; Reconstructions has three rows
    d = dashboard(window)
    assert "Test reconstruction error (squared, per pixel) 0.0100" in d.summary.text()
    assert "recon_error 0.01" in d.copy_figures()
    # an autoencoder has no classes to score: that tab gives way to its own three
    assert d.available_views() == [v for v in AE_VIEWS if v != "classes"]
    assert d.show_view("reconstructions")
    shown = d.recon.images.shown
    arrays = last_images["out"]
    assert shown.shape == mosaic([arrays["input"], arrays["corrupted"], arrays["recon"]]).shape
    bottom = shown[1 + 2 * 9: 1 + 2 * 9 + 8, 1:9, 0]              # first reconstruction
    assert np.array_equal(bottom, ink(arrays["recon"][0]))
    assert "step 30" in d.recon.frame.note.text()
    assert d.show_view("code")
    assert np.allclose(d.code.shown_means, last_codes["h1"]["unit_mean"])
    assert d.code.mean_curve.getData()[0].tolist() == [1, 2, 3]

    # a new run starts from a clean canvas
    window.session.reset_weights()
    assert window.scene.live_face("out") is None


def test_the_face_follows_the_run_as_it_learns(window, qtbot, fake_run):
    assert window.open_path(GRAPHS / "mlp_digits.json")
    fake_run(decoder="out", encoder="h1", epochs=2, steps_per_epoch=5)
    window.session.step_action.trigger()            # one batch, then paused
    qtbot.waitUntil(lambda: getattr(window.scene.live_face("out"), "shown_step", -1) == 1,
                    timeout=10_000)
    early = window.scene.live_face("out").image.copy()
    window.session.step_action.trigger()
    window.session.step_action.trigger()
    qtbot.waitUntil(lambda: window.scene.live_face("out").shown_step == 3, timeout=10_000)
    assert window.scene.live_face("out").image != early       # sharper than two steps before
    window.session.stop()
    qtbot.waitUntil(lambda: window.session.status == "idle", timeout=10_000)


def drag(widget, start: QPointF, end: QPointF, steps: int = 8) -> None:
    """Press, move with the button held, release: the mouse events a person's drag makes."""
    def send(kind, pos, button, buttons):
        ev = QMouseEvent(kind, pos, QPointF(widget.mapToGlobal(pos.toPoint())), button, buttons,
                         Qt.NoModifier)
        QApplication.sendEvent(widget, ev)
    send(QMouseEvent.MouseButtonPress, start, Qt.LeftButton, Qt.LeftButton)
    for i in range(1, steps + 1):
        send(QMouseEvent.MouseMove, start + (end - start) * (i / steps), Qt.NoButton, Qt.LeftButton)
    send(QMouseEvent.MouseButtonRelease, end, Qt.LeftButton, Qt.NoButton)


def click(widget, pos: QPointF) -> None:
    for kind, buttons in ((QMouseEvent.MouseButtonPress, Qt.LeftButton),
                          (QMouseEvent.MouseButtonRelease, Qt.NoButton)):
        ev = QMouseEvent(kind, pos, QPointF(widget.mapToGlobal(pos.toPoint())), Qt.LeftButton,
                         buttons, Qt.NoModifier)
        QApplication.sendEvent(widget, ev)


def plot_point(frame, x: float, y: float) -> QPointF:
    """Where a point of a plot's data space is, in its widget's pixels."""
    scene_pos = frame.plot.vb.mapViewToScene(QPointF(x, y))
    return QPointF(frame.widget.mapFromScene(scene_pos))


def test_latent_explorer_decodes_where_the_cross_is_dragged(window, qtbot, fake_run):
    assert window.open_path(GRAPHS / "mlp_digits.json")
    runs = fake_run(decoder="out", encoder="h1", units=2)
    train_to_end(window, qtbot)
    d = dashboard(window)
    assert d.show_view("latent")
    latent = d.latent
    qtbot.waitUntil(lambda: latent.scatter_frame.widget.isVisible())
    assert latent.two_units and latent.target.isVisible() and latent.decoder == "out"
    qtbot.waitUntil(lambda: latent.decoded is not None)      # decoded a frame after the points
    # a signed code's bars on the canvas are its units' mean magnitudes (a mean is about 0)
    assert "mean |code|" in window.scene.live_face("h1").caption
    before = latent.decoded.copy()
    shown_before = latent.point_view.shown.copy()
    start = latent.target.pos()
    # drag the cross two units right and one up, with the mouse
    frame = latent.scatter_frame
    drag(frame.widget.viewport(), plot_point(frame, start.x(), start.y()),
         plot_point(frame, start.x() + 2.0, start.y() + 1.0))
    end = latent.target.pos()
    assert end.x() == pytest.approx(start.x() + 2.0, abs=0.1)
    assert end.y() == pytest.approx(start.y() + 1.0, abs=0.1)
    assert latent.target_placed
    assert np.allclose(runs[0].decoded[-1], [[end.x(), end.y()]], atol=1e-5)
    assert not np.allclose(latent.decoded, before)                  # the picture moved with z
    assert not np.array_equal(latent.point_view.shown, shown_before)

    # pick two inputs: A then B, and the path between their codes is decoded
    points = latent.points
    for index in (5, 17):
        click(frame.widget.viewport(), plot_point(frame, *points[index]))
    assert latent.pair == [5, 17]
    codes = latent.codes
    assert np.allclose(runs[0].decoded[-1][0], codes[5], atol=1e-5)
    assert np.allclose(runs[0].decoded[-1][-1], codes[17], atol=1e-5)
    assert latent.path_images.shape == (9, 8, 8)


def test_while_training_the_training_thread_decodes(window, qtbot, fake_run):
    """The explorer never calls into torch from the GUI thread while a run trains: beside the
    training thread each call would wait for the GIL (seen: 47 ms for ten points)."""
    assert window.open_path(GRAPHS / "mlp_digits.json")
    runs = fake_run(decoder="out", encoder="h1", units=2, epochs=4, steps_per_epoch=25,
                    step_s=0.02)
    window.session.run_action.trigger()
    d = dashboard(window)
    qtbot.waitUntil(lambda: d.show_view("latent"), timeout=10_000)
    latent = d.latent
    qtbot.waitUntil(lambda: latent.decoded is not None and latent.path_images is not None,
                    timeout=10_000)
    assert window.session.status == "running"
    gui_thread = threading.get_ident()
    assert runs[0].decode_threads and gui_thread not in runs[0].decode_threads
    # a drag while it trains: decoded there too, and shown once the thread has served it
    start = latent.target.pos()
    latent.move_target(start.x() + 1.0, start.y())
    qtbot.waitUntil(lambda: latent.decoded_at == (start.x() + 1.0, start.y()), timeout=10_000)
    assert gui_thread not in runs[0].decode_threads
    # paused, nothing trains: the GUI thread decodes at once
    window.session.pause()
    qtbot.waitUntil(lambda: not window.session.decodes_in_background())
    latent.move_target(start.x() - 1.0, start.y())
    assert latent.decoded_at == (start.x() - 1.0, start.y())
    assert runs[0].decode_threads[-1] == gui_thread
    window.session.stop()
    qtbot.waitUntil(lambda: window.session.status == "idle", timeout=10_000)


def test_view_option_picks_the_tab(monkeypatch, tmp_path, capsys):
    from gui.main_window import MainWindow
    seen = []
    grab = MainWindow.grab

    def grab_and_note(self, *args):
        tabs = self.dashboard.dashboard.tabs
        seen.append(tabs.tabText(tabs.currentIndex()))
        return grab(self, *args)
    monkeypatch.setattr(MainWindow, "grab", grab_and_note)
    png = tmp_path / "shot.png"
    graph = str(GRAPHS / "mlp_digits.json")
    assert app_main([graph, "--screenshot", str(png), "--view", "layers", "--size", "1280x720"]) == 0
    assert png.exists() and seen == ["Layers"]
    # a view this run has nothing for is refused, and the ones it has are named
    assert app_main([graph, "--screenshot", str(png), "--view", "latent"]) == 2
    err = capsys.readouterr().err
    assert "latent" in err and "overview, layers, classes" in err
    with pytest.raises(SystemExit):
        from gui.app import parse_args
        parse_args([graph, "--view", "nonsense"])


@pytest.mark.parametrize("lesson", ["denoising_autoencoder.json", "vae.json"])
def test_a_real_autoencoder_draws_on_its_blocks(window, qtbot, lesson):
    """The engine's own reports, end to end: two epochs of the lesson."""
    assert window.open_path(GRAPHS / lesson)
    assert run_until_epochs(window.session, 2, timeout_s=240) == "epochs"
    try:
        faces = window.session.faces()
        decoder = next(n for n, f in faces.items() if f == "reconstructions")
        encoder = next(n for n, f in faces.items() if f == "code")
        qtbot.waitUntil(lambda: window.scene.live_face(decoder) is not None, timeout=5_000)
        assert window.scene.live_face(decoder).kind == "reconstructions"
        assert window.scene.live_face(encoder).kind == "code"
        d = dashboard(window)
        # no accuracy, no classes to score: the Metrics plot gives its place to the others and
        # the Classes tab is gone
        qtbot.waitUntil(lambda: not d.tabs.isTabVisible(NAMES.index("classes")), timeout=5_000)
        assert d.metrics.frame.isHidden() and d.loss.frame.isVisible()
        assert d.show_view("reconstructions")
        rows = 3 if lesson.startswith("denoising") else 2
        assert d.recon.images.shown.shape[0] == 1 + rows * 9
        assert d.recon.error is not None and 0 <= d.recon.error < 0.2
        assert d.show_view("latent")
        latent = d.latent
        assert latent.decoder == decoder
        qtbot.waitUntil(lambda: latent.path_images is not None)
        if latent.two_units:
            before = latent.decoded.copy()
            pos = latent.target.pos()
            latent.move_target(pos.x() + 1.5, pos.y() - 1.5)
            assert latent.decoded.shape == before.shape
            assert not np.allclose(latent.decoded, before)
    finally:
        window.session.shutdown()


@pytest.fixture
def rare_samples(monkeypatch):
    """Real runs whose telemetry budget samples the pictures at the first step only, as a run
    whose steps are quick beside its pictures does for its first hundred steps: what a pause
    shows is then the pause's own sample or nothing new."""
    real = training_session.Run

    def make(doc, **kwargs):
        return real(doc, sample_every=10**9, sample_seconds=1e9, **kwargs)
    monkeypatch.setattr(training_session, "Run", make)


def test_a_run_held_at_an_epoch_shows_that_epochs_reconstructions(window, qtbot, rare_samples):
    """--after-epochs N: the picture promises the run after exactly N epochs, faces included."""
    assert window.open_path(GRAPHS / "autoencoder.json")
    assert run_until_epochs(window.session, 2, timeout_s=120) == "epochs"
    try:
        snap = window.session.state.snapshot()
        held = 2 * snap.start.steps_per_epoch
        assert snap.global_step == held
        assert snap.faces_step == held, "the reconstructions are of an older step's weights"
        qtbot.waitUntil(lambda: getattr(window.scene.live_face("dec"), "shown_step", -1) == held,
                        timeout=5_000)
        d = dashboard(window)
        assert d.show_view("reconstructions")
        qtbot.waitUntil(lambda: f"dec, step {held} " in d.recon.frame.note.text(), timeout=5_000)
        # the weights at step 42 reconstruct far better than the first step's
        assert d.recon.error is not None and d.recon.error < 0.08
    finally:
        window.session.shutdown()


def test_pause_and_step_show_the_reconstructions_of_the_held_weights(window, qtbot, rare_samples):
    assert window.open_path(GRAPHS / "autoencoder.json")
    s = window.session
    s.run_action.trigger()
    try:
        qtbot.waitUntil(lambda: s.state.global_step >= 30, timeout=60_000)
        s.pause()
        qtbot.waitUntil(lambda: s.state.faces_step == s.state.global_step, timeout=5_000)
        held = s.state.global_step
        qtbot.wait(300)
        assert s.state.global_step == held and s.state.faces_step == held
        qtbot.waitUntil(lambda: window.scene.live_face("dec").shown_step == held, timeout=5_000)
        s.step()
        qtbot.waitUntil(lambda: s.state.faces_step == held + 1 == s.state.global_step,
                        timeout=5_000)
        assert s.state.rows == held + 1, "a fresh sample is not a step"
    finally:
        s.shutdown()


def test_run_state_keeps_each_nodes_last_pictures():
    """A node that stops reporting keeps its last pictures (an RBM of a stack after its own
    phase), and samples are told apart by a serial: step numbers restart with each phase."""
    from engine.telemetry import StepReport
    from gui.training.run_state import RunState

    state = RunState()
    first = {"input": np.zeros((8, 8, 8)), "recon": np.zeros((8, 8, 8))}
    second = {"input": np.ones((8, 8, 8)), "recon": np.ones((8, 8, 8))}
    state.apply(StepReport(1, 5, 5, 0.1, {}, {}, images={"rbm1": first}))
    state.apply(StepReport(1, 5, 5, 0.1, {}, {}, images={"rbm2": second}, phase="pretrain:rbm2"))
    state.apply(StepReport(1, 6, 6, 0.1, {}, {}))                    # not a sampled step
    serial, step, images, _codes = state.faces()
    assert (serial, step) == (2, 5)
    assert images["rbm1"] is first and images["rbm2"] is second
    snap = state.snapshot()
    assert snap.faces_serial == 2 and set(snap.images) == {"rbm1", "rbm2"}


def test_no_autoencoder_tab_asks_the_dock_for_much_more_height_than_the_layers_tab(window):
    """A tab's smallest height is the dock's: the latent tab at 272 px, against about 165 for
    the others, pushed a 1280x720 window off the screen when the outcome line appeared."""
    d = dashboard(window)
    height = {n: d.tabs.widget(i).minimumSizeHint().height() for i, n in enumerate(AE_VIEWS)}
    assert max(height[n] for n in AE_VIEWS[3:]) <= height["layers"] + 20
