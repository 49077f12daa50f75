"""The contrastive plan: greedy layer-wise pretraining of RBMs by contrastive divergence, bottom
up, then (when a Loss follows) fine-tuning of the whole network by backprop: a deep belief
network.

Phases, in order: "pretrain:<node id>" for every RBM whose `epochs` is not 0, input side first,
each with the RBM's own epochs, batch size and SGD optimizer ("rbm:<node id>": its lr and
momentum, its weight decay on the weights only); then "train" with the graph's optimizer,
epochs and early stopping, exactly as the supervised plan trains.

An RBM learns from what reaches its input: the data for the bottom one, and for one higher up
the hidden probabilities of the RBMs below, which are already trained and are run without
gradients. CD is handed to the loop as a surrogate loss, mean F(v_data) - mean F(v_model) with
the model's samples held fixed, whose gradient is the CD update (RBMNet.cd_loss); the loop runs
backward and steps the optimizer as for any loss. On the CPU the same update is computed in numpy
on the parameters' own memory (engine/blocks/rbm_host.py), which leaves the gradients in `.grad`
itself (`Update.backward` False): at 10 rows a batch torch's fixed cost per call was most of a
step.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

from engine.blocks import rbm_host
from engine.errors import GraphError
from engine.training import rbms
from engine.training.plans import Phase, Plan, Update, register
from engine.training.plans.supervised import SupervisedPlan

PRETRAIN = "pretrain:"
_NUMPY = {torch.float32: np.float32, torch.float64: np.float64}
CHUNK = 4096            # rows propagated at once when a whole split goes through the stack


@register
class ContrastivePlan(SupervisedPlan):
    name = "contrastive"

    def __init__(self, ctx: Any, cfg: dict[str, Any]):
        model = ctx.model
        self.supervised = bool(model.losses)
        if self.supervised:
            super().__init__(ctx, cfg)
        else:
            Plan.__init__(self, ctx, cfg)
            self.task = "reconstruction"        # no labels are used: it models its input
        self.rbms = [nid for nid in model.order
                     if nid in model.inputs_of and model.block_of[nid].unsupervised]
        self._settings = {nid: model.params_of[nid] for nid in self.rbms}
        self._pretrained = [nid for nid in self.rbms if self._settings[nid]["epochs"] > 0]
        if not self._pretrained and not self.supervised:
            raise GraphError("nothing to train: every RBM has epochs 0 and no Loss follows",
                             self.rbms[0] if self.rbms else None)
        self._rbm_optimizers = {f"rbm:{nid}": _sgd(model.nodes[nid], self._settings[nid])
                                for nid in self._pretrained}
        seed = cfg["seed"]
        # CD's samples come from a generator of the plan's own, so they do not depend on what
        # else draws random numbers (dropout, the GUI's Gibbs chains)
        self._generator = torch.Generator(device=ctx.device).manual_seed(seed)
        self._figure_seed = seed + 1
        # on the CPU the CD steps run in numpy (engine/blocks/rbm_host.py), drawing from a numpy
        # generator of the plan's own, seeded alike
        self._rng = np.random.Generator(np.random.PCG64(seed))
        self._host: rbm_host.HostCD | None = None
        self._gap = torch.zeros(())           # the host step's loss, one tensor rewritten
        self._gap_np = self._gap.numpy()
        n = len(ctx.x)
        pick = torch.randperm(n, generator=torch.Generator().manual_seed(seed))[:rbms.FIGURE_ROWS]
        self._figure_x = ctx.x[pick.to(ctx.device)]
        self._phase: str | None = None
        self._node: str | None = None         # the RBM being pretrained
        self._chain: torch.Tensor | None = None
        self._figure_u: torch.Tensor | None = None
        self._val_u: torch.Tensor | None = None

    # ---- the plan's shape ------------------------------------------------------------------------
    def phases(self) -> list[Phase]:
        out = [Phase(PRETRAIN + nid, self._settings[nid]["epochs"], None,
                     self._settings[nid]["batch_size"]) for nid in self._pretrained]
        if self.supervised:
            out += super().phases()
        return out

    def optimizers(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self._rbm_optimizers)
        if self.supervised:
            out.update(super().optimizers())
        return out

    def updates(self, phase: Phase, x: torch.Tensor, y: torch.Tensor) -> Iterator[Update]:
        nid = self._node
        if nid is None:
            yield from super().updates(phase, x, y)
            return
        model = self.ctx.model
        key = model.inputs_of[nid][0]
        if key == model.x_key:
            u = x
        else:
            with torch.no_grad():
                u = model.value_of(key, x)
        s = self._settings[nid]
        if self._host is not None:
            gap, chain = self._host.step(u.numpy(), s["k"], self._chain)
            self._gap_np[...] = gap
            loss = self._gap
            update = Update(f"rbm:{nid}", loss, {"cd": loss}, backward=False)
        else:
            loss, chain = model.nodes[nid].cd_loss(u, s["k"], self._chain, self._generator)
            update = Update(f"rbm:{nid}", loss, {"cd": loss})
        if s["persistent"]:
            self._chain = chain
        yield update

    # ---- phases and their figures ------------------------------------------------------------
    def epoch_started(self, phase: Phase) -> None:
        if phase.name != self._phase:
            self._begin(phase)
        if self._node is None and self.supervised:
            super().epoch_started(phase)

    def _begin(self, phase: Phase) -> None:
        """A new phase: for an RBM, start its visible biases from the marginals of what now
        reaches it, its persistent chain from zero hidden states (as scikit-learn's does), and
        propagate the rows its figures are measured on once (the RBMs below stay fixed)."""
        self._phase = phase.name
        nid = phase.name[len(PRETRAIN):] if phase.name.startswith(PRETRAIN) else None
        self._node = nid
        self._host = None
        # the loop drops only the stepping optimizer's gradients: the RBM trained before would
        # keep reporting its last gradient through this phase
        for p in self.ctx.model.parameters():
            p.grad = None
        if nid is None:
            return
        ctx, module = self.ctx, self.ctx.model.nodes[nid]
        with torch.no_grad():
            module.init_visible_bias(self._through(nid, ctx.x).mean(dim=0))
        s = self._settings[nid]
        self._host = rbm_host.HostCD(module, self._rng) if rbm_host.usable(module) else None
        self._chain = None
        if s["persistent"]:
            self._chain = torch.zeros(s["batch_size"], s["units"], device=ctx.device,
                                      dtype=module.weight.dtype)
            if self._host is not None:
                self._chain = self._chain.numpy()
        self._figure_u = self._through(nid, self._figure_x)
        val = ctx.data.val
        self._val_u = (self._through(nid, torch.as_tensor(val.x, device=ctx.device))
                       if val is not None and len(val.x) else None)

    @torch.no_grad()
    def _through(self, nid: str, x: torch.Tensor) -> torch.Tensor:
        """What reaches node nid's input for inputs x, in chunks."""
        model = self.ctx.model
        key = model.inputs_of[nid][0]
        if key == model.x_key:
            return x
        parts = [model.value_of(key, x[s:s + CHUNK]) for s in range(0, len(x), CHUNK)]
        return torch.cat(parts) if parts else x

    def observe(self, update: Update) -> None:
        if self._node is None:
            super().observe(update)

    def epoch_figures(self, steps: int, rows: int) -> dict[str, float]:
        if self._node is None:
            return super().epoch_figures(steps, rows) if self.supervised else {}
        return rbms.figures(self.ctx.model.nodes[self._node], self._figure_u, self._figure_seed)

    def evaluate(self, split: Any, final: bool = False) -> dict[str, Any]:
        """During an RBM's pretraining its figures (the loop asks for the validation split's);
        otherwise the network's, or without a Loss the bottom RBM's."""
        model = self.ctx.model
        if self._node is not None:
            u = (self._val_u if split is self.ctx.data.val and self._val_u is not None
                 else self._through(self._node, torch.as_tensor(split.x, device=self.ctx.device)))
            return rbms.figures(model.nodes[self._node], u, self._figure_seed)
        if self.supervised:
            return super().evaluate(split, final)
        bottom = self.rbms[0]
        u = self._through(bottom, torch.as_tensor(split.x, device=self.ctx.device))
        return rbms.figures(model.nodes[bottom], u, self._figure_seed)

    def final_figures(self) -> tuple[dict[str, Any], dict[str, Any]]:
        self._phase = self._node = None
        if self.supervised:
            return super().final_figures()
        data = self.ctx.data
        if data.test is None or not len(data.test.x):
            return {}, {}
        test = self.evaluate(data.test, final=True)
        base = {}
        if self.ctx.model.inputs_of[self.rbms[0]][0] == self.ctx.model.x_key:
            base = {"recon_error": rbms.baseline_recon_error(data.train.x, data.test.x)}
        return test, base


def _sgd(module: Any, s: dict[str, Any]) -> RBMSGD:
    """The RBM's own SGD: weight decay on the weights only (decaying the biases would pull the
    visible ones away from the data's log-odds for nothing)."""
    return RBMSGD([{"params": [module.weight], "weight_decay": s["weight_decay"]},
                   {"params": [module.h_bias, module.v_bias], "weight_decay": 0.0}],
                  lr=s["lr"], momentum=s["momentum"])


class RBMSGD:
    """Plain SGD with momentum and weight decay, as torch.optim.SGD computes it (d = g + wd p;
    buf = momentum buf + d, buf = d at the first step; p -= lr buf), without torch.optim's
    per-step bookkeeping. An RBM's step on 10 rows is a few dozen microseconds of arithmetic,
    and torch.optim's profiler record, grad-mode switch and grouping of tensors by device took
    about as long again (bench/rbm_vs_sklearn.py); here a group is three foreach calls. The loop
    needs only `param_groups` and `step()`; `zero_grad` and `state` are there for anyone else."""

    def __init__(self, groups: list[dict[str, Any]], lr: float, momentum: float):
        self.param_groups = [{"lr": lr, "momentum": momentum, **g} for g in groups]
        self.state: dict[torch.Tensor, dict[str, torch.Tensor]] = {}
        self._buffers: list[list[torch.Tensor] | None] = [None] * len(self.param_groups)
        # on the CPU numpy steps the parameters in place: a foreach call costs about ten
        # microseconds, numpy's in-place ufuncs on these small arrays one or two
        params = [p for g in self.param_groups for p in g["params"]]
        self._host = all(p.device.type == "cpu" and p.dtype in (torch.float32, torch.float64)
                         for p in params)
        # (parameter, its memory as an array, its momentum buffer, the gradient tensor last seen
        # and its memory, a scratch array) per group; a list, since a tensor's hash is a Python
        # call
        self._host_params = ([[[p, p.detach().numpy(), None, None, None,
                                np.empty(tuple(p.shape), _NUMPY[p.dtype])] for p in g["params"]]
                              for g in self.param_groups] if self._host else [])

    def step(self) -> None:
        # torch.no_grad's decorator alone costs a few microseconds: numpy needs none
        if self._host:
            self._step_on_host()
        else:
            self._step_on_device()

    @torch.no_grad()
    def _step_on_device(self) -> None:
        for i, group in enumerate(self.param_groups):
            params = [p for p in group["params"] if p.grad is not None]
            if not params:
                continue
            grads = [p.grad for p in params]
            if group["weight_decay"]:
                grads = torch._foreach_add(grads, params, alpha=group["weight_decay"])
            if group["momentum"]:
                buffers = self._buffers[i]
                if buffers is None or len(buffers) != len(params):
                    buffers = [g.detach().clone() for g in grads]
                    self._buffers[i] = buffers
                    self.state.update({p: {"momentum_buffer": b} for p, b in zip(params, buffers)})
                else:
                    torch._foreach_mul_(buffers, group["momentum"])
                    torch._foreach_add_(buffers, grads)
                grads = buffers
            torch._foreach_add_(params, grads, alpha=-group["lr"])

    def _step_on_host(self) -> None:
        for group, entries in zip(self.param_groups, self._host_params):
            lr, wd, momentum = group["lr"], group["weight_decay"], group["momentum"]
            for entry in entries:
                p, a, buf, seen, g, scratch = entry
                grad = p.grad
                if grad is None:
                    continue
                if grad is not seen:             # a new gradient tensor: look at its memory once
                    g = grad.numpy()
                    entry[3], entry[4] = grad, g
                d = g
                if wd:
                    np.multiply(a, wd, out=scratch)
                    d = np.add(scratch, g, out=scratch)
                if momentum:
                    if buf is None:
                        buf = entry[2] = d.copy()
                        self.state[p] = {"momentum_buffer": torch.from_numpy(buf)}
                    else:
                        buf *= momentum
                        buf += d
                    d = buf
                np.multiply(d, lr, out=scratch)
                np.subtract(a, scratch, out=a)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None
