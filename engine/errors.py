"""Error types that carry the place a problem was found (node, port, file, column)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a graph, tied to the node (and port) where it was found."""

    message: str
    node: str | None = None
    port: str | None = None
    severity: str = "error"  # "error" stops compiling; "warning" is shown but allowed

    def __str__(self) -> str:
        where = ""
        if self.node is not None:
            where = f"node '{self.node}'"
            if self.port is not None:
                where += f", port '{self.port}'"
            where += ": "
        return where + self.message


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
        super().__init__(message)
        self.node = node
