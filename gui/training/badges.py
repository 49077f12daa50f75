"""When a layer earns a badge on the canvas: vanishing, exploding or dead ReLU.

Defaults, and why:
- vanishing: a layer's gradient norm is 1000 times smaller than the largest layer's at the same
  moment. Relative, not absolute: gradients of a network that has learnt are all small, and that
  is not vanishing; the lesson is that the early layers learn orders of magnitude slower than
  the late ones (deep sigmoid: the first layer ~1e-6 against ~1 at the output).
- exploding: a gradient norm above 100. Healthy layers of the lessons sit between 0.01 and 10;
  the exploding lesson starts at 1e4 and is NaN two steps later.
- dead ReLU: more than half of the units output zero for every example of a batch.
"""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class Thresholds:
    vanishing_ratio: float = 1e-3      # below this fraction of the largest layer's norm
    exploding_norm: float = 100.0      # above this norm
    dead_fraction: float = 0.5         # more than this fraction of ReLU units dead


def badges_for(norms: dict[str, float], dead: dict[str, float], t: Thresholds) -> dict[str, str]:
    """node id -> badge label. `norms` are Dense gradient norms, `dead` ReLU dead fractions."""
    out: dict[str, str] = {}
    finite = [n for n in norms.values() if math.isfinite(n)]
    largest = max(finite, default=0.0)
    for nid, n in norms.items():
        if not math.isfinite(n) or n > t.exploding_norm:
            out[nid] = "exploding"
        elif largest > 0 and n < largest * t.vanishing_ratio:
            out[nid] = "vanishing"
    for nid, frac in dead.items():
        if frac > t.dead_fraction:
            out[nid] = f"dead {frac:.0%}"
    return out
