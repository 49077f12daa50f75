"""The one error a model file, a prediction or an export raises: a single line naming the cause."""
from __future__ import annotations

from engine.errors import one_line


class ModelError(Exception):
    """A model file, input rows or an export that cannot be used; the message is one line."""

    def __init__(self, message: str):
        super().__init__(one_line(message))
