"""The reports a run yields. Plain dataclasses of numbers, lists and numpy arrays: no tensors,
no widgets, so they cross threads and serialise to JSON freely.

Autoencoder contract (the GUI codes against it): `StepReport.images` and `StepReport.codes` on
sampled steps, keyed by the node whose block declares `face` "reconstructions" or "code";
`EpochReport.code_mean_activation` and `jacobian_norm` per code node; `DoneReport.test` gains
`recon_error` for every autoencoder (on the test split, the mean over examples and input values
of the squared difference between the reconstruction of the clean input and the input, in the
network's input units as the Dataset scales them: with minmax scaling, pixels in [0, 1]), with a
Corrupt node also `corrupted_error` (damaged input against clean) and `denoised_error`
(reconstruction of the damaged input against clean), and for a variational encoder reconstructed
through bce `neg_elbo` and `kl` (nats per example); and `Run.decode(node_id, z)` turns latent
points into (n, rows, cols) images in [0, 1].

RBM contract (restricted Boltzmann machines and deep belief networks; nodes whose block declares
`face` "rbm"). The contrastive plan runs one phase "pretrain:<node id>" per RBM, bottom up, then
"train" (fine-tuning by backprop) when a Loss follows; `StartReport.plan`, `phase_epochs` and
`phase_steps` list them in order, and every `StepReport` and `EpochReport` names its `phase`.
- `StepReport.images[rbm id]`, sampled steps of that RBM's own pretraining phase only (nothing
  during other phases: keep the last one), for data with an image shape: "input" and "recon"
  float32 (8, rows, cols) in [0, 1], the same 8 examples all run (validation split, else test,
  else train) and their mean-field reconstruction through this RBM (an RBM higher in a stack
  reconstructs its own visible layer, which is then carried down to pixels through the RBMs
  below); "filters" float32 (16, rows, cols) in [0, 1], the weights of hidden units 0..15 as
  pictures, 0.5 meaning a zero weight, each filter scaled so its largest |weight| reaches 0 or 1
  (higher RBMs: their weights times the weights below, a linear view in pixel space).
- `EpochReport.train` of a pretraining phase: "loss" (the contrastive-divergence surrogate: mean
  free energy of the data minus mean free energy of the chain's samples, nats), "terms" {"cd"},
  and, on a fixed sample of up to 256 training rows drawn once per run: "pseudo_likelihood"
  (scikit-learn's BernoulliRBM.score_samples estimate, nats, averaged over the rows and over 8
  draws of the flipped unit per row, the same draws every epoch; absent for Gaussian visible
  units), "recon_error" (mean squared difference per visible value between the
  rows and their mean-field reconstructions, in the RBM's visible units: for the bottom RBM the
  network's input units) and "free_energy" (mean free energy of the rows). `EpochReport.val` of a
  pretraining phase: the same three figures on the validation split. Training free energy
  drifting below the validation one is the overfitting monitor.
- `DoneReport.test` of a graph without a Loss: the bottom RBM's "pseudo_likelihood",
  "recon_error" and "free_energy" on the test split; `baseline` {"recon_error"} of every test row
  rebuilt as the mean training row. With a Loss: the supervised figures only.
- `Run.gibbs(node_id, n, steps, every, seed)`: an animated Gibbs chain of an RBM started from
  noise, as float32 (1 + steps // every, n, rows, cols) pictures in [0, 1] (frame 0 the noise,
  then the visible means every `every` steps, carried down to pixels for a higher RBM); safe from
  the GUI thread while the run trains, like `Run.decode`.

GAN contract (the adversarial plan; nodes whose block declares `adversarial`). StartReport task
"generation", one phase "train"; each StepReport is one update, its `terms` {"d_loss"} or
{"g_loss"}, its `grad_norm` 0 for the frozen network.
- `EpochReport.train`: "d_loss", "g_loss", "d_real" and "d_fake" (mean D(x) and D(G(z)) over the
  epoch's discriminator updates), "terms" {"d_loss", "g_loss"} and "loss" (their sum);
  `EpochReport.val`: "d_loss" (also as "loss"), "d_real", "d_fake" on the validation split.
- `StepReport.images[generator id]` (face "samples"), sampled steps: "samples" float32 (16, rows,
  cols) in [0, 1] for image data, else "points" float32 (256, features) in the loaded units; one
  fixed noise batch for the whole run.
- `DoneReport.test`: "d_real", "d_fake" and, for data of known modes (synthetic:ring),
  "modes_covered", "modes_total", "high_quality_fraction" of 2,500 generated points.
- `Run.gan_samples`, `gan_pictures`, `gan_scores`, `gan_score_grid`, `gan_gradients` (views),
  `Run.step_discriminator` / `step_generator` (single updates of one network).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class StartReport:
    plan: list[str]
    device: str
    parameters: int
    layers: list[str]                 # ids of the nodes whose gradients are watched, input side first
    activations: list[str]            # Activation node ids, input side first
    activation_fns: dict[str, str]
    epochs: int
    steps_per_epoch: int
    task: str                         # classification | regression | reconstruction | generation
    class_names: list[str]
    # per phase, in order: epochs and steps per epoch (phases may batch differently; a
    # single-phase run has one entry each, and steps_per_epoch is the first phase's)
    phase_epochs: list[int] = field(default_factory=list)
    phase_steps: list[int] = field(default_factory=list)
    event: str = "start"


@dataclass
class StepReport:
    epoch: int
    step: int                         # within the epoch, from 1
    global_step: int
    loss: float
    terms: dict[str, float]
    grad_norm: dict[str, float]       # layer id -> L2 norm of the gradient the optimizer used
    # sampled every few steps (empty dicts between samples):
    grad_mean_abs: dict[str, float] = field(default_factory=dict)
    weight_norm: dict[str, float] = field(default_factory=dict)
    update_ratio: dict[str, float] = field(default_factory=dict)
    act_mean: dict[str, float] = field(default_factory=dict)
    saturated: dict[str, float] = field(default_factory=dict)   # sigmoid/tanh ids
    dead: dict[str, float] = field(default_factory=dict)        # relu ids
    histograms: dict[str, Any] = field(default_factory=dict)    # id -> {"weight": arr, "grad": arr}
    # the norms before gradient clipping (the same values as grad_norm when nothing is clipped)
    grad_norm_raw: dict[str, float] = field(default_factory=dict)
    # Autoencoders, sampled steps only. images: id of a node whose face shows reconstructions
    # (capability face == "reconstructions") -> {"input", "corrupted" (only with a Corrupt node),
    # "recon"}: float32 (n, rows, cols) in [0, 1], the same n = 8 examples for the whole run
    # (validation split, else test, else train); only for data with an image shape.
    images: dict[str, dict[str, Any]] = field(default_factory=dict)
    # codes: id of a node whose face shows code bars (face == "code") -> {"unit_mean": (units,)
    # mean activation of each unit over the fixed batch, "values": (m, units) codes of a fixed
    # batch of up to 256 examples (a VAE's mean head), "labels": (m,) int class labels, absent
    # when the data set has none}
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    # the phase this step belongs to ("train", "pretrain:<node id>"); global_step counts within it
    phase: str = ""
    event: str = "step"


@dataclass
class EpochReport:
    phase: str
    epoch: int
    train: dict[str, Any]
    val: dict[str, Any]
    grad_norm: dict[str, float]       # averaged over the epoch's steps, as used (after clipping)
    seconds: float
    grad_norm_raw: dict[str, float] = field(default_factory=dict)    # before clipping
    # per code node (face == "code"), on a fixed batch of up to 256 validation examples:
    # the mean over units of each unit's mean activation, and the mean over examples of the
    # squared Frobenius norm of d code / d input
    code_mean_activation: dict[str, float] = field(default_factory=dict)
    jacobian_norm: dict[str, float] = field(default_factory=dict)
    event: str = "epoch"


@dataclass
class DoneReport:
    reason: str                       # completed | early_stopped | stopped | diverged
    message: str = ""
    node: str | None = None
    epochs_run: int = 0
    best_epoch: int | None = None
    test: dict[str, Any] = field(default_factory=dict)   # autoencoders add recon_error, neg_elbo
    baseline: dict[str, Any] = field(default_factory=dict)
    class_names: list[str] = field(default_factory=list)
    seconds: float = 0.0
    event: str = "done"


@dataclass
class ErrorReport:
    message: str
    node: str | None = None
    event: str = "error"


Report = StartReport | StepReport | EpochReport | DoneReport | ErrorReport


def to_json_dict(report: Report) -> dict[str, Any]:
    """A JSON-safe dict: NaN and infinities become null (JSON has no spelling for them)."""
    d = asdict(report)
    for arrays in ("histograms", "images", "codes"):    # large arrays stay off JSON lines
        d.pop(arrays, None)
    return _clean(d)


def _clean(v: Any) -> Any:
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    if hasattr(v, "tolist"):
        return _clean(v.tolist())
    return v
