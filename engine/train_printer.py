"""What `main.py train GRAPH` prints without --json, in the manner of Keras:

    Epoch 3/20
    21/21 - 0.05s 2.4ms/step - loss: 0.3710 - accuracy: 0.9020 - val_loss: 0.3307 - ... - ETA: 0.9s

On a terminal, a progress bar stands in the second line while a long epoch runs. Everything
here is driven by the run's reports, plus Run.progress on a terminal; nothing is printed per
step except the bar, redrawn at most every BAR_INTERVAL_S.
"""
from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from engine.telemetry import DoneReport, EpochReport, ErrorReport, StartReport

BAR_INTERVAL_S = 0.1
BAR_WIDTH = 30
# figures in [0, 1] (or near it, r2) read best as fixed decimals; everything else (losses,
# errors, energies) spans orders of magnitude and gets four significant digits
FRACTIONS = frozenset({"accuracy", "precision", "recall", "f1", "r2", "d_real", "d_fake",
                       "high_quality_fraction"})
COUNTS = frozenset({"modes_covered", "modes_total"})
# the figures an epoch line shows, per kind of phase: a supervised or adversarial epoch...
TRAIN_KEYS = ("loss", "accuracy", "r2", "mse", "mae", "d_loss", "g_loss", "d_real", "d_fake")
# ...and an RBM's pretraining epoch (its "loss" is the CD surrogate, not worth reading)
PRETRAIN_KEYS = ("pseudo_likelihood", "recon_error")
FINAL_KEYS = ("loss", "accuracy", "precision", "recall", "f1", "r2", "mse", "mae",
              "recon_error", "corrupted_error", "denoised_error", "neg_elbo", "kl",
              "pseudo_likelihood", "free_energy", "d_real", "d_fake", "modes_covered",
              "modes_total", "high_quality_fraction")
TRAIN_PHASE = "train"


def number(key: str, value: float) -> str:
    if key in COUNTS:
        return f"{int(value)}"
    if key in FRACTIONS:
        return f"{value:.4f}"
    # '#' keeps trailing zeros (0.05270, not 0.0527), so a column of losses keeps its width
    return f"{value:#.4g}".rstrip(".")


def figures(d: dict[str, Any], keys: tuple[str, ...], prefix: str = "") -> list[str]:
    """'name: value' for each of `keys` that `d` has as a number, in the order of `keys`."""
    return [f"{prefix}{k}: {number(k, d[k])}" for k in keys
            if isinstance(d.get(k), (int, float)) and not isinstance(d.get(k), bool)]


def duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f}ms"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, s = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{s:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def per_step(seconds: float) -> str:
    return f"{seconds * 1e6:.0f}us/step" if seconds < 1e-3 else f"{seconds * 1000:.1f}ms/step"


class TrainPrinter:
    """Turns a run's reports into lines. `bar`: draw a progress bar within epochs (stdout is a
    terminal); the caller then hands `progress` to the Run. `grad`: a line of per-layer
    gradient norms after each epoch."""

    def __init__(self, out: TextIO | None = None, bar: bool = False, grad: bool = False):
        self.out = out if out is not None else sys.stdout
        self.bar, self.grad = bar, grad
        self.plan: list[str] = []
        self.phase_epochs: dict[str, int] = {}
        self.phase_steps: dict[str, int] = {}
        self.layers: list[str] = []
        self.current: tuple[str, int] | None = None     # the epoch whose header is printed
        self.epoch_began = 0.0
        self.drawn = 0.0             # when the bar was last drawn; 0: no bar on screen
        self.next_draw = 0.0         # progress() does nothing before this time
        self.step_seconds: list[float] = []              # recent epochs' seconds per step

    # ---- reports ---------------------------------------------------------------------------
    def report(self, rep: Any) -> None:
        if isinstance(rep, StartReport):
            self.start(rep)
        elif isinstance(rep, EpochReport):
            self.epoch(rep)
        elif isinstance(rep, ErrorReport):
            self.end_bar()
            print(f"error: {rep.message}", file=sys.stderr)
        elif isinstance(rep, DoneReport):
            self.done(rep)

    def start(self, rep: StartReport) -> None:
        self.plan = list(rep.plan)
        epochs = rep.phase_epochs or [rep.epochs]
        steps = rep.phase_steps or [rep.steps_per_epoch]
        self.phase_epochs = dict(zip(self.plan, epochs))
        self.phase_steps = dict(zip(self.plan, steps))
        self.layers = list(rep.layers)
        if len(self.plan) > 1:
            what = ", then ".join(f"{name}: {e} epochs of {n} steps"
                                  for name, e, n in zip(self.plan, epochs, steps))
        else:
            what = f"{rep.epochs} epochs of {rep.steps_per_epoch} steps"
        self._line(f"training on {rep.device}: {rep.parameters:,} parameters, {what} "
                   f"({rep.task})")

    def progress(self, phase: str, epoch: int, step: int, steps: int) -> None:
        """Called by the training loop after every batch: one clock read and a comparison
        until the next drawing is due (an epoch report makes it due at once)."""
        now = time.perf_counter()
        if now < self.next_draw:
            return
        self.next_draw = now + BAR_INTERVAL_S
        if not self.bar:
            self.next_draw = float("inf")
            return
        try:
            if self.current != (phase, epoch):
                self._header(phase, epoch)
                self.epoch_began = now
                return
            self.drawn = now
            done = int(BAR_WIDTH * step / steps)
            arrow = ">" if done < BAR_WIDTH else ""
            bar = "=" * done + arrow + "." * (BAR_WIDTH - done - len(arrow))
            # the clock started when the first batch ended: the batches since are timed
            left = (now - self.epoch_began) / max(1, step - 1) * (steps - step)
            width = len(str(steps))
            self.out.write(f"\r{step:>{width}}/{steps} [{bar}] - ETA: {duration(left)}\x1b[K")
            self.out.flush()
        except OSError:
            # the terminal went away: this runs inside the training loop, which must not fail
            # for it (the epoch lines, printed outside, meet the error and end the command)
            self.bar = False

    def epoch(self, rep: EpochReport) -> None:
        if self.current != (rep.phase, rep.epoch):
            self._header(rep.phase, rep.epoch)
        steps = self.phase_steps.get(rep.phase, 0)
        if steps:
            self.step_seconds = (self.step_seconds + [rep.seconds / steps])[-5:]
        keys = TRAIN_KEYS if rep.phase == TRAIN_PHASE else PRETRAIN_KEYS
        parts = [f"{steps}/{steps}" if steps else "", duration(rep.seconds)
                 + (f" {per_step(rep.seconds / steps)}" if steps else "")]
        parts += figures(rep.train, keys) + figures(rep.val, keys, "val_")
        left = self._left(rep.phase, rep.epoch)
        if left > 0:
            parts.append(f"ETA: {duration(left)}")
        self._line(" - ".join(p for p in parts if p), bar_line=True)
        if self.grad and rep.grad_norm:
            self._line(self._grad_line(rep))
        self.next_draw = 0.0         # the next batch is the next epoch's first: its header

    def done(self, rep: DoneReport) -> None:
        self.end_bar()
        if rep.message:
            self._line(rep.message)
        epochs = f"{rep.epochs_run} epoch" + ("" if rep.epochs_run == 1 else "s")
        self._line(f"done ({rep.reason.replace('_', ' ')}) after {epochs} in "
                   f"{duration(rep.seconds)}")
        if rep.test:
            self._line(" - ".join(["test", *figures(rep.test, FINAL_KEYS)]))
            self._confusion(rep.test.get("confusion"), rep.class_names)
        if rep.baseline:
            guess = rep.baseline.get("predicts")
            if guess is not None and guess < len(rep.class_names):
                what = f"always '{rep.class_names[guess]}'"
            elif "recon_error" in rep.baseline:
                what = "every input rebuilt as the mean training input"
            else:
                what = "learns nothing" if rep.class_names else "always the training mean"
            self._line(" - ".join([f"baseline ({what})", *figures(rep.baseline, FINAL_KEYS)]))

    def end_bar(self) -> None:
        """Finish a bar line still on screen, so what follows starts on a line of its own."""
        if self.drawn:
            self.drawn = 0.0
            self._line("")

    # ---- parts -----------------------------------------------------------------------------
    def _header(self, phase: str, epoch: int) -> None:
        self.end_bar()
        self.current = (phase, epoch)
        total = self.phase_epochs.get(phase, epoch)
        where = ""
        if len(self.plan) > 1 or phase != TRAIN_PHASE:
            where = f" ({phase}, phase {self.plan.index(phase) + 1} of {len(self.plan)})" \
                if phase in self.plan else f" ({phase})"
        self._line(f"Epoch {epoch}/{total}{where}")

    def _left(self, phase: str, epoch: int) -> float:
        """Seconds left for the whole run, at the recent seconds per step (an upper bound when
        early stopping ends it sooner)."""
        if not self.step_seconds or phase not in self.plan:
            return 0.0
        i = self.plan.index(phase)
        steps = (self.phase_epochs[phase] - epoch) * self.phase_steps[phase]
        steps += sum(self.phase_epochs[p] * self.phase_steps[p] for p in self.plan[i + 1:])
        return steps * sum(self.step_seconds) / len(self.step_seconds)

    def _grad_line(self, rep: EpochReport) -> str:
        order = [n for n in self.layers if n in rep.grad_norm]
        order += [n for n in rep.grad_norm if n not in order]
        used = "  ".join(f"{n} {rep.grad_norm[n]:.3g}" for n in order)
        line = f"  grad norm (input side first): {used}"
        raw = rep.grad_norm_raw
        # with clipping, what backward made and what the optimizer used differ: show both
        if raw and any(abs(raw.get(n, 0.0) - rep.grad_norm[n]) > 1e-6 * max(1.0, abs(raw.get(n, 0.0)))
                       for n in order):
            line += "  | before clipping: " + "  ".join(f"{n} {raw[n]:.3g}" for n in order
                                                      if n in raw)
        return line

    def _confusion(self, cm, names: list[str]) -> None:
        if not cm:
            return
        names = names if len(names) == len(cm) else [str(i) for i in range(len(cm))]
        width = max(6, *(len(n) for n in names), *(len(str(v)) for row in cm for v in row)) + 1
        self._line("confusion (rows: true class, columns: predicted)")
        self._line(" " * width + "".join(f"{n:>{width}}" for n in names))
        for name, row in zip(names, cm):
            self._line(f"{name:>{width}}" + "".join(f"{v:>{width}}" for v in row))

    def _line(self, text: str, bar_line: bool = False) -> None:
        if bar_line and self.drawn:
            # the epoch's figures take the bar's place on its line
            self.drawn = 0.0
            text = f"\r{text}\x1b[K"
        print(text, file=self.out, flush=True)
