"""The RBM block: a restricted Boltzmann machine, and the torch module it builds.

An RBM is two layers of units joined by one weight matrix, with no links inside a layer: visible
units v (Bernoulli, or Gaussian with unit variance for real-valued data) and Bernoulli hidden
units h, with energy

    E(v, h) = -b.v - c.h - h.W v                    (Bernoulli visible)
    E(v, h) = |v - b|^2 / 2 - c.h - h.W v            (Gaussian visible, unit variance)

so p(h_j = 1 | v) = sigmoid(c_j + W_j.v), and v given h is Bernoulli with mean sigmoid(b + W^T h)
or Gaussian with mean b + W^T h. The model is undirected: the same weights carry a picture up to
the hidden units and back down as a reconstruction (the course notes call an RBM a feed-forward
network with data flowing one way; that is only how it is used once trained).

It learns by contrastive divergence in the `contrastive` plan (engine/training/plans/
contrastive.py), each RBM in its own phase with its own optimizer. As a layer of a network (its
`forward`) it is the deterministic up-pass sigmoid(W v + c): after pretraining, backprop fine-tunes
a stack of them like any sigmoid layers (a deep belief network).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from engine.blocks.base import Block, Param, ShapeError, Width
from engine.blocks.face_text import number, value

VISIBLE = ("bernoulli", "gaussian")
INIT_STD = 0.01                 # weights start from N(0, 0.01^2) (Hinton's practical guide)
# a visible unit's mean is clipped into this range before its log-odds give the starting bias:
# a pixel that is always 0 would otherwise start at -inf
LOG_ODDS_CLIP = (1e-3, 1.0 - 1e-3)


class RBMNet(nn.Module):
    """Weights (units x visible), hidden biases c and visible biases b. `forward` is the up-pass
    (the layer a network sees); the rest are the RBM's own computations, all per row."""

    def __init__(self, visible: int, units: int, gaussian: bool):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(units, visible) * INIT_STD)
        self.h_bias = nn.Parameter(torch.zeros(units))
        self.v_bias = nn.Parameter(torch.zeros(visible))
        self.gaussian = gaussian

    def forward(self, v: torch.Tensor) -> dict[str, torch.Tensor]:
        logits = F.linear(v, self.weight, self.h_bias)
        return {"out": torch.sigmoid(logits), "logits": logits}

    # ---- the RBM's own computations --------------------------------------------------------------
    def hidden_probs(self, v: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(torch.addmm(self.h_bias, v, self.weight.t()))

    def visible_mean(self, h: torch.Tensor) -> torch.Tensor:
        pre = torch.addmm(self.v_bias, h, self.weight)
        return pre if self.gaussian else torch.sigmoid(pre)

    def sample_visible(self, mean: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        if self.gaussian:
            return mean + torch.randn(mean.shape, generator=generator, device=mean.device,
                                      dtype=mean.dtype)
        return torch.bernoulli(mean, generator=generator)

    def reconstruct(self, v: torch.Tensor) -> torch.Tensor:
        """The mean-field reconstruction: down from the hidden probabilities of v."""
        return self.visible_mean(self.hidden_probs(v))

    def free_energy(self, v: torch.Tensor) -> torch.Tensor:
        """F(v) = -log sum_h exp(-E(v, h)) per row, exactly: the sum over the hidden units
        factorises, each contributing log(1 + exp(c_j + W_j.v))."""
        pre = torch.addmm(self.h_bias, v, self.weight.t())
        hidden = F.softplus(pre).sum(dim=1)
        if self.gaussian:
            return 0.5 * ((v - self.v_bias) ** 2).sum(dim=1) - hidden
        return -(v @ self.v_bias) - hidden

    def pseudo_likelihood(self, v: torch.Tensor, generator: torch.Generator | None = None,
                          flip: torch.Tensor | None = None) -> torch.Tensor:
        """Per row, as scikit-learn's BernoulliRBM.score_samples defines it: one visible unit per
        row, chosen at random (or given by `flip`), is flipped to 1 - v_i, and the estimate is
        n_visible * log sigmoid(F(v flipped) - F(v)). Defined for Bernoulli visible units."""
        n, d = v.shape
        if flip is None:
            flip = torch.randint(0, d, (n,), generator=generator, device=v.device)
        rows = torch.arange(n, device=v.device)
        flipped = v.clone()
        flipped[rows, flip] = 1.0 - flipped[rows, flip]
        return d * F.logsigmoid(self.free_energy(flipped) - self.free_energy(v))

    @torch.no_grad()
    def init_visible_bias(self, mean: torch.Tensor) -> None:
        """Start the visible biases where the data's marginals put them: the log-odds
        log(p / (1 - p)) of each unit's mean for Bernoulli units (clipped away from 0 and 1),
        the mean itself for Gaussian ones."""
        if self.gaussian:
            self.v_bias.copy_(mean)
        else:
            p = mean.clamp(*LOG_ODDS_CLIP)
            self.v_bias.copy_(torch.log(p) - torch.log1p(-p))

    @torch.no_grad()
    def cd_statistics(self, v: torch.Tensor, k: int, chain: torch.Tensor | None,
                      generator: torch.Generator | None
                      ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """One contrastive-divergence estimate for the batch v: (gap, grad W, grad c, grad b,
        the chain's last hidden sample). `gap` is mean F(v) - mean F(v_model), and the gradients
        are its exact derivatives with v_model held fixed, so plain gradient descent on the gap
        raises the data's likelihood and lowers that of the model's own samples (the CD update).

        The negative samples come from k Gibbs steps started at a hidden sample of the data
        (CD-k) or, when `chain` holds the persistent chain's hidden states, from there (PCD).

        Written for few torch calls, since at the usual 10 rows a batch each call's fixed cost
        outweighs its arithmetic: the data's rows and the model's sit in one matrix (V, with
        their hidden pre-activations P), so one sigmoid, one matrix product and one weighted
        sum give every statistic, each row weighted -1/n (data) or +1/m (model)."""
        w = self.weight
        n = len(v)
        m = n if chain is None else len(chain)
        vis, units = w.shape[1], w.shape[0]
        P = torch.empty(n + m, units, device=v.device, dtype=v.dtype)
        V = torch.empty(n + m, vis, device=v.device, dtype=v.dtype)
        V[:n] = v
        V_neg, P_neg = V[n:], P[n:]
        torch.addmm(self.h_bias, v, w.t(), out=P[:n])
        h = chain if chain is not None else _bernoulli(torch.sigmoid(P[:n]), generator)
        for step in range(k):
            mean = self.visible_mean(h)
            if self.gaussian:
                torch.add(mean, torch.randn(mean.shape, generator=generator, device=v.device,
                                            dtype=v.dtype), out=V_neg)
            else:
                V_neg.uniform_(generator=generator).lt_(mean)
            torch.addmm(self.h_bias, V_neg, w.t(), out=P_neg)
            if step < k - 1:
                h = _bernoulli(torch.sigmoid(P_neg), generator)
        H = torch.sigmoid(P)
        column, row = _row_weights(n, m, v.device, v.dtype)     # (n + m, 1) and (n + m,)
        Vw = V * column
        Ht = H.t()
        grad_w = Ht @ Vw
        grad_b = Vw.sum(dim=0)
        grad_c = Ht @ row
        # dF/db is -v (Bernoulli) or -(v - b) (Gaussian): the weights sum to 0, so the same
        # grad_b either way
        hidden = row @ F.softplus(P).sum(dim=1)
        if self.gaussian:
            visible = -0.5 * (row @ ((V - self.v_bias) ** 2).sum(dim=1))
        else:
            visible = grad_b @ self.v_bias
        if chain is not None:
            h = _bernoulli(H[n:], generator)
        return visible + hidden, grad_w, grad_c, grad_b, h

    def cd_loss(self, v: torch.Tensor, k: int, chain: torch.Tensor | None,
                generator: torch.Generator | None) -> tuple[torch.Tensor, torch.Tensor]:
        """(the surrogate loss, the chain's last hidden sample). The loss's value is the free
        energy gap mean F(v) - mean F(v_model) and its gradient the CD update, computed in one
        pass without recording the graph: backward only hands the stored gradients over."""
        gap, gw, gc, gb, h = self.cd_statistics(v, k, chain, generator)
        return _Surrogate.apply(self.weight, self.h_bias, self.v_bias, gap, gw, gc, gb), h


def _bernoulli(p: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    # a uniform draw and a comparison, both in place, cost about half of torch.bernoulli on the
    # CPU: u < p is 1 with probability p
    return torch.empty_like(p).uniform_(generator=generator).lt_(p)


_WEIGHTS: dict[tuple, tuple[torch.Tensor, torch.Tensor]] = {}


def _row_weights(n: int, m: int, device: torch.device, dtype: torch.dtype
                 ) -> tuple[torch.Tensor, torch.Tensor]:
    """-1/n for each of n data rows, then +1/m for each of m model rows, as a column and a row."""
    key = (n, m, device, dtype)
    w = _WEIGHTS.get(key)
    if w is None:
        row = torch.cat([torch.full((n,), -1.0 / n, dtype=dtype, device=device),
                         torch.full((m,), 1.0 / m, dtype=dtype, device=device)])
        w = (row[:, None].contiguous(), row)
        if len(_WEIGHTS) > 64:
            _WEIGHTS.clear()
        _WEIGHTS[key] = w
    return w


class _Surrogate(torch.autograd.Function):
    """A scalar whose gradient with respect to (W, c, b) is given: the free energy gap with its
    derivatives computed in closed form (autograd through both free energies took about twice
    the torch calls a step)."""

    @staticmethod
    def forward(ctx, weight, h_bias, v_bias, gap, grad_w, grad_c, grad_b):
        ctx.grads = (grad_w, grad_c, grad_b)
        return gap

    @staticmethod
    def backward(ctx, grad):
        gw, gc, gb = ctx.grads
        ctx.grads = None
        # backward from the loss itself passes a 1: the stored gradients go as they are (three
        # multiplications are a tenth of a small step); read on the CPU only, where it is free
        if grad.device.type == "cpu" and grad.numel() == 1 and grad.item() == 1.0:
            return gw, gc, gb, None, None, None, None
        return gw * grad, gc * grad, gb * grad, None, None, None, None


class RBM(Block):
    name = "RBM"
    category = "Blocks"
    help = ("A restricted Boltzmann machine: learns the patterns of its input alone, by "
            "contrastive divergence, in its own phase before the rest of the network trains. "
            "In a network it is a sigmoid layer of `units` outputs; a stack of RBMs pretrained "
            "bottom up and then fine-tuned by a Loss is a deep belief network.")
    params = (
        Param("units", "int", 100, "Number of hidden units (the layer's outputs).",
              min=1, max=100000),
        Param("visible", "choice", "bernoulli", "bernoulli for inputs between 0 and 1 (pixels "
              "scaled with minmax, or the RBM below); gaussian (unit variance) for standardised "
              "real values, with a learning rate 10 to 100 times smaller.", choices=VISIBLE),
        Param("k", "int", 1, "Gibbs steps per update (CD-k).", min=1, max=1000),
        Param("persistent", "bool", False, "Persistent CD: the Gibbs chain carries on from "
              "batch to batch instead of restarting at the data."),
        Param("lr", "float", 0.05, "Learning rate of the pretraining.", min=0.0, max=10.0),
        Param("momentum", "float", 0.5, "Momentum of the pretraining.", min=0.0, max=0.999),
        Param("weight_decay", "float", 0.0001, "Weight decay of the pretraining (on the weights, "
              "not the biases).", min=0.0, max=1.0),
        Param("epochs", "int", 10, "Passes of pretraining over the data; 0 skips it (the layer "
              "keeps its random start).", min=0, max=100000),
        Param("batch_size", "int", 10, "Examples per pretraining update.", min=1, max=100000),
    )
    watch = ("weight",)
    face = "rbm"
    plan = "contrastive"
    unsupervised = True

    @classmethod
    def infer(cls, params, ins, ctx):
        if params["visible"] == "bernoulli":
            lo_hi = ctx.in_ranges.get("in")
            if lo_hi is None or lo_hi[0] < 0 or lo_hi[1] > 1:
                raise ShapeError("Bernoulli visible units take values between 0 and 1: feed it the "
                                 "Dataset's x with scaling 'minmax', or another RBM; for other "
                                 "numbers choose visible 'gaussian' (standardised inputs)", "in")
        return {"out": Width(params["units"])}

    @classmethod
    def build(cls, params, ins, outs):
        return RBMNet(ins["in"].features, params["units"], params["visible"] == "gaussian")

    @classmethod
    def activation_fn(cls, params):
        return "sigmoid"        # its output, for activation statistics (saturation)

    @classmethod
    def final_activation(cls, params):
        return "sigmoid", "logits"

    @classmethod
    def output_range(cls, params, port):
        return (0.0, 1.0)

    @classmethod
    def count_parameters(cls, params, ins):
        visible, units = ins["in"].features, params["units"]
        return visible * units + units + visible

    @classmethod
    def describe_parameters(cls, params, ins):
        return f"a {ins['in'].features:,} x {params['units']:,} weight matrix"

    @classmethod
    def summary(cls, params):
        k = value(params, "k", 1)
        cd = ("PCD" if value(params, "persistent") is True else "CD") + f"-{number(k)}"
        s = f"{number(value(params, 'units'))} · {cd}"
        if value(params, "visible") == "gaussian":
            s += " · gaussian"
        epochs = value(params, "epochs")
        return s + (" · not pretrained" if epochs == 0 else f" · {number(epochs)} epochs")
