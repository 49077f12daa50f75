"""What each column of a CSV Dataset is for, read from and written to the node's params.

A column's role is not stored anywhere itself: it follows from `target`, `drop` and `one_hot`,
so the file stays what the engine reads and a hand-edited file shows correctly. No Qt here.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

INPUT, TARGET, DROPPED, ONE_HOT = "input", "target", "dropped", "one-hot"
ROLES = (INPUT, TARGET, DROPPED, ONE_HOT)
HELP = {
    INPUT: "fed to the network as a number",
    TARGET: "the column to predict (only one)",
    DROPPED: "left out entirely",
    ONE_HOT: "one 0/1 input per value (for text or codes)",
}


def names(value: Any) -> list[str]:
    return [str(c).strip() for c in value] if isinstance(value, list) else []


def roles(columns: list[str], params: dict[str, Any]) -> dict[str, str]:
    target = str(params.get("target") or "").strip()
    drop, one_hot = set(names(params.get("drop"))), set(names(params.get("one_hot")))
    out = {}
    for c in columns:
        # the same precedence as the error checks: a target listed in drop is still the target
        out[c] = TARGET if c == target else DROPPED if c in drop else ONE_HOT if c in one_hot else INPUT
    return out


def with_role(params: dict[str, Any], column: str, role: str) -> dict[str, Any]:
    """The target, drop and one_hot values that give `column` the role `role`. A new target
    demotes the old one to input, since a Dataset has one target."""
    target = str(params.get("target") or "").strip()
    drop = [c for c in names(params.get("drop")) if c != column]
    one_hot = [c for c in names(params.get("one_hot")) if c != column]
    if role == TARGET:
        target = column
    elif target == column:
        target = ""
    if role == DROPPED:
        drop.append(column)
    elif role == ONE_HOT:
        one_hot.append(column)
    return {"target": target, "drop": drop, "one_hot": one_hot}


def for_new_file(params: dict[str, Any], columns: list[str]) -> dict[str, Any]:
    """Column params carried over to another file: names the new file lacks are let go (they
    would only be errors), and without a target of its own the last column is taken, as most
    tables put the answer last."""
    target = str(params.get("target") or "").strip()
    return {"target": target if target in columns else (columns[-1] if columns else ""),
            "drop": [c for c in names(params.get("drop")) if c in columns],
            "one_hot": [c for c in names(params.get("one_hot")) if c in columns]}


def source_text(chosen: Path, graph_path: Path | None, data_dir: str | None) -> str:
    """What to write after `csv:` for a file the user picked: relative to the graph when the
    file is beside or below it (the pair can move together), just the name when it sits in the
    data folder (as the lessons do, so the graph works with anyone's data folder), else the
    absolute path."""
    chosen = chosen.resolve()
    if graph_path is not None:
        try:
            return chosen.relative_to(Path(graph_path).resolve().parent).as_posix()
        except ValueError:
            pass
    if data_dir and chosen.parent == Path(data_dir).resolve():
        return chosen.name
    return str(chosen)


def leaking_columns(messages: list[str], columns: list[str], one_hot: list[str]) -> dict[str, str]:
    """column -> the leakage warning that names it (or names one of its one-hot inputs)."""
    out: dict[str, str] = {}
    for m in messages:
        if not m.startswith("possible leak:"):
            continue
        for c in columns:
            if f"column '{c}'" in m or (c in one_hot and f"column '{c}_" in m):
                out.setdefault(c, m)
    return out
