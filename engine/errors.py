"""Error types that carry the place a problem was found (node, port, file, column)."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

_MAX_MESSAGE = 1000          # characters; a message quotes values from files, which can be huge


def one_line(text: str) -> str:
    """A message as one printable line: control and formatting characters (a line break in a
    node id, a bidirectional override) are written as escapes, and a huge message is cut."""
    if text.isprintable() and len(text) <= _MAX_MESSAGE:
        return text
    out = "".join(repr(ch)[1:-1] if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")
                  else ch for ch in text[:_MAX_MESSAGE])
    return out if len(text) <= _MAX_MESSAGE else out + "..."


def brief(value: object, limit: int = 40) -> str:
    """A value as a message may quote it: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a graph, tied to the node (and port) where it was found."""

    message: str
    node: str | None = None
    port: str | None = None
    severity: str = "error"  # "error" stops compiling; "warning" is shown but allowed

    def __str__(self) -> str:
        where = ""
        # a loader's message may name the node itself, after the file it is in: once is enough
        if self.node is not None and f"node '{self.node}'" not in self.message:
            where = f"node '{self.node}'"
            if self.port is not None:
                where += f", port '{self.port}'"
            where += ": "
        return one_line(where + self.message)


class GraphError(Exception):
    """A graph that cannot be loaded, compiled or trained; holds every problem found."""

    def __init__(self, problems: list[Problem] | Problem | str, node: str | None = None):
        if isinstance(problems, str):
            problems = [Problem(problems, node)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(str(self.problems[0]) if self.problems else "invalid graph")

    @property
    def node(self) -> str | None:
        return self.problems[0].node if self.problems else None


class DataError(Exception):
    """Bad input data: a missing file, an unusable column, missing values and the like."""

    def __init__(self, message: str, node: str | None = None):
        super().__init__(one_line(message))
        self.node = node
