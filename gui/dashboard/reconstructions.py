"""What an autoencoder gives back: the fixed inputs, the corrupted inputs (a denoising one), and
their reconstructions, one row each, redrawn at each sample as the network learns."""
from __future__ import annotations

import numpy as np

from gui.dashboard.image_frame import ImageFrame
from gui.dashboard.rbm_figures import autoencoder_images
from gui.training.run_state import Snapshot
from gui.training.tiles import mosaic

ROWS = (("input", "input"), ("corrupted", "corrupted"), ("recon", "reconstruction"))


class ReconstructionsView:
    def __init__(self) -> None:
        self.images = ImageFrame("Reconstructions")
        self.frame = self.images.frame
        self._serial = 0          # the sample (RunState.faces_serial) drawn
        self.error: float | None = None     # mean squared error per pixel of the shown sample

    def reset(self) -> None:
        self.images.reset()
        self._serial = 0          # the sample (RunState.faces_serial) drawn
        self.error = None

    def update(self, snap: Snapshot) -> None:
        if snap.faces_serial == self._serial:
            return
        images = autoencoder_images(snap.images)      # an RBM's pictures have a tab of their own
        if not images:
            if snap.start is not None and not self.images.message.toPlainText():
                self.images.say("reconstructions appear at the first sample")
            return
        self._serial = snap.faces_serial
        node, arrays = next(iter(images.items()))
        rows = [(arrays.get(key), name) for key, name in ROWS if arrays.get(key) is not None]
        if not rows:
            return
        rgb = mosaic([r for r, _ in rows])
        self.images.show(rgb, [name for _, name in rows], row_h=rows[0][0].shape[1])
        recon, target = arrays.get("recon"), arrays.get("input")
        parts = [f"{node}, step {snap.faces_step}"]
        if recon is not None and target is not None and recon.shape == target.shape:
            self.error = float(np.mean((np.asarray(recon, np.float64) - target) ** 2))
            parts.append(f"squared error per pixel {self.error:.4f}")
        self.frame.note.setText(" · ".join(parts))
