"""What an autoencoder run shows and scores, found through block capabilities.

- `AutoencoderWatch`: on sampled steps, pictures of a fixed batch (inputs, corrupted inputs,
  reconstructions) and the code of a fixed batch; once an epoch, each code's mean activation and
  the mean squared Frobenius norm of its Jacobian (see engine/telemetry.py for the contract).
- `test_figures`: the done report's reconstruction error, the denoising distances and a VAE's
  negative ELBO.
- `decode`: latent points to pictures, for the latent explorer (`Run.decode`).

Nodes are found by what their blocks declare: `face` "reconstructions" (draws pictures),
`face` "code" (draws code bars), `corrupts` (damages its input while training).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from engine.training.penalties import kl_to_standard_normal

IMAGES = 8              # pictures per row in the reconstructions strip
CODE_BATCH = 256        # examples whose codes are plotted and whose Jacobian is measured
ELBO_SAMPLES = 8        # codes drawn per test example for the negative ELBO's expectation


@dataclass
class Structure:
    recon_nodes: list[str]      # face "reconstructions", in graph order
    code_nodes: list[str]       # face "code"
    corrupt_nodes: list[str]    # blocks that corrupt their input while training
    recon_loss: Any             # the LossSpec comparing something with the Dataset's x, or None


def structure(model: Any) -> Structure | None:
    """The autoencoder parts of a compiled graph, or None when it has none."""
    computed = [nid for nid in model.order if nid in model.inputs_of]
    faces = {nid: model.block_of[nid].face for nid in computed}
    recon = [n for n in computed if faces[n] == "reconstructions"]
    codes = [n for n in computed if faces[n] == "code"]
    if not recon and not codes:
        return None
    corrupt = [n for n in computed if model.block_of[n].corrupts]
    loss = next((s for s in model.losses if s.target_key == model.x_key), None)
    return Structure(recon, codes, corrupt, loss)


def fixed_split(data: Any) -> Any:
    """Where the fixed examples come from: validation, else test, else training."""
    return data.val if data.val is not None else data.test if data.test is not None else data.train


def display_units(data: Any, x: np.ndarray) -> np.ndarray:
    """Values in the network's (scaled) input units as picture brightness in [0, 1]: the
    Dataset's scaling undone, then the data set's whole range mapped onto 0..1 (one range for
    all pixels, so a pixel that is always dark stays dark), then clipped."""
    raw = data.raw_x(np.asarray(x, np.float32))
    lo, hi = _raw_range(data)
    return np.clip((raw - lo) / (hi - lo), 0.0, 1.0).astype(np.float32)


def _raw_range(data: Any) -> tuple[float, float]:
    cached = getattr(data, "_display_range", None)
    if cached is None:
        x = data.bundle.x
        lo, hi = (float(np.nanmin(x)), float(np.nanmax(x))) if x.size else (0.0, 1.0)
        cached = (lo, hi if hi > lo else lo + 1.0)
        data._display_range = cached
    return cached


def as_pictures(data: Any, x: np.ndarray) -> np.ndarray:
    """(n, rows, cols) pictures in [0, 1]; data without an image shape gives one row each."""
    shown = display_units(data, x)
    rows, cols = data.bundle.image_shape or (1, shown.shape[1])
    return shown.reshape(len(shown), rows, cols)


def _mode(model: Any, training: bool) -> bool:
    was = model.training
    model.train(training)
    return was


def _corrupted(model: Any, s: Structure, x: torch.Tensor, generator: torch.Generator
               ) -> dict[str, torch.Tensor]:
    """Each corrupting node's output for `x`, damaged with `generator` (input side first), as
    `given` values for CompiledGraph.forward. The model must be in eval mode."""
    given: dict[str, torch.Tensor] = {}
    for nid in s.corrupt_nodes:
        v = model(x, None, given)
        given[f"{nid}.out"] = model.nodes[nid].corrupt(v[model.inputs_of[nid][0]], generator)
    return given


class AutoencoderWatch:
    """The figures an autoencoder's telemetry adds; built once a run, None without one."""

    @classmethod
    def for_run(cls, ctx: Any, seed: int) -> AutoencoderWatch | None:
        s = structure(ctx.model)
        return cls(ctx, s, seed) if s is not None else None

    def __init__(self, ctx: Any, s: Structure, seed: int):
        self.ctx, self.model, self.s = ctx, ctx.model, s
        data = ctx.data
        split = fixed_split(data)
        self.x_code = torch.as_tensor(split.x[:CODE_BATCH], device=ctx.device)
        labels = split.y[:CODE_BATCH] if ctx.task == "classification" else None
        self.labels = np.asarray(labels, np.int64) if labels is not None else None
        self.x_img = None
        self.given: dict[str, torch.Tensor] = {}
        if s.recon_nodes and data.bundle.image_shape and len(split.x):
            self.x_img = torch.as_tensor(split.x[:IMAGES], device=ctx.device)
            self.input_pictures = as_pictures(data, split.x[:IMAGES])
            was = _mode(self.model, False)
            try:
                with torch.no_grad():
                    # drawn once: the same damage in every picture of the run
                    self.given = _corrupted(self.model, s, self.x_img,
                                            torch.Generator().manual_seed(seed))
            finally:
                self.model.train(was)
            last = s.corrupt_nodes[-1] if s.corrupt_nodes else None
            self.corrupted_pictures = (as_pictures(data, self.given[f"{last}.out"].cpu().numpy())
                                       if last else None)

    @torch.no_grad()
    def sample(self, rep: Any) -> None:
        """Fill a sampled step report's `images` and `codes`."""
        model, data = self.model, self.ctx.data
        was = _mode(model, False)
        try:
            if self.x_img is not None:
                v = model(self.x_img, None, self.given or None)
                for nid in self.s.recon_nodes:
                    recon = v[f"{nid}.out"].float().cpu().numpy()
                    if recon.shape[1] != self.x_img.shape[1]:
                        continue        # not the input's width: nothing to draw it as
                    entry = {"input": self.input_pictures, "recon": as_pictures(data, recon)}
                    if self.corrupted_pictures is not None:
                        entry["corrupted"] = self.corrupted_pictures
                    rep.images[nid] = entry
            if self.s.code_nodes and len(self.x_code):
                v = model(self.x_code, None)
                for nid in self.s.code_nodes:
                    code = v[f"{nid}.out"].float()
                    entry = {"unit_mean": code.mean(dim=0).cpu().numpy(),
                             "values": code.cpu().numpy()}
                    if self.labels is not None:
                        entry["labels"] = self.labels
                    rep.codes[nid] = entry
        finally:
            model.train(was)

    def epoch_figures(self) -> dict[str, dict[str, float]]:
        """The EpochReport's code_mean_activation and jacobian_norm, on the fixed code batch."""
        if not self.s.code_nodes or not len(self.x_code):
            return {}
        model = self.model
        was = _mode(model, False)
        means, jacobians = {}, {}
        try:
            with torch.no_grad():
                v = model(self.x_code, None)
            for nid in self.s.code_nodes:
                means[nid] = v[f"{nid}.out"]
                module = model.nodes[nid]
                if hasattr(module, "jacobian_sq_norm"):
                    with torch.no_grad():
                        x_in = v[model.inputs_of[nid][0]]
                    jacobians[nid] = module.jacobian_sq_norm(x_in).detach().mean()
        finally:
            model.train(was)
        read = torch.stack([m.float().mean() for m in means.values()]
                           + [j.float() for j in jacobians.values()]).tolist()
        return {"code_mean_activation": dict(zip(means, read[:len(means)])),
                "jacobian_norm": dict(zip(jacobians, read[len(means):]))}


@torch.no_grad()
def test_figures(ctx: Any, seed: int) -> dict[str, float]:
    """For the done report, on the test split, in the network's (scaled) input units:
    `recon_error`, the mean squared difference per input value between the reconstruction of a
    clean input and the input; with a corrupting node, `corrupted_error` (a damaged input
    against the clean one) and `denoised_error` (the reconstruction of the damaged input against
    the clean one); for a variational encoder reconstructed through a bce loss, `neg_elbo` and
    `kl`, in nats per example."""
    model, data = ctx.model, ctx.data
    s = structure(model)
    if s is None or s.recon_loss is None or data.test is None or not len(data.test.x):
        return {}
    spec = s.recon_loss
    x = torch.as_tensor(data.test.x, device=ctx.device)
    out: dict[str, float] = {}
    was = _mode(model, False)
    try:
        v = model(x, None)
        recon = v[spec.out_key]
        if recon.shape != x.shape:
            return {}
        out["recon_error"] = float(((recon - x) ** 2).mean())
        if s.corrupt_nodes:
            given = _corrupted(model, s, x, torch.Generator().manual_seed(seed))
            damaged = given[f"{s.corrupt_nodes[-1]}.out"]
            out["corrupted_error"] = float(((damaged - x) ** 2).mean())
            out["denoised_error"] = float(((model(x, None, given)[spec.out_key] - x) ** 2).mean())
        vae = model.penalty_nodes.get("kl")
        if vae and getattr(spec.fn, "kind", None) == "bce":
            out.update(_neg_elbo(model, spec, vae[0][0], v, x, seed))
    finally:
        model.train(was)
    return out


def _neg_elbo(model: Any, spec: Any, enc: str, v: dict[str, torch.Tensor], x: torch.Tensor,
              seed: int) -> dict[str, float]:
    """-ELBO per example = E_q[-log p(x | z)] + KL(q(z | x) || N(0, I)), the expectation over
    ELBO_SAMPLES codes drawn from the encoder's Gaussian with a fixed generator. p(x | z) is the
    bce's Bernoulli per input value (the Loss reads logits, like the training loss does); targets
    outside 0..1 (a test pixel brighter than any training one, after minmax) are clipped."""
    mu, logvar = v[f"{enc}.mu"], v[f"{enc}.logvar"]
    kl = kl_to_standard_normal(mu, logvar)
    target = x.clamp(0.0, 1.0)
    generator = torch.Generator().manual_seed(seed)
    nll = torch.zeros(len(x), device=x.device)
    for _ in range(ELBO_SAMPLES):
        eps = torch.randn(mu.shape, generator=generator).to(mu.device)
        z = mu + eps * torch.exp(0.5 * logvar)
        logits = model(x, None, {f"{enc}.out": z})[spec.pred_key]
        nll += F.binary_cross_entropy_with_logits(logits, target, reduction="none").sum(dim=1)
    nll /= ELBO_SAMPLES
    return {"neg_elbo": float((nll + kl).mean()), "kl": float(kl.mean())}


@torch.no_grad()
def decode(ctx: Any, node_id: str, z: np.ndarray) -> np.ndarray:
    """Pictures (n, rows, cols) in [0, 1] that node `node_id` (a block whose face shows
    reconstructions) makes of the latent points z (n, code width). Calls that node's module alone
    and never changes the model's train/eval mode, so the GUI thread may call it while a worker
    trains (the module holds no dropout or batch statistics)."""
    model = ctx.model
    block = model.block_of.get(node_id)
    if block is None or block.face != "reconstructions" or node_id not in model.inputs_of:
        raise ValueError(f"'{node_id}' is not a decoder of this run: decode takes the id of a node "
                         f"that reconstructs its input (a Decoder)")
    src_node, _, src_port = model.inputs_of[node_id][0].partition(".")
    width = model.widths[src_node][src_port].features
    z = np.asarray(z, np.float32)
    if z.ndim != 2 or z.shape[1] != width:
        raise ValueError(f"'{node_id}' decodes codes of {width} numbers; got an array of shape "
                         f"{z.shape}")
    r = model.nodes[node_id](torch.as_tensor(z, device=ctx.device))
    out = r["out"] if isinstance(r, dict) else r
    return as_pictures(ctx.data, out.float().cpu().numpy())
