"""An RBM's pictures while it pretrains: fixed inputs beside what it rebuilds of them, and its
hidden units' weights drawn as pictures (filters: blue negative, white zero, orange positive).
Redrawn at each new sample of the RBM shown; an RBM that has had its turn keeps its last ones."""
from __future__ import annotations

import numpy as np

from gui.dashboard.image_frame import ImageFrame
from gui.dashboard.rbm_figures import is_rbm, training_node
from gui.dashboard.rbm_focus import RbmFocus
from gui.training.phases import PRETRAIN
from gui.training.run_state import Snapshot
from gui.training.tiles import grid, mosaic, weights

PER_ROW = 4             # pictures a row: 8 inputs and 16 filters make near-square mosaics


class RbmPicturesView:
    def __init__(self, focus: RbmFocus) -> None:
        self.focus = focus
        self.recon = ImageFrame("Reconstructions")
        self.filters = ImageFrame("Filters")
        self.recon.frame.setToolTip(
            "Fixed inputs, each above what the RBM rebuilds of it (up to its hidden units and "
            "back down): blurry at first, sharper as it learns. The error is the mean squared "
            "difference per pixel.")
        self.filters.frame.setToolTip(
            "The weights of the first hidden units, one picture each: blue pixels push the unit "
            "off, orange ones on, white ones do not matter. An RBM higher in a stack is drawn "
            "through the weights of the ones below it.")
        self._drawn: tuple = ()
        self.error: float | None = None      # squared error per pixel of the pictures shown
        self.node: str | None = None

    @property
    def frames(self):
        return [self.recon.frame, self.filters.frame]

    def reset(self) -> None:
        self.recon.reset()
        self.filters.reset()
        self._drawn = ()
        self.error = None
        self.node = None

    def update(self, snap: Snapshot) -> None:
        node = self.focus.node(snap)
        arrays = snap.images.get(node) if node else None
        if arrays is None or not is_rbm(arrays):
            if self._drawn != (node, None):
                self._drawn = (node, None)
                self.reset_to(node, snap)
            return
        # the engine makes each sample's arrays afresh: the same dict is the same sample
        if self._drawn and self._drawn[0] == node and self._drawn[1] is arrays:
            return
        self._drawn, self.node = (node, arrays), node
        given, recon = arrays.get("input"), arrays.get("recon")
        live = "live" if training_node(snap) == node and snap.done is None else "pretrained"
        if given is not None and recon is not None and len(recon):
            # each input right above what the RBM rebuilds of it, PER_ROW a row: near square,
            # so the digits are as large as a quarter of the dashboard allows
            rows, names = [], []
            for k in range(0, min(len(given), len(recon)), PER_ROW):
                rows += [given[k:k + PER_ROW], recon[k:k + PER_ROW]]
                names += ["input", "rebuilt"]
            self.recon.show(mosaic(rows, PER_ROW), names, row_h=given.shape[1])
            self.error = float(np.mean((np.asarray(recon, np.float64) - given) ** 2))
            self.recon.frame.note.setText(f"error {self.error:.4f}")
        f = arrays.get("filters")
        if f is not None and len(f):
            self.filters.show(grid(f, PER_ROW, weights))
            self.filters.frame.note.setText(live)       # the node is named in the list above

    def reset_to(self, node: str | None, snap: Snapshot) -> None:
        """Nothing to show yet for `node`: say why instead."""
        self.recon.reset()
        self.filters.reset()
        self.node = node
        if snap.start is None:
            return
        if node is None:
            text = "no RBM in this run"
        elif snap.phases.index(PRETRAIN + node) > snap.phases.index(snap.phase):
            text = f"{node} waits for its turn"
        elif any(rep.phase == PRETRAIN + node for rep in snap.epochs):
            # an epoch of it has passed without a sample: the engine draws only image data
            text = "no pictures: the inputs are not images"
        else:
            text = "pictures appear at the first sample"
        self.recon.say(text)
        self.filters.say(text)
