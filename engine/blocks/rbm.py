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
        raises the data's likelihood and lowers the model's own samples' (the CD update).

        The negative samples come from k Gibbs steps started at a hidden sample of the data
        (CD-k) or, when `chain` holds the persistent chain's hidden states, from there (PCD)."""
        w = self.weight
        pre = torch.addmm(self.h_bias, v, w.t())
        h_pos = torch.sigmoid(pre)
        h = torch.bernoulli(h_pos, generator=generator) if chain is None else chain
        for step in range(k):
            v_neg = self.sample_visible(self.visible_mean(h), generator)
            pre_neg = torch.addmm(self.h_bias, v_neg, w.t())
            h_neg = torch.sigmoid(pre_neg)
            if step < k - 1 or chain is not None:      # CD's chain ends here: no sample needed
                h = torch.bernoulli(h_neg, generator=generator)
        n, m = len(v), len(v_neg)
        # dF/dW = -p(h|v) v^T per row: the gap's gradient is the model's statistics minus the data's
        grad_w = torch.addmm(h_neg.t() @ v_neg, h_pos.t(), v, beta=1.0 / m, alpha=-1.0 / n)
        v_mean, v_neg_mean = v.mean(dim=0), v_neg.mean(dim=0)
        grad_c = h_neg.mean(dim=0) - h_pos.mean(dim=0)
        # dF/db is -v (Bernoulli) or -(v - b) (Gaussian): the same difference of means either way
        grad_b = v_neg_mean - v_mean
        hidden_gap = F.softplus(pre_neg).sum() / m - F.softplus(pre).sum() / n
        if self.gaussian:
            b = self.v_bias
            visible_gap = 0.5 * (((v - b) ** 2).sum() / n - ((v_neg - b) ** 2).sum() / m)
        else:
            visible_gap = (v_neg_mean - v_mean) @ self.v_bias
        return visible_gap + hidden_gap, grad_w, grad_c, grad_b, h

    def cd_loss(self, v: torch.Tensor, k: int, chain: torch.Tensor | None,
                generator: torch.Generator | None) -> tuple[torch.Tensor, torch.Tensor]:
        """(the surrogate loss, the chain's last hidden sample). The loss's value is the free
        energy gap mean F(v) - mean F(v_model) and its gradient the CD update, computed in one
        pass without recording the graph: backward only hands the stored gradients over."""
        gap, gw, gc, gb, h = self.cd_statistics(v, k, chain, generator)
        return _Surrogate.apply(self.weight, self.h_bias, self.v_bias, gap, gw, gc, gb), h


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
