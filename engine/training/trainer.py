"""A training run of a graph, as a generator of reports that the caller drives.

    run = Run(doc)
    for report in run.steps():
        ...

Pause, single step, slow motion and stop are honoured between batches, from any thread. What
is trained how is the plan's business (engine/training/plans/); the loop they share is
engine/training/loop.py. Callers see the run through its public API: `prepare()` and the
`RunContext` it returns, `predict()`, `evaluate()`, `decode()` and the controls.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from engine.compiler import CompiledGraph, compile_graph
from engine.data.bundle import PreparedData
from engine.data.prepare import prepare
from engine.errors import DataError, GraphError
from engine.graph import GraphDocument
from engine.telemetry import ErrorReport, Report, StepReport
from engine.training import autoencoders, failures, gans, rbms, settings
from engine.training.control import Control
from engine.training.loop import Loop
from engine.training.plans import Plan, plan_for
from engine.training.watch import LEVELS, FacesReport

SMALL_MODEL = 50_000          # parameters below which one CPU thread trains fastest


@dataclass
class RunContext:
    """What a run has prepared: the compiled model on its device and the split, scaled data."""

    model: CompiledGraph
    data: PreparedData
    device: torch.device
    task: str                          # classification | regression
    n_classes: int
    class_names: list[str]
    x: torch.Tensor                    # the training split, on the device
    y: torch.Tensor
    generator: torch.Generator         # shuffles the batches; seeded by the run


class Run:
    """One training run of a graph. The document is copied, so editing it later is safe.

    `telemetry` is "full" (every step's gradient sizes and sampled statistics, for the app),
    "epoch" (gradient sizes summed on the device and read once an epoch, for the command line)
    or "off"; True and False mean "full" and "off". `weights` (a state dict by parameter name,
    `nodes.<id>.<name>`, as engine.models.archive.load gives) continues training from them."""

    def __init__(self, doc: GraphDocument, data_dir: str | None = None, epochs: int | None = None,
                 seed: int | None = None, device: str | None = None,
                 telemetry: bool | str = True, sample_every: int = 100,
                 sample_seconds: float = 0.2, weights: dict[str, torch.Tensor] | None = None):
        self.doc = doc.copy()
        # start from these parameters and buffers (a saved model's) rather than the graph's
        # initialisers; checked against the built network when the run prepares
        self.initial_weights = weights
        self.data_dir = data_dir
        self.cfg = settings.resolve(self.doc.training)
        if epochs is not None:
            self.cfg["epochs"] = epochs
        if seed is not None:
            self.cfg["seed"] = seed
            self.doc.training["seed"] = seed      # synthetic data sets are drawn with it too
        if device is not None:
            self.cfg["device"] = device
        level = {True: "full", False: "off"}.get(telemetry, telemetry)
        if level not in LEVELS:
            raise ValueError(f"telemetry must be one of {', '.join(LEVELS)}, not {telemetry!r}")
        self.telemetry = level
        self.sample_every = max(1, sample_every)
        # also sample when this long has passed, so slow motion and big networks stay live
        self.sample_seconds = sample_seconds
        self.control = Control()
        self.histogram_node: str | None = None   # a watched layer whose weights/grads are sampled
        # called after every batch as progress(phase, epoch, step, steps_per_epoch), from the
        # training thread, when set (a terminal's progress bar); None costs the loop one test
        self.progress: Callable[[str, int, int, int], None] | None = None
        # at the "epoch" level: whether to measure the layers' gradient sizes at all (the
        # command line prints them only for a lesson about gradients, or with --grad; a small
        # network's step is some 10% dearer with them)
        self.gradient_sizes = True
        self._ctx: RunContext | None = None
        self._plan: Plan | None = None
        self._loop: Loop | None = None

    # ---- controls ----------------------------------------------------------------------------
    def pause(self) -> None:
        self.control.pause()

    def resume(self) -> None:
        self.control.resume()

    def step_once(self, optimizer: str | None = None) -> None:
        """Pause and let one batch through; with `optimizer` named (one of the plan's: a GAN's
        "discriminator" or "generator"), that batch makes only one update, of that optimizer."""
        self.control.step_once(optimizer)

    def step_discriminator(self) -> None:
        """A GAN: pause, then make one discriminator update (the generator stays as it is)."""
        self.control.step_once(gans.D_OPT)

    def step_generator(self) -> None:
        """A GAN: pause, then make one generator update (the discriminator stays as it is)."""
        self.control.step_once(gans.G_OPT)

    def stop(self) -> None:
        self.control.stop()

    # ---- what the run has prepared -------------------------------------------------------------
    @property
    def context(self) -> RunContext | None:
        """The prepared model and data, or None before `prepare()` (or `steps()`) ran."""
        return self._ctx

    def prepare(self) -> RunContext:
        """Compile the graph, load and split the data, and place both on the device. Idempotent;
        raises GraphError or DataError for a graph or data that cannot be trained."""
        if self._ctx is not None:
            return self._ctx
        cfg = self.cfg
        torch.manual_seed(cfg["seed"])
        model = compile_graph(self.doc, self.data_dir)
        if self.initial_weights is not None:
            from engine.models.weights import load_into
            load_into(model, self.initial_weights)
        data_params = model.params_of[model.data_id]
        data = prepare(model.bundle, data_params["scaling"], data_params["test_split"],
                       cfg["val_split"], cfg["seed"])
        if len(data.train.y) == 0:
            raise DataError("the training split is empty", model.data_id)
        device = self._device()
        model.to(device)
        if device.type == "cpu" and model.parameter_count() < SMALL_MODEL:
            # a small network's matrices are too small to share out: extra intra-op threads only
            # add hand-offs (churn: 98 s with two threads against 41 s with one, same numbers)
            torch.set_num_threads(1)
        self._ctx = RunContext(model, data, device, model.bundle.task, model.bundle.n_classes,
                               list(model.bundle.class_names),
                               torch.as_tensor(data.train.x, device=device),
                               torch.as_tensor(data.train.y, device=device),
                               torch.Generator().manual_seed(cfg["seed"]))
        self._plan = plan_for(model)(self._ctx, cfg)
        return self._ctx

    def _device(self) -> torch.device:
        want = self.cfg["device"]
        if want == "auto":
            want = "cuda" if torch.cuda.is_available() else "cpu"
        if want == "cuda" and not torch.cuda.is_available():
            raise GraphError("training.device is 'cuda' but no CUDA device is available")
        return torch.device(want)

    @torch.no_grad()
    def predict(self, x: np.ndarray) -> np.ndarray:
        """The network's answer for rows of (already scaled) inputs, in eval mode: class
        probabilities (rows x classes) for a classifier, otherwise the prediction in the
        target's own units. Call between steps, or after the run."""
        ctx = self.prepare()
        model = ctx.model
        if not model.losses:
            raise ValueError("this graph has no Loss, so nothing in it predicts")
        was_training = model.training
        model.eval()
        try:
            v = model(torch.as_tensor(np.asarray(x, np.float32), device=ctx.device), None)
            out = v[model.primary.pred_key].float()
        finally:
            model.train(was_training)
        if ctx.task != "classification":
            return ctx.data.to_user_units(out.cpu().numpy())
        if out.shape[1] == 1:
            p1 = torch.sigmoid(out)
            out = torch.cat([1 - p1, p1], dim=1)
        else:
            out = torch.softmax(out, dim=1)
        return out.cpu().numpy()

    def decode(self, node_id: str, z: np.ndarray) -> np.ndarray:
        """Pictures (n, rows, cols) in [0, 1] that a decoder node makes of latent points z
        (n, code width), for the latent explorer; data without an image shape gives (n, 1,
        features). Safe from another thread while the run trains: it runs that node's module
        alone, without gradients, and leaves the model's train/eval mode alone. Raises
        ValueError for a node that is not a decoder or a z of the wrong width."""
        return autoencoders.decode(self.prepare(), node_id, z)

    def gibbs(self, node_id: str, n: int = 8, steps: int = 100, every: int = 1,
              seed: int = 0) -> np.ndarray:
        """An RBM's Gibbs chain started from noise, as pictures (1 + steps // every, n, rows,
        cols) in [0, 1]: frame 0 the noise, then the visible means every `every` steps (a higher
        RBM's carried down to pixels through the RBMs below). Safe from another thread while
        the run trains: it reads that node's parameters without gradients, with a generator of
        its own, and leaves the model's mode and the global random state alone. Raises
        ValueError for a node that is not an RBM, or bad counts."""
        return rbms.gibbs(self.prepare(), node_id, n, steps, every, seed)

    # ---- a GAN's views: call between steps (the training thread's report handler, or while
    # paused); nothing here changes the model's mode, its parameters or the global random state
    def _gan(self) -> gans.Structure:
        ctx = self.prepare()
        s = gans.structure(ctx.model)
        if s is None:
            raise ValueError("this graph has no Discriminator fed by a Generator")
        return s

    def gan_samples(self, n: int = 256, seed: int = 0) -> np.ndarray:
        """float32 (n, features): the generator's samples of fixed noise (the same noise for the
        same n and seed, so successive calls show the samples moving), in the data's loaded
        units. Raises ValueError for a graph that is not a GAN."""
        return gans.samples(self.prepare(), self._gan(), n, seed)

    def gan_pictures(self, n: int = 16, seed: int = 0) -> np.ndarray:
        """float32 (n, rows, cols) in [0, 1]: the samples of fixed noise as pictures (data
        without an image shape: (n, 1, features))."""
        return gans.pictures(self.prepare(), self._gan(), n, seed)

    def gan_scores(self, points: np.ndarray) -> np.ndarray:
        """float32 (n,): the discriminator's probability that each point (n, features), in the
        data's loaded units, is real; without dropout."""
        return gans.scores(self.prepare(), self._gan(), points)

    def gan_score_grid(self, x_range: tuple[float, float], y_range: tuple[float, float],
                       steps: int = 64) -> np.ndarray:
        """float32 (steps, steps): the discriminator's probability of 'real' over a grid of
        two-dimensional points (the heat map); row i is y = y_range[0] + i * (y_range[1] -
        y_range[0]) / (steps - 1), column j likewise in x. ValueError for data that is not 2-D."""
        return gans.score_grid(self.prepare(), self._gan(), x_range, y_range, steps)

    def gan_gradients(self, n: int = 256, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """(samples, gradients), float32 (n, features) each, in the data's loaded units: the
        samples of fixed noise (as gan_samples) and d(g_loss)/d(sample) of each sample's own
        generator loss (training.gan.g_loss; not divided by n). The generator's update moves each
        sample along minus its gradient: draw arrows along -gradients."""
        return gans.sample_gradients(self.prepare(), self._gan(), self.cfg["gan"]["g_loss"], n,
                                     seed)

    def fresh_faces(self) -> FacesReport | None:
        """A sample of what the nodes' faces show (StepReport.images and .codes), of the
        weights as they are now, when the newest sampled step is older than the last step (or
        the weights were restored since); None otherwise, before the first step, or without
        full telemetry. For the moments a picture must be exact: a pause at an asked-for
        epoch, the end of the run. Call from the thread that drives `steps()`, between two
        reports: it runs the model. While paused, the run itself yields one before it waits."""
        return self._loop.fresh_faces() if self._loop is not None else None

    def evaluate(self, split: Any, final: bool = False) -> dict[str, Any]:
        """Loss and metrics of the current weights on a split of the prepared data."""
        self.prepare()
        return self._plan.evaluate(split, final)

    # ---- training ------------------------------------------------------------------------------
    def steps(self) -> Iterator[Report]:
        previous = torch.get_num_threads()
        try:
            ctx = self.prepare()
            self._loop = Loop(self, ctx, self._plan, self.telemetry)
            yield from self._loop.reports()
        except (GraphError, DataError) as exc:
            yield ErrorReport(str(exc), getattr(exc, "node", None))
        except Exception as exc:  # noqa: BLE001 - a run must end with a report, never a traceback
            device = str(self._ctx.device) if self._ctx is not None else None
            yield ErrorReport(*failures.describe(exc, device))
        finally:
            torch.set_num_threads(previous)


def train_to_end(doc: GraphDocument, **kwargs: Any) -> list[Report]:
    """Run a graph headless to the end and return its epoch/start/done reports (for tests)."""
    run = Run(doc, **kwargs)
    return [r for r in run.steps() if not isinstance(r, StepReport)]


__all__ = ["Run", "RunContext", "Control", "train_to_end"]
