"""RBMs and deep belief networks: the block's formulas against brute force and scikit-learn, the
contrastive plan's phases and figures, the telemetry the GUI draws, and the issue's figures."""
from __future__ import annotations

import itertools
import json
import threading

import numpy as np
import pytest
import torch

from engine import graph
from engine.blocks.rbm import RBMNet
from engine.compiler import analyse, compile_graph
from engine.graph import Edge, GraphDocument, Node
from engine.telemetry import DoneReport, EpochReport, ErrorReport, StartReport, StepReport
from engine.training.plans.contrastive import RBMSGD
from engine.training.trainer import Run, train_to_end
from tests.conftest import GRAPHS
from tests.engine.test_cli import cli


def rbm_doc(layers, head=True, data=None, training=None) -> GraphDocument:
    """Dataset (digits, minmax) -> layers... [-> Dense 10 -> softmax -> cross-entropy]."""
    doc = GraphDocument()
    doc.meta = {"title": "test"}
    doc.add_node(Node("data", "Dataset", data or {"source": "sklearn:digits", "scaling": "minmax"}))
    prev = ("data", "x")
    if head:
        layers = layers + [("out", "Dense", {"units": 10}), ("sm", "Activation", {"fn": "softmax"})]
    for nid, typ, params in layers:
        doc.add_node(Node(nid, typ, dict(params)))
        doc.add_edge(Edge(prev[0], prev[1], nid, "in"))
        prev = (nid, "out")
    if head:
        doc.add_node(Node("loss", "Loss", {"kind": "cross_entropy"}))
        doc.add_edge(Edge(prev[0], prev[1], "loss", "pred"))
        doc.add_edge(Edge("data", "y", "loss", "target"))
    doc.training = dict(training or {"epochs": 2, "seed": 0, "optimizer": "momentum", "lr": 0.1})
    return doc


def lesson(name: str, **rbm) -> GraphDocument:
    doc = graph.load(GRAPHS / f"{name}.json")
    for node in doc.nodes.values():
        if node.type == "RBM":
            node.params.update(rbm)
    return doc


def small_rbm(visible: int, units: int, gaussian: bool, seed: int = 0) -> RBMNet:
    torch.manual_seed(seed)
    m = RBMNet(visible, units, gaussian).double()
    with torch.no_grad():
        m.weight.normal_(0, 0.7)
        m.h_bias.normal_(0, 0.5)
        m.v_bias.normal_(0, 0.5)
    return m


# ---- the formulas --------------------------------------------------------------------------------
@pytest.mark.parametrize("gaussian", [False, True], ids=["bernoulli", "gaussian"])
def test_free_energy_is_exact_against_enumerating_every_hidden_state(gaussian):
    m = small_rbm(3, 4, gaussian)
    v = torch.rand(5, 3, dtype=torch.float64) * (3 if gaussian else 1)
    w, c, b = m.weight.detach(), m.h_bias.detach(), m.v_bias.detach()
    hs = torch.tensor(list(itertools.product([0.0, 1.0], repeat=4)), dtype=torch.float64)  # 16 x 4
    visible = 0.5 * ((v - b) ** 2).sum(1) if gaussian else -(v @ b)         # (5,)
    energy = visible[:, None] - hs @ c - (v @ w.t()) @ hs.t()               # E(v, h): 5 x 16
    brute = -torch.logsumexp(-energy, dim=1)
    assert torch.allclose(m.free_energy(v).detach(), brute, atol=1e-12)


def test_pseudo_likelihood_is_scikit_learns_for_the_same_weights_and_flips():
    from sklearn.neural_network import BernoulliRBM

    m = small_rbm(20, 7, False, seed=1)
    x = np.random.default_rng(0).random((50, 20))
    sk = BernoulliRBM(n_components=7, random_state=3)
    sk.components_ = m.weight.detach().numpy().copy()
    sk.intercept_hidden_ = m.h_bias.detach().numpy().copy()
    sk.intercept_visible_ = m.v_bias.detach().numpy().copy()
    sk.n_features_in_ = 20
    expected = sk.score_samples(x)
    # score_samples flips, in each row, the unit its RandomState(random_state) picks
    flips = np.random.RandomState(3).randint(0, 20, 50)
    ours = m.pseudo_likelihood(torch.as_tensor(x), flip=torch.as_tensor(flips)).detach().numpy()
    np.testing.assert_allclose(ours, expected, rtol=1e-10)


def _reference_chain(m: RBMNet, v, k, chain, generator):
    """The samples cd_statistics draws, drawn the plain way with the same generator in the same
    order (uniform < p is Bernoulli(p))."""
    def bern(p):
        return (torch.empty_like(p).uniform_(generator=generator) < p).to(p.dtype)

    with torch.no_grad():
        h = chain if chain is not None else bern(m.hidden_probs(v))
        for step in range(k):
            mean = m.visible_mean(h)
            if m.gaussian:
                v_neg = mean + torch.randn(mean.shape, generator=generator, dtype=mean.dtype)
            else:
                v_neg = bern(mean)
            if step < k - 1:
                h = bern(m.hidden_probs(v_neg))
        last = bern(m.hidden_probs(v_neg)) if chain is not None else None
    return v_neg, last


@pytest.mark.parametrize("k, persistent, gaussian", [(1, False, False), (3, False, False),
                                                     (1, True, False), (2, True, True)],
                         ids=["cd1", "cd3", "pcd1", "pcd2-gaussian"])
def test_the_cd_surrogate_is_the_free_energy_gap_and_its_gradient(k, persistent, gaussian):
    m = small_rbm(6, 5, gaussian)
    v = torch.rand(4, 6, dtype=torch.float64)
    chain = (torch.rand(7, 5, dtype=torch.float64) < 0.5).double() if persistent else None
    loss, h = m.cd_loss(v, k, chain, torch.Generator().manual_seed(11))
    for p in m.parameters():
        p.grad = None
    loss.backward()
    ours = [p.grad.clone() for p in (m.weight, m.h_bias, m.v_bias)]

    v_neg, last = _reference_chain(m, v, k, chain, torch.Generator().manual_seed(11))
    for p in m.parameters():
        p.grad = None
    gap = m.free_energy(v).mean() - m.free_energy(v_neg).mean()
    gap.backward()
    assert float(loss.detach()) == pytest.approx(float(gap.detach()), abs=1e-10)
    for mine, autograd in zip(ours, (m.weight.grad, m.h_bias.grad, m.v_bias.grad)):
        assert torch.allclose(mine, autograd, atol=1e-12)
    if persistent:
        assert torch.equal(h, last)
    # descending the gap moves W towards the data's statistics and away from the model's
    h_pos, h_neg = m.hidden_probs(v).detach(), m.hidden_probs(v_neg).detach()
    cd_update = h_pos.t() @ v / len(v) - h_neg.t() @ v_neg / len(v_neg)
    assert torch.allclose(-ours[0], cd_update, atol=1e-12)


def _reference_host_chain(m: RBMNet, v, k, chain, rng):
    """The samples HostCD.step draws, drawn the plain way from a numpy generator in the same
    order and shapes."""
    def bern(p):
        return (rng.random(p.shape, dtype=np.float64) < p).astype(np.float64)

    W, c, b = (t.detach().numpy() for t in (m.weight, m.h_bias, m.v_bias))
    sig = lambda x: 1.0 / (1.0 + np.exp(-x))         # noqa: E731
    h = chain if chain is not None else bern(sig(v @ W.T + c))
    for step in range(k):
        mean = h @ W + b
        if m.gaussian:
            v_neg = mean + rng.standard_normal(mean.shape, dtype=np.float64)
        else:
            v_neg = bern(sig(mean))
        if step < k - 1:
            h = bern(sig(v_neg @ W.T + c))
    last = bern(sig(v_neg @ W.T + c)) if chain is not None else None
    return v_neg, last


@pytest.mark.parametrize("k, persistent, gaussian", [(1, False, False), (3, False, False),
                                                     (1, True, False), (2, True, True)],
                         ids=["cd1", "cd3", "pcd1", "pcd2-gaussian"])
def test_the_numpy_cd_step_leaves_the_free_energy_gaps_gradient(k, persistent, gaussian):
    """The CPU's CD step (numpy, on the parameters' memory) against autograd through the free
    energies of the same samples."""
    from engine.blocks.rbm_host import HostCD

    m = small_rbm(6, 5, gaussian)
    v = np.random.default_rng(1).random((4, 6))
    chain = (np.random.default_rng(2).random((7, 5)) < 0.5).astype(np.float64) if persistent else None
    host = HostCD(m, np.random.default_rng(11))
    for _ in range(2):          # twice: buffers made on the first call are reused on the second
        gap, nxt = host.step(v, k, None if chain is None else chain.copy())
    ours = [p.grad.clone() for p in (m.weight, m.h_bias, m.v_bias)]

    rng = np.random.default_rng(11)
    _reference_host_chain(m, v, k, chain, rng)           # the first call's draws
    v_neg, last = _reference_host_chain(m, v, k, chain, rng)
    for p in m.parameters():
        p.grad = None
    vt = torch.as_tensor(v)
    ref = m.free_energy(vt).mean() - m.free_energy(torch.as_tensor(v_neg)).mean()
    ref.backward()
    assert gap == pytest.approx(float(ref.detach()), abs=1e-9)
    for mine, autograd in zip(ours, (m.weight.grad, m.h_bias.grad, m.v_bias.grad)):
        assert torch.allclose(mine, autograd, atol=1e-12)
    if persistent:
        np.testing.assert_array_equal(nxt, last)
    else:
        assert nxt is None


def test_a_cpu_run_trains_its_rbm_in_numpy_and_learns(monkeypatch):
    """On the CPU every CD step is the numpy one, and pretraining still does what it is for:
    the test rows' reconstruction error ends far below the baseline's (each pixel's mean)."""
    from engine.blocks import rbm_host

    calls = []
    step = rbm_host.HostCD.step
    monkeypatch.setattr(rbm_host.HostCD, "step", lambda self, *a: calls.append(1) or step(self, *a))
    doc = rbm_doc([("rbm", "RBM", {"units": 50, "epochs": 20, "lr": 0.05})], head=False)
    reports = list(Run(doc, telemetry="epoch", device="cpu").steps())
    start, done = reports[0], reports[-1]
    assert done.reason == "completed"
    assert len(calls) == sum(e * s for e, s in zip(start.phase_epochs, start.phase_steps))
    # (0.030 against 0.075 when written; the torch step on the same graph gives the same)
    assert done.test["recon_error"] < 0.5 * done.baseline["recon_error"]


def test_weights_start_small_and_visible_biases_at_the_datas_log_odds():
    torch.manual_seed(0)
    m = RBMNet(64, 100, False)
    assert float(m.weight.detach().std()) == pytest.approx(0.01, rel=0.05)
    # pretraining with lr 0 leaves the biases where the plan started them
    doc = rbm_doc([("rbm", "RBM", {"units": 100, "epochs": 1, "lr": 0.0})], head=False)
    run = Run(doc, telemetry="off")
    reports = list(run.steps())
    assert reports[-1].reason == "completed"
    p = np.clip(run.context.data.train.x.mean(axis=0), 1e-3, 1 - 1e-3)
    b = run.context.model.nodes["rbm"].v_bias.detach().numpy()
    np.testing.assert_allclose(b, np.log(p / (1 - p)), rtol=1e-4, atol=1e-5)


def test_the_rbm_sgd_steps_as_torch_sgd_does():
    torch.manual_seed(0)
    for (wd, momentum), host in itertools.product(((0.0, 0.0), (1e-3, 0.5), (1e-2, 0.9)),
                                                  (True, False)):
        a = [torch.randn(5, 3, requires_grad=True), torch.randn(5, requires_grad=True)]
        b = [t.detach().clone().requires_grad_() for t in a]
        ours = RBMSGD([{"params": [a[0]], "weight_decay": wd}, {"params": [a[1]], "weight_decay": 0.0}],
                      lr=0.1, momentum=momentum)
        ours._host = host         # numpy on the CPU; the torch path is what other devices take
        theirs = torch.optim.SGD([{"params": [b[0]], "weight_decay": wd},
                                  {"params": [b[1]], "weight_decay": 0.0}], lr=0.1, momentum=momentum)
        for _ in range(4):
            grads = [torch.randn_like(t) for t in a]
            for t, g in zip(a + b, grads + grads):
                t.grad = g.clone()
            ours.step()
            theirs.step()
        for x, y in zip(a, b):
            assert torch.allclose(x, y, atol=1e-7)


# ---- graphs and the plan -------------------------------------------------------------------------
def test_a_graph_of_rbms_needs_no_loss_and_no_reader():
    a = analyse(lesson("rbm_digits"))
    assert a.ok, a.errors
    assert not [p for p in a.problems if "feeds nothing" in p.message]


def test_bernoulli_visible_units_refuse_inputs_outside_0_1():
    doc = rbm_doc([("rbm", "RBM", {})], head=False,
                  data={"source": "sklearn:digits", "scaling": "standard"})
    [problem] = analyse(doc).errors
    assert (problem.node, problem.port) == ("rbm", "in")
    assert "between 0 and 1" in problem.message
    doc.nodes["rbm"].params["visible"] = "gaussian"
    assert analyse(doc).ok


def test_an_rbm_above_other_layers_pretrains_on_what_reaches_it_and_draws_nothing():
    doc = rbm_doc([("h", "Dense", {"units": 20}), ("a", "Activation", {"fn": "sigmoid"}),
                   ("rbm", "RBM", {"units": 16, "epochs": 2})], training={"epochs": 1, "seed": 0})
    run = Run(doc, telemetry="full")
    reports = list(run.steps())
    epochs = [r for r in reports if isinstance(r, EpochReport)]
    assert [e.phase for e in epochs] == ["pretrain:rbm", "pretrain:rbm", "train"]
    assert epochs[1].train["recon_error"] < epochs[0].train["recon_error"]
    assert not any(r.images for r in reports if isinstance(r, StepReport))   # not in pixels
    with pytest.raises(ValueError, match="through RBMs only"):
        run.gibbs("rbm")


def test_a_bce_loss_after_an_rbm_reads_the_rbms_logits():
    doc = rbm_doc([("rbm", "RBM", {"units": 1})], head=False,
                  data={"source": "sklearn:breast_cancer", "scaling": "minmax"})
    doc.add_node(Node("loss", "Loss", {"kind": "bce"}))
    doc.add_edge(Edge("rbm", "out", "loss", "pred"))
    doc.add_edge(Edge("data", "y", "loss", "target"))
    spec = compile_graph(doc).losses[0]
    assert (spec.pred_key, spec.fused) == ("rbm.logits", "sigmoid")


def test_nothing_to_train_when_no_rbm_pretrains_and_no_loss_follows():
    doc = rbm_doc([("rbm", "RBM", {"epochs": 0})], head=False)
    [report] = list(Run(doc).steps())
    assert isinstance(report, ErrorReport) and "every RBM has epochs 0" in report.message
    doc.nodes["rbm"].params["epochs"] = 1
    run = Run(doc, telemetry="off")
    list(run.steps())
    with pytest.raises(ValueError, match="no Loss"):
        run.predict(np.zeros((1, 64), np.float32))


def test_cd_lowers_the_reconstruction_error_and_raises_the_pseudo_likelihood():
    reports = train_to_end(lesson("rbm_digits", epochs=5), telemetry="epoch")
    start, epochs, done = reports[0], [r for r in reports if isinstance(r, EpochReport)], reports[-1]
    first, last = epochs[0].train, epochs[-1].train
    print("recon_error", first["recon_error"], "->", last["recon_error"], "test", done.test,
          "baseline", done.baseline)
    assert start.plan == ["pretrain:rbm"] and start.task == "reconstruction"
    assert [e.phase for e in epochs] == ["pretrain:rbm"] * 5
    assert last["recon_error"] < 0.6 * first["recon_error"]
    assert last["pseudo_likelihood"] > first["pseudo_likelihood"] + 3
    assert done.test["recon_error"] < 0.6 * done.baseline["recon_error"]
    assert set(done.test) == {"recon_error", "pseudo_likelihood", "free_energy"}


def test_persistent_cd_runs_and_learns():
    reports = train_to_end(lesson("rbm_digits", epochs=3, persistent=True, k=2), telemetry="epoch")
    epochs, done = [r for r in reports if isinstance(r, EpochReport)], reports[-1]
    print("PCD-2 recon_error", [e.train["recon_error"] for e in epochs], "test", done.test)
    assert done.reason == "completed"
    assert all(np.isfinite(v) for e in epochs for v in e.train.values() if isinstance(v, float))
    assert epochs[-1].train["recon_error"] < epochs[0].train["recon_error"]
    assert done.test["recon_error"] < done.baseline["recon_error"]


def test_gaussian_visible_units_learn_standardised_data():
    doc = rbm_doc([("rbm", "RBM", {"visible": "gaussian", "lr": 0.005, "epochs": 3})], head=False,
                  data={"source": "sklearn:digits", "scaling": "standard"})
    reports = train_to_end(doc, telemetry="epoch")
    epochs, done = [r for r in reports if isinstance(r, EpochReport)], reports[-1]
    assert "pseudo_likelihood" not in epochs[0].train       # defined for Bernoulli units only
    assert epochs[-1].train["recon_error"] < epochs[0].train["recon_error"]
    assert done.test["recon_error"] < done.baseline["recon_error"]


def test_json_epoch_events_name_the_pretraining_phases_with_their_figures(tmp_path):
    doc = rbm_doc([("r1", "RBM", {"units": 32, "epochs": 2}), ("r2", "RBM", {"units": 16, "epochs": 1})])
    path = tmp_path / "dbn.json"
    doc.save(path)
    r = cli("train", path, "--json")
    assert r.returncode == 0, r.stderr
    events = [json.loads(line) for line in r.stdout.splitlines()]
    start, done = events[0], events[-1]
    assert start["plan"] == ["pretrain:r1", "pretrain:r2", "train"]
    assert start["phase_epochs"] == [2, 1, 2]
    assert start["phase_steps"][:2] == [130, 130]            # batches of the RBMs' own 10 rows
    epochs = [e for e in events if e["event"] == "epoch"]
    assert [(e["phase"], e["epoch"]) for e in epochs] == [
        ("pretrain:r1", 1), ("pretrain:r1", 2), ("pretrain:r2", 1), ("train", 1), ("train", 2)]
    for e in epochs[:3]:
        assert {"pseudo_likelihood", "recon_error", "free_energy"} <= set(e["train"])
        assert {"pseudo_likelihood", "recon_error", "free_energy"} <= set(e["val"])
        assert set(e["train"]["terms"]) == {"cd"}
    assert "accuracy" in epochs[-1]["train"] and "accuracy" in epochs[-1]["val"]
    assert done["event"] == "done" and done["reason"] == "completed"
    assert "accuracy" in done["test"]


# ---- telemetry for the GUI -----------------------------------------------------------------------
def test_sampled_steps_show_the_rbm_being_pretrained_and_the_rbm_layers_are_watched():
    doc = rbm_doc([("r1", "RBM", {"units": 32, "epochs": 1}), ("r2", "RBM", {"units": 16, "epochs": 1})],
                  training={"epochs": 1, "seed": 0})
    run = Run(doc, telemetry="full", sample_every=20)
    reports = list(run.steps())
    start = reports[0]
    assert start.layers == ["r1", "r2", "out"] and start.activations[:2] == ["r1", "r2"]
    steps = [r for r in reports if isinstance(r, StepReport)]
    assert [p for p in dict.fromkeys(s.phase for s in steps)] == ["pretrain:r1", "pretrain:r2", "train"]
    for s in steps:
        if s.phase == "train":
            assert not s.images
            assert all(s.grad_norm[n] > 0 for n in ("r1", "r2", "out"))  # fine-tuned by backprop
            continue
        node = s.phase.split(":")[1]
        # only the RBM in training has a gradient: the one before it no longer shows its last
        assert s.grad_norm[node] > 0 and all(v == 0 for k, v in s.grad_norm.items() if k != node)
        if s.images:
            assert set(s.images) == {node}
            pics = s.images[node]
            assert pics["input"].shape == pics["recon"].shape == (8, 8, 8)
            assert pics["filters"].shape == (16, 8, 8)
            for a in pics.values():
                assert a.dtype == np.float32 and a.min() >= 0 and a.max() <= 1
    sampled = {s.phase for s in steps if s.images}
    assert sampled == {"pretrain:r1", "pretrain:r2"}
    assert all(isinstance(r, (StartReport, StepReport, EpochReport, DoneReport)) for r in reports)


def test_a_histogram_asked_for_a_layer_that_is_not_training_is_of_zeros():
    doc = rbm_doc([("r1", "RBM", {"units": 16, "epochs": 1}), ("r2", "RBM", {"units": 8, "epochs": 1})],
                  training={"epochs": 1, "seed": 0})
    run = Run(doc, telemetry="full", sample_every=10)
    run.histogram_node = "r1"
    reports = list(run.steps())
    assert reports[-1].reason == "completed"
    sampled = [r for r in reports if isinstance(r, StepReport) and r.histograms]
    during_r2 = [r.histograms["r1"]["grad"] for r in sampled if r.phase == "pretrain:r2"]
    assert during_r2 and all(not g.any() for g in during_r2)
    assert any(r.histograms["r1"]["grad"].any() for r in sampled if r.phase != "pretrain:r2")


def test_gibbs_chains_from_noise_are_pictures_and_leave_the_run_alone():
    doc = rbm_doc([("r1", "RBM", {"units": 32, "epochs": 1}), ("r2", "RBM", {"units": 16, "epochs": 1})])
    run = Run(doc, telemetry="off")
    list(run.steps())
    state = torch.get_rng_state()
    frames = run.gibbs("r1", n=4, steps=30, every=10, seed=5)
    assert frames.shape == (4, 4, 8, 8) and frames.dtype == np.float32
    assert frames.min() >= 0 and frames.max() <= 1
    assert np.array_equal(frames, run.gibbs("r1", n=4, steps=30, every=10, seed=5))
    assert not np.array_equal(frames, run.gibbs("r1", n=4, steps=30, every=10, seed=6))
    assert run.gibbs("r2", n=2, steps=5).shape == (6, 2, 8, 8)     # carried down through r1
    assert torch.equal(state, torch.get_rng_state())
    for bad in ({"node_id": "out"}, {"node_id": "r1", "n": 0}, {"node_id": "r1", "every": 0}):
        with pytest.raises(ValueError):
            run.gibbs(**{"n": 2, "steps": 3, **bad})


def test_gibbs_may_be_called_from_another_thread_while_the_run_trains():
    run = Run(lesson("rbm_digits", epochs=2), telemetry="full")
    it = run.steps()
    next(it)
    errors, stop = [], threading.Event()

    def sampler():
        while not stop.is_set():
            try:
                run.gibbs("rbm", n=2, steps=5)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

    t = threading.Thread(target=sampler)
    t.start()
    try:
        reports = list(it)
    finally:
        stop.set()
        t.join()
    assert errors == [] and reports[-1].reason == "completed"


def test_the_same_seed_gives_the_same_figures():
    def figures():
        return [(r.phase, r.train, r.val) for r in
                train_to_end(lesson("dbn_digits", epochs=1), epochs=1, telemetry="epoch")
                if isinstance(r, EpochReport)]
    assert figures() == figures()


# ---- the figures -------------------------------------------------------------------------
def test_our_rbm_trained_like_scikit_learns_reaches_its_pseudo_likelihood():
    """The bench's comparison, shorter: persistent CD-1, plain SGD, lr 0.06, batch 10, 5 epochs."""
    from sklearn.neural_network import BernoulliRBM

    doc = rbm_doc([("rbm", "RBM", {"units": 100, "lr": 0.06, "epochs": 5, "persistent": True,
                                   "momentum": 0.0, "weight_decay": 0.0})], head=False,
                  training={"val_split": 0.0, "seed": 0})
    run = Run(doc, telemetry="off")
    list(run.steps())
    x_train, x_test = run.context.data.train.x, run.context.data.test.x
    sk = BernoulliRBM(n_components=100, learning_rate=0.06, batch_size=10, n_iter=5,
                      random_state=0).fit(x_train)
    module = run.context.model.nodes["rbm"]
    with torch.no_grad():
        ours = np.mean([float(module.pseudo_likelihood(torch.as_tensor(x_test),
                                                       torch.Generator().manual_seed(s)).mean())
                        for s in range(20)])
    theirs = []
    for s in range(20):
        sk.random_state = s
        theirs.append(sk.score_samples(x_test).mean())
    print("test pseudo-likelihood after 5 epochs: ours", ours, "scikit-learn", np.mean(theirs))
    assert abs(ours - np.mean(theirs)) <= 1.0


def _nudged_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's RBM example data: every digit, and four copies moved one pixel up, left,
    right and down (zeros shifted in), scaled to [0, 1]."""
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    images = x.reshape(-1, 8, 8).astype(np.float32)
    moved = [images]
    for axis, step in ((1, -1), (2, -1), (2, 1), (1, 1)):
        m = np.roll(images, step, axis=axis)
        edge = [slice(None)] * 3
        edge[axis] = -1 if step == -1 else 0
        m[tuple(edge)] = 0
        moved.append(m)
    x = np.concatenate(moved).reshape(-1, 64)
    x = (x - x.min()) / (x.max() - x.min())
    return x, np.tile(y, 5)


@pytest.mark.slow
def test_logistic_regression_on_our_rbms_features_reaches_0_93(tmp_path):
    """scikit-learn's example pipeline (nudged digits, 100 hidden units, lr 0.06, 10 epochs of
    persistent CD-1, batch 10; logistic regression with C 6000 on the hidden probabilities), with
    our RBM trained by our engine from a CSV file of the same data (80/20 split, stratified)."""
    from sklearn.linear_model import LogisticRegression

    x, y = _nudged_digits()
    table = np.column_stack([x, y])
    header = ",".join([f"p{i}" for i in range(64)] + ["digit"])
    (tmp_path / "nudged.csv").write_text(
        header + "\n" + "\n".join(",".join(f"{v:g}" for v in row[:64]) + f",{int(row[64])}"
                                  for row in table) + "\n")
    doc = rbm_doc([("rbm", "RBM", {"units": 100, "lr": 0.06, "epochs": 10, "persistent": True,
                                   "momentum": 0.0, "weight_decay": 0.0})], head=False,
                  data={"source": f"csv:{tmp_path / 'nudged.csv'}", "target": "digit",
                        "scaling": "minmax", "test_split": 0.2},
                  training={"val_split": 0.0, "seed": 0})
    run = Run(doc, telemetry="off")
    done = list(run.steps())[-1]
    assert done.reason == "completed"
    data, module = run.context.data, run.context.model.nodes["rbm"]
    with torch.no_grad():
        features = [module.hidden_probs(torch.as_tensor(s.x)).numpy() for s in (data.train, data.test)]
    # the example's tol=1 stops newton-cg before its first step in scikit-learn 1.9 (the
    # features of its own BernoulliRBM then score 0.099 too): the default tolerance instead
    classifier = LogisticRegression(solver="newton-cg", C=6000, max_iter=1000)
    classifier.fit(features[0], data.train.y)
    accuracy = classifier.score(features[1], data.test.y)
    print(f"logistic regression on our RBM's features: test accuracy {accuracy:.4f} "
          f"({len(data.train.y)} training rows, {len(data.test.y)} test rows)")
    assert accuracy >= 0.93


@pytest.mark.slow
def test_five_sigmoid_layers_stay_at_chance_from_random_weights_and_learn_when_pretrained():
    random = train_to_end(graph.load(GRAPHS / "deep_sigmoid_random.json"), telemetry="epoch")
    pretrained = train_to_end(graph.load(GRAPHS / "deep_sigmoid_pretrained.json"), telemetry="epoch")
    a, b = random[-1].test["accuracy"], pretrained[-1].test["accuracy"]
    print(f"test accuracy: random start {a:.4f}, pretrained as a DBN {b:.4f}")
    assert random[0].plan == ["train"]
    assert pretrained[0].plan == [f"pretrain:rbm{i}" for i in range(1, 6)] + ["train"]
    assert a <= 0.15                 # chance is 0.10
    assert b >= 0.95
