"""The locks a lesson file puts on its students: `meta.locks`.

A teacher's lesson can hide panels and lock chosen params, whole blocks and training settings,
so a class changes only what the lesson is about. This module reads and checks the object (it
comes from a file: untrusted) and answers, for an edit, why it is refused. It knows nothing of
Qt; the editor's controller asks it before every edit, so every way of editing obeys it.

    "locks": {
      "panels": ["palette"],                        # hidden while locked
      "params": {"h1": ["units"], "out": "*"},      # node id -> its locked params, or "*": all
      "blocks": ["data", "loss"],                   # not deletable, every param locked (or "*")
      "training": ["optimizer", "lr"],              # training settings (or "*": all)
      "message": "Change only the activations"      # said with every refusal
    }

What the format can never hold (an unknown key, panel or training setting, a wrong type) refuses
the whole object: the graph opens unlocked and one line says what is wrong. What names this
graph's contents (a node id, a param of its block) but is not there, as after the teacher
deleted a locked block, is left out and reported, and the other locks hold.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine import blocks
from engine.errors import brief, one_line
from engine.training import settings

ALL = "*"
KEYS = ("panels", "params", "blocks", "training", "message")
PANELS = ("palette", "inspector", "lesson", "dashboard", "predict", "experiment")
MAX_MESSAGE = 300        # characters: it is said in a status bar and a tooltip
MAX_ENTRIES = 10_000     # a lesson locks a handful; past this the file is a mistake or an attack


class LockFileError(ValueError):
    """meta.locks cannot be read; the message is one line naming the key."""


@dataclass(frozen=True)
class LessonLocks:
    panels: frozenset[str] = frozenset()
    params: Mapping[str, frozenset[str]] = field(default_factory=dict)   # ALL in a set: every param
    blocks: frozenset[str] = frozenset()                                  # ALL: every block
    training: frozenset[str] = frozenset()                                # ALL: every setting
    message: str = ""

    def __bool__(self) -> bool:
        return bool(self.panels or self.params or self.blocks or self.training)

    # ---- what is locked --------------------------------------------------------------------
    def block_locked(self, node_id: str) -> bool:
        return node_id in self.blocks or ALL in self.blocks

    def param_locked(self, node_id: str, name: str) -> bool:
        names = self.params.get(node_id, frozenset())
        return self.block_locked(node_id) or ALL in names or name in names

    def some_params_locked(self, node_id: str) -> bool:
        return self.block_locked(node_id) or bool(self.params.get(node_id))

    def training_locked(self, key: str) -> bool:
        return ALL in self.training or key in self.training

    # ---- why an edit is refused (None: it is not) --------------------------------------------
    def _because(self, what: str, how: str = "is locked by the lesson") -> str:
        return f"{what} {how}" + (f": {self.message}" if self.message else "")

    def why_param(self, node_id: str, name: str) -> str | None:
        return self._because(f"'{node_id}.{name}'") if self.param_locked(node_id, name) else None

    def why_block(self, node_id: str) -> str | None:
        """Why the block cannot be deleted."""
        if not self.block_locked(node_id):
            return None
        return self._because(f"the block '{node_id}'", "is locked by the lesson and cannot be deleted")

    def why_training(self, key: str) -> str | None:
        return self._because(f"'training.{key}'") if self.training_locked(key) else None

    def why_panel(self, name: str) -> str | None:
        return self._because(f"the {name} panel", "is hidden by the lesson") \
            if name in self.panels else None

    def describe_block(self, node_id: str) -> str:
        """What a block's padlock says ('' when the lesson locks nothing of it)."""
        names = self.params.get(node_id, frozenset())
        if self.block_locked(node_id):
            text = (f"'{node_id}' is locked by the lesson: it cannot be deleted and its params "
                    f"cannot be changed")
        elif names:
            what = "every param" if ALL in names else ", ".join(sorted(names))
            text = f"Locked by the lesson in '{node_id}': {what}"
        else:
            return ""
        return text + (f"\n{self.message}" if self.message else "")

    def describe(self) -> str:
        """What is locked, in one line for a status bar."""
        parts = []
        if self.blocks:
            parts.append("every block" if ALL in self.blocks else _count(len(self.blocks), "block"))
        n_params = sum(len(v) for k, v in self.params.items() if ALL not in v)
        whole = sum(1 for v in self.params.values() if ALL in v)
        if n_params:
            parts.append(_count(n_params, "param"))
        if whole:
            parts.append(f"every param of {_count(whole, 'block')}")
        if self.training:
            parts.append("every training setting" if ALL in self.training
                         else _count(len(self.training), "training setting"))
        sentence = f"locks {_and(parts)}" if parts else ""
        if self.panels:
            hidden = f"hides the {_and(sorted(self.panels))} panel{'s' if len(self.panels) > 1 else ''}"
            sentence = f"{sentence} and {hidden}" if sentence else hidden
        text = f"This lesson {sentence}" if sentence else "This lesson has no locks"
        return text + (f": {self.message}" if self.message else "")


NO_LOCKS = LessonLocks()


def _and(words: list[str]) -> str:
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def from_meta(meta: Mapping[str, Any], nodes: Mapping[str, Any]) -> tuple[LessonLocks, str]:
    """The locks in a graph's meta, and a one-line report ('' when all is well).

    `nodes` maps node id -> node (with `.type`), to check the ids and param names. A file whose
    `meta.locks` cannot be read gives NO_LOCKS and says why."""
    raw = meta.get("locks") if isinstance(meta, Mapping) else None
    if raw is None:
        return NO_LOCKS, ""
    try:
        return parse(raw, nodes)
    except LockFileError as exc:
        return NO_LOCKS, f"{exc}; the lesson opens without its locks"


def parse(raw: Any, nodes: Mapping[str, Any]) -> tuple[LessonLocks, str]:
    """Check `meta.locks`; raises LockFileError for what no lesson may hold, and returns the
    locks with a report of the entries left out because this graph lacks what they name."""
    if not isinstance(raw, dict):
        raise LockFileError(f"meta.locks must be an object, not {brief(raw)}")
    unknown = [k for k in raw if k not in KEYS]
    if unknown:
        raise LockFileError(f"meta.locks: unknown key {brief(unknown[0])} (known: {', '.join(KEYS)})")
    left_out: list[str] = []
    panels = _names(raw.get("panels", []), "meta.locks.panels", allowed=PANELS, star=False)
    training = _names(raw.get("training", []), "meta.locks.training",
                      allowed=tuple(p.name for p in settings.PARAMS), star=True)
    block_ids = _names(raw.get("blocks", []), "meta.locks.blocks", allowed=None, star=True)
    missing = sorted(b for b in block_ids if b != ALL and b not in nodes)
    if missing:
        left_out.append(f"meta.locks.blocks: no block {_quoted(missing)} in this graph")
    params_raw = raw.get("params", {})
    if not isinstance(params_raw, dict):
        raise LockFileError(f"meta.locks.params must be an object of node id -> list of params "
                            f"or \"*\", not {brief(params_raw)}")
    if len(params_raw) > MAX_ENTRIES:
        raise LockFileError(f"meta.locks.params has {len(params_raw)} entries (at most {MAX_ENTRIES})")
    params: dict[str, frozenset[str]] = {}
    for node_id, names_raw in params_raw.items():
        where = f"meta.locks.params.{one_line(node_id)[:60]}"
        names = _names(names_raw, where, allowed=None, star=True)
        node = nodes.get(node_id)
        if node is None:
            left_out.append(f"meta.locks.params: no block {_quoted([node_id])} in this graph")
            continue
        block = blocks.get(getattr(node, "type", ""))
        if block is not None and ALL not in names:
            declared = {p.name for p in block.params}
            strangers = sorted(names - declared)
            if strangers:
                left_out.append(f"{where}: {block.name} has no param {_quoted(strangers)}")
                names = names & declared
        if names:
            params[node_id] = names
    message = raw.get("message", "")
    if not isinstance(message, str):
        raise LockFileError(f"meta.locks.message must be text, not {brief(message)}")
    message = one_line(message.strip())
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE - 3] + "..."
    locks = LessonLocks(panels, params, frozenset(b for b in block_ids if b not in missing),
                        training, message)
    report = "; ".join(left_out)
    return locks, (one_line(f"{report} (left out; the other locks hold)") if report else "")


def _names(raw: Any, where: str, allowed: Iterable[str] | None, star: bool) -> frozenset[str]:
    """A list of names (or "*" where `star`), each one of `allowed` when that is given."""
    if star and raw == ALL:
        return frozenset({ALL})
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        shape = 'a list of names or "*"' if star else "a list of names"
        raise LockFileError(f"{where} must be {shape}, not {brief(raw)}")
    if len(raw) > MAX_ENTRIES:
        raise LockFileError(f"{where} has {len(raw)} entries (at most {MAX_ENTRIES})")
    if allowed is not None:
        allowed = tuple(allowed) + ((ALL,) if star else ())
        bad = [x for x in raw if x not in allowed]
        if bad:
            raise LockFileError(f"{where}: unknown name {brief(bad[0])} (known: {', '.join(allowed)})")
    return frozenset(raw)


def _quoted(names: list[str]) -> str:
    shown = ", ".join(f"'{one_line(n)[:60]}'" for n in names[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")
