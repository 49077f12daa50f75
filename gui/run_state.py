"""The history of one training run, as the dashboard draws it: plain Python and numpy, no Qt.

The worker thread calls `apply()` for every report; the GUI thread calls `snapshot()` about 30
times a second. Per-step series are kept decimated (`Decimator`), so a run of a hundred thousand
steps costs the GUI no more per frame than a run of a hundred.
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.telemetry import DoneReport, EpochReport, ErrorReport, StartReport, StepReport

# gradient norms at or below this are drawn as this (log10 of zero has no place on a log scale)
NORM_FLOOR = 1e-12
# how much of the newest step goes into the smoothed per-layer norm that colours the canvas
SMOOTHING = 0.3


class Decimator:
    """Per-step rows folded into at most `cap` columns of means.

    When full, neighbouring columns are merged in pairs and each column then covers twice as many
    steps, so memory and drawing cost stay bounded however long the run. Appending is O(width).
    """

    def __init__(self, width: int, cap: int = 512):
        self.cap = cap - cap % 2
        self.width = width
        self.data = np.zeros((self.cap, width), np.float64)
        self.cols = 0            # complete columns
        self.span = 1            # steps per column
        self._acc = np.zeros(width, np.float64)
        self._count = 0

    def append(self, row: np.ndarray) -> None:
        self._acc += row
        self._count += 1
        if self._count < self.span:
            return
        self.data[self.cols] = self._acc / self._count
        self.cols += 1
        self._acc = np.zeros(self.width, np.float64)
        self._count = 0
        if self.cols == self.cap:
            half = self.data.reshape(self.cap // 2, 2, self.width).mean(axis=1)
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
    """Accumulates reports from the worker thread; hands the GUI consistent snapshots."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.version = 0
        self._reset()

    def _reset(self) -> None:
        self.status = "setup"
        self.start: StartReport | None = None
        self.epoch = self.step = self.global_step = 0
        self.term_names: list[str] = []
        self.loss: Decimator | None = None
        self.grad: Decimator | None = None
        self.grad_latest: dict[str, float] = {}
        self._log_smooth: np.ndarray | None = None
        self.epochs: list[EpochReport] = []
        self.sampled: dict[str, dict[str, float]] = {}
        self.histograms: dict[str, Any] = {}
        self.histogram_step = 0
        self.boundary: dict[str, Any] | None = None
        self.done: DoneReport | None = None
        self.error: ErrorReport | None = None
        self._step_times: list[float] = []
        self._epoch_overhead: list[float] = []

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

    def set_boundary(self, boundary: dict[str, Any]) -> None:
        with self._lock:
            self.boundary = boundary
            self.version += 1

    def _apply_start(self, rep: StartReport) -> None:
        self.start, self.status = rep, "running"
        self.grad = Decimator(max(1, len(rep.layers)))

    def _apply_step(self, rep: StepReport) -> None:
        if self.loss is None:
            self.term_names = list(rep.terms) if len(rep.terms) > 1 else []
            self.loss = Decimator(1 + len(self.term_names))
        row = [rep.loss] + [rep.terms.get(k, math.nan) for k in self.term_names]
        self.loss.append(np.asarray(row, np.float64))
        layers = self.start.layers if self.start else list(rep.grad_norm)
        norms = np.fromiter((rep.grad_norm.get(k, math.nan) for k in layers), np.float64, len(layers))
        logs = np.log10(np.maximum(np.nan_to_num(norms, nan=NORM_FLOOR), NORM_FLOOR))
        if self.grad is not None and len(layers):
            self.grad.append(logs)
        self._log_smooth = logs if self._log_smooth is None \
            else self._log_smooth + SMOOTHING * (logs - self._log_smooth)
        self.grad_latest = rep.grad_norm
        self.epoch, self.step, self.global_step = rep.epoch, rep.step, rep.global_step
        if rep.weight_norm or rep.saturated or rep.dead:
            self.sampled = {"weight_norm": rep.weight_norm, "grad_mean_abs": rep.grad_mean_abs,
                            "update_ratio": rep.update_ratio, "act_mean": rep.act_mean,
                            "saturated": rep.saturated, "dead": rep.dead}
        if rep.histograms:
            self.histograms, self.histogram_step = rep.histograms, rep.global_step
        self._step_times.append(time.perf_counter())
        if len(self._step_times) > 64:
            del self._step_times[:32]

    # ---- GUI thread ------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        with self._lock:
            loss_cols, loss_span = self.loss.view() if self.loss else (np.zeros((0, 1)), 1)
            grad_cols, grad_span = self.grad.view() if self.grad else (np.zeros((0, 0)), 1)
            layers = self.start.layers if self.start else []
            smooth = ({k: float(10 ** v) for k, v in zip(layers, self._log_smooth)}
                      if self._log_smooth is not None else {})
            total = self.start.epochs * self.start.steps_per_epoch if self.start else 0
            return Snapshot(
                self.version, self.status, self.start, self.epoch, self.step, self.global_step,
                total, self._seconds_left(total), loss_cols, list(self.term_names), loss_span,
                grad_cols, grad_span, dict(self.grad_latest), smooth, list(self.epochs),
                dict(self.sampled), dict(self.histograms), self.histogram_step, self.boundary,
                self.done, self.error)

    def _seconds_left(self, total: int) -> float | None:
        """Remaining steps times the typical recent step time (the median ignores pauses)."""
        if self.status != "running" or len(self._step_times) < 5 or not total:
            return None
        gaps = np.diff(np.asarray(self._step_times[-33:]))
        per_step = float(np.median(gaps))
        # validation at the end of each epoch is not in the step gaps: add what it took
        evals = [max(0.0, e.seconds - per_step * self.start.steps_per_epoch) for e in self.epochs[-3:]]
        per_epoch_extra = float(np.mean(evals)) if evals else 0.0
        left_epochs = max(0, self.start.epochs - len(self.epochs))
        return max(0, total - self.global_step) * per_step + left_epochs * per_epoch_extra

