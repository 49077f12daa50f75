"""A GAN's heat map, samples and arrows (or its pictures) for the GAN tab without making the
window wait for training (background_ask.py: posted to the session's GanMailbox while a run
trains, answered here otherwise). `what` is the request of gui/training/gan_mailbox.py."""
from __future__ import annotations

from typing import Any

from gui.dashboard.background_ask import BackgroundAsk


class GanSampler(BackgroundAsk):
    poll_ms = 30           # a 64 x 64 grid and 256 gradients of a small GAN: a few milliseconds

    def _mailbox(self) -> Any:
        return self.session.gan_mailbox

    def _here(self, node_id: str, request: dict[str, Any]) -> tuple[Any, str]:
        answer = self.session.gan_field(dict(request))
        return answer, self.session.gan_problem
