"""Gibbs chains of an RBM for the Gibbs view without making the window wait for training
(background_ask.py: posted to the session's GibbsMailbox while a run trains, run here
otherwise). `what` is the chain's settings: Run.gibbs(node_id, **chain)."""
from __future__ import annotations

from typing import Any

import numpy as np

from gui.dashboard.background_ask import BackgroundAsk


class GibbsSampler(BackgroundAsk):
    poll_ms = 30           # a chain of a hundred steps on a small RBM takes a few milliseconds

    def _mailbox(self) -> Any:
        return self.session.gibbs_mailbox

    def _here(self, node_id: str, chain: dict[str, int]) -> tuple[np.ndarray | None, str]:
        frames = self.session.gibbs(node_id, dict(chain))
        return frames, self.session.gibbs_problem
