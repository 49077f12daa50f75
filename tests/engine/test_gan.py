"""GANs: the adversarial plan's freezing, single steps of one network, the settings, the mode
figures, the telemetry and views the GUI reads, and the ring lesson's promise."""
from __future__ import annotations

import json
import threading

import numpy as np
import pytest
import torch

from engine import graph
from engine.compiler import analyse
from engine.graph import Edge, GraphDocument, Node
from engine.telemetry import DoneReport, EpochReport, StepReport
from engine.training import gans
from engine.training.plans import Phase
from engine.training.trainer import Run, train_to_end
from tests.conftest import ROOT
from tests.engine.test_cli import cli


def gan_doc(source="synthetic:ring", units=2, gan=None, training=None, disc=None) -> GraphDocument:
    doc = GraphDocument()
    doc.meta = {"title": "test"}
    doc.add_node(Node("data", "Dataset", {"source": source, "n_samples": 200, "noise": 0.02,
                                          "scaling": "none", "test_split": 0.2}
                      if source.startswith("synthetic") else {"source": source,
                                                              "scaling": "minmax"}))
    doc.add_node(Node("noise", "Noise", {"dim": 4}))
    doc.add_node(Node("gen", "Generator", {"hidden": [16], "units": units}))
    doc.add_node(Node("disc", "Discriminator", {"hidden": [16], **(disc or {})}))
    doc.add_edge(Edge("data", "x", "disc", "real"))
    doc.add_edge(Edge("noise", "z", "gen", "in"))
    doc.add_edge(Edge("gen", "out", "disc", "fake"))
    doc.training = {"epochs": 2, "batch_size": 32, "val_split": 0.0, "seed": 0,
                    "optimizer": "adam", "weight_decay": 0.01,
                    "gan": {"d_lr": 0.01, "g_lr": 0.01, **(gan or {})}, **(training or {})}
    return doc


def _snapshot(params):
    return [p.detach().clone() for p in params]


def _same(a, b) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a, b))


def test_a_gan_graph_needs_no_loss_and_trains_with_the_adversarial_plan():
    a = analyse(gan_doc())
    assert a.ok, a.errors
    run = Run(gan_doc())
    run.prepare()
    assert run._plan.name == "adversarial"
    assert set(run._plan.optimizers()) == {"discriminator", "generator"}


def test_each_update_leaves_the_frozen_network_unchanged_adam_and_weight_decay_included():
    run = Run(gan_doc(gan={"d_steps": 2, "g_steps": 2}))
    ctx = run.prepare()
    plan = run._plan
    s = plan.s
    opts = plan.optimizers()
    x = ctx.x[:32]
    phase = Phase("train", 1)
    for _ in range(3):          # several batches: the optimizers' moments are no longer zero
        for update in plan.updates(phase, x, ctx.y[:32]):
            trained, frozen = ((s.d_params, s.g_params) if update.optimizer == "discriminator"
                               else (s.g_params, s.d_params))
            before_frozen, before_trained = _snapshot(frozen), _snapshot(trained)
            for p in trained:
                p.grad = None
            update.loss.backward()
            # no gradient reaches the frozen network, so its optimizer state cannot leak either
            assert all(p.grad is None for p in frozen)
            opts[update.optimizer].step()
            assert _same(before_frozen, frozen), f"{update.optimizer} update moved the other net"
            assert not _same(before_trained, trained)
    assert all(p.requires_grad for p in s.d_params + s.g_params)


def test_d_and_g_params_are_split_by_the_graph():
    run = Run(gan_doc())
    ctx = run.prepare()
    s = run._plan.s
    assert {id(p) for p in s.g_params} == {id(p) for p in ctx.model.nodes["gen"].parameters()}
    assert {id(p) for p in s.d_params} == {id(p) for p in ctx.model.nodes["disc"].parameters()}


def _paused_run(doc):
    run = Run(doc, telemetry="full")
    run.pause()
    reports = []
    worker = threading.Thread(target=lambda: reports.extend(run.steps()), daemon=True)
    return run, reports, worker


def _wait_steps(reports, n, timeout=20.0):
    import time
    end = time.time() + timeout
    while sum(isinstance(r, StepReport) for r in reports) < n and time.time() < end:
        time.sleep(0.01)


def test_step_discriminator_only_leaves_the_generator_unchanged_and_vice_versa():
    run, reports, worker = _paused_run(gan_doc())
    ctx = run.prepare()
    s = gans.structure(ctx.model)
    worker.start()
    g0, d0 = _snapshot(s.g_params), _snapshot(s.d_params)
    run.step_discriminator()
    _wait_steps(reports, 1)
    g1, d1 = _snapshot(s.g_params), _snapshot(s.d_params)
    assert _same(g0, g1) and not _same(d0, d1)
    steps = [r for r in reports if isinstance(r, StepReport)]
    assert len(steps) == 1 and set(steps[0].terms) == {"d_loss"}
    assert steps[0].grad_norm["gen"] == 0.0 and steps[0].grad_norm["disc"] > 0
    run.step_generator()
    _wait_steps(reports, 2)
    g2, d2 = _snapshot(s.g_params), _snapshot(s.d_params)
    assert _same(d1, d2) and not _same(g1, g2)
    run.step_once()              # a whole batch: one D update, then one G update
    _wait_steps(reports, 4)
    steps = [r for r in reports if isinstance(r, StepReport)]
    assert [set(r.terms) for r in steps[2:]] == [{"d_loss"}, {"g_loss"}]
    run.stop()
    worker.join(10)
    assert isinstance(reports[-1], DoneReport) and reports[-1].reason == "stopped"


def test_mode_figures_on_hand_made_points():
    centres = np.array([[np.cos(a), np.sin(a)] for a in np.arange(8) * np.pi / 4]) * 2
    std = 0.02
    rng = np.random.default_rng(0)
    on_three = np.concatenate([centres[k] + rng.normal(0, std, (100, 2)) for k in (0, 3, 5)])
    m = gans.mode_figures(on_three, centres, std)
    assert m["modes_covered"] == 3 and m["modes_total"] == 8
    assert m["high_quality_fraction"] > 0.97       # within 3 standard deviations in 2-D: 98.9%
    # 19 good points do not cover a mode; far points are not good and cover nothing
    few = np.concatenate([on_three, centres[1] + np.zeros((19, 2)), np.full((50, 2), 10.0)])
    m = gans.mode_figures(few, centres, std)
    assert m["modes_covered"] == 3
    assert m["high_quality_fraction"] == pytest.approx((300 + 19) / 369, abs=0.02)
    every = np.repeat(centres, 20, axis=0)
    assert gans.mode_figures(every, centres, std)["modes_covered"] == 8


@pytest.mark.parametrize("gan, message", [
    ({"g_loss": "wasserstein"}, "'gan.g_loss' is 'wasserstein'; allowed: non_saturating, minimax"),
    ({"d_steps": 0}, "'gan.d_steps' is 0, below the minimum 1"),
    ({"label_smoothing": 0.9}, "'gan.label_smoothing' is 0.9, above the maximum 0.5"),
    ({"d_lr": "fast"}, "'gan.d_lr' must be a number"),
    ({"k_steps": 1}, "'gan' has unknown key 'k_steps'"),
])
def test_gan_settings_are_checked_with_one_line_naming_the_key(tmp_path, gan, message):
    doc = gan_doc()
    doc.training["gan"] = gan
    errors = analyse(doc).errors
    assert len(errors) == 1 and message in str(errors[0]) and "\n" not in str(errors[0])
    path = tmp_path / "bad.json"
    doc.save(path)
    proc = cli("train", path)
    assert proc.returncode == 2 and message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_train_json_of_a_tiny_gan_reports_both_losses_scores_and_modes(tmp_path):
    path = tmp_path / "gan.json"
    gan_doc().save(path)
    proc = cli("train", path, "--json")
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert events[0]["task"] == "generation" and events[0]["layers"] == ["gen", "disc"]
    epochs = [e for e in events if e["event"] == "epoch"]
    assert len(epochs) == 2
    for e in epochs:
        for key in ("d_loss", "g_loss", "d_real", "d_fake"):
            assert isinstance(e["train"][key], float)
        assert 0 < e["train"]["d_real"] < 1 and 0 < e["train"]["d_fake"] < 1
        assert set(e["train"]["terms"]) == {"d_loss", "g_loss"}
        assert e["grad_norm"]["gen"] > 0 and e["grad_norm"]["disc"] > 0
    done = events[-1]
    assert done["event"] == "done" and done["reason"] == "completed"
    assert done["test"]["modes_total"] == 8
    assert 0 <= done["test"]["modes_covered"] <= 8
    assert 0 <= done["test"]["high_quality_fraction"] <= 1


def test_minimax_and_label_smoothing_change_the_losses():
    logit = torch.tensor([[2.0], [-1.0]])
    assert float(gans.g_loss(logit, "non_saturating")) == pytest.approx(
        float(-torch.log(torch.sigmoid(logit)).mean()), rel=1e-5)
    assert float(gans.g_loss(logit, "minimax")) == pytest.approx(
        float(torch.log(1 - torch.sigmoid(logit)).mean()), rel=1e-5)
    plain = gans.d_loss(logit, -logit)
    smoothed = gans.d_loss(logit, -logit, 0.1)
    p = torch.sigmoid(logit)
    want = -(0.9 * torch.log(p) + 0.1 * torch.log(1 - p)).mean() - torch.log(1 - torch.sigmoid(-logit)).mean()
    assert float(smoothed) == pytest.approx(float(want), rel=1e-5) and float(smoothed) != float(plain)


def test_views_for_the_gui_on_two_dimensional_data():
    run = Run(gan_doc(), telemetry="full", sample_every=1)
    reports = list(run.steps())
    sampled = [r for r in reports if isinstance(r, StepReport) and r.images]
    assert sampled and sampled[0].images["gen"]["points"].shape == (gans.POINTS, 2)
    a, b = run.gan_samples(64, seed=3), run.gan_samples(64, seed=3)
    assert a.shape == (64, 2) and a.dtype == np.float32 and np.array_equal(a, b)
    grid = run.gan_score_grid((-3, 3), (-3, 2), steps=5)
    assert grid.shape == (5, 5) and ((grid >= 0) & (grid <= 1)).all()
    assert grid[4, 0] == pytest.approx(run.gan_scores(np.array([[-3.0, 2.0]]))[0], abs=1e-6)
    samples, grads = run.gan_gradients(32, seed=3)
    assert np.array_equal(samples, run.gan_samples(32, seed=3)) and grads.shape == (32, 2)
    # a small step against the gradient lowers each sample's generator loss
    disc = run.context.model.nodes["disc"]
    with torch.no_grad():
        before = gans.g_loss_terms(disc.logit(torch.as_tensor(samples)), "non_saturating")
        after = gans.g_loss_terms(disc.logit(torch.as_tensor(samples - 1e-3 * grads)),
                                  "non_saturating")
    assert (after <= before + 1e-7).all()
    with pytest.raises(ValueError):
        run.gan_score_grid((0, 1), (0, 1), steps=1)


def test_digit_samples_are_pictures_in_the_image_telemetry():
    run = Run(gan_doc("sklearn:digits", units=64, training={"epochs": 1}), telemetry="full",
              sample_every=10)
    steps = [r for r in run.steps() if isinstance(r, StepReport) and r.images]
    pics = steps[0].images["gen"]["samples"]
    assert pics.shape == (gans.PICTURES, 8, 8) and pics.min() >= 0 and pics.max() <= 1
    assert run.gan_pictures(4).shape == (4, 8, 8)


def test_a_gan_run_is_deterministic():
    def figures():
        return [r.train for r in train_to_end(gan_doc(), telemetry="epoch")
                if isinstance(r, EpochReport)]
    assert figures() == figures()


def test_a_graph_that_is_not_a_gan_has_no_gan_views():
    from tests.engine.helpers import chain_doc, mlp
    run = Run(chain_doc(mlp()))
    with pytest.raises(ValueError, match="no Discriminator"):
        run.gan_samples()


@pytest.mark.slow
def test_the_ring_lesson_covers_at_least_six_modes():
    doc = graph.load(ROOT / "graphs" / "gan_ring.json")
    done = train_to_end(doc, telemetry="off")[-1]
    assert done.reason == "completed"
    assert done.test["modes_covered"] >= 6
