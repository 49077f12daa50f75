"""An RBM dreaming: Gibbs chains started from noise, animated. Eight chains begin as random
pixels; each Gibbs step samples the hidden units from the visible ones and the visible ones back
from the hidden, and within a few dozen steps the noise settles into the kind of picture the RBM
has learnt (a higher RBM of a stack is drawn through the ones below it). Beside the animation,
the same chains at a few steps, from noise to samples.

The chain is made by the engine (Run.gibbs) through a GibbsSampler, which while a run trains asks
the training thread for it, so the window never waits. While the run trains, each pass of the
animation is followed by a chain from the same noise with the newest weights: what changes from
pass to pass is what the RBM has learnt. The animation runs only while its tab is on screen;
each frame is a mosaic made once when the chain arrives, so a tick is one setImage.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QEvent, QObject, QTimer, Slot

from gui.dashboard.gibbs_sampler import GibbsSampler
from gui.dashboard.image_frame import ImageFrame
from gui.dashboard.rbm_focus import RbmFocus
from gui.training.run_state import Snapshot
from gui.training.tiles import grid, mosaic

CHAINS = 8
STEPS = 100            # enough for a digits RBM's chains to look like digits
EVERY = 2              # a frame every two Gibbs steps: 51 frames, five seconds a pass
TICK_MS = 100
HOLD_TICKS = 15        # the last frame stays 1.5 s before the next pass
STRIP_STEPS = (0, 2, 4, 10, 20, 50, 100)


class GibbsView(QObject):
    def __init__(self, focus: RbmFocus, sampler: GibbsSampler,
                 training: Callable[[], bool] = lambda: False, parent: QObject | None = None):
        super().__init__(parent)
        self.focus, self.sampler, self.training = focus, sampler, training
        self.live = ImageFrame("Gibbs chains from noise")
        self.strip = ImageFrame("From noise to samples")
        self.live.frame.setToolTip(
            "Eight Gibbs chains of the RBM started from random pixels: at each step its hidden "
            "units are sampled from the picture and the picture from the hidden units. The noise "
            "settles into what the RBM has learnt. While it trains, each pass starts from the "
            "same noise with the newest weights.")
        self.strip.frame.setToolTip("The same eight chains (columns) at a few of their steps "
                                    "(rows), from the noise at the top to samples at the bottom.")
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.live.frame.installEventFilter(self)
        self.seed = 0
        self.chain: np.ndarray | None = None     # the frames playing: (frames, n, rows, cols)
        self.node: str | None = None             # whose chain it is
        self.frame_index = 0
        self.passes = 0                          # passes played (tests wait on it)
        self._mosaics: list[np.ndarray] = []
        self._next: tuple | None = None          # a newer chain, played from the next pass
        self._asked: tuple | None = None         # (node, seed, final?) of the last request

    @property
    def frames(self):
        return [self.live.frame, self.strip.frame]

    def reset(self) -> None:
        self.timer.stop()
        self.live.reset()
        self.strip.reset()
        self.chain, self.node, self._next, self._asked = None, None, None, None
        self._mosaics = []
        self.frame_index = self.passes = 0

    # ---- what to sample ------------------------------------------------------------------------
    def update(self, snap: Snapshot) -> None:
        node = self.focus.node(snap)
        if snap.start is None:
            return
        if node is None:
            self.live.say("no RBM in this run")
            return
        final = snap.done is not None or snap.error is not None
        if node != self.node:
            self.node, self.chain, self._next = node, None, None
            self._mosaics = []
            self.live.say(f"sampling {node}…")
            self.strip.reset()
            self._ask(final)
        elif final and self._asked is not None and not self._asked[2]:
            self._ask(True)                  # the trained weights, once the run has ended
        elif self.chain is None and not self.sampler.waiting and self._asked is None:
            self._ask(final)
        self._play()

    @Slot()
    def new_chain(self) -> None:
        """Other noise to start from (the button): played as soon as it comes."""
        if self.node is None:
            return
        self.seed += 1
        self.chain = None
        self._ask(self._asked[2] if self._asked else False)

    def _ask(self, final: bool) -> None:
        self._asked = (self.node, self.seed, final)
        chain = {"n": CHAINS, "steps": STEPS, "every": EVERY, "seed": self.seed}
        node = self.node
        self.sampler.request(node, chain, lambda frames: self._arrived(node, frames))

    def _arrived(self, node: str, frames: np.ndarray | None) -> None:
        if node != self.node:
            return
        if frames is None or frames.ndim != 4 or not len(frames):
            if self.chain is None:
                self.live.say(self.sampler.problem or "no samples")
            return
        if self.chain is None:
            self._start(frames)
        else:
            self._next = (frames,)

    # ---- playing -------------------------------------------------------------------------------
    def _start(self, frames: np.ndarray) -> None:
        self.chain = frames
        per_row = CHAINS // 2 if frames.shape[1] >= CHAINS else frames.shape[1]
        self._mosaics = [grid(f, per_row) for f in frames]
        picks = [s // EVERY for s in STRIP_STEPS if s // EVERY < len(frames)]
        self.strip.show(mosaic([frames[k] for k in picks]), [f"step {k * EVERY}" for k in picks],
                        row_h=frames.shape[2])
        self.strip.frame.note.setText(f"{self.node}: columns are chains")
        self.frame_index = 0
        self._show_frame()
        self._play()

    def show_step(self, step: int) -> None:
        """Hold the animation at a step of the chain (a picture for the guide); it plays on from
        there at the next tick."""
        if self._mosaics:
            self.frame_index = max(0, min(len(self._mosaics) - 1, step // EVERY))
            self._show_frame()

    def _show_frame(self) -> None:
        k = min(self.frame_index, len(self._mosaics) - 1)
        self.live.show(self._mosaics[k])
        self.live.frame.note.setText(f"{self.node}: step {k * EVERY} of {STEPS}")

    def _play(self) -> None:
        if self._mosaics and self.live.frame.isVisible() and not self.timer.isActive():
            self.timer.start()

    @Slot()
    def _tick(self) -> None:
        if not self.live.frame.isVisible() or not self._mosaics:
            self.timer.stop()                 # the tab is hidden: no drawing for nobody
            return
        self.frame_index += 1
        if self.frame_index < len(self._mosaics):
            self._show_frame()
            return
        if self.frame_index < len(self._mosaics) + HOLD_TICKS:
            return
        self.passes += 1
        if self._next is not None:
            frames, self._next = self._next[0], None
            self._start(frames)
        else:
            self.frame_index = 0
            self._show_frame()
        if self.training() and not self.sampler.waiting:
            self._ask(False)                  # the next pass: the same noise, newer weights

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Show:
            self._play()
        return False
