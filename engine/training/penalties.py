"""Terms added to the loss, computed from a step's forward values and the watched weights.

Each entry of `REGISTRY` is a named term; a term that is off for a run's settings is left out
entirely, so it costs nothing. New kinds of penalty (an autoencoder's sparsity or contractive
terms, a VAE's KL divergence) are new entries, not changes to the training loop.

Scaling of L1 and L2: the course notes write the L2 cost as lambda/(2m) * sum(w^2) added to a
loss that is itself averaged over the m training examples. Our data loss is the mean over a
batch, so we add `l2/2 * sum(w^2)` and `l1 * sum|w|`: a notes' lambda corresponds to
l2 = lambda/m (and for L1, whose notes' formula carries the same 1/(2m), l1 = lambda/(2m)). Only
the watched weights (Dense weight matrices) are penalised, never biases or BatchNorm scales.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch


@dataclass(frozen=True)
class PenaltyInputs:
    """What a term may read: the run's settings, the compiled model, this step's values."""

    cfg: dict[str, Any]
    model: Any
    values: dict[str, torch.Tensor]
    weights: list[torch.Tensor]


@dataclass(frozen=True)
class Penalty:
    name: str                                        # the loss term's name in the reports
    active: Callable[[dict[str, Any], Any], bool]    # (settings, model) -> is it on for this run
    compute: Callable[[PenaltyInputs], torch.Tensor]


REGISTRY: dict[str, Penalty] = {}


def register(penalty: Penalty) -> Penalty:
    REGISTRY[penalty.name] = penalty
    return penalty


def active(cfg: dict[str, Any], model: Any) -> list[Penalty]:
    """The terms this run adds, in registry order."""
    return [p for p in REGISTRY.values() if p.active(cfg, model)]


register(Penalty("l1", lambda cfg, model: bool(cfg["l1"]) and bool(model.watched),
                 lambda i: i.cfg["l1"] * sum(w.abs().sum() for w in i.weights)))
register(Penalty("l2", lambda cfg, model: bool(cfg["l2"]) and bool(model.watched),
                 lambda i: i.cfg["l2"] / 2 * sum((w * w).sum() for w in i.weights)))


# ---- autoencoders: terms that Encoder nodes declare (Block.penalties) --------------------------
# Each is summed over the nodes that declare it, with that node's own settings. A code unit's
# mean activation is kept inside (eps, 1 - eps) so that log(rho / rho_hat) stays finite when a
# unit goes silent or saturates.
#
# All three are divided by the number of input values the Encoder reads. The textbook objectives
# add them to a reconstruction cost summed over an example's input values (a sparse
# autoencoder's squared error, a contractive one's L(x, g(f(x))), a VAE's log-likelihood); our
# reconstruction Loss is the mean over them, 64 times smaller on digits. Divided alike, the total
# is the textbook objective per input value, with the same minimum and the same meaning of beta,
# lambda and the KL. Undivided, beta 3 silenced every code unit of the sparse lesson (all at the
# target 0.05 for every digit, each digit rebuilt as the same blur: test error 0.046 against
# 0.004 without the penalty); divided, the code is sparse and still tells digits apart (0.017).
SPARSITY_EPS = 1e-6


def _declared(name: str) -> Callable[[dict[str, Any], Any], bool]:
    return lambda cfg, model: bool(getattr(model, "penalty_nodes", {}).get(name))


def _input_width(i: PenaltyInputs, nid: str) -> int:
    return i.values[i.model.inputs_of[nid][0]].shape[1]


def sparse_kl(i: PenaltyInputs) -> torch.Tensor:
    """beta * sum over code units j of KL(rho || rho_hat_j), rho_hat_j the unit's mean activation
    over the batch (the divergence between two coin flips of those probabilities), per input
    value (see above)."""
    total = 0
    for nid, s in i.model.penalty_nodes["sparse_kl"]:
        rho = s["rho"]
        rho_hat = i.values[f"{nid}.out"].mean(dim=0).clamp(SPARSITY_EPS, 1 - SPARSITY_EPS)
        kl = rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))
        total = total + s["beta"] * kl.sum() / _input_width(i, nid)
    return total


def contractive(i: PenaltyInputs) -> torch.Tensor:
    """lambda * the squared Frobenius norm of d code / d input, averaged over the batch (closed
    form for a one-layer sigmoid encoder, autograd otherwise: EncoderNet.jacobian_sq_norm), per
    input value (see above)."""
    total = 0
    for nid, s in i.model.penalty_nodes["contractive"]:
        module = i.model.nodes[nid]
        x = i.values[i.model.inputs_of[nid][0]]
        norms = module.jacobian_sq_norm(x, i.values[f"{nid}.out"], create_graph=True)
        total = total + s["lambda"] * norms.mean() / x.shape[1]
    return total


def kl_to_standard_normal(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """Per example, KL(N(mu, exp(logvar)) || N(0, I)) in nats."""
    return -0.5 * (1 + logvar - mu * mu - logvar.exp()).sum(dim=1)


def kl(i: PenaltyInputs) -> torch.Tensor:
    """A VAE's KL term, averaged over the batch, per input value (see above): with the bce
    reconstruction, the total is the negative ELBO per input value, which has the same minimum
    as the ELBO. The done report's neg_elbo gives it per example, in nats."""
    total = 0
    for nid, _ in i.model.penalty_nodes["kl"]:
        mu, logvar = i.values[f"{nid}.mu"], i.values[f"{nid}.logvar"]
        total = total + kl_to_standard_normal(mu, logvar).mean() / _input_width(i, nid)
    return total


register(Penalty("sparse_kl", _declared("sparse_kl"), sparse_kl))
register(Penalty("contractive", _declared("contractive"), contractive))
register(Penalty("kl", _declared("kl"), kl))
