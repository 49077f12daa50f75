"""Weight initialisers for Dense layers, with the textbook fan-in/fan-out formulas.

The course notes write the Xavier normal standard deviation as sqrt(2/sqrt(n+m)); Glorot and
Bengio's formula (used here) is sqrt(2/(n+m)). Their "Xavier uniform" bound 1/sqrt(n) is what
most libraries call a LeCun-style uniform; we keep the names the libraries use: xavier_uniform is
U(+-sqrt(6/(n+m))) and lecun_uniform is U(+-sqrt(3/n)).
"""
from __future__ import annotations

import math

import torch

INITS = ("zeros", "random_normal", "random_uniform", "lecun_uniform", "xavier_uniform",
         "xavier_normal", "he_uniform", "he_normal")


def spread(init: str, fan_in: int, fan_out: int) -> tuple[str, float]:
    """('uniform', bound) or ('normal', std) for an initialiser, before `init_scale`."""
    table = {
        "zeros": ("normal", 0.0),
        "random_normal": ("normal", 0.05),        # Keras' RandomNormal default
        "random_uniform": ("uniform", 0.05),      # Keras' RandomUniform default
        "lecun_uniform": ("uniform", math.sqrt(3.0 / fan_in)),
        "xavier_uniform": ("uniform", math.sqrt(6.0 / (fan_in + fan_out))),
        "xavier_normal": ("normal", math.sqrt(2.0 / (fan_in + fan_out))),
        "he_uniform": ("uniform", math.sqrt(6.0 / fan_in)),
        "he_normal": ("normal", math.sqrt(2.0 / fan_in)),
    }
    return table[init]


@torch.no_grad()
def initialise(weight: torch.Tensor, init: str, scale: float = 1.0) -> None:
    fan_out, fan_in = weight.shape
    kind, size = spread(init, fan_in, fan_out)
    size *= scale
    if size == 0.0:
        weight.zero_()
    elif kind == "uniform":
        weight.uniform_(-size, size)
    else:
        weight.normal_(0.0, size)
