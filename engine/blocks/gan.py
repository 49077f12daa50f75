"""Generative adversarial network blocks: Noise, Generator and Discriminator, and their modules.

Noise draws the generator's input; a Generator turns it into something the width of the data;
a Discriminator scores real examples (its `real` input) against generated ones (`fake`). They
train with the `adversarial` plan (engine/training/plans/adversarial.py), which finds them by
what they declare (`adversarial`: "noise", "generator" or "discriminator"), never by name.
"""
from __future__ import annotations

import torch
from torch import nn

from engine.blocks.autoencoder import HIDDEN_ACTIVATIONS, _activation, _widths
from engine.blocks.base import Block, Param, ShapeError, Width
from engine.blocks.face_text import number, text, value

DISTRIBUTIONS = ("normal", "uniform")
GENERATOR_OUTPUTS = ("linear", "tanh", "sigmoid")


class NoiseNet(nn.Module):
    """Draws `dim` numbers per example: N(0, 1), or uniform on [-1, 1]."""

    def __init__(self, dim: int, distribution: str):
        super().__init__()
        self.dim, self.distribution = dim, distribution
        # no parameters, yet its draws must land on the model's device: a buffer moves with it
        self.register_buffer("_anchor", torch.zeros(0), persistent=False)

    def draw(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """n rows of noise; with a (CPU) generator the same rows every time it is seeded alike."""
        if self.distribution == "uniform":
            z = torch.rand(n, self.dim, generator=generator) * 2 - 1
        else:
            z = torch.randn(n, self.dim, generator=generator)
        return z.to(self._anchor.device)

    def forward(self, n: int) -> dict[str, torch.Tensor]:
        # drawn on the device from the global generator, like dropout's masks: the run seeds it
        if self.distribution == "uniform":
            z = torch.rand(n, self.dim, device=self._anchor.device) * 2 - 1
        else:
            z = torch.randn(n, self.dim, device=self._anchor.device)
        return {"z": z}


class GeneratorNet(nn.Module):
    """Noise -> hidden layers -> `units` numbers, through the output activation."""

    def __init__(self, fan_in: int, hidden: list[int], units: int, activation: str,
                 output_activation: str):
        super().__init__()
        layers: list[nn.Module] = []
        for width in hidden:
            layers += [_linear(fan_in, width, activation), _activation(activation)]
            fan_in = width
        layers += [_linear(fan_in, units, output_activation), _activation(output_activation)]
        self.body = nn.Sequential(*layers)

    def linears(self) -> list[nn.Linear]:
        return [m for m in self.modules() if isinstance(m, nn.Linear)]

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.body(z)


class DiscriminatorNet(nn.Module):
    """Input -> hidden layers (with dropout) -> one logit: how real the input looks.

    `forward(real, fake)` scores both batches in one pass and yields `real_logit` and
    `fake_logit` (n, 1) for the plan's losses and `score` (also as `out`, which NaN location
    reads), D's probabilities for the real rows then the fake ones. `logit(x, dropout)` scores any points; with dropout False it is the
    eval-mode answer without switching the module's mode (safe between steps from any thread)."""

    def __init__(self, fan_in: int, hidden: list[int], activation: str, dropout: float):
        super().__init__()
        self.hidden = nn.ModuleList()
        for width in hidden:
            self.hidden.append(_linear(fan_in, width, activation))
            fan_in = width
        self.act = _activation(activation)
        self.head = _linear(fan_in, 1, "linear")
        self.dropout = dropout

    def linears(self) -> list[nn.Linear]:
        return [*self.hidden, self.head]

    def logit(self, x: torch.Tensor, dropout: bool = False) -> torch.Tensor:
        h = x
        for layer in self.hidden:
            h = self.act(layer(h))
            if dropout and self.dropout > 0:
                h = nn.functional.dropout(h, self.dropout, training=True)
        return self.head(h)

    def forward(self, real: torch.Tensor, fake: torch.Tensor) -> dict[str, torch.Tensor]:
        n = len(real)
        logits = self.logit(torch.cat([real, fake]), dropout=self.training)
        score = torch.sigmoid(logits)
        return {"out": score, "score": score, "real_logit": logits[:n], "fake_logit": logits[n:]}


def _linear(fan_in: int, fan_out: int, activation: str) -> nn.Linear:
    # torch's own start (uniform within 1/sqrt(fan_in), biases too), not He's as the autoencoder
    # blocks use: with He the ring lesson's generator began spread wide and collapsed onto 2-3 of
    # the 8 modes on seeds that covered 7 from torch's smaller start
    return nn.Linear(fan_in, fan_out)


def _count(widths: list[int]) -> int:
    return sum(a * b + b for a, b in zip(widths, widths[1:]))


class Noise(Block):
    name = "Noise"
    category = "Data"
    help = ("Random numbers for a generator to shape: `dim` per example, drawn afresh for every "
            "batch from a standard normal or a uniform distribution on [-1, 1].")
    inputs = ()
    outputs = ("z",)
    params = (
        Param("dim", "int", 8, "Numbers drawn per example (the generator's input width).",
              min=1, max=100000),
        Param("distribution", "choice", "normal", "normal: N(0, 1); uniform: between -1 and 1.",
              choices=DISTRIBUTIONS),
    )
    adversarial = "noise"

    @classmethod
    def infer(cls, params, ins, ctx):
        return {"z": Width(params["dim"])}

    @classmethod
    def build(cls, params, ins, outs):
        return NoiseNet(params["dim"], params["distribution"])

    @classmethod
    def summary(cls, params):
        return f"{number(value(params, 'dim'))} · {text(value(params, 'distribution'))}"


class Generator(Block):
    name = "Generator"
    category = "Blocks"
    help = ("A GAN's generator: hidden layers that turn noise into `units` numbers, the width "
            "of one data example. It learns to make examples the Discriminator takes for real.")
    params = (
        Param("hidden", "int_list", [64, 64], "Widths of the hidden layers.", min=1, max=100000),
        Param("units", "int", 2, "Width of the output: the width of one data example.",
              min=1, max=100000),
        Param("activation", "choice", "relu", "Activation of the hidden layers.",
              choices=HIDDEN_ACTIVATIONS),
        Param("output_activation", "choice", "linear", "Activation of the output: linear for "
              "unbounded data, sigmoid for data scaled to 0..1, tanh for -1..1.",
              choices=GENERATOR_OUTPUTS),
    )
    face = "samples"
    plan = "adversarial"
    adversarial = "generator"

    @classmethod
    def infer(cls, params, ins, ctx):
        return {"out": Width(params["units"])}

    @classmethod
    def build(cls, params, ins, outs):
        return GeneratorNet(ins["in"].features, params["hidden"], params["units"],
                            params["activation"], params["output_activation"])

    @classmethod
    def watched(cls, module):
        return [layer.weight for layer in module.linears()]

    @classmethod
    def output_range(cls, params, port):
        return {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}.get(params.get("output_activation"))

    @classmethod
    def count_parameters(cls, params, ins):
        return _count([ins["in"].features, *params["hidden"], params["units"]])

    @classmethod
    def describe_parameters(cls, params, ins):
        return f"layers of widths {', '.join(str(w) for w in params['hidden'] + [params['units']])}"

    @classmethod
    def summary(cls, params):
        return (f"{_widths(value(params, 'hidden'))}{number(value(params, 'units'))} · "
                f"{text(value(params, 'output_activation'))}")


class Discriminator(Block):
    name = "Discriminator"
    category = "Blocks"
    help = ("A GAN's discriminator: hidden layers that score how real an example looks. `real` "
            "takes the data, `fake` the Generator's output; `score` is its probability of 'real' "
            "for the real rows, then the fake ones.")
    inputs = ("real", "fake")
    outputs = ("score",)
    params = (
        Param("hidden", "int_list", [64, 64], "Widths of the hidden layers.", min=1, max=100000),
        Param("activation", "choice", "leaky_relu", "Activation of the hidden layers.",
              choices=HIDDEN_ACTIVATIONS),
        Param("dropout", "float", 0.0, "Dropout after each hidden layer while training.",
              min=0.0, max=0.9),
    )
    plan = "adversarial"
    adversarial = "discriminator"
    # trained by its plan's own objective: a GAN graph needs no Loss node
    unsupervised = True

    @classmethod
    def infer(cls, params, ins, ctx):
        if ins["real"].features != ins["fake"].features:
            raise ShapeError(f"'fake' gets {ins['fake'].features} numbers per example but 'real' "
                             f"gets {ins['real'].features}: the Generator's units must be the "
                             f"width of the data", "fake")
        return {"score": Width(1)}

    @classmethod
    def build(cls, params, ins, outs):
        return DiscriminatorNet(ins["real"].features, params["hidden"], params["activation"],
                                params["dropout"])

    @classmethod
    def watched(cls, module):
        return [layer.weight for layer in module.linears()]

    @classmethod
    def output_range(cls, params, port):
        return (0.0, 1.0)

    @classmethod
    def count_parameters(cls, params, ins):
        return _count([ins["real"].features, *params["hidden"], 1])

    @classmethod
    def describe_parameters(cls, params, ins):
        return f"layers of widths {', '.join(str(w) for w in params['hidden'] + [1])}"

    @classmethod
    def summary(cls, params):
        s = f"{_widths(value(params, 'hidden'))}1 · {text(value(params, 'activation'))}"
        dropout = value(params, "dropout")
        return s + (f" · dropout {number(dropout)}" if isinstance(dropout, (int, float))
                    and dropout > 0 else "")
