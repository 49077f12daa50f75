"""Autoencoders: the five lessons' promises, the penalties' formulas, and the telemetry the GUI
draws (pictures, codes, code figures, decode)."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from engine import graph
from engine.blocks.autoencoder import CorruptNet, EncoderNet
from engine.compiler import analyse, compile_graph
from engine.errors import GraphError
from engine.telemetry import EpochReport, StepReport, to_json_dict
from engine.training import penalties
from engine.training.trainer import Run, train_to_end
from tests.conftest import GRAPHS
from tests.engine.test_cli import cli

AUTOENCODERS = ("autoencoder", "sparse_autoencoder", "denoising_autoencoder",
                "contractive_autoencoder", "vae")


def lesson(name: str, **encoder) -> graph.GraphDocument:
    doc = graph.load(GRAPHS / f"{name}.json")
    doc.nodes["enc"].params.update(encoder)
    return doc


def last_epoch(reports) -> EpochReport:
    return [r for r in reports if isinstance(r, EpochReport)][-1]


# ---- the figures ---------------------------------------------------------------------
@pytest.mark.slow
def test_sparse_penalty_keeps_the_code_quiet_where_the_plain_code_is_half_on():
    sparse = last_epoch(train_to_end(lesson("sparse_autoencoder"), telemetry="epoch"))
    plain = last_epoch(train_to_end(lesson("sparse_autoencoder", penalty="none"),
                                    telemetry="epoch"))
    print("mean code activation: sparse", sparse.code_mean_activation["enc"],
          "plain", plain.code_mean_activation["enc"])
    assert sparse.code_mean_activation["enc"] <= 0.1
    assert plain.code_mean_activation["enc"] > 0.3
    assert set(sparse.train["terms"]) == {"recon", "sparse_kl"}
    assert set(plain.train["terms"]) == {"recon"}


@pytest.mark.slow
def test_contractive_penalty_lowers_the_jacobian_norm_at_least_fivefold():
    contractive = last_epoch(train_to_end(lesson("contractive_autoencoder"), telemetry="epoch"))
    plain = last_epoch(train_to_end(lesson("contractive_autoencoder", penalty="none"),
                                    telemetry="epoch"))
    print("mean squared Jacobian norm: contractive", contractive.jacobian_norm["enc"],
          "plain", plain.jacobian_norm["enc"])
    assert plain.jacobian_norm["enc"] >= 5 * contractive.jacobian_norm["enc"]
    assert set(contractive.train["terms"]) == {"recon", "contractive"}


@pytest.mark.slow
def test_vae_64_128_z8_reaches_a_test_negative_elbo_of_at_most_27_nats():
    # the lesson's graph with an 8-number code: Encoder 64-128-z8, Decoder 8-128-64, bce on
    # pixels minmax-scaled to [0, 1], Adam 1e-3
    doc = lesson("vae", units=8)
    assert doc.training["optimizer"] == "adam" and doc.training["lr"] == 0.001
    assert doc.nodes["data"].params["scaling"] == "minmax"
    done = train_to_end(doc, epochs=30, telemetry="epoch")[-1]
    print("test neg ELBO", done.test["neg_elbo"], "of which KL", done.test["kl"])
    assert done.reason == "completed"
    assert done.test["neg_elbo"] <= 27.0
    assert 0 < done.test["kl"] < done.test["neg_elbo"]


@pytest.mark.slow
def test_denoising_reconstructions_are_closer_to_the_clean_inputs_than_the_damaged_inputs():
    done = train_to_end(lesson("denoising_autoencoder"), telemetry="epoch")[-1]
    print("test: corrupted vs clean", done.test["corrupted_error"],
          "reconstruction of corrupted vs clean", done.test["denoised_error"])
    assert done.test["denoised_error"] < done.test["corrupted_error"]
    # masking 30% of the pixels: about 30% of each picture's energy is lost
    assert done.test["denoised_error"] < 0.5 * done.test["corrupted_error"]


@pytest.mark.slow
def test_every_autoencoder_lesson_beats_the_mean_picture_and_names_its_terms():
    expected = {"autoencoder": {"recon"}, "sparse_autoencoder": {"recon", "sparse_kl"},
                "denoising_autoencoder": {"recon"},
                "contractive_autoencoder": {"recon", "contractive"}, "vae": {"recon", "kl"}}
    for name in AUTOENCODERS:
        reports = train_to_end(graph.load(GRAPHS / f"{name}.json"), telemetry="epoch")
        done = reports[-1]
        assert done.reason == "completed", (name, done)
        assert set(last_epoch(reports).train["terms"]) == expected[name], name
        assert done.test["recon_error"] < done.baseline["recon_error"], name
        assert ("neg_elbo" in done.test) == (name == "vae")


# ---- the penalties' formulas ----------------------------------------------------------------
def _reference_jacobian_sq_norm(net: EncoderNet, x: torch.Tensor) -> torch.Tensor:
    out = []
    for row in x:
        jac = torch.autograd.functional.jacobian(lambda r: net.encode(r[None])[0], row)
        out.append((jac ** 2).sum())
    return torch.stack(out)


def test_closed_form_contractive_penalty_equals_the_autograd_jacobian():
    torch.manual_seed(0)
    net = EncoderNet(64, [], 32, "sigmoid", False)
    with torch.no_grad():
        net.code.weight.mul_(3.0)        # away from the linear middle of the sigmoid
    x = torch.rand(50, 64)
    assert net.closed_form
    closed = net.jacobian_sq_norm(x)
    by_autograd = net.jacobian_sq_norm_autograd(x)
    reference = _reference_jacobian_sq_norm(net, x)
    rel = ((closed - by_autograd).abs() / by_autograd.abs()).max().item()
    print("closed form vs autograd, largest relative difference", rel)
    assert rel <= 1e-4
    assert torch.allclose(by_autograd, reference, rtol=1e-5)
    # and it trains the same: the penalty's gradient through either form agrees
    g_closed = torch.autograd.grad(net.jacobian_sq_norm(x).mean(), net.code.weight)[0]
    g_auto = torch.autograd.grad(net.jacobian_sq_norm_autograd(x, create_graph=True).mean(),
                                 net.code.weight)[0]
    assert torch.allclose(g_closed, g_auto, rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("activation,variational", [("tanh", False), ("relu", False),
                                                    ("relu", True)])
def test_autograd_jacobian_of_a_deeper_encoder_matches_a_per_example_reference(activation,
                                                                               variational):
    torch.manual_seed(1)
    net = EncoderNet(10, [16, 12], 5, activation, variational)
    x = torch.randn(7, 10)
    assert not net.closed_form
    assert torch.allclose(net.jacobian_sq_norm(x), _reference_jacobian_sq_norm(net, x),
                          rtol=1e-5, atol=1e-7)


def _compiled(name: str, **encoder):
    model = compile_graph(lesson(name, **encoder))
    x = torch.as_tensor(model.bundle.x[:40] / 16.0)
    return model, model(x, None)


def test_sparse_kl_is_beta_times_the_summed_divergence_of_each_units_mean_per_input_value():
    model, v = _compiled("sparse_autoencoder", rho=0.1, beta=2.0)
    got = penalties.sparse_kl(penalties.PenaltyInputs({}, model, v, []))
    rho_hat = v["enc.out"].mean(dim=0).double()
    want = 2.0 * (0.1 * torch.log(0.1 / rho_hat)
                  + 0.9 * torch.log(0.9 / (1 - rho_hat))).sum() / 64
    assert got.item() == pytest.approx(want.item(), rel=1e-5)


def test_sparse_kl_stays_finite_for_silent_and_saturated_units():
    model, v = _compiled("sparse_autoencoder")
    code = v["enc.out"].detach().clone()
    code[:, 0], code[:, 1] = 0.0, 1.0
    got = penalties.sparse_kl(penalties.PenaltyInputs({}, model, {**v, "enc.out": code}, []))
    assert torch.isfinite(got)


def test_vae_kl_term_is_the_gaussian_kl_per_example_over_the_input_width():
    model, v = _compiled("vae")
    mu, logvar = v["enc.mu"], v["enc.logvar"]
    got = penalties.kl(penalties.PenaltyInputs({}, model, v, []))
    q = torch.distributions.Normal(mu, torch.exp(0.5 * logvar))
    p = torch.distributions.Normal(torch.zeros_like(mu), torch.ones_like(mu))
    per_example = torch.distributions.kl_divergence(q, p).sum(dim=1)
    assert got.item() == pytest.approx(per_example.mean().item() / 64, rel=1e-5)


def test_contractive_term_is_lambda_times_the_batch_mean_per_input_value():
    model, v = _compiled("contractive_autoencoder", **{"lambda": 0.5})
    got = penalties.contractive(penalties.PenaltyInputs({}, model, v, []))
    norms = model.nodes["enc"].jacobian_sq_norm_autograd(v["data.x"])
    assert got.item() == pytest.approx(0.5 * norms.mean().item() / 64, rel=1e-4)


# ---- blocks ------------------------------------------------------------------------------------
def test_variational_encoder_draws_while_training_and_gives_the_mean_in_eval_mode():
    torch.manual_seed(0)
    net = EncoderNet(8, [6], 2, "relu", True)
    x = torch.randn(5, 8)
    a, b = net(x), net(x)
    assert not torch.equal(a["out"], b["out"])
    assert torch.equal(a["mu"], b["mu"])
    net.eval()
    assert torch.equal(net(x)["out"], net(x)["mu"])


@pytest.mark.parametrize("kind,level", [("gaussian", 0.5), ("masking", 0.3),
                                        ("salt_pepper", 0.2)])
def test_corrupt_damages_only_while_training(kind, level):
    torch.manual_seed(0)
    net = CorruptNet(kind, level)
    x = torch.rand(200, 64) * 0.8 + 0.1        # no value is 0 or 1 before the damage
    damaged = net(x)
    changed = (damaged != x).float().mean().item()
    if kind == "gaussian":
        assert changed == 1.0
        assert (damaged - x).std().item() == pytest.approx(level, rel=0.05)
    else:
        assert changed == pytest.approx(level, abs=0.02)
    net.eval()
    assert torch.equal(net(x), x)
    g1, g2 = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    assert torch.equal(net.corrupt(x, g1), net.corrupt(x, g2))      # in any mode, repeatable


def test_sparse_penalty_on_a_code_that_is_not_sigmoid_is_a_clear_error():
    doc = lesson("sparse_autoencoder", activation="relu")
    errors = analyse(doc).errors
    assert [p.node for p in errors] == ["enc"]
    assert "sparse" in errors[0].message and "sigmoid" in errors[0].message
    with pytest.raises(GraphError, match="needs activation 'sigmoid'"):
        compile_graph(doc)


def test_a_variational_encoder_takes_no_second_penalty():
    errors = analyse(lesson("vae", penalty="contractive")).errors
    assert [p.node for p in errors] == ["enc"] and "KL" in errors[0].message


def test_the_decoders_sigmoid_is_folded_into_a_bce_loss():
    model = compile_graph(graph.load(GRAPHS / "autoencoder.json"))
    (spec,) = model.losses
    assert (spec.pred_key, spec.fused, spec.out_key) == ("dec.logits", "sigmoid", "dec.out")


def test_every_dense_layer_inside_the_blocks_is_watched():
    model = compile_graph(lesson("vae"))
    assert model.watched_ids == ["enc", "dec"]
    assert len(model.watched["enc"]) == 3 and len(model.watched["dec"]) == 2   # body + heads


def test_supervised_graphs_keep_their_loss_terms_named_by_node():
    from tests.engine.helpers import chain_doc, mlp
    epoch = last_epoch(train_to_end(chain_doc(mlp(), training={"epochs": 1, "seed": 0})))
    assert list(epoch.train["terms"]) == ["loss"]
    assert epoch.code_mean_activation == {} and epoch.jacobian_norm == {}


# ---- telemetry ----------------------------------------------------------------------------------
def _steps(doc, **kwargs) -> list[StepReport]:
    run = Run(doc, sample_every=5, **kwargs)
    return [r for r in run.steps() if isinstance(r, StepReport)]


def test_sampled_steps_carry_pictures_and_codes_of_fixed_examples():
    steps = _steps(graph.load(GRAPHS / "denoising_autoencoder.json"), epochs=6)
    sampled = [s for s in steps if s.images]
    # sampling keeps to 5% of the run's time, so on these tiny steps it is rarer than every 5
    assert len(sampled) >= 2 and all(s.codes for s in sampled)
    assert all(not s.images and not s.codes for s in steps if not s.weight_norm)
    first, last = sampled[0].images["dec"], sampled[-1].images["dec"]
    assert set(first) == {"input", "corrupted", "recon"}
    for pictures in first.values():
        assert pictures.shape == (8, 8, 8) and pictures.dtype == np.float32
        assert pictures.min() >= 0.0 and pictures.max() <= 1.0
    assert np.array_equal(first["input"], last["input"])           # the same examples
    assert np.array_equal(first["corrupted"], last["corrupted"])   # and the same damage
    assert not np.array_equal(first["recon"], last["recon"])       # as the network learns
    masked = (first["corrupted"] == 0) & (first["input"] > 0)
    assert masked.any()
    codes = sampled[-1].codes["enc"]
    assert codes["values"].shape == (144, 64) and codes["unit_mean"].shape == (64,)
    assert np.allclose(codes["unit_mean"], codes["values"].mean(axis=0), atol=1e-6)
    assert codes["labels"].shape == (144,) and codes["labels"].dtype == np.int64
    line = json.dumps(to_json_dict(sampled[-1]))
    assert "images" not in line and "codes" not in line and len(line) < 4000


def test_pictures_undo_the_standard_scaling():
    doc = graph.load(GRAPHS / "autoencoder.json")
    doc.nodes["data"].params["scaling"] = "standard"
    doc.nodes["dec"].params["output_activation"] = "linear"
    doc.nodes["recon"].params["kind"] = "mse"
    step = next(s for s in _steps(doc, epochs=1) if s.images)
    run = Run(graph.load(GRAPHS / "autoencoder.json"))
    ctx = run.prepare()
    raw = ctx.data.bundle.x            # digits' pixels are 0..16
    assert step.images["dec"]["input"].max() == pytest.approx(1.0)
    fixed = ctx.data.raw_x(ctx.data.val.x[:8]) / raw.max()
    assert np.allclose(step.images["dec"]["input"], fixed.reshape(8, 8, 8), atol=1e-5)
    assert "corrupted" not in step.images["dec"]


def test_decode_draws_latent_points_without_touching_the_training_mode():
    run = Run(graph.load(GRAPHS / "vae.json"), epochs=1)
    for _ in run.steps():
        pass
    model = run.context.model
    model.train()
    z = np.array([[0.0, 0.0], [2.0, -2.0], [-2.0, 2.0]], np.float32)
    pictures = run.decode("dec", z)
    assert model.training
    assert pictures.shape == (3, 8, 8) and pictures.dtype == np.float32
    assert 0.0 <= pictures.min() and pictures.max() <= 1.0
    assert not np.allclose(pictures[1], pictures[2])
    assert np.array_equal(run.decode("dec", z), pictures)        # no draw: the same each time
    with pytest.raises(ValueError, match="not a decoder"):
        run.decode("enc", z)
    with pytest.raises(ValueError, match="codes of 2 numbers"):
        run.decode("dec", np.zeros((1, 3), np.float32))


def test_train_json_carries_code_figures_per_epoch_and_autoencoder_figures_at_the_end():
    out = cli("train", GRAPHS / "vae.json", "--epochs", "2", "--json")
    assert out.returncode == 0, out.stderr
    events = [json.loads(line) for line in out.stdout.splitlines()]
    epochs = [e for e in events if e["event"] == "epoch"]
    assert len(epochs) == 2
    for e in epochs:
        assert set(e["code_mean_activation"]) == {"enc"} == set(e["jacobian_norm"])
        assert e["jacobian_norm"]["enc"] > 0
        assert set(e["train"]["terms"]) == {"recon", "kl"}
    done = events[-1]
    assert done["event"] == "done"
    assert {"recon_error", "neg_elbo", "kl"} <= set(done["test"])
    assert done["baseline"]["recon_error"] > 0 and done["test"]["recon_error"] > 0

    out = cli("train", GRAPHS / "denoising_autoencoder.json", "--epochs", "1", "--json")
    done = json.loads(out.stdout.splitlines()[-1])
    assert {"recon_error", "corrupted_error", "denoised_error"} <= set(done["test"])
    assert "neg_elbo" not in done["test"]
