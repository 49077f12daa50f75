"""Turn what torch raises mid-run (out of memory, a C++ error with its stack) into one line.

A run that fails must end with a message a student can read, naming the node when it is known;
torch's errors carry several lines of C++ frames that say nothing to them.
"""
from __future__ import annotations

import re

from engine.errors import one_line

_OOM = re.compile(r"out of memory|can't allocate memory|not enough memory|OutOfMemory", re.I)
_ENFORCE = re.compile(r"^\[enforce fail at [^\]]*\]\s*(data\.\s*)?")


class NodeFailure(Exception):
    """An exception raised inside one node's module, with the node it happened in."""

    def __init__(self, node: str, cause: BaseException):
        super().__init__(str(cause))
        self.node = node
        self.cause = cause


def first_line(exc: BaseException) -> str:
    """The exception's own sentence, without the C++ frames torch appends."""
    text = str(exc).strip()
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return _ENFORCE.sub("", line) or type(exc).__name__


def describe(exc: BaseException, device: str | None = None) -> tuple[str, str | None]:
    """(one-line message, node id or None) for an exception that ended a run."""
    node = exc.node if isinstance(exc, NodeFailure) else None
    cause = exc.cause if isinstance(exc, NodeFailure) else exc
    detail = first_line(cause)
    where = f" in node '{node}'" if node else ""
    if isinstance(cause, MemoryError) or _OOM.search(detail) or type(cause).__name__ == "OutOfMemoryError":
        on = f" on {device}" if device else ""
        message = (f"out of memory{on}{where}: {detail}; use smaller layers or a smaller "
                   f"batch_size")
    else:
        message = f"training stopped by an error{where}: {type(cause).__name__}: {detail}"
    return one_line(message[:500]), node
