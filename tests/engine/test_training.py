"""Supervised training: the promises of the lessons and of every hyperparameter."""
import math
import threading

import pytest
import torch

from engine import graph
from engine.telemetry import DoneReport, EpochReport, StartReport, StepReport
from engine.training.penalties import REGISTRY as PENALTIES
from engine.training.penalties import PenaltyInputs
from engine.training.trainer import Run, train_to_end
from tests.conftest import GRAPHS
from tests.engine.helpers import chain_doc, mlp


def done(reports) -> DoneReport:
    return next(r for r in reports if isinstance(r, DoneReport))


def epochs(reports):
    return [r for r in reports if isinstance(r, EpochReport)]


def first_epoch_ratio(path):
    """First-layer over last-hidden-layer weight-gradient norm, averaged over epoch 1."""
    reps = train_to_end(graph.load(path), epochs=1)
    g = epochs(reps)[0].grad_norm
    return g["h1"] / g["h10"]


def test_deep_sigmoid_gradient_vanishes():
    ratio = first_epoch_ratio(GRAPHS / "deep_sigmoid.json")
    assert ratio <= 1e-4, ratio


def test_deep_relu_he_gradient_does_not_vanish():
    ratio = first_epoch_ratio(GRAPHS / "deep_relu_he.json")
    assert ratio >= 0.1, ratio


def test_large_init_diverges_naming_the_first_bad_layer():
    d = done(train_to_end(graph.load(GRAPHS / "exploding.json")))
    assert d.reason == "diverged"
    assert d.node == "h1"
    assert "'h1' (Dense)" in d.message and "gradient clipping" in d.message


def test_clipping_keeps_the_same_network_finite():
    reps = train_to_end(graph.load(GRAPHS / "exploding_clipped.json"), epochs=3)
    d = done(reps)
    assert d.reason == "completed"
    assert all(math.isfinite(e.train["loss"]) for e in epochs(reps))
    assert math.isfinite(d.test["loss"])


def test_same_file_and_seed_give_the_same_numbers():
    doc = chain_doc(mlp(), training={"epochs": 2, "seed": 3, "batch_size": 32})
    a = [e.train["loss"] for e in epochs(train_to_end(doc))]
    b = [e.train["loss"] for e in epochs(train_to_end(doc))]
    c = [e.train["loss"] for e in epochs(train_to_end(doc, seed=4))]
    assert a == b and a != c


@pytest.mark.parametrize("opt", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam",
                                 "adamax", "adamw"])
def test_every_optimizer_lowers_the_loss(opt):
    lr = 1.0 if opt == "adadelta" else (0.05 if opt in ("sgd", "momentum", "nesterov", "adagrad") else 0.005)
    doc = chain_doc(mlp(), training={"optimizer": opt, "lr": lr, "epochs": 3, "seed": 0})
    losses = [e.train["loss"] for e in epochs(train_to_end(doc))]
    assert losses[-1] < losses[0] * 0.8, losses


def test_momentum_beats_plain_sgd_on_the_lesson():
    plain = done(train_to_end(graph.load(GRAPHS / "optimizers.json"), epochs=5)).test["accuracy"]
    mom = done(train_to_end(graph.load(GRAPHS / "optimizers_momentum.json"), epochs=5)).test["accuracy"]
    assert mom > plain + 0.05, (plain, mom)


def test_l1_and_l2_are_their_own_loss_terms_and_shrink_weights():
    base = chain_doc(mlp(), training={"epochs": 3, "seed": 0, "lr": 0.01})
    reg = chain_doc(mlp(), training={"epochs": 3, "seed": 0, "lr": 0.01, "l1": 1e-4, "l2": 1e-2})
    run_a, run_b = Run(base), Run(reg)
    list(run_a.steps())
    last_b = epochs(list(run_b.steps()))[-1]
    assert set(last_b.train["terms"]) == {"loss", "l1", "l2"}
    assert last_b.train["terms"]["l2"] > 0 and last_b.train["terms"]["l1"] > 0
    def w(run):
        return sum(float(p.detach().norm()) for n, p in run.context.model.named_parameters()
                            if n.endswith("weight"))
    assert w(run_b) < w(run_a)


def test_penalty_scaling_is_the_documented_one():
    weights = [torch.tensor([[1.0, -2.0]]), torch.tensor([[3.0]])]
    inputs = PenaltyInputs({"l1": 0.1, "l2": 0.01}, None, {}, weights)
    terms = {name: PENALTIES[name].compute(inputs) for name in ("l1", "l2")}
    assert terms["l1"].item() == pytest.approx(0.1 * 6)          # l1 * sum|w|
    assert terms["l2"].item() == pytest.approx(0.01 / 2 * 14)    # l2/2 * sum w^2


def test_early_stopping_restores_the_best_weights():
    doc = chain_doc(mlp(hidden=64), training={"epochs": 60, "seed": 0, "lr": 0.05, "val_split": 0.3,
                                              "early_stopping": {"monitor": "val_loss", "patience": 2,
                                                                 "restore_best": True}})
    run = Run(doc)
    reps = list(r for r in run.steps() if not isinstance(r, StepReport))
    d = done(reps)
    assert d.reason == "early_stopped" and d.epochs_run < 60
    best_val = min(e.val["loss"] for e in epochs(reps))
    assert d.best_epoch == min(epochs(reps), key=lambda e: e.val["loss"]).epoch
    assert run.evaluate(run.context.data.val)["loss"] == pytest.approx(best_val, rel=1e-5)


@pytest.mark.parametrize("clip", [{"mode": "norm", "max": 0.5}, {"mode": "value", "max": 0.001}])
def test_gradient_clipping_limits_the_step(clip):
    doc = chain_doc(mlp(), training={"epochs": 1, "seed": 0, "optimizer": "sgd", "lr": 1.0,
                                     "grad_clip": clip})
    run = Run(doc)
    it = run.steps()
    next(it)
    before = {n: p.detach().clone() for n, p in run.context.model.named_parameters()}
    next(it)                                  # one step
    moved = [(p.detach() - before[n]) for n, p in run.context.model.named_parameters()]
    if clip["mode"] == "norm":
        total = math.sqrt(sum(float((m ** 2).sum()) for m in moved))
        assert total <= 0.5 + 1e-5
    else:
        assert max(float(m.abs().max()) for m in moved) <= 0.001 + 1e-7


def test_dropout_and_dropconnect_act_only_while_training():
    doc = chain_doc([("h1", "Dense", {"units": 32, "dropconnect": 0.5}), ("a1", "Activation", {"fn": "relu"}),
                     ("drop", "Dropout", {"p": 0.5}), ("out", "Dense", {"units": 10})])
    run = Run(doc, epochs=1)
    next(run.steps())
    x = run.context.x[:8]
    run.context.model.train()
    assert not torch.equal(run.context.model(x)["out.out"], run.context.model(x)["out.out"])
    run.context.model.eval()
    assert torch.equal(run.context.model(x)["out.out"], run.context.model(x)["out.out"])


def test_regression_reports_r2_in_user_units():
    d = done(train_to_end(graph.load(GRAPHS / "regression_diabetes.json")))
    assert d.test["r2"] > 0.3
    assert d.baseline["r2"] < 0.05
    # diabetes targets are 25..346: an MAE in user units is tens, not a fraction of one
    assert 20 < d.test["mae"] < d.baseline["mae"]


def test_mlp_digits_reaches_95_percent_and_beats_the_baseline():
    d = done(train_to_end(graph.load(GRAPHS / "mlp_digits.json")))
    assert d.reason == "completed"
    assert d.test["accuracy"] >= 0.95
    assert d.baseline["accuracy"] < 0.15
    assert len(d.test["confusion"]) == 10 and sum(map(sum, d.test["confusion"])) == 360


def test_pause_single_step_and_stop_between_batches():
    doc = chain_doc(mlp(), training={"epochs": 50, "batch_size": 16})
    run = Run(doc)
    got = []

    def drive():
        for r in run.steps():
            got.append(r)
    run.pause()
    t = threading.Thread(target=drive)
    t.start()
    t.join(0.5)
    assert [type(r) for r in got] == [StartReport], "paused before the first batch"
    run.step_once()
    for _ in range(50):
        if len(got) > 1:
            break
        t.join(0.05)
    steps = [r for r in got if isinstance(r, StepReport)]
    assert len(steps) == 1 and steps[0].global_step == 1
    run.stop()
    t.join(2.0)
    assert not t.is_alive()
    assert done(got).reason == "stopped"


def test_step_reports_carry_layer_statistics():
    doc = chain_doc([("h1", "Dense", {"units": 32}), ("s1", "Activation", {"fn": "sigmoid"}),
                     ("h2", "Dense", {"units": 32}), ("r2", "Activation", {"fn": "relu"}),
                     ("out", "Dense", {"units": 10})], training={"epochs": 1})
    run = Run(doc, sample_every=1)
    step = next(r for r in run.steps() if isinstance(r, StepReport))
    assert set(step.grad_norm) == {"h1", "h2", "out"}
    assert set(step.weight_norm) == set(step.update_ratio) == set(step.grad_mean_abs) == {"h1", "h2", "out"}
    assert 0 < step.update_ratio["h1"] < 1
    assert set(step.saturated) == {"s1"} and set(step.dead) == {"r2"}
    assert 0.0 <= step.dead["r2"] <= 1.0 and 0.0 <= step.saturated["s1"] <= 1.0
    assert 0 < step.act_mean["s1"] < 1


def test_saturated_fraction_sees_a_saturated_sigmoid():
    doc = chain_doc([("h1", "Dense", {"units": 32, "init_scale": 30.0}), ("s1", "Activation", {"fn": "sigmoid"}),
                     ("out", "Dense", {"units": 10})], training={"epochs": 1})
    step = next(r for r in Run(doc, sample_every=1).steps() if isinstance(r, StepReport))
    assert step.saturated["s1"] > 0.5


def test_dead_relu_fraction():
    doc = chain_doc([("h1", "Dense", {"units": 32, "init": "zeros"}), ("r1", "Activation", {"fn": "relu"}),
                     ("out", "Dense", {"units": 10})], training={"epochs": 1})
    step = next(r for r in Run(doc, sample_every=1).steps() if isinstance(r, StepReport))
    assert step.dead["r1"] == 1.0


def test_cuda_request_without_cuda_is_a_clear_error():
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    doc = chain_doc(mlp(), training={"device": "cuda"})
    first = next(Run(doc).steps())
    assert first.event == "error" and "no CUDA device" in first.message


def test_augment_changes_training_images_only():
    doc = chain_doc([("aug", "Augment", {"shift": 1, "rotate": 15.0, "flip": True, "noise": 0.1}),
                     ("h1", "Dense", {"units": 32}), ("out", "Dense", {"units": 10})])
    run = Run(doc, epochs=1)
    next(run.steps())
    x = run.context.x[:16]
    aug = run.context.model.nodes["aug"]
    aug.train()
    moved = aug(x)
    assert moved.shape == x.shape and not torch.allclose(moved, x)
    aug.eval()
    assert torch.equal(aug(x), x)


def test_augment_without_image_shape_is_refused_for_geometric_moves():
    from engine.compiler import analyse
    doc = chain_doc([("aug", "Augment", {"shift": 2}), ("out", "Dense", {"units": 3})],
                    data={"source": "sklearn:iris"})
    assert any(p.node == "aug" and "need image input" in p.message for p in analyse(doc).errors)


def test_batchnorm_network_learns():
    doc = chain_doc([("h1", "Dense", {"units": 32}), ("bn", "BatchNorm", {}), ("a1", "Activation", {"fn": "relu"}),
                     ("out", "Dense", {"units": 10})], training={"epochs": 3, "seed": 0, "lr": 0.01})
    d = done(train_to_end(doc))
    assert d.test["accuracy"] > 0.9


CPP_FRAMES = ("\nException raised from alloc_cpu at /pytorch/c10/core/impl/alloc_cpu.cpp:117 (most "
              "recent call first):\nframe #0: c10::Error::Error(...) + 0x90\nframe #1: <unknown>")


@pytest.mark.parametrize("error, expected", [
    (RuntimeError("[enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: not enough "
                  "memory: you tried to allocate 4000000000 bytes." + CPP_FRAMES),
     "out of memory on cpu in node 'out': DefaultCPUAllocator: not enough memory: you tried to "
     "allocate 4000000000 bytes.; use smaller layers or a smaller batch_size"),
    (RuntimeError("a kernel failed inside torch" + CPP_FRAMES),
     "training stopped by an error in node 'out': RuntimeError: a kernel failed inside torch"),
])
def test_a_failure_inside_torch_ends_the_run_with_one_line_naming_the_node(monkeypatch, error,
                                                                            expected):
    plain_forward = torch.nn.Linear.forward

    def failing(self, x):
        if self.out_features == 10:           # the 'out' layer of mlp()
            raise error
        return plain_forward(self, x)

    monkeypatch.setattr(torch.nn.Linear, "forward", failing)
    reports = train_to_end(chain_doc(mlp()))
    err = reports[-1]
    assert (err.message, err.node) == (expected, "out")


def test_epoch_figures_without_gradient_sizes_keep_the_loss_and_accuracy():
    """The command line measures no gradient sizes unless it prints them: the epoch's loss and
    training accuracy are the same, and no sizes are reported."""
    doc = graph.load(GRAPHS / "mlp_digits.json")
    epochs = {}
    for sizes in (True, False):
        run = Run(doc, epochs=2, telemetry="epoch", device="cpu")
        run.gradient_sizes = sizes
        epochs[sizes] = [r for r in run.steps() if isinstance(r, EpochReport)]
    assert [e.train for e in epochs[True]] == [e.train for e in epochs[False]]
    assert "accuracy" in epochs[False][-1].train
    assert epochs[True][-1].grad_norm and not epochs[False][-1].grad_norm
