"""The block catalogue: names, ports and params as the design fixes them; initialisers."""
import json
import math
import subprocess
import sys

import pytest
import torch

from engine import blocks
from engine.blocks.init import INITS, initialise, spread
from tests.conftest import ROOT

EXPECTED = {
    "Dataset": {"source", "scaling", "test_split", "n_samples", "noise", "target", "drop", "one_hot",
                "drop_first"},
    "Dense": {"units", "init", "init_scale", "bias", "dropconnect"},
    "Activation": {"fn"},
    "Dropout": {"p"},
    "BatchNorm": set(),
    "Add": set(),
    "Concat": set(),
    "Augment": {"shift", "rotate", "flip", "noise"},
    "Loss": {"kind", "weight"},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_catalogue_has_the_design_params(name):
    block = blocks.REGISTRY[name]
    names = {p.name for p in block.params}
    assert EXPECTED[name] <= names
    for p in block.params:
        assert p.help and p.help[0].isupper(), f"{name}.{p.name} needs one line of help"
        assert p.check(p.default) is None, f"{name}.{p.name}'s default is not allowed by itself"
        if p.type == "choice":
            assert p.default in p.choices


def test_choices_match_the_design():
    assert set(blocks.REGISTRY["Dense"].param("init").choices) == {
        "zeros", "random_normal", "random_uniform", "lecun_uniform", "xavier_uniform",
        "xavier_normal", "he_uniform", "he_normal"}
    assert set(blocks.REGISTRY["Activation"].param("fn").choices) == {
        "linear", "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "softmax"}
    assert set(blocks.REGISTRY["Loss"].param("kind").choices) == {"mse", "mae", "bce", "cross_entropy",
                                                                 "huber"}
    assert blocks.REGISTRY["Loss"].inputs == ("pred", "target")
    assert blocks.REGISTRY["Dataset"].outputs == ("x", "y")
    assert blocks.REGISTRY["Add"].inputs == ("a", "b") == blocks.REGISTRY["Concat"].inputs


@pytest.mark.parametrize("init, fan_in, fan_out, kind, size", [
    ("xavier_uniform", 100, 50, "uniform", math.sqrt(6 / 150)),
    ("xavier_normal", 100, 50, "normal", math.sqrt(2 / 150)),
    ("he_uniform", 100, 50, "uniform", math.sqrt(6 / 100)),
    ("he_normal", 100, 50, "normal", math.sqrt(2 / 100)),
    ("lecun_uniform", 100, 50, "uniform", math.sqrt(3 / 100)),
])
def test_init_formulas(init, fan_in, fan_out, kind, size):
    assert spread(init, fan_in, fan_out) == (kind, pytest.approx(size))
    torch.manual_seed(0)
    w = torch.empty(400, 1000)                  # fan_out 400, fan_in 1000
    initialise(w, init, scale=2.0)
    k, s = spread(init, 1000, 400)
    expected_std = 2 * (s / math.sqrt(3) if k == "uniform" else s)
    assert w.std().item() == pytest.approx(expected_std, rel=0.02)
    if k == "uniform":
        assert w.abs().max().item() <= 2 * s


def test_every_init_is_covered_and_zeros_is_zero():
    assert len(INITS) == 8
    w = torch.ones(3, 4)
    initialise(w, "zeros")
    assert w.abs().sum().item() == 0


def test_param_checks_name_the_problem():
    dense = blocks.REGISTRY["Dense"]
    problems = dict(dense.check_params({"units": 0, "init": "bogus", "colour": 1}))
    assert "below the minimum 1" in problems["units"]
    assert "allowed: zeros" in problems["init"]
    assert "unknown param 'colour'" in problems["colour"]
    assert dense.check_params({"units": True}) == [("units", "param 'units' must be an integer, not true/false")]


def test_blocks_json_prints_the_catalogue():
    out = subprocess.run([sys.executable, "main.py", "blocks", "--json"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    data = json.loads(out)
    by_name = {b["name"]: b for b in data["blocks"]}
    assert set(EXPECTED) <= set(by_name)
    dense = {p["name"]: p for p in by_name["Dense"]["params"]}
    assert dense["units"]["min"] == 1 and dense["init"]["default"] == "xavier_uniform"
    assert {p["name"] for p in data["training"]} >= {"optimizer", "lr", "l1", "l2", "grad_clip",
                                                     "early_stopping", "seed", "device"}
