"""The history of one training run, as the dashboard draws it: plain Python and numpy, no Qt.

The worker thread calls `apply()` for every report; the GUI thread calls `snapshot()` about 30
times a second. Per step, the worker only appends a few floats to lists (every microsecond there
is taken from training); the snapshot folds what came since the last one into the decimated
series in a few vectorised numpy operations. Per-step series are kept decimated (`Decimator`), so
a run of a hundred thousand steps costs the GUI no more per frame than a run of a hundred.

A step report is one update, and a batch may give several (a GAN's discriminator and generator
updates), or, stepped one network at a time, one or the other: each row is placed on the run axis
by the batch its report names, never by counting rows.
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.telemetry import DoneReport, EpochReport, ErrorReport, StartReport, StepReport
from gui.training.phases import Phases

# gradient norms at or below this are drawn as this (log10 of zero has no place on a log scale)
NORM_FLOOR = 1e-12
# how much of the newest step goes into the smoothed per-layer norm that colours the canvas
SMOOTHING = 0.3
# runs whose networks take turns (a GAN's plan: each update trains one network while the other
# is frozen, and reports the frozen one's gradient as exactly zero)
TAKING_TURNS = ("generation",)


class Decimator:
    """Per-step rows folded into at most `cap` columns of means (with `last`, each column keeps
    its last row instead: where a column of another Decimator, fed the same rows, ends).

    When full, neighbouring columns are merged in pairs and each column then covers twice as many
    steps, so memory and drawing cost stay bounded however long the run.
    """

    def __init__(self, width: int, cap: int = 512, last: bool = False):
        self.cap = cap - cap % 2
        self.width = width
        self.last = last
        self.data = np.zeros((self.cap, width), np.float64)
        self.cols = 0            # complete columns
        self.span = 1            # steps per column
        self._acc = np.zeros(width, np.float64)
        self._count = 0          # steps in the column being filled

    def append(self, row) -> None:
        self.extend(np.asarray(row, np.float64).reshape(1, self.width))

    def extend(self, rows: np.ndarray) -> None:
        """Fold a block of rows (steps, width) in, whole columns at a time."""
        while len(rows):
            if self._count:                                   # finish the open column
                k = min(self.span - self._count, len(rows))
                self._acc = rows[k - 1].copy() if self.last else self._acc + rows[:k].sum(axis=0)
                self._count += k
                rows = rows[k:]
                if self._count == self.span:
                    self._close(self._acc if self.last else self._acc / self.span)
                continue
            n = min(len(rows) // self.span, self.cap - self.cols)
            if n:                                             # whole columns in one go
                block = rows[: n * self.span].reshape(n, self.span, self.width)
                block = block[:, -1] if self.last else block.mean(axis=1)
                self.data[self.cols:self.cols + n] = block
                self.cols += n
                rows = rows[n * self.span:]
                if self.cols == self.cap:
                    self._merge()
                continue
            # less than a column left
            self._acc = rows[-1].copy() if self.last else rows.sum(axis=0)
            self._count = len(rows)
            rows = rows[:0]

    def _close(self, column: np.ndarray) -> None:
        self.data[self.cols] = column
        self.cols += 1
        self._acc = np.zeros(self.width, np.float64)
        self._count = 0
        if self.cols == self.cap:
            self._merge()

    def _merge(self) -> None:
        pairs = self.data.reshape(self.cap // 2, 2, self.width)
        half = pairs[:, 1] if self.last else pairs.mean(axis=1)
        # a fresh array: snapshots already handed out keep seeing the old one unchanged
        self.data = np.zeros_like(self.data)
        self.data[: self.cap // 2] = half
        self.cols = self.cap // 2
        self.span *= 2

    def view(self) -> tuple[np.ndarray, int]:
        """The complete columns (rows never change once written) and the steps per column."""
        return self.data[: self.cols], self.span


@dataclass
class Snapshot:
    """What the GUI reads: immutable arrays and copied dicts, safe to use without the lock."""

    version: int
    status: str                                  # setup | running | done | error
    start: StartReport | None
    epoch: int
    step: int
    global_step: int
    total_steps: int
    seconds_left: float | None
    loss_cols: np.ndarray                         # (cols, 1 + terms): total loss, then each term
    term_names: list[str]
    loss_span: int                                # steps per column of loss_cols / grad_cols
    grad_cols: np.ndarray                         # (cols, layers): log10 gradient norm
    grad_span: int
    grad_latest: dict[str, float]                 # the last step's norms
    grad_smooth: dict[str, float]                 # smoothed over the last few steps
    epochs: list[EpochReport]
    sampled: dict[str, dict[str, float]]          # weight_norm, update_ratio, saturated, dead, ...
    histograms: dict[str, Any]
    histogram_step: int
    boundary: dict[str, Any] | None
    done: DoneReport | None
    error: ErrorReport | None
    # the last step's norms before gradient clipping; empty when nothing was clipped
    grad_latest_raw: dict[str, float] = field(default_factory=dict)
    # autoencoders (and RBMs): the newest sampled pictures and codes per node (StepReport.images,
    # .codes); faces_serial counts the samples that brought any (0: none yet; what views compare,
    # since a step number restarts with each phase), faces_step is the last one's step
    images: dict[str, dict[str, Any]] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    faces_step: int = -1
    faces_serial: int = 0
    # phases (an RBM stack pretrains each RBM in a phase of its own, then fine-tunes): the plan,
    # the phase running, where each phase seen began (steps of the run before it, plan index),
    # and the steps of the whole run done so far (what progress is measured in)
    phases: Phases = field(default_factory=Phases)
    phase: str = ""
    phase_starts: list[tuple[int, int]] = field(default_factory=list)
    run_step: int = 0
    # the run-axis position (epochs of the whole run, phases.py) where each column of loss_cols
    # and of grad_cols ends: the batch of its last report (the two series need not start at the
    # same report: a GAN's norms wait for both networks' first update)
    loss_x: np.ndarray = field(default_factory=lambda: np.zeros(0))
    grad_x: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def step_x(self, n_cols: int, span: int) -> np.ndarray:
        """The run-axis position at the end of each of n_cols columns of `span` step reports,
        counting every report as a batch: right for a plan that updates once a batch only (a
        GAN's two updates a batch would go twice as far); loss_x and grad_x hold where the
        columns really end."""
        return self.phases.step_x(np.arange(1, n_cols + 1) * span, self.phase_starts)

    def epoch_x(self, rep: EpochReport) -> float:
        """Where an epoch report's epoch ends on the run axis."""
        return self.phases.run_epoch(rep.phase, rep.epoch)

    @property
    def layers(self) -> list[str]:
        return self.start.layers if self.start else []

    @property
    def task(self) -> str:
        return self.start.task if self.start else ""

    def confusion(self) -> tuple[list[list[int]] | None, str]:
        """The newest confusion matrix and where it comes from: test set at the end, else val."""
        if self.done and self.done.test.get("confusion") is not None:
            return self.done.test["confusion"], "test set"
        for rep in reversed(self.epochs):
            if rep.val.get("confusion") is not None:
                return rep.val["confusion"], f"validation, epoch {rep.epoch}"
        return None, ""


class RunState:
    """Accumulates reports from the worker thread; hands the GUI consistent snapshots. One per
    run: a new run (or Reset weights) starts from a new RunState."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.version = 0               # bumped by every change; the GUI redraws when it moves
        self.status = "setup"
        self.start: StartReport | None = None
        self.epoch = self.step = self.global_step = 0
        self.term_names: list[str] = []
        self.loss: Decimator | None = None
        self.grad: Decimator | None = None
        self.loss_x: Decimator | None = None     # where each column ends, fed the same rows
        self.grad_x = Decimator(1, last=True)
        self.grad_latest: dict[str, float] = {}
        self.grad_latest_raw: dict[str, float] = {}
        self._log_smooth: np.ndarray | None = None
        # steps not yet folded into the decimators, each row's run-axis position first
        self._loss_rows: list[list[float]] = []
        self._grad_rows: list[list[float]] = []
        self._x_base, self._x_per = 0.0, 1.0       # the phase running: its start, steps/epoch
        self.epochs: list[EpochReport] = []
        self.sampled: dict[str, dict[str, float]] = {}
        self.histograms: dict[str, Any] = {}
        self.histogram_step = 0
        self.images: dict[str, dict[str, Any]] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.faces_step = -1
        self.faces_serial = 0
        self.phases = Phases()
        self.phase = ""
        self.phase_starts: list[tuple[int, int]] = []
        self.rows = 0                  # step reports so far, all phases
        self.boundary: dict[str, Any] | None = None
        self.done: DoneReport | None = None
        self.error: ErrorReport | None = None
        self._step_times: list[float] = []
        self._last_trained: dict[str, float] = {}   # a network taking turns: its last norm

    # ---- worker thread ---------------------------------------------------------------------
    def apply(self, rep: Any) -> None:
        with self._lock:
            if isinstance(rep, StepReport):
                self._apply_step(rep)
            elif isinstance(rep, EpochReport):
                self.epochs.append(rep)
            elif isinstance(rep, StartReport):
                self._apply_start(rep)
            elif isinstance(rep, DoneReport):
                self.done, self.status = rep, "done"
            elif isinstance(rep, ErrorReport):
                self.error, self.status = rep, "error"
            self.version += 1

    def apply_faces(self, rep: Any) -> None:
        """A fresh sample of the faces (a FacesReport, taken at a pause or at the run's end), kept
        as a sampled step's are; not a step taken: no loss row, no step time."""
        if rep is None:
            return
        with self._lock:
            self.images = {**self.images, **rep.images} if rep.images else self.images
            self.codes = {**self.codes, **rep.codes} if rep.codes else self.codes
            self.faces_step = rep.global_step
            self.faces_serial += 1
            self.version += 1

    def set_boundary(self, boundary: dict[str, Any]) -> None:
        with self._lock:
            self.boundary = boundary
            self.version += 1

    def _apply_start(self, rep: StartReport) -> None:
        self.start, self.status = rep, "running"
        self.phases = Phases.of(rep)
        self.grad = Decimator(max(1, len(rep.layers)))
        self._place(self.phase)

    def _apply_step(self, rep: StepReport) -> None:
        if self.loss is None:
            self.term_names = list(rep.terms) if len(rep.terms) > 1 else []
            # 256 points draw a loss curve as well as more, and cost half as much to paint
            self.loss = Decimator(1 + len(self.term_names), cap=256)
            self.loss_x = Decimator(1, cap=256, last=True)
        if rep.phase != self.phase:
            self._phase_changed(rep.phase)
        self.rows += 1
        # placed by its batch: all the updates of one batch (a GAN's two) share its place; one
        # division of whole numbers, so a plan of one update a batch lands exactly where counting
        # its reports did
        x = self._x_base + ((rep.epoch - 1) * self._x_per + rep.step) / self._x_per
        self._loss_rows.append([x, rep.loss] + [rep.terms.get(k, math.nan) for k in self.term_names])
        layers = self.start.layers if self.start else list(rep.grad_norm)
        norms = rep.grad_norm
        if self.start is not None and self.start.task in TAKING_TURNS:
            norms = self._turn_norms(norms)
        if norms is not None:
            self._grad_rows.append([x] + [norms.get(k, math.nan) for k in layers])
        else:
            norms = rep.grad_norm
        self.grad_latest = norms
        self.grad_latest_raw = rep.grad_norm_raw if rep.grad_norm_raw is not norms else {}
        self.epoch, self.step, self.global_step = rep.epoch, rep.step, rep.global_step
        if rep.weight_norm or rep.saturated or rep.dead:
            self.sampled = {"weight_norm": rep.weight_norm, "grad_mean_abs": rep.grad_mean_abs,
                            "update_ratio": rep.update_ratio, "act_mean": rep.act_mean,
                            "saturated": rep.saturated, "dead": rep.dead}
        if rep.histograms:
            self.histograms, self.histogram_step = rep.histograms, rep.global_step
        if rep.images or rep.codes:
            # the reports' arrays are made afresh at each sample and never written again, so
            # keeping references is enough; merged per node, since a node may stop reporting
            # (an RBM of a stack once its pretraining phase is over) and keeps its last pictures
            self.images = {**self.images, **rep.images} if rep.images else self.images
            self.codes = {**self.codes, **rep.codes} if rep.codes else self.codes
            self.faces_step = rep.global_step
            self.faces_serial += 1
        self._step_times.append(time.perf_counter())
        if len(self._step_times) > 64:
            del self._step_times[:32]

    def _turn_norms(self, norms: dict[str, float]) -> dict[str, float] | None:
        """A network frozen this step keeps the norm of its last update: its zero says it was not
        trained, not that its gradient vanished (averaged in, it would colour a GAN's generator
        and discriminator as vanishing half the time). None until every layer has trained once,
        so the series start from real figures."""
        for k, v in norms.items():
            if v != 0.0:
                self._last_trained[k] = v
        if any(k not in self._last_trained for k in norms):
            return None
        return {k: (v if v != 0.0 else self._last_trained[k]) for k, v in norms.items()}

    def _phase_changed(self, name: str) -> None:
        """A new phase: its steps are placed on the run axis from here, and the smoothed norms
        that colour the canvas start afresh (the phase before trained other layers, or none by
        backprop: an RBM's pretraining leaves every other gradient at zero)."""
        self._fold()
        self._log_smooth = None
        self.phase = name
        self.phase_starts.append((self.rows, self.phases.index(name)))
        self._place(name)

    def _place(self, name: str) -> None:
        """Where the steps of phase `name` go on the run axis (kept, not looked up per step)."""
        i = max(0, self.phases.index(name))
        self._x_base, self._x_per = float(self.phases.epoch_base(i)), float(self.phases.steps[i])

    # ---- GUI thread ------------------------------------------------------------------------
    def _fold(self) -> None:
        """Move the steps that came since the last snapshot into the decimated series."""
        if self._loss_rows and self.loss is not None and self.loss_x is not None:
            rows = np.asarray(self._loss_rows, np.float64)
            self.loss_x.extend(rows[:, :1])
            self.loss.extend(rows[:, 1:])
        self._loss_rows = []
        if not self._grad_rows:
            return
        rows = np.asarray(self._grad_rows, np.float64)
        self._grad_rows = []
        norms = rows[:, 1:]
        if norms.shape[1] == 0 or self.grad is None:
            return
        logs = np.log10(np.maximum(np.nan_to_num(norms, nan=NORM_FLOOR), NORM_FLOOR))
        self.grad.extend(logs)
        self.grad_x.extend(rows[:, :1])
        # exponential smoothing over the block, as if applied step by step
        s = logs[0] if self._log_smooth is None else self._log_smooth
        w = (1 - SMOOTHING) ** np.arange(len(logs) - 1, -1, -1)
        self._log_smooth = (1 - SMOOTHING) ** len(logs) * s + SMOOTHING * (w[:, None] * logs).sum(0)

    def overlay_figures(self) -> tuple[dict[str, float], dict[str, float]]:
        """Smoothed gradient norm per Dense layer and dead fraction per ReLU: what the canvas
        shows, without the cost of a whole snapshot."""
        with self._lock:
            self._fold()
            layers = self.start.layers if self.start else []
            smooth = ({k: float(10 ** v) for k, v in zip(layers, self._log_smooth)}
                      if self._log_smooth is not None else {})
            return smooth, dict(self.sampled.get("dead", {}))

    def faces(self) -> tuple[int, int, dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
        """(serial, step, images, codes) of the newest sample: what the canvas draws on the
        nodes' faces, without the cost of a whole snapshot."""
        with self._lock:
            return self.faces_serial, self.faces_step, dict(self.images), dict(self.codes)

    def snapshot(self) -> Snapshot:
        with self._lock:
            self._fold()
            loss_cols, loss_span = self.loss.view() if self.loss else (np.zeros((0, 1)), 1)
            grad_cols, grad_span = self.grad.view() if self.grad else (np.zeros((0, 0)), 1)
            loss_x = self.loss_x.view()[0][:, 0] if self.loss_x is not None else np.zeros(0)
            grad_x = self.grad_x.view()[0][:, 0]
            layers = self.start.layers if self.start else []
            smooth = ({k: float(10 ** v) for k, v in zip(layers, self._log_smooth)}
                      if self._log_smooth is not None else {})
            total = self.phases.total_steps if self.start else 0
            run_step = self.phases.steps_done(self.phase, self.global_step)
            return Snapshot(
                self.version, self.status, self.start, self.epoch, self.step, self.global_step,
                total, self._seconds_left(total, run_step), loss_cols, list(self.term_names), loss_span,
                grad_cols, grad_span, dict(self.grad_latest), smooth, list(self.epochs),
                dict(self.sampled), dict(self.histograms), self.histogram_step, self.boundary,
                self.done, self.error, dict(self.grad_latest_raw), dict(self.images),
                dict(self.codes), self.faces_step, self.faces_serial, self.phases, self.phase,
                list(self.phase_starts), run_step, loss_x, grad_x)

    def progress(self) -> tuple[Phases, str, int, str]:
        """(plan, phase running, its epoch, the run's end reason or '') for the canvas's marks
        of what each pretrained node is doing, without the cost of a snapshot."""
        with self._lock:
            return (self.phases, self.phase, self.epoch,
                    self.done.reason if self.done is not None else "")

    def _seconds_left(self, total: int, done: int) -> float | None:
        """Remaining steps times the typical recent step time (the median ignores pauses)."""
        if self.status != "running" or len(self._step_times) < 5 or not total:
            return None
        gaps = np.diff(np.asarray(self._step_times[-33:]))
        per_step = float(np.median(gaps))
        # validation at the end of each epoch is not in the step gaps: add what it took
        steps = self.phases.steps
        evals = [max(0.0, e.seconds - per_step * steps[max(0, self.phases.index(e.phase))])
                 for e in self.epochs[-3:]]
        per_epoch_extra = float(np.mean(evals)) if evals else 0.0
        left_epochs = max(0, self.phases.total_epochs - len(self.epochs))
        return max(0, total - done) * per_step + left_epochs * per_epoch_extra
