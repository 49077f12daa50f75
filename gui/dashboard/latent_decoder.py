"""Decoding latent points for the latent view without making the window wait for training
(background_ask.py: posted to the session's DecodeMailbox while a run trains, decoded here
otherwise)."""
from __future__ import annotations

from typing import Any

import numpy as np

from gui.dashboard.background_ask import BackgroundAsk


class LatentDecoder(BackgroundAsk):
    poll_ms = 15           # the training thread serves a request within a step (about 1-2 ms)

    def _mailbox(self) -> Any:
        return self.session.mailbox

    def _here(self, node_id: str, z: np.ndarray) -> tuple[np.ndarray | None, str]:
        images = self.session.decode(node_id, z)
        return images, self.session.decode_problem
