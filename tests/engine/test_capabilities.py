"""Blocks declare what they are; nothing outside engine/blocks/ recognises one by its name."""
from __future__ import annotations

import re

import pytest
import torch
from torch import nn

from engine import blocks
from engine.blocks.base import Block, Param, Width
from engine.compiler import analyse
from engine.telemetry import EpochReport, StartReport
from engine.training.trainer import train_to_end
from tests.conftest import ROOT
from tests.engine.helpers import chain_doc


def _comparisons(name: str) -> re.Pattern:
    q = f"[\"']{name}[\"']"
    return re.compile(rf"(==|!=)\s*{q}|{q}\s*(==|!=|in\b)|\bin\s*[(\[{{][^)\]}}]*{q}"
                      rf"|get\(\s*{q}|REGISTRY\[\s*{q}|\.type\b.*{q}")


def test_no_code_outside_the_blocks_package_names_a_block_type():
    sources = [p for p in (ROOT / "engine").rglob("*.py") if "blocks" not in p.parts]
    sources += list((ROOT / "gui").rglob("*.py")) + [ROOT / "main.py"]
    patterns = {name: _comparisons(name) for name in blocks.REGISTRY}
    found = [f"{path.relative_to(ROOT)}:{i}: {line.strip()}"
             for path in sources
             for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             for name, pattern in patterns.items() if pattern.search(line)]
    assert found == []


def test_the_source_check_would_catch_a_comparison():
    pattern = _comparisons("Dense")
    assert pattern.search('if node.type == "Dense":')
    assert pattern.search("dense = [n for n in nodes if n.type in ('Dense', 'X')]")
    assert pattern.search('block = blocks.get("Dense")')
    assert not pattern.search('self.frame = PlotFrame("Dense")')


class Scale(nn.Module):
    def __init__(self, width: int, init: float):
        super().__init__()
        self.gain = nn.Parameter(torch.full((width,), init))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.gain


class TestScale(Block):
    """A block that exists only in this test: a learnt gain per feature."""

    name = "TestScale"
    category = "Layers"
    help = "Multiplies each feature by a learnt gain."
    params = (Param("init", "float", 1.0, "Starting gain.", min=0.0, max=10.0),)
    watch = ("gain",)
    min_batch = 4

    @classmethod
    def infer(cls, params, ins, ctx):
        return {"out": Width(ins["in"].features)}

    @classmethod
    def build(cls, params, ins, outs):
        return Scale(ins["in"].features, params["init"])

    @classmethod
    def count_parameters(cls, params, ins):
        return ins["in"].features


@pytest.fixture
def scale_block(monkeypatch):
    monkeypatch.setitem(blocks.REGISTRY, TestScale.name, TestScale)


def _graph(training):
    return chain_doc([("h1", "Dense", {"units": 32}), ("a1", "Activation", {"fn": "relu"}),
                      ("gain", "TestScale", {"init": 0.5}), ("out", "Dense", {"units": 10})],
                     training=training)


def test_a_block_registered_in_a_test_trains_with_no_other_edit(scale_block):
    reports = train_to_end(_graph({"epochs": 4, "seed": 0, "lr": 0.01, "l2": 1e-4}))
    start = next(r for r in reports if isinstance(r, StartReport))
    epochs = [r for r in reports if isinstance(r, EpochReport)]
    assert start.layers == ["h1", "gain", "out"]        # its gradient is watched, in order
    assert all(e.grad_norm["gain"] > 0 for e in epochs)
    assert epochs[-1].train["loss"] < epochs[0].train["loss"]
    assert reports[-1].reason == "completed" and reports[-1].test["accuracy"] > 0.8


def test_a_blocks_smallest_batch_is_checked_without_naming_it(scale_block):
    problems = analyse(_graph({"batch_size": 3})).errors
    assert [(p.node, p.message) for p in problems] == [
        ("gain", "TestScale needs batches of at least 4 examples (training.batch_size is 3)")]
