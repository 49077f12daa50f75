"""The graph's `training` object: every key declared with its default, range and help."""
from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from engine.blocks.base import Param
from engine.errors import Problem

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamax",
              "adamw")

PARAMS: tuple[Param, ...] = (
    Param("optimizer", "choice", "adam", "How gradients turn into weight changes.", choices=OPTIMIZERS),
    Param("lr", "float", 0.001, "Learning rate: the size of each step.", min=1e-7, max=10.0),
    Param("momentum", "float", 0.9, "Momentum for the momentum and nesterov optimizers.",
          min=0.0, max=0.999),
    Param("weight_decay", "float", 0.0, "Weight decay applied by the optimizer itself.",
          min=0.0, max=1.0),
    Param("l1", "float", 0.0, "L1 penalty: adds l1 * sum|w| over Dense weights to the loss.",
          min=0.0, max=10.0),
    Param("l2", "float", 0.0, "L2 penalty: adds l2/2 * sum w^2 over Dense weights to the loss.",
          min=0.0, max=10.0),
    Param("batch_size", "int", 64, "Examples per gradient step.", min=1, max=100000),
    Param("epochs", "int", 20, "Passes over the training data.", min=1, max=100000),
    Param("val_split", "float", 0.1, "Fraction of the training rows held out for validation.",
          min=0.0, max=0.9),
    Param("early_stopping", "object", None,
          "Stop when the monitored figure stops improving: {monitor, patience, restore_best}.",
          nullable=True),
    Param("grad_clip", "object", None, "Limit gradients: {mode: norm|value, max}.", nullable=True),
    Param("gan", "object", {"d_steps": 1, "g_steps": 1, "g_loss": "non_saturating",
                            "d_lr": 0.0002, "g_lr": 0.0002, "label_smoothing": 0.0, "beta1": 0.5},
          "Settings for GAN training: {d_steps, g_steps, g_loss, d_lr, g_lr, label_smoothing, "
          "beta1}."),
    Param("seed", "int", 0, "Random seed: the same file and seed give the same numbers.",
          min=0, max=2**31 - 1),
    Param("device", "choice", "auto", "Where to train: auto picks a GPU when there is one.",
          choices=("auto", "cpu", "cuda")),
)

EARLY_STOPPING = (
    Param("monitor", "choice", "val_loss", "The figure watched.",
          choices=("val_loss", "val_accuracy", "train_loss")),
    Param("patience", "int", 5, "Epochs without improvement before stopping.", min=0, max=10000),
    Param("restore_best", "bool", True, "Put back the weights of the best epoch when stopping."),
    Param("min_delta", "float", 0.0, "Smallest change that counts as an improvement.", min=0.0),
)
GRAD_CLIP = (
    Param("mode", "choice", "norm", "norm scales the whole gradient; value clips each entry.",
          choices=("norm", "value")),
    Param("max", "float", 1.0, "The largest norm (or absolute value) allowed.", min=1e-8, max=1e6),
)
GAN = (
    Param("d_steps", "int", 1, "Discriminator updates per batch, made before the generator's.",
          min=1, max=100),
    Param("g_steps", "int", 1, "Generator updates per batch, made after the discriminator's.",
          min=1, max=100),
    Param("g_loss", "choice", "non_saturating", "The generator's loss: non_saturating "
          "(minimise -log D(G(z)): strong gradients while D wins) or minimax (minimise "
          "log(1 - D(G(z))), the original game, whose gradient vanishes while D wins).",
          choices=("non_saturating", "minimax")),
    Param("d_lr", "float", 0.0002, "The discriminator's learning rate.", min=1e-7, max=10.0),
    Param("g_lr", "float", 0.0002, "The generator's learning rate.", min=1e-7, max=10.0),
    Param("label_smoothing", "float", 0.0, "One-sided label smoothing: the discriminator's "
          "target for real examples is 1 - this (0: off; 0.1 is usual).", min=0.0, max=0.5),
    Param("beta1", "float", 0.5, "Adam's first-moment decay for both networks (adam, adamw, "
          "adamax): GANs train steadier with 0.5 than with Adam's usual 0.9.", min=0.0, max=0.999),
)
_NESTED = {"early_stopping": EARLY_STOPPING, "grad_clip": GRAD_CLIP, "gan": GAN}
_SEED = next(p for p in PARAMS if p.name == "seed")


def resolve(training: dict[str, Any]) -> dict[str, Any]:
    """Every key with its default filled in (nested objects too)."""
    out = {p.name: copy.deepcopy(p.default) for p in PARAMS}
    out.update(copy.deepcopy(training))
    for key, decl in _NESTED.items():
        if isinstance(out.get(key), dict):
            full = {p.name: p.default for p in decl}
            full.update(out[key])
            out[key] = full
    return out


# Settings kept in files and checked, but read by no training plan yet: editors hide them rather
# than offer a control that changes nothing. (Empty since the adversarial plan reads `gan`.)
NOT_READ_YET: dict[str, str] = {}
_USES_MOMENTUM = ("momentum", "nesterov")
ADVERSARIAL = "adversarial"      # the plan that reads `gan` (and not `lr`)


def ignored(training: dict[str, Any], plans: Iterable[str] = ()) -> dict[str, str]:
    """Settings that the chosen optimizer, or the plans the graph trains with (its blocks'
    `plan`s), do not read, each with the reason, for an editor to grey out."""
    optimizer = resolve(training)["optimizer"]
    out = {}
    if optimizer not in _USES_MOMENTUM:
        out["momentum"] = (f"{optimizer} does not use this momentum setting: only the momentum "
                           f"and nesterov optimizers do")
    if ADVERSARIAL in plans:
        out["lr"] = ("a GAN's two networks learn at their own rates, gan.d_lr and gan.g_lr: "
                     "this one is not used")
    else:
        out["gan"] = ("read only when the graph trains adversarially (a generator against a "
                      "discriminator)")
    return out


def valid_seed(training: dict[str, Any]) -> int:
    """The file's seed when it is allowed, else the default: a rejected setting (a negative seed,
    a string) must never reach the data generators, even while its error is being reported."""
    seed = training.get("seed", 0)
    return seed if _SEED.check(seed) is None else _SEED.default


def check(training: dict[str, Any]) -> list[Problem]:
    problems = []
    known = {p.name: p for p in PARAMS}
    for key, value in training.items():
        p = known.get(key)
        if p is None:
            problems.append(Problem(f"training: unknown setting '{key}' "
                                    f"(known: {', '.join(known)})"))
            continue
        msg = p.check(value)
        if msg:
            problems.append(Problem(f"training: '{key}' {msg}"))
        elif key in _NESTED and isinstance(value, dict):
            nested = {q.name: q for q in _NESTED[key]}
            for k, v in value.items():
                q = nested.get(k)
                if q is None:
                    problems.append(Problem(f"training: '{key}' has unknown key '{k}' "
                                            f"(known: {', '.join(nested)})"))
                elif (m := q.check(v)):
                    problems.append(Problem(f"training: '{key}.{k}' {m}"))
    return problems
