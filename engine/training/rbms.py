"""What an RBM run shows and scores, found through block capabilities.

- `RBMWatch`: on sampled steps of an RBM's pretraining phase, pictures of a fixed batch (inputs
  and their reconstructions) and of a few of its hidden units' weights (filters);
- `figures`: the pseudo-likelihood, reconstruction error and free energy of rows, for the
  epoch reports and the done report;
- `gibbs`: a Gibbs chain started from noise, as pictures (`Run.gibbs`).

The contract is in engine/telemetry.py. Nodes are found by what their blocks declare: `face`
"rbm" (pictures, filters, Gibbs chains). A higher RBM of a stack draws in pixel space when
everything below it is RBMs on the Dataset's x: its reconstructions are carried down through
their visible means, and its filters through their weights.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from engine.training.autoencoders import IMAGES, as_pictures, fixed_split

FILTERS = 16            # hidden units whose weights are drawn (units 0..15)
FIGURE_ROWS = 256       # training rows the per-epoch figures are measured on (a fixed sample)
PL_DRAWS = 8            # flipped units drawn per row for the pseudo-likelihood figure
GIBBS_FRAMES = 2000     # the most frames one call of gibbs returns


def rbm_nodes(model: Any) -> list[str]:
    """Computed nodes whose block draws as an RBM, input side first."""
    return [nid for nid in model.order
            if nid in model.inputs_of and model.block_of[nid].face == "rbm"]


def chains_below(model: Any) -> dict[str, list[str] | None]:
    """For every RBM, the RBMs under it from the Dataset's x up (empty for one reading x), or
    None when something else lies between it and the data (then it cannot draw in pixels)."""
    out: dict[str, list[str] | None] = {}
    for nid in rbm_nodes(model):
        key = model.inputs_of[nid][0]
        if key == model.x_key:
            out[nid] = []
            continue
        src, _, port = key.partition(".")
        below = out.get(src)
        out[nid] = below + [src] if below is not None and port == "out" else None
    return out


def down(model: Any, chain: list[str], u: torch.Tensor) -> torch.Tensor:
    """Values of the bottom RBM's visible layer (the network's input units) from values of the
    visible layer of the RBM above `chain`: each RBM below turns its hidden values into its
    visible means."""
    for nid in reversed(chain):
        u = model.nodes[nid].visible_mean(u)
    return u


def filter_pictures(model: Any, nid: str, chain: list[str], rows: int, cols: int) -> np.ndarray:
    """(FILTERS, rows, cols) in [0, 1]: hidden units' weights, through the weights below for a
    higher RBM; 0.5 is a zero weight, and each filter is scaled by its own largest |weight|."""
    w = model.nodes[nid].weight.detach()[:FILTERS]
    for below in reversed(chain):
        w = w @ model.nodes[below].weight.detach()
    w = w.float()
    scale = w.abs().amax(dim=1, keepdim=True).clamp_min(1e-12)
    return (0.5 + 0.5 * w / scale).cpu().numpy().reshape(len(w), rows, cols)


@torch.no_grad()
def figures(module: Any, u: torch.Tensor, seed: int) -> dict[str, float]:
    """pseudo_likelihood (Bernoulli visible units only), recon_error and free_energy of the rows
    u of an RBM's visible layer, means over rows.

    The pseudo-likelihood is scikit-learn's estimate (one visible unit per row flipped at random,
    n_visible * log sigmoid(F(flipped) - F(row))) averaged over PL_DRAWS draws per row: one draw
    per row swings the mean of the 144 validation rows of digits by a couple of nats from one
    set of flips to another, more than an epoch's learning moves it. The flips are drawn with
    `seed`, the same ones every call, so an epoch's change is the model's."""
    if not len(u):
        return {}
    fe = module.free_energy(u)
    recon = module.reconstruct(u)
    read = [fe.mean(), ((recon - u) ** 2).mean()]
    if not module.gaussian:
        n, d = u.shape
        generator = torch.Generator(device=u.device).manual_seed(seed)
        flipped = u.repeat(PL_DRAWS, 1)
        rows = torch.arange(len(flipped), device=u.device)
        flip = torch.randint(0, d, (len(flipped),), generator=generator, device=u.device)
        flipped[rows, flip] = 1.0 - flipped[rows, flip]
        gap = module.free_energy(flipped) - fe.repeat(PL_DRAWS)
        read.append(d * torch.nn.functional.logsigmoid(gap).mean())
    values = torch.stack(read).tolist()
    out = {"recon_error": values[1], "free_energy": values[0]}
    if len(values) > 2:
        out["pseudo_likelihood"] = values[2]
    return out


class RBMWatch:
    """The pictures an RBM's pretraining shows; built once a run, None without an RBM that can
    draw (image data, and only RBMs below it)."""

    @classmethod
    def for_run(cls, ctx: Any) -> RBMWatch | None:
        model, data = ctx.model, ctx.data
        if not data.bundle.image_shape:
            return None
        drawable = {nid: c for nid, c in chains_below(model).items() if c is not None}
        split = fixed_split(data)
        if not drawable or not len(split.x):
            return None
        return cls(ctx, drawable, split.x[:IMAGES])

    def __init__(self, ctx: Any, chains: dict[str, list[str]], x: np.ndarray):
        self.ctx, self.model, self.chains = ctx, ctx.model, chains
        self.shape = ctx.data.bundle.image_shape
        self.x = torch.as_tensor(x, device=ctx.device)
        self.input_pictures = as_pictures(ctx.data, x)
        self.phases = {f"pretrain:{nid}": nid for nid in chains}

    @torch.no_grad()
    def sample(self, rep: Any, phase: str) -> None:
        """Fill a sampled step report's `images` for the RBM the phase pretrains."""
        nid = self.phases.get(phase)
        if nid is None:
            return
        model, chain = self.model, self.chains[nid]
        module = model.nodes[nid]
        u = model.value_of(model.inputs_of[nid][0], self.x)
        recon = down(model, chain, module.reconstruct(u)).float().cpu().numpy()
        if recon.shape[1] != self.x.shape[1]:
            return
        rep.images[nid] = {"input": self.input_pictures,
                           "recon": as_pictures(self.ctx.data, recon),
                           "filters": filter_pictures(model, nid, chain, *self.shape)}


@torch.no_grad()
def gibbs(ctx: Any, node_id: str, n: int = 8, steps: int = 100, every: int = 1,
          seed: int = 0) -> np.ndarray:
    """Pictures of a Gibbs chain of RBM `node_id` started from noise: (1 + steps // every, n,
    rows, cols) in [0, 1]; frame 0 is the noise, then the visible means after every `every`
    steps, carried down to pixels through the RBMs below (data without an image shape gives one
    row per picture). Runs on the node's parameters alone with its own generator, without
    gradients and without touching the model's mode or the global random state, so the GUI
    thread may call it while the worker trains."""
    model = ctx.model
    block = model.block_of.get(node_id)
    if block is None or block.face != "rbm" or node_id not in model.inputs_of:
        raise ValueError(f"'{node_id}' is not an RBM of this run: gibbs takes the id of an RBM node")
    chain = chains_below(model)[node_id]
    if chain is None:
        raise ValueError(f"'{node_id}' does not sit on the data through RBMs only, so its samples "
                         f"cannot be drawn as inputs")
    n, steps, every = int(n), int(steps), int(every)
    if n < 1 or steps < 0 or every < 1 or steps // every + 1 > GIBBS_FRAMES:
        raise ValueError(f"gibbs needs n >= 1, steps >= 0, every >= 1 and at most {GIBBS_FRAMES} "
                         f"frames; got n={n}, steps={steps}, every={every}")
    module = model.nodes[node_id]
    device = module.weight.device
    generator = torch.Generator(device=device).manual_seed(int(seed))
    shape = (n, module.weight.shape[1])
    if module.gaussian:
        v = torch.randn(shape, generator=generator, device=device)
    else:
        v = torch.bernoulli(torch.full(shape, 0.5, device=device), generator=generator)
    frames = [down(model, chain, v)]
    for step in range(1, steps + 1):
        h = torch.bernoulli(module.hidden_probs(v), generator=generator)
        mean = module.visible_mean(h)
        v = module.sample_visible(mean, generator)
        if step % every == 0:
            frames.append(down(model, chain, mean))
    out = torch.stack(frames).float().cpu().numpy()
    pictures = as_pictures(ctx.data, out.reshape(-1, out.shape[-1]))
    return pictures.reshape(len(frames), n, *pictures.shape[1:])


@torch.no_grad()
def baseline_recon_error(train_x: np.ndarray, test_x: np.ndarray) -> float:
    """What no learning gives: every test row rebuilt as the mean training row."""
    mean = train_x.mean(axis=0, keepdims=True)
    return float(((test_x - mean) ** 2).mean(dtype=np.float64))
