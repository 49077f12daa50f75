"""What a GAN run shows and scores, found through block capabilities.

- `structure`: which nodes are the noise, the generator and the discriminator, and which
  parameters belong to each network (what the adversarial plan freezes in turn);
- the losses (`d_loss`, `g_loss`), shared by the plan and the views;
- `GanWatch`: on sampled steps, the generator's samples of a fixed noise batch (pictures for
  image data, points otherwise) under `StepReport.images[<generator id>]`;
- `test_figures`: the done report's mean D(x) and D(G(z)) and, for data made of known modes
  (synthetic:ring), how many modes the samples cover and how many samples are good;
- the views the GUI asks for between steps: `samples`, `pictures`, `scores`, `score_grid`,
  `sample_gradients` (see `Run.gan_*`).

Nodes are found by what their blocks declare: `adversarial` "noise", "generator" or
"discriminator", and `face` "samples" for the node the pictures are filed under.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from engine.errors import GraphError
from engine.training.autoencoders import as_pictures

D_OPT, G_OPT = "discriminator", "generator"      # the adversarial plan's optimizers
G_LOSSES = ("non_saturating", "minimax")
PICTURES = 16           # generated pictures per sampled step, from one fixed noise batch
POINTS = 256            # generated points per sampled step (data without an image shape)
TEST_SAMPLES = 2500     # generated points the mode figures are counted on (VEEGAN's 2,500)
NEAR_STDS = 3.0         # a sample within this many standard deviations of a mode is good
MODE_MIN = 20           # good samples a mode needs to count as covered


@dataclass
class Structure:
    noise: str                       # the Noise node feeding the generator
    noise_key: str                   # its value ('noise.z'), to give fixed noise
    generator: str | None            # the node the samples are filed under (face "samples")
    discriminator: str
    real_key: str                    # what the discriminator's `real` and `fake` inputs read
    fake_key: str
    g_params: list[torch.nn.Parameter]   # everything between the noise and D's fake input
    d_params: list[torch.nn.Parameter]   # every other computed parameter (D's own)

    @property
    def real_logit(self) -> str:
        return f"{self.discriminator}.real_logit"

    @property
    def fake_logit(self) -> str:
        return f"{self.discriminator}.fake_logit"


def _part(model: Any, nid: str) -> str | None:
    return getattr(model.block_of[nid], "adversarial", None)


def structure(model: Any) -> Structure | None:
    """The GAN parts of a compiled graph, None when it has no discriminator; GraphError for one
    that cannot train (no noise behind its fake input, or two discriminators)."""
    computed = [nid for nid in model.order if nid in model.inputs_of]
    discs = [n for n in computed if _part(model, n) == "discriminator"]
    if not discs:
        return None
    if len(discs) > 1:
        raise GraphError(f"a graph trains one Discriminator; this one has {len(discs)} "
                         f"({', '.join(discs)})", discs[1])
    disc = discs[0]
    real_key, fake_key = model.inputs_of[disc]
    # the generator's side: every computed node the fake input depends on
    behind: set[str] = set()
    stack = [fake_key.partition(".")[0]]
    while stack:
        nid = stack.pop()
        if nid in behind or nid not in model.inputs_of:
            continue
        behind.add(nid)
        stack.extend(k.partition(".")[0] for k in model.inputs_of[nid])
    if model.data_id in {k.partition(".")[0] for n in behind for k in model.inputs_of[n]}:
        raise GraphError("the Discriminator's fake input depends on the data set: a generator "
                         "makes its examples from noise alone (connect a Noise block)", disc)
    noises = [n for n in computed if n in behind and _part(model, n) == "noise"]
    if len(noises) != 1:
        raise GraphError("the Discriminator's fake input must come from one Noise block through "
                         "a Generator", disc)
    faces = [n for n in computed if n in behind and model.block_of[n].face == "samples"]
    g_ids = [n for n in computed if n in behind and n in model.nodes]
    g_params = [p for n in g_ids for p in model.nodes[n].parameters()]
    seen = {id(p) for p in g_params}
    d_params = [p for n in computed if n in model.nodes for p in model.nodes[n].parameters()
                if id(p) not in seen]
    noise = noises[0]
    port = model.block_of[noise].outputs[0]
    return Structure(noise, f"{noise}.{port}", faces[-1] if faces else None, disc, real_key,
                     fake_key, g_params, d_params)


def require(model: Any) -> Structure:
    s = structure(model)
    if s is None:
        raise GraphError("the adversarial plan needs a Discriminator whose fake input comes from "
                         "a Generator")
    return s


# ---- the losses ------------------------------------------------------------------------------
def d_loss(real_logit: torch.Tensor, fake_logit: torch.Tensor, smoothing: float = 0.0
           ) -> torch.Tensor:
    """The discriminator's: binary cross-entropy with real examples labelled 1 - smoothing (one
    sided: the fakes' label stays 0) and generated ones 0."""
    real = F.binary_cross_entropy_with_logits(real_logit, torch.full_like(real_logit,
                                                                          1.0 - smoothing))
    return real + F.binary_cross_entropy_with_logits(fake_logit, torch.zeros_like(fake_logit))


def g_loss_terms(fake_logit: torch.Tensor, kind: str) -> torch.Tensor:
    """The generator's loss per sample. non_saturating: -log D(G(z)) = softplus(-logit);
    minimax: log(1 - D(G(z))) = -softplus(logit), whose gradient vanishes where D is sure."""
    if kind == "minimax":
        return -F.softplus(fake_logit)
    return F.softplus(-fake_logit)


def g_loss(fake_logit: torch.Tensor, kind: str) -> torch.Tensor:
    return g_loss_terms(fake_logit, kind).mean()


# ---- generating --------------------------------------------------------------------------------
def noise(ctx: Any, s: Structure, n: int, seed: int) -> torch.Tensor:
    """n rows of the Noise node's distribution, the same rows for the same seed."""
    return ctx.model.nodes[s.noise].draw(n, torch.Generator().manual_seed(seed))


def generate(ctx: Any, s: Structure, z: torch.Tensor) -> torch.Tensor:
    """What the discriminator's fake input receives for noise z, in the model's current mode
    (only the nodes between the noise and that input run)."""
    model = ctx.model
    return model.value_of(s.fake_key, ctx.x[:0], {s.noise_key: z})


def _shown(ctx: Any, samples: torch.Tensor) -> np.ndarray:
    """Samples in the units the data was loaded in (the Dataset's scaling undone)."""
    return np.asarray(ctx.data.raw_x(samples.float().cpu().numpy()), np.float32)


def _mode(model: Any, training: bool) -> bool:
    was = model.training
    model.train(training)
    return was


class GanWatch:
    """The samples a GAN's telemetry adds; built once a run, None without a generator face."""

    @classmethod
    def for_run(cls, ctx: Any, seed: int) -> GanWatch | None:
        s = structure(ctx.model)
        return cls(ctx, s, seed) if s is not None and s.generator is not None else None

    def __init__(self, ctx: Any, s: Structure, seed: int):
        self.ctx, self.s = ctx, s
        data = ctx.data
        width = ctx.model.widths[s.fake_key.partition(".")[0]][s.fake_key.partition(".")[2]]
        self.image = bool(data.bundle.image_shape) and width.features == data.train.x.shape[1]
        # one noise batch for the whole run, so the pictures change only as the generator learns
        self.z = noise(ctx, s, PICTURES if self.image else POINTS, seed)

    @torch.no_grad()
    def sample(self, rep: Any) -> None:
        """Fill a sampled step report's `images[<generator id>]`."""
        model = self.ctx.model
        was = _mode(model, False)
        try:
            out = generate(self.ctx, self.s, self.z)
        finally:
            model.train(was)
        if self.image:
            rep.images[self.s.generator] = {"samples": as_pictures(self.ctx.data,
                                                                   out.float().cpu().numpy())}
        else:
            rep.images[self.s.generator] = {"points": _shown(self.ctx, out)}


# ---- figures -----------------------------------------------------------------------------------
def mode_figures(points: np.ndarray, centres: np.ndarray, std: float,
                 near: float = NEAR_STDS, per_mode: int = MODE_MIN) -> dict[str, float]:
    """VEEGAN's measure of a mixture of Gaussian modes: a point within `near` standard
    deviations of its nearest mode is good (high quality); a mode is covered when at least
    `per_mode` good points are near it."""
    points = np.asarray(points, np.float64)
    centres = np.asarray(centres, np.float64)
    d = np.sqrt(((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2))
    nearest = d.argmin(axis=1)
    good = d[np.arange(len(points)), nearest] <= near * std
    counts = np.bincount(nearest[good], minlength=len(centres))
    return {"modes_covered": int((counts >= per_mode).sum()), "modes_total": int(len(centres)),
            "high_quality_fraction": float(good.mean()) if len(points) else 0.0}


@torch.no_grad()
def _mean_scores(ctx: Any, s: Structure, x: torch.Tensor, fake: torch.Tensor
                 ) -> tuple[float, float, float]:
    """(mean D(x), mean D(fake), D's loss) in eval mode."""
    disc = ctx.model.nodes[s.discriminator]
    real_logit, fake_logit = disc.logit(x), disc.logit(fake)
    read = torch.stack([torch.sigmoid(real_logit).mean(), torch.sigmoid(fake_logit).mean(),
                        d_loss(real_logit, fake_logit)]).tolist()
    return read[0], read[1], read[2]


@torch.no_grad()
def split_figures(ctx: Any, s: Structure, split: Any, seed: int) -> dict[str, float]:
    """On a split: mean D(x) of its rows, mean D(G(z)) of as many samples of fixed noise, and
    the discriminator's loss on both (as `loss`)."""
    if split is None or not len(split.x):
        return {}
    model = ctx.model
    was = _mode(model, False)
    try:
        x = torch.as_tensor(split.x, device=ctx.device)
        fake = generate(ctx, s, noise(ctx, s, len(x), seed))
        d_real, d_fake, loss = _mean_scores(ctx, s, x, fake)
    finally:
        model.train(was)
    return {"loss": loss, "d_loss": loss, "d_real": d_real, "d_fake": d_fake}


@torch.no_grad()
def test_figures(ctx: Any, s: Structure, seed: int) -> dict[str, float]:
    """For the done report: mean D(x) on the test split (else training rows) and mean D(G(z))
    on TEST_SAMPLES generated points; for data made of known modes, the mode figures of those
    points in the data's loaded units."""
    model, data = ctx.model, ctx.data
    split = data.test if data.test is not None and len(data.test.x) else data.train
    was = _mode(model, False)
    try:
        fake = generate(ctx, s, noise(ctx, s, TEST_SAMPLES, seed))
        x = torch.as_tensor(split.x, device=ctx.device)
        d_real, d_fake, _ = _mean_scores(ctx, s, x, fake)
    finally:
        model.train(was)
    out: dict[str, float] = {"d_real": d_real, "d_fake": d_fake}
    modes = getattr(data.bundle, "modes", None)
    if modes is not None and fake.shape[1] == modes.shape[1]:
        out.update(mode_figures(_shown(ctx, fake), modes, data.bundle.mode_std))
    return out


# ---- views for the GUI, between steps ----------------------------------------------------------
def _check_count(n: int) -> None:
    if not isinstance(n, int) or not 1 <= n <= 100_000:
        raise ValueError(f"n must be a whole number of samples between 1 and 100000, not {n!r}")


@torch.no_grad()
def samples(ctx: Any, s: Structure, n: int, seed: int) -> np.ndarray:
    """(n, features) samples of fixed noise (the same for the same n and seed), in the data's
    loaded units."""
    _check_count(n)
    return _shown(ctx, generate(ctx, s, noise(ctx, s, n, seed)))


@torch.no_grad()
def pictures(ctx: Any, s: Structure, n: int, seed: int) -> np.ndarray:
    """(n, rows, cols) pictures in [0, 1] of fixed noise's samples (data without an image
    shape: (n, 1, features))."""
    _check_count(n)
    out = generate(ctx, s, noise(ctx, s, n, seed))
    return as_pictures(ctx.data, out.float().cpu().numpy())


def _network_units(ctx: Any, points: np.ndarray) -> torch.Tensor:
    """Points in the data's loaded units as the network's (scaled) inputs."""
    data = ctx.data
    x = np.asarray(points, np.float32)
    if x.ndim != 2 or x.shape[1] != data.train.x.shape[1]:
        raise ValueError(f"points must be an array of shape (n, {data.train.x.shape[1]}), not "
                         f"{x.shape}")
    if data.x_scale is not None:
        x = (x - data.x_shift) / data.x_scale
    return torch.as_tensor(x.astype(np.float32), device=ctx.device)


@torch.no_grad()
def scores(ctx: Any, s: Structure, points: np.ndarray) -> np.ndarray:
    """D's probability of 'real' (n,) for points in the data's loaded units, without dropout."""
    disc = ctx.model.nodes[s.discriminator]
    return torch.sigmoid(disc.logit(_network_units(ctx, points)))[:, 0].float().cpu().numpy()


def score_grid(ctx: Any, s: Structure, x_range: tuple[float, float],
               y_range: tuple[float, float], steps: int) -> np.ndarray:
    """D's probabilities (steps, steps) over a grid of 2-D points in the data's loaded units:
    row i at y = y_range[0] + i * (y_range[1] - y_range[0]) / (steps - 1), column j likewise in x
    (row 0 at the bottom of the range)."""
    if not isinstance(steps, int) or not 2 <= steps <= 1024:
        raise ValueError(f"steps must be a whole number between 2 and 1024, not {steps!r}")
    if ctx.data.train.x.shape[1] != 2:
        raise ValueError("a score grid needs two-dimensional data")
    xs = np.linspace(x_range[0], x_range[1], steps, dtype=np.float32)
    ys = np.linspace(y_range[0], y_range[1], steps, dtype=np.float32)
    gx, gy = np.meshgrid(xs, ys)
    return scores(ctx, s, np.stack([gx.ravel(), gy.ravel()], 1)).reshape(steps, steps)


def sample_gradients(ctx: Any, s: Structure, kind: str, n: int, seed: int
                     ) -> tuple[np.ndarray, np.ndarray]:
    """(samples, gradients), each (n, features) in the data's loaded units: fixed noise's
    samples and the gradient of each sample's own generator loss with respect to it (not
    divided by n). Training moves a sample along minus its gradient."""
    _check_count(n)
    data = ctx.data
    with torch.no_grad():
        fake = generate(ctx, s, noise(ctx, s, n, seed))
    disc = ctx.model.nodes[s.discriminator]
    with torch.enable_grad():
        x = fake.detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(g_loss_terms(disc.logit(x), kind).sum(), x)
    grad = grad.float().cpu().numpy()
    if data.x_scale is not None:
        # d loss / d raw = d loss / d scaled * d scaled / d raw, and scaled = (raw - shift) / scale
        grad = grad / data.x_scale
    return _shown(ctx, fake), np.asarray(grad, np.float32)
