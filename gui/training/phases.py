"""The phases of a run as the GUI shows them: which phase runs, how far the whole run has come,
where a step or an epoch of any phase sits on one time axis, and what each pretrained node is
doing. Plain Python and numpy, no Qt.

A plan may run phases one after another (an RBM stack: "pretrain:<node id>" for each RBM,
bottom up, then "train", the fine-tuning), each with its own epochs and its own steps per epoch
(an RBM pretrains on batches of 10, the fine-tuning on 64). Step and epoch numbers restart with
each phase, so the views place them on a run axis counted in epochs of the whole run: phase i
spans [the epochs of the phases before it, + its own), and inside it a step is
1/(its steps per epoch) of an epoch. A one-phase run's axis is the plain epoch axis.

Everything here comes from the telemetry contract (StartReport.plan, phase_epochs,
phase_steps; the phase named on each report), never from a block's name.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

PRETRAIN = "pretrain:"       # the phase that pretrains one node: "pretrain:<node id>"

# what a pretrained node is doing, for the canvas: (kind, words)
TRAINING, DONE, WAITING = "training", "done", "waiting"


@dataclass(frozen=True)
class Phases:
    names: tuple[str, ...] = ("train",)
    epochs: tuple[int, ...] = (1,)
    steps: tuple[int, ...] = (1,)          # steps per epoch of each phase

    @classmethod
    def of(cls, start: Any) -> Phases:
        """From a StartReport (None: one phase of one epoch). A report without per-phase lists
        (an older engine, a stand-in) is one phase with the run's epochs and steps."""
        if start is None:
            return cls()
        names = tuple(start.plan) or ("train",)
        epochs = tuple(int(e) for e in (start.phase_epochs or ()))
        steps = tuple(max(1, int(s)) for s in (start.phase_steps or ()))
        if len(epochs) != len(names) or len(steps) != len(names):
            return cls(names[:1], (int(start.epochs),), (max(1, int(start.steps_per_epoch)),))
        return cls(names, epochs, steps)

    # ---- the plan ----------------------------------------------------------------------------
    @property
    def many(self) -> bool:
        return len(self.names) > 1

    def index(self, name: str) -> int:
        """The phase's place in the plan; 0 for '' (a report that names no phase), -1 unknown."""
        if not name:
            return 0
        try:
            return self.names.index(name)
        except ValueError:
            return -1

    @property
    def total_epochs(self) -> int:
        return sum(self.epochs)

    @property
    def total_steps(self) -> int:
        return sum(e * s for e, s in zip(self.epochs, self.steps))

    def epoch_base(self, i: int) -> int:
        """Epochs of the whole run before phase i."""
        return sum(self.epochs[:max(0, i)])

    def steps_before(self, i: int) -> int:
        return sum(e * s for e, s in zip(self.epochs[:max(0, i)], self.steps[:max(0, i)]))

    def steps_done(self, phase: str, global_step: int) -> int:
        """Steps of the whole run done when `phase` has made `global_step` steps (counted by
        the plan, so a phase that stopped early does not leave the progress short)."""
        return self.steps_before(max(0, self.index(phase))) + global_step

    # ---- names -------------------------------------------------------------------------------
    @staticmethod
    def pretrained_node(name: str) -> str | None:
        """The node a phase pretrains, or None for a phase of the whole network."""
        return name[len(PRETRAIN):] if name.startswith(PRETRAIN) else None

    @property
    def pretrained_nodes(self) -> list[str]:
        """The nodes pretrained in their own phase, in plan order (input side first)."""
        return [n for n in map(self.pretrained_node, self.names) if n is not None]

    def label(self, name: str) -> str:
        """Words for a phase: 'pretrain r1', 'fine-tune' (training the whole network after
        pretraining), else the plan's own name."""
        node = self.pretrained_node(name)
        if node is not None:
            return f"pretrain {node}"
        if name == "train" and self.pretrained_nodes:
            return "fine-tune"
        return name or "train"

    # ---- the run axis ------------------------------------------------------------------------
    def run_epoch(self, phase: str, epoch: float) -> float:
        """Where epoch `epoch` (counted within `phase`, ends at whole numbers) lies on the run
        axis."""
        return self.epoch_base(max(0, self.index(phase))) + epoch

    def step_x(self, ends: np.ndarray, starts: list[tuple[int, int]]) -> np.ndarray:
        """The run-axis position after each of `ends` steps of the whole run (counted as they
        came), given `starts`: (steps of the run before it, plan index) for every phase seen,
        in order."""
        ends = np.asarray(ends, np.float64)
        if not starts:
            starts = [(0, 0)]
        first = np.asarray([s for s, _ in starts], np.float64)
        # step r belongs to the phase that began at fewer than r steps: ends r_k < r <= r_k+1
        seg = np.clip(np.searchsorted(first, ends, side="left") - 1, 0, len(starts) - 1)
        index = np.asarray([max(0, i) for _, i in starts])[seg]
        base = np.asarray([self.epoch_base(i) for i in range(len(self.names))], np.float64)
        per = np.asarray(self.steps, np.float64)
        return base[index] + (ends - first[seg]) / per[index]


def node_marks(phases: Phases, phase: str, epoch: int,
               ended: str = "") -> dict[str, tuple[str, str]]:
    """What each pretrained node is doing while `phase` runs (at `epoch` of it): node id ->
    (TRAINING | DONE | WAITING, the words on its mark). The nodes below the one pretraining are
    done and the ones above wait; in a phase of the whole network after them (fine-tuning) all
    are done. `ended` is the reason a finished run gives ('' while it runs): the node that was
    pretraining is then done, or stopped part way."""
    here = phases.index(phase)
    if here < 0:
        return {}
    marks = {}
    for i, name in enumerate(phases.names):
        node = phases.pretrained_node(name)
        if node is None:
            continue
        if i < here or (i == here and ended in ("completed", "early_stopped")):
            marks[node] = (DONE, "pretrained")
        elif i == here and ended:
            marks[node] = (WAITING, f"stopped at {max(1, epoch)}/{phases.epochs[i]}")
        elif i == here:
            marks[node] = (TRAINING, f"pretraining {max(1, epoch)}/{phases.epochs[i]}")
        else:
            marks[node] = (WAITING, "waiting")
    return marks
