"""Pictures of hidden units over the input plane (engine/training/unit_pictures.py)."""
from __future__ import annotations

import itertools

import numpy as np
import torch

from engine import graph
from engine.training import unit_pictures as up
from engine.training.trainer import Run
from tests.conftest import ROOT
from tests.engine.helpers import chain_doc, mlp

MOONS = {"source": "synthetic:moons", "n_samples": 200, "noise": 0.2, "scaling": "standard"}


def _trained_run(doc, steps=20) -> Run:
    run = Run(doc)
    for i, _ in enumerate(run.steps()):
        if i >= steps:
            break
    return run


def test_moons_pictures_equal_each_units_output_after_its_activation():
    run = _trained_run(graph.load(ROOT / "graphs" / "moons_boundary.json"))
    ctx = run.context
    model = ctx.model
    assert up.hidden_layers(model) == {"h1": "a1.out", "h2": "a2.out"}
    # the plane is measured in the units the network is given: the standardised inputs
    extent = up.plane_extent(ctx.data.train.x)
    assert max(abs(e) for e in extent) < 5
    model.train()
    pics = up.unit_pictures(model, extent)
    assert model.training, "the model's mode is put back"
    assert set(pics) == {"h1", "h2"}
    h1, h2 = pics["h1"], pics["h2"]
    assert h1["values"].shape == (16, up.GRID, up.GRID) and h1["units"] == 16
    assert h1["range"] == (-1.0, 1.0)                 # tanh's own range, declared by its block
    nodes = model.nodes
    for r, c in itertools.product((0, 7, up.GRID - 1), (0, 20, up.GRID - 1)):
        point = torch.tensor([[h1["xs"][c], h1["ys"][r]]])
        with torch.no_grad():
            a1 = torch.tanh(nodes["h1"](point))[0]
            a2 = torch.tanh(nodes["h2"](a1[None]))[0]
        np.testing.assert_allclose(h1["values"][:, r, c], a1.numpy(), atol=1e-5)
        np.testing.assert_allclose(h2["values"][:, r, c], a2.numpy(), atol=1e-5)
    # row 0 is the top of the plane, column 0 its left
    assert h1["ys"][0] == np.float32(extent[3]) and h1["xs"][0] == np.float32(extent[0])
    # the units learnt different things
    flat = h1["values"].reshape(16, -1)
    assert min(np.abs(flat[i] - flat[j]).max() for i, j in itertools.combinations(range(16), 2)) > 1e-3


def test_a_layer_without_its_own_activation_block_and_the_cap_on_units():
    layers = [("h1", "Dense", {"units": 40}), ("h2", "Dense", {"units": 3}),
              ("out", "Dense", {"units": 2})]
    run = Run(chain_doc(layers, data=MOONS))
    model = run.prepare().model
    assert up.hidden_layers(model) == {"h1": "h1.out", "h2": "h2.out"}
    pics = up.unit_pictures(model, (-2.0, 2.0, -1.0, 1.0), grid=8, max_units=16)
    assert pics["h1"]["values"].shape == (16, 8, 8) and pics["h1"]["units"] == 40
    assert pics["h2"]["values"].shape == (3, 8, 8)
    lo, hi = pics["h1"]["range"]
    assert lo == -hi and hi == np.abs(pics["h1"]["values"]).max()
    # a linear unit is a plane: check one corner directly
    w, b = model.nodes["h1"].weight.detach(), model.nodes["h1"].bias.detach()
    expect = (w @ torch.tensor([-2.0, 1.0]) + b)[:16].numpy()
    np.testing.assert_allclose(pics["h1"]["values"][:, 0, 0], expect, atol=1e-5)


def test_nothing_for_data_with_more_than_two_features_or_no_hidden_layer():
    digits = Run(chain_doc(mlp(hidden=8)))
    ctx = digits.prepare()
    assert ctx.data.train.x.shape[1] == 64
    assert not up.applies(ctx.model, ctx.data.train.x)
    logistic = Run(chain_doc([("out", "Dense", {"units": 2}),
                              ("sm", "Activation", {"fn": "softmax"})], data=MOONS))
    ctx = logistic.prepare()
    assert up.hidden_layers(ctx.model) == {}
    assert not up.applies(ctx.model, ctx.data.train.x)
    assert up.unit_pictures(ctx.model, (-1.0, 1.0, -1.0, 1.0)) == {}


def test_a_gan_on_the_plane_has_no_unit_pictures():
    # its generator reads noise, not the plane; its discriminator feeds no other layer
    run = Run(graph.load(ROOT / "graphs" / "gan_ring.json"))
    ctx = run.prepare()
    assert up.hidden_layers(ctx.model) == {}
