"""GANs on screen: the half-step buttons (discriminator alone, generator alone), the GAN tab
(heat map, samples and arrows for 2-D data, pictures for image data, the per-epoch game), the
Generator's card on the canvas, and the tab's requests answered by the training thread while
the run trains. The engine is the real one, on the lessons; each test takes a few steps."""
from __future__ import annotations

import threading

import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt

from engine.graph import load
from engine.telemetry import DoneReport, EpochReport, StartReport, StepReport
from engine.training import gans
from engine.training.trainer import Run
from gui.dashboard.figures_text import figures_text
from gui.dashboard.gan_field import ARROW_EVERY, ARROW_SHARE, GRID_STEPS, PICTURES, SAMPLES
from gui.dashboard.gan_figures import arrows, gan_node, outcome
from gui.dashboard.rbm_figures import autoencoder_images
from gui.dashboard.widget import summary_text
from gui.training.run_state import RunState
from tests.conftest import GRAPHS

RING, DIGITS = GRAPHS / "gan_ring.json", GRAPHS / "gan_digits.json"


def dashboard(window):
    return window.dashboard.dashboard


def params(run) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Copies of the run's generator and discriminator parameters, as they are now."""
    s = gans.structure(run.context.model)
    return ([p.detach().clone() for p in s.g_params], [p.detach().clone() for p in s.d_params])


def same(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


def stepped(window, qtbot, rows: int) -> None:
    """Wait until the run has reported `rows` steps in all."""
    qtbot.waitUntil(lambda: window.session.state.rows >= rows, timeout=20_000)
    assert window.session.state.rows == rows


def stop(window, qtbot) -> None:
    window.session.stop()
    qtbot.waitUntil(lambda: window.session.status == "idle", timeout=20_000)


# ---- headless --------------------------------------------------------------------------------
def test_arrows_point_along_minus_the_gradient():
    pts = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]])
    grads = np.array([[-4.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    segs = arrows(pts, grads, length=0.5).reshape(3, 6, 2)
    # shaft: from the point to its tip, along -gradient, the largest push `length` long
    assert np.allclose(segs[0, 0], [0, 0]) and np.allclose(segs[0, 1], [0.5, 0])
    # a push four times smaller is half as long (square root), pointing down
    assert np.allclose(segs[1, 1], [1.0, 0.75])
    assert np.allclose(segs[2, :], [2.0, 0.0])       # no push: no arrow to see
    # both barbs start at the tip and point back towards the point
    assert np.allclose(segs[0, 2], segs[0, 1]) and np.allclose(segs[0, 4], segs[0, 1])
    assert segs[0, 3, 0] < 0.5 and segs[0, 5, 0] < 0.5


def test_a_frozen_network_keeps_its_last_gradient_norm():
    """A GAN's update trains one network and reports the other's gradient as zero: the canvas
    and the strips show the frozen one's last update, not a vanishing gradient."""
    state = RunState()
    state.apply(StartReport(["train"], "cpu", 10, ["gen", "disc"], [], {}, 1, 2, "generation", []))
    state.apply(StepReport(1, 1, 1, 1.3, {"d_loss": 1.3}, {"gen": 0.0, "disc": 0.8}))
    state.apply(StepReport(1, 1, 2, 0.7, {"g_loss": 0.7}, {"gen": 0.1, "disc": 0.0}))
    state.apply(StepReport(1, 2, 3, 1.2, {"d_loss": 1.2}, {"gen": 0.0, "disc": 0.6}))
    snap = state.snapshot()
    assert snap.grad_latest == {"gen": 0.1, "disc": 0.6}
    norms, _dead = state.overlay_figures()
    assert 0.09 < norms["gen"] < 0.11 and 0.5 < norms["disc"] < 0.9
    # the first step, before the generator had trained once, is left out of the strips
    assert np.all(np.asarray(snap.grad_cols)[np.isfinite(snap.grad_cols)] > -2)


def test_gan_samples_are_not_reconstructions_and_the_outcome_is_in_words():
    images = {"gen": {"points": np.zeros((4, 2), np.float32)}}
    assert gan_node(images) == "gen" and autoencoder_images(images) == {}
    test = {"modes_covered": 7, "modes_total": 8, "high_quality_fraction": 0.83,
            "d_real": 0.61, "d_fake": 0.42}
    assert outcome(test) == ["Modes covered 7 of 8", "83% of samples near a mode",
                             "mean D(x) 0.61, mean D(G(z)) 0.42"]
    state = RunState()
    state.apply(StartReport(["train"], "cpu", 10, ["gen", "disc"], [], {}, 1, 2, "generation", []))
    state.apply(DoneReport("completed", epochs_run=3, test=test))
    text, bad = summary_text(state.snapshot())
    assert not bad and text.startswith("Modes covered 7 of 8") and "after 3 epochs" in text
    assert "modes_covered 7" in figures_text(state.snapshot())


# ---- the window, the real engine -----------------------------------------------------------------
def test_step_d_updates_the_discriminator_only_and_step_g_the_generator(window, qtbot):
    assert window.open_path(RING)
    controls = window.dashboard.controls
    assert controls.buttons["step_d"].isVisible() and controls.buttons["step_g"].isVisible()
    fresh = Run(load(RING))
    fresh.prepare()
    g0, d0 = params(fresh)
    qtbot.mouseClick(controls.buttons["step_d"], Qt.LeftButton)
    stepped(window, qtbot, 1)
    assert window.session.status == "paused"
    run = window.session.run
    g1, d1 = params(run)
    assert same(g1, g0) and not same(d1, d0)          # one discriminator update, G untouched
    window.session.step_g_action.trigger()
    stepped(window, qtbot, 2)
    g2, d2 = params(run)
    assert same(d2, d1) and not same(g2, g1)          # one generator update, D untouched
    # a plain Step makes both updates: two more steps reported
    window.session.step_action.trigger()
    stepped(window, qtbot, 4)
    g3, d3 = params(run)
    assert not same(g3, g2) and not same(d3, d2)
    stop(window, qtbot)


def test_half_steps_and_gan_tab_only_for_gan_graphs(window, qtbot):
    assert window.open_path(GRAPHS / "mlp_digits.json")
    controls = window.dashboard.controls
    assert not controls.buttons["step_d"].isVisible()
    window.session.step_action.trigger()
    stepped(window, qtbot, 1)
    d = dashboard(window)
    qtbot.waitUntil(lambda: d.snap is not None and d.snap.start is not None, timeout=10_000)
    assert "gan" not in d.available_views() and not d.show_view("gan")
    stop(window, qtbot)
    assert window.open_path(RING, ask=False)
    assert controls.buttons["step_d"].isVisible()
    window.session.step_d_action.trigger()
    stepped(window, qtbot, 1)
    qtbot.waitUntil(lambda: "gan" in d.available_views(), timeout=10_000)
    # a GAN classifies nothing and has no Loss to score
    assert "classes" not in d.available_views()
    stop(window, qtbot)


def test_the_field_shows_the_engines_scores_samples_and_gradients(window, qtbot):
    assert window.open_path(RING)
    s = window.session
    s.step_action.trigger()
    stepped(window, qtbot, 2)
    d = dashboard(window)
    assert d.show_view("gan")
    field = d.gan_field
    qtbot.waitUntil(lambda: field.shown is not None and field.extent is not None, timeout=10_000)
    qtbot.waitUntil(lambda: not field.sampler.waiting, timeout=10_000)
    run, shown = s.run, field.shown
    x0, x1, y0, y1 = field.extent
    grid = run.gan_score_grid((x0, x1), (y0, y1), GRID_STEPS)
    assert np.allclose(field.heat.image, grid, atol=1e-6)
    samples, grads = run.gan_gradients(SAMPLES, 0)
    assert np.allclose(run.gan_samples(SAMPLES, 0), samples)
    xs, ys = field.fake.getData()
    assert np.allclose(np.stack([xs, ys], 1), samples, atol=1e-6)
    data = field.data_extent
    want = arrows(samples[::ARROW_EVERY], grads[::ARROW_EVERY], ARROW_SHARE * (data[1] - data[0]))
    ax, ay = field.arrows.getData()
    assert np.allclose(np.stack([ax, ay], 1), want, atol=1e-5)
    # the map covers the data (a ring of radius 2) and the real points are drawn on it
    assert x0 < -2 < 2 < x1 and y0 < -2 < 2 < y1 and len(field.real.getData()[0]) > 100
    # a discriminator step: the map is asked again, for the new weights
    s.step_d_action.trigger()
    stepped(window, qtbot, 3)
    qtbot.waitUntil(lambda: field.shown is not shown and not field.sampler.waiting,
                    timeout=10_000)
    x0, x1, y0, y1 = field.extent
    assert np.allclose(field.heat.image, run.gan_score_grid((x0, x1), (y0, y1), GRID_STEPS),
                       atol=1e-6)
    stop(window, qtbot)


def test_the_generator_card_shows_the_latest_sampled_step(window, qtbot):
    assert window.open_path(RING)
    s = window.session
    s.step_action.trigger()
    stepped(window, qtbot, 2)
    # the first step of a run is always sampled: it carries the generator's points
    images = s.state.snapshot().images
    assert gan_node(images) == "gen" and images["gen"]["points"].shape == (256, 2)
    qtbot.waitUntil(lambda: window.scene.live_face("gen") is not None, timeout=5_000)
    card = window.scene.live_face("gen")
    qtbot.waitUntil(lambda: card.shown is s.state.images["gen"], timeout=5_000)
    assert card.kind == "samples" and not card.image.isNull()
    assert window.scene.live_face("disc") is None
    stop(window, qtbot)


def test_digits_pictures_on_the_tab_and_the_card(window, qtbot):
    assert window.open_path(DIGITS)
    s = window.session
    s.step_g_action.trigger()
    stepped(window, qtbot, 1)
    d = dashboard(window)
    assert d.show_view("gan")
    field = d.gan_field
    qtbot.waitUntil(lambda: field.shown is not None and not field.sampler.waiting,
                    timeout=10_000)
    assert field.kind == "samples"
    qtbot.waitUntil(field.pictures.frame.isVisible, timeout=5_000)
    assert field.frame.isHidden()
    pictures = s.run.gan_pictures(PICTURES, 0)
    assert np.allclose(field.shown["pictures"], pictures)
    assert field.pictures.shown.shape == (1 + 8 * 9, 1 + 8 * 9, 3)
    qtbot.waitUntil(lambda: window.scene.live_face("gen") is not None, timeout=5_000)
    card = window.scene.live_face("gen")
    qtbot.waitUntil(lambda: card.shown is s.state.images["gen"], timeout=5_000)
    assert s.state.images["gen"]["samples"].shape[1:] == (8, 8)
    assert card.kind == "samples" and card.image.width() == 1 + 6 * 9
    stop(window, qtbot)


def test_field_requests_are_served_by_the_training_thread(window, qtbot, monkeypatch):
    """While the run trains, the heat map, samples and gradients are computed by the training
    thread between two steps (each torch call from the GUI thread would wait for the GIL);
    paused, by the GUI thread at once."""
    threads: list[int] = []
    real = Run.gan_score_grid

    def recorded(self, *args, **kwargs):
        threads.append(threading.get_ident())
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Run, "gan_score_grid", recorded)
    assert window.open_path(RING)
    s = window.session
    s.set_delay(0.005)
    s.run_action.trigger()
    d = dashboard(window)
    qtbot.waitUntil(lambda: d.show_view("gan"), timeout=10_000)
    field = d.gan_field
    qtbot.waitUntil(lambda: len(threads) >= 3, timeout=20_000)
    assert s.status == "running"
    gui = threading.get_ident()
    assert gui not in threads
    s.pause()
    qtbot.waitUntil(lambda: not s.decodes_in_background() and not field.sampler.waiting,
                    timeout=10_000)
    count = len(threads)
    s.step_d_action.trigger()
    qtbot.waitUntil(lambda: len(threads) > count, timeout=10_000)
    assert threads[-1] == gui
    stop(window, qtbot)


def test_epoch_figures_reach_the_curves(window, qtbot):
    assert window.open_path(RING)
    s = window.session
    d = dashboard(window)
    s.run_action.trigger()
    qtbot.waitUntil(lambda: len(s.state.epochs) >= 2, timeout=30_000)
    s.pause()
    d.show_view("gan")
    curves = d.gan_curves
    epochs = s.state.snapshot().epochs
    qtbot.waitUntil(lambda: curves.d_fake.getData()[0] is not None
                    and len(curves.d_fake.getData()[0]) == len(epochs), timeout=5_000)
    assert np.allclose(curves.d_real.getData()[1], [e.train["d_real"] for e in epochs])
    assert np.allclose(curves.g_loss.getData()[1], [e.train["g_loss"] for e in epochs])
    assert isinstance(epochs[0], EpochReport)
    stop(window, qtbot)


def test_the_first_samples_card_is_brought_into_a_fitted_view_at_1280x720(qtbot, tmp_path):
    from tests.gui.conftest import shown_window
    window = shown_window(qtbot, tmp_path, (1280, 720))
    assert window.open_path(DIGITS)
    view, scene = window.view, window.scene
    qtbot.waitUntil(lambda: view.whole_graph_in_view(), timeout=5_000)
    window.session.step_g_action.trigger()
    qtbot.waitUntil(lambda: scene.live_face("gen") is not None
                    and scene.live_face("gen").kind == "samples", timeout=10_000)
    card = scene.live_face("gen")
    visible = view.visible_scene_rect()
    assert visible.contains(card.mapRectToScene(card.boundingRect()))
    assert visible.contains(scene.nodes_rect(with_cards=False))
    stop(window, qtbot)


def test_a_view_the_user_zoomed_into_stays_put_when_a_card_appears(window, qtbot):
    assert window.open_path(DIGITS)
    view, scene = window.view, window.scene
    view.set_zoom(2.0)
    view.centerOn(scene.node_item("data"))
    before = view.visible_scene_rect()
    window.session.step_g_action.trigger()
    qtbot.waitUntil(lambda: scene.live_face("gen") is not None
                    and scene.live_face("gen").kind == "samples", timeout=10_000)
    assert view.zoom == 2.0 and view.visible_scene_rect() == before
    stop(window, qtbot)


def test_per_step_curves_and_the_heat_map_end_at_the_epoch_reached(window, qtbot):
    """A GAN batch gives two step reports (a discriminator and a generator update): the per-step
    loss curve and the gradient heat map place them by their batch, so after N epochs both end
    at x = N, where the epoch-mean curve ends, and not at 2N."""
    assert window.open_path(RING)
    epochs = 3
    window.run_for_screenshot(epochs)
    d = dashboard(window)
    assert d.show_view("overview")
    state = window.session.state
    assert len(state.epochs) == epochs
    assert state.rows == 2 * epochs * state.snapshot().phases.steps[0]
    loss, heat = d.loss, d.heat

    def drawn() -> bool:
        x = loss.train_curve.getData()[0]
        return x is not None and len(x) == epochs and heat.image.image is not None

    qtbot.waitUntil(drawn, timeout=10_000)
    assert loss.train_curve.getData()[0][-1] == epochs
    step_x = loss.step_curve.getData()[0]
    assert step_x[-1] == pytest.approx(epochs) and np.all(np.diff(step_x) >= 0)
    assert heat.image.mapRectToParent(heat.image.boundingRect()).right() == pytest.approx(epochs)
    stop(window, qtbot)


def test_a_gan_runs_reports_are_placed_by_their_batch():
    """Two reports a batch (or one, stepped a network at a time) all go where their batch ends,
    whole columns of them once the series are folded: the run axis stays the epoch axis."""
    state = RunState()
    state.apply(StartReport(["train"], "cpu", 10, ["gen", "disc"], [], {}, 10, 32, "generation",
                            []))
    d_norms, g_norms = {"gen": 0.0, "disc": 0.8}, {"gen": 0.1, "disc": 0.0}
    state.apply(StepReport(1, 1, 1, 1.3, {"d_loss": 1.3}, d_norms))      # Step D alone
    state.apply(StepReport(1, 2, 2, 1.3, {"d_loss": 1.3}, d_norms))
    state.apply(StepReport(1, 2, 3, 0.7, {"g_loss": 0.7}, g_norms))
    snap = state.snapshot()
    assert np.allclose(snap.loss_x, [1 / 32, 2 / 32, 2 / 32])
    assert np.allclose(snap.grad_x, [2 / 32])     # the norms start at the generator's first update
    g = 3
    for epoch in range(1, 11):
        for step in range(3 if epoch == 1 else 1, 33):
            for loss, terms, norms in ((1.3, {"d_loss": 1.3}, d_norms),
                                       (0.7, {"g_loss": 0.7}, g_norms)):
                g += 1
                state.apply(StepReport(epoch, step, g, loss, terms, norms))
    snap = state.snapshot()
    rows_x = np.concatenate([[1 / 32], np.repeat(np.arange(2, 321) / 32, 2)])
    assert snap.loss_span > 1 and snap.grad_span > 1         # both were folded
    for x, cols, span, skipped in ((snap.loss_x, snap.loss_cols, snap.loss_span, 0),
                                   (snap.grad_x, snap.grad_cols, snap.grad_span, 2)):
        assert len(x) == len(cols)
        assert np.allclose(x, rows_x[skipped:][span - 1::span][:len(cols)])
        assert 10 - 2 * span / 64 <= x[-1] <= 10
