"""Gradient telemetry: the size of every watched layer's gradient, raw and as the optimizer used
it (after clipping), at the cost the caller can afford.

Three levels:
- "full" (the app): every step's sizes read back with the loss in one host read, plus sampled
  statistics (weight norms, update ratios, activations, histograms) every few steps;
- "epoch" (the command line): sizes summed on the device and read once an epoch;
- "off": nothing but the loss.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from engine.telemetry import StepReport
from engine.training.optim import clip_gradients
from engine.training.probes import activation_stats

LEVELS = ("full", "epoch", "off")
NEVER = -10**9          # Sampler.last_step before the first sample of a run or a phase


class GradientWatch:
    def __init__(self, model: Any, clip: dict[str, Any] | None, level: str, sizes: bool = True):
        """`sizes` False: no gradient sizes are measured (the loss is still checked and the
        gradients clipped), whatever the level."""
        self.level = level
        self.sizes = sizes and level != "off"
        self.ids = list(model.watched_ids)
        self.tensors = [p for ps in model.watched.values() for p in ps]
        counts = [len(ps) for ps in model.watched.values()]
        # nodes with several watched tensors report one size: sqrt of the sum of squares
        self._owner = (None if all(c == 1 for c in counts) else
                       torch.repeat_interleave(torch.arange(len(counts)), torch.tensor(counts)))
        self._owner_list = self._owner.tolist() if self._owner is not None else None
        self.clip = clip
        self.params = [p for p in model.parameters() if p.requires_grad]
        # on the CPU the sizes are read straight from the gradients' memory with numpy: three
        # or four torch calls a step (norms, stack, read) cost a digits MLP about 30 us in the
        # training loop, numpy's dot products about 5
        self._views: list = [None] * len(self.tensors)     # see _host_norms
        self._keep_views = False
        self._on_host = all(t.device.type == "cpu" and t.dtype in (torch.float32, torch.float64)
                            for t in self.tensors)
        # On the CPU each watched gradient's size is taken by a hook the moment backward has
        # written it, while its memory is still in the cache: read after backward returns, the
        # same sums cost a digits MLP about 35 us a step against 15. A tensor whose hook did not
        # fire this step (no backward: an RBM's numpy update; frozen: a GAN's other network) is
        # read afterwards as before.
        self._hooked: list[float | None] = [None] * len(self.tensors)
        self._hooks = ([t.register_post_accumulate_grad_hook(self._hook(i))
                        for i, t in enumerate(self.tensors) if t.requires_grad]
                       if self._on_host and self.sizes else [])
        self.epoch_started()

    def _hook(self, i: int):
        hooked = self._hooked

        def size_of_new_gradient(t: torch.Tensor) -> None:
            # torch's dot sums in the gradient's precision as its norm does (a float32 gradient
            # past about 1e19 is infinite), and unlike numpy's it warns of nothing, so it needs
            # no errstate: some 6 us a tensor here against 10
            g = t.grad.reshape(-1)
            hooked[i] = math.sqrt(g.dot(g).item())
        return size_of_new_gradient

    def close(self) -> None:
        """Take the hooks off the model's tensors (the model outlives its run)."""
        for h in self._hooks:
            h.remove()
        self._hooks = []

    def epoch_started(self) -> None:
        self._raw_sum: Any = None
        self._used_sum: Any = None

    def _sizes(self) -> torch.Tensor:
        grads = [t.grad if t.grad is not None else torch.zeros_like(t) for t in self.tensors]
        sizes = torch.stack(torch._foreach_norm(grads))
        if self._owner is not None:
            owner = self._owner.to(sizes.device)
            sizes = torch.zeros(len(self.ids), device=sizes.device).index_add_(
                0, owner, sizes * sizes).sqrt()
        return sizes

    def after_backward(self, loss: torch.Tensor, kept_grads: bool = False
                       ) -> tuple[float, bool, list | None, list | None]:
        """Clip the gradients as the settings say and read what this step needs:
        (loss, everything finite, raw sizes, used sizes); sizes only at the "full" level."""
        if not self.sizes or not self.tensors:
            value = loss.item()
            finite = math.isfinite(value)
            if finite and self.clip:
                clip_gradients(self.clip, self.params)
            return value, finite, None, None
        if self._on_host:
            return self._after_backward_on_host(loss, kept_grads)
        if self.level == "full" and not self.clip and self._owner is None:
            # the loss and every layer's size in one stack and one read from the device
            grads = [t.grad if t.grad is not None else torch.zeros_like(t) for t in self.tensors]
            read = torch.stack([loss.detach(), *torch._foreach_norm(grads)]).tolist()
            value, raw_l = read[0], read[1:]
            self._raw_sum = (raw_l if self._raw_sum is None
                             else [a + b for a, b in zip(self._raw_sum, raw_l)])
            return value, math.isfinite(value) and math.isfinite(sum(raw_l)), raw_l, raw_l
        raw = self._sizes()
        used = raw
        if self.clip:
            total = clip_gradients(self.clip, self.params)
            if self.clip["mode"] == "norm":
                # the factor clip_grad_norm_ applied, so the used sizes cost no second pass
                used = raw * torch.clamp(self.clip["max"] / (total + 1e-6), max=1.0)
            else:
                used = self._sizes()
        if self.level == "epoch":
            value, raw_total = torch.stack([loss.detach(), raw.sum()]).tolist()
            self._raw_sum = raw if self._raw_sum is None else self._raw_sum + raw
            if self.clip:
                self._used_sum = used if self._used_sum is None else self._used_sum + used
            return value, math.isfinite(value) and math.isfinite(raw_total), None, None
        parts = [loss.detach().reshape(1), raw] + ([used] if self.clip else [])
        read = torch.cat(parts).tolist()
        k = len(self.ids)
        value, raw_l = read[0], read[1:1 + k]
        used_l = read[1 + k:] if self.clip else raw_l
        self._raw_sum = raw_l if self._raw_sum is None else [a + b for a, b in zip(self._raw_sum, raw_l)]
        if self.clip:
            self._used_sum = (used_l if self._used_sum is None
                              else [a + b for a, b in zip(self._used_sum, used_l)])
        return value, math.isfinite(value) and math.isfinite(sum(raw_l)), raw_l, used_l

    def _host_sizes(self) -> list[float]:
        hooked = self._hooked
        if None in hooked:
            norms = _host_norms(self.tensors, self._views if self._keep_views else None, hooked)
        else:
            norms = hooked[:]
        hooked[:] = [None] * len(hooked)
        if self._owner is None:
            return norms
        squares = [0.0] * len(self.ids)
        for owner, n in zip(self._owner_list, norms):
            squares[owner] += n * n
        return [math.sqrt(q) for q in squares]

    def _after_backward_on_host(self, loss: torch.Tensor, kept_grads: bool
                                ) -> tuple[float, bool, list | None, list | None]:
        """after_backward on the CPU: sizes read with numpy, sums kept as Python floats (a
        tiny network's whole step is a few hundred microseconds, and each torch call in it
        costs several)."""
        value = loss.item()
        if not kept_grads and self._views[0] is not None:
            # backward made new gradients: the views kept would only hold the old ones alive
            self._views = [None] * len(self.tensors)
        self._keep_views = kept_grads
        raw_l = self._host_sizes()
        used_l = raw_l
        if self.clip:
            total = clip_gradients(self.clip, self.params)
            if self.clip["mode"] == "norm":
                # the factor clip_grad_norm_ applied, so the used sizes cost no second pass
                factor = min(1.0, self.clip["max"] / (float(total) + 1e-6))
                used_l = [r * factor for r in raw_l]
            else:
                used_l = self._host_sizes()
            self._used_sum = (used_l if self._used_sum is None
                              else [a + b for a, b in zip(self._used_sum, used_l)])
        self._raw_sum = raw_l if self._raw_sum is None else [a + b for a, b in zip(self._raw_sum, raw_l)]
        finite = math.isfinite(value) and math.isfinite(sum(raw_l))
        if self.level == "full":
            return value, finite, raw_l, used_l
        return value, finite, None, None

    def epoch_means(self, steps: int) -> tuple[dict[str, float], dict[str, float]]:
        """(used sizes, raw sizes) averaged over the epoch's steps."""
        if self._raw_sum is None or steps == 0:
            return {}, {}
        raw = self._raw_sum if isinstance(self._raw_sum, list) else self._raw_sum.tolist()
        raw_d = {i: s / steps for i, s in zip(self.ids, raw)}
        if self._used_sum is None:
            return raw_d, raw_d
        used = self._used_sum if isinstance(self._used_sum, list) else self._used_sum.tolist()
        return {i: s / steps for i, s in zip(self.ids, used)}, raw_d


def _host_norms(tensors: list[torch.Tensor], views: list | None = None,
                known: list[float | None] | None = None) -> list[float]:
    """The L2 norms of CPU tensors' gradients, read with numpy (no torch call). Squares are
    summed in the gradient's own precision, as torch's norm does, so a float32 gradient past
    about 1e19 reads as infinite here exactly as it did there. `views`, one slot per tensor,
    keeps (gradient tensor, its memory as a flat array) from call to call: a plan that reuses its
    gradient tensors (an RBM's numpy CD step) is then read with one call each. `known` holds
    sizes already taken (None where not), which are used as they are."""
    out = []
    with np.errstate(over="ignore", invalid="ignore"):
        for i, t in enumerate(tensors):
            if known is not None and known[i] is not None:
                out.append(known[i])
                continue
            g = t.grad
            if g is None:
                out.append(0.0)
                continue
            if views is None:
                a = g.numpy().reshape(-1)
            else:
                seen = views[i]
                if seen is not None and seen[0] is g:
                    a = seen[1]
                else:
                    a = g.numpy().reshape(-1)
                    views[i] = (g, a)
            out.append(math.sqrt(float(np.dot(a, a))))
    return out


@dataclass
class FacesReport:
    """A fresh sample of what the nodes' faces show (an autoencoder's reconstructions and codes,
    a pretraining RBM's pictures, a GAN generator's samples), of the weights the step at
    `global_step` of `phase` left, taken between steps where the last sampled step is older (a
    pause). Not a step: nothing was trained, so it adds nothing to the loss or gradient series.
    `images` and `codes` are as in StepReport."""

    phase: str
    epoch: int
    step: int
    global_step: int
    images: dict[str, dict[str, Any]] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)


class Sampler:
    """When to take the costly statistics: every `every` steps or `seconds`, whichever comes
    first, but never more than `share` of the run's time (a huge layer whose every step is
    slower than `seconds` would otherwise be sampled on every step)."""

    def __init__(self, every: int, seconds: float, share: float = 0.05):
        self.every, self.seconds, self.share = max(1, every), seconds, share
        self.start = time.perf_counter()
        self.spent = 0.0
        self.last_step, self.last_t = NEVER, 0.0       # the first step is always sampled

    def due(self, step: int) -> bool:
        if self.last_step == NEVER:
            return True         # a run's or a phase's first step, whatever the budget says
        now = time.perf_counter()
        if self.spent > self.share * (now - self.start):
            return False
        return step - self.last_step >= self.every or now - self.last_t >= self.seconds

    def taken(self, step: int, began: float) -> None:
        now = time.perf_counter()
        self.spent += now - began
        self.last_step, self.last_t = step, now


@torch.no_grad()
def sampled_figures(rep: StepReport, model: Any, watch: GradientWatch,
                    before: list[torch.Tensor], values: dict[str, torch.Tensor],
                    histogram_node: str | None) -> None:
    """Fill a step report's sampled statistics: every figure of every watched layer in a few
    fused kernels and one host read."""
    ws = watch.tensors
    grads = [w.grad if w.grad is not None else torch.zeros_like(w) for w in ws]
    figures = torch.stack([
        torch.stack(torch._foreach_norm(ws)),
        torch.stack(torch._foreach_norm(grads, 1)),
        torch.stack(torch._foreach_norm(torch._foreach_sub(ws, before))),
        torch.stack(torch._foreach_norm(before)),
    ]).tolist()
    owner = [nid for nid, ps in model.watched.items() for _ in ps]
    for j, (nid, w) in enumerate(zip(owner, ws)):
        # a node with several tensors reports its first (its main weight matrix)
        if nid in rep.weight_norm:
            continue
        rep.weight_norm[nid] = figures[0][j]
        rep.grad_mean_abs[nid] = figures[1][j] / w.numel()
        rep.update_ratio[nid] = figures[2][j] / (figures[3][j] or 1.0)
    activation_stats(values, model.activation_fns, rep)
    if histogram_node in model.watched:
        w = model.watched[histogram_node][0]
        # a layer this step does not train (a DBN's layers while one RBM pretrains) has no
        # gradient: its histogram is of zeros, as its reported size is 0
        grad = (w.grad.detach().cpu().numpy().ravel().copy() if w.grad is not None
                else np.zeros(w.numel(), np.float32))
        rep.histograms[histogram_node] = {"weight": w.detach().cpu().numpy().ravel().copy(),
                                          "grad": grad}
