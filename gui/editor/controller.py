"""The one owner of the graph document and its undo stack.

Every edit the user makes, from any widget, arrives here as a method call and leaves as a
QUndoCommand; nothing else changes the document. Views learn what changed from the document's
own events, re-broadcast as Qt signals, so they never need to know who made a change.
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QUndoCommand, QUndoStack

from engine import blocks, graph, lesson_locks
from engine.compiler import Analysis, analyse
from engine.errors import Problem
from engine.graph import GraphDocument, Node
from engine.lesson_locks import NO_LOCKS, LessonLocks
from gui.editor import fragments
from gui.editor.commands import (
    AddItemsCommand,
    ConnectCommand,
    EdgeKey,
    MoveNodesCommand,
    RemoveItemsCommand,
    SetParamCommand,
    SetTrainingCommand,
)
from gui.editor.connection_rules import PortRef, connection_problem, orient, trial_document
from gui.editor.layout import layered_positions

LOCKED_MESSAGE = "Editing is locked while training runs: press Stop to edit"
UNLOCKED_MESSAGE = "Editing is unlocked"
ANALYSIS_DELAY_MS = 40   # long enough to fold a burst of edits into one analysis, short to the eye
PASTE_STEP = 40.0


class Controller(QObject):
    doc_changed = Signal()              # after any change to the document
    doc_event = Signal(str, dict)       # the document's own event, for views that mirror it
    file_loaded = Signal(str)
    file_saved = Signal(str)
    analysis_ready = Signal(object)     # an engine Analysis of the current document
    locked_changed = Signal(bool)
    lesson_locks_changed = Signal()     # the file's locks were read again, or lifted, or put back
    message = Signal(str)               # a sentence for the status bar

    def __init__(self, doc: GraphDocument | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.doc = doc if doc is not None else GraphDocument()
        self.undo_stack = QUndoStack(self)
        self.data_dir: str | None = None
        self.analysis: Analysis | None = None
        self._analysed_data_dir: str | None = None
        self._locked = False
        self._file_locks: LessonLocks = NO_LOCKS    # what the file's meta.locks says
        self.lesson_locks_problem = ""              # why (some of) them could not be read
        self.lesson_unlocked = False                # the teacher lifted them for this session
        self._paste_count = 0
        self._timer = QTimer(self, singleShot=True, interval=ANALYSIS_DELAY_MS)
        self._timer.timeout.connect(self.analyse_now)
        self.doc.subscribe(self._on_doc_event)

    def _on_doc_event(self, event: str, info: dict[str, Any]) -> None:
        if event == "meta_changed" and info.get("key") == "locks":
            self._read_lesson_locks()
        self.doc_event.emit(event, dict(info))
        self.doc_changed.emit()
        self._timer.start()

    # ---- analysis ----------------------------------------------------------------------------
    def analyse_now(self) -> Analysis:
        """Validate the document now (the timer does this shortly after every change)."""
        self._timer.stop()
        try:
            a = analyse(self.doc, self.data_dir)
        except Exception as exc:  # noqa: BLE001 - a bug in one block must not take the editor down
            a = Analysis(problems=[Problem(f"could not check the graph: {exc}")])
        self.analysis = a
        self._analysed_data_dir = self.data_dir
        self.analysis_ready.emit(a)
        return a

    def _current_analysis(self) -> Analysis | None:
        """The last analysis when it still describes the document (no change since, same data
        folder), else None. Every document change restarts the timer, so an idle timer means
        nothing changed; a proposed connection then needs one analysis instead of two."""
        if self.analysis is None or self._timer.isActive() or self._analysed_data_dir != self.data_dir:
            return None
        return self.analysis

    # ---- locking while a run trains ----------------------------------------------------------
    @property
    def locked(self) -> bool:
        return self._locked

    def set_locked(self, locked: bool) -> None:
        if locked == self._locked:
            return
        self._locked = locked
        self.locked_changed.emit(locked)
        # locked, the status bar's permanent label says so; the passing message would repeat it
        if not locked:
            self.message.emit(UNLOCKED_MESSAGE)

    def _refused_while_locked(self) -> bool:
        if self._locked:
            self.message.emit(LOCKED_MESSAGE)
        return self._locked

    # ---- locks a lesson file puts on its students (engine.lesson_locks) -----------------------
    # Kept apart from the lock while training: that one stops every edit for a while; these stop
    # chosen edits for as long as the teacher leaves them on. Moving a block and wiring are never
    # locked: where a block sits and what feeds it are the student's network, not the lesson's.
    @property
    def lesson_locks(self) -> LessonLocks:
        """The locks in force now: the file's, unless the teacher lifted them."""
        return NO_LOCKS if self.lesson_unlocked else self._file_locks

    @property
    def file_lesson_locks(self) -> LessonLocks:
        return self._file_locks

    def set_lesson_unlocked(self, unlocked: bool) -> None:
        """Lift the file's locks (or put them back) in the app; the file keeps `meta.locks`."""
        if unlocked != self.lesson_unlocked:
            self.lesson_unlocked = unlocked
            self.lesson_locks_changed.emit()

    def _read_lesson_locks(self, doc: GraphDocument | None = None, tell: bool = True) -> None:
        doc = doc if doc is not None else self.doc
        self._file_locks, self.lesson_locks_problem = lesson_locks.from_meta(doc.meta, doc.nodes)
        self.lesson_unlocked = False
        if tell:
            self.lesson_locks_changed.emit()

    def _refused_by_lesson(self, why: str | None) -> bool:
        if why:
            self.message.emit(why)
        return bool(why)

    def _first_locked_block(self, node_ids: list[str]) -> str | None:
        return next((w for w in map(self.lesson_locks.why_block, node_ids) if w), None)

    # ---- node and edge edits -----------------------------------------------------------------
    def add_node(self, block_type: str, pos: tuple[float, float]) -> str | None:
        """Add a block from the palette; returns its new id."""
        if self._refused_while_locked():
            return None
        block = blocks.get(block_type)
        if block is None:
            self.message.emit(f"Unknown block type '{block_type}'")
            return None
        node_id = self.doc.fresh_id(block.name)
        # only required params are written: the rest are the block's defaults, so files stay short
        params = {p.name: copy.deepcopy(p.default) for p in block.params if p.required}
        node = Node(node_id, block.name, params, (float(pos[0]), float(pos[1])))
        self.undo_stack.push(AddItemsCommand(self.doc, [node], [], f"Add {block.name} '{node_id}'"))
        return node_id

    def remove(self, node_ids: list[str], edge_keys: list[EdgeKey] = (), text: str = "Delete") -> bool:
        node_ids = [n for n in node_ids if n in self.doc.nodes]
        edge_keys = [tuple(k) for k in edge_keys]
        if not node_ids and not edge_keys:
            return False
        if self._refused_while_locked() or self._refused_by_lesson(self._first_locked_block(node_ids)):
            return False
        self.undo_stack.push(RemoveItemsCommand(self.doc, node_ids, edge_keys, _describe(text, node_ids, edge_keys)))
        return True

    def move_nodes(self, positions: dict[str, tuple[float, float]], text: str = "Move",
                   merge_key: object = None) -> bool:
        moves = {nid: (self.doc.nodes[nid].pos, (float(p[0]), float(p[1])))
                 for nid, p in positions.items()
                 if nid in self.doc.nodes and tuple(self.doc.nodes[nid].pos) != (float(p[0]), float(p[1]))}
        if not moves:
            return False
        if self._refused_while_locked():
            return False
        self.undo_stack.push(MoveNodesCommand(self.doc, moves, text, merge_key))
        return True

    def connection_problem(self, a: PortRef, b: PortRef) -> str | None:
        """Why the two ports cannot be joined, or None when they can."""
        ends = orient(a, b)
        if isinstance(ends, str):
            return ends
        return connection_problem(self.doc, ends[0], ends[1], self.data_dir, self._current_analysis())

    def connect(self, a: PortRef, b: PortRef) -> str | None:
        """Join two ports (either order); returns the reason when the connection is refused."""
        if self._refused_while_locked():
            return LOCKED_MESSAGE
        problem = self.connection_problem(a, b)
        if problem:
            self.message.emit(problem)
            return problem
        src, dst = orient(a, b)
        self.undo_stack.push(ConnectCommand(self.doc, graph.Edge(src.node, src.port, dst.node, dst.port)))
        return None

    def reconnect(self, old: EdgeKey, a: PortRef, b: PortRef) -> str | None:
        """Move an existing connection to other ports, as one undo step; returns why not."""
        if self._refused_while_locked():
            return LOCKED_MESSAGE
        ends = orient(a, b)
        if isinstance(ends, str):
            self.message.emit(ends)
            return ends
        src, dst = ends
        if (src.node, src.port, dst.node, dst.port) == tuple(old):
            return None
        # a shallow "what if" without the old edge: a deep copy of a big graph took a second
        trial = trial_document(self.doc, remove=[tuple(old)])
        problem = connection_problem(trial, src, dst, self.data_dir)
        if problem:
            self.message.emit(problem)
            return problem
        edge = graph.Edge(src.node, src.port, dst.node, dst.port)
        self.undo_stack.beginMacro(f"Reconnect to {dst.node}.{dst.port}")
        self.undo_stack.push(RemoveItemsCommand(self.doc, [], [tuple(old)], "Disconnect"))
        self.undo_stack.push(ConnectCommand(self.doc, edge))
        self.undo_stack.endMacro()
        return None

    def disconnect(self, edge_keys: list[EdgeKey]) -> bool:
        return self.remove([], edge_keys, "Disconnect")

    def set_param(self, node_id: str, name: str, value: Any, session: object = None) -> bool:
        """Set one block param; calls sharing a `session` (one field being typed in) merge."""
        if node_id not in self.doc.nodes or self._refused_while_locked() or \
                self._refused_by_lesson(self.lesson_locks.why_param(node_id, name)):
            return False
        old = self.doc.nodes[node_id].params.get(name)
        if old == value and type(old) is type(value):
            return False
        self.undo_stack.push(SetParamCommand(self.doc, node_id, name, old, value, session))
        return True

    def set_params(self, node_id: str, values: dict[str, Any], text: str) -> bool:
        """Set several params of one block as one undo step (a CSV column's role touches
        target, drop and one_hot at once; undoing half of that would leave a broken table)."""
        if node_id not in self.doc.nodes or self._refused_while_locked() or self._refused_by_lesson(
                next(filter(None, (self.lesson_locks.why_param(node_id, k) for k in values)), None)):
            return False
        params = self.doc.nodes[node_id].params
        changed = {k: v for k, v in values.items()
                   if not (params.get(k) == v and type(params.get(k)) is type(v))}
        if not changed:
            return False
        self.undo_stack.beginMacro(text)
        for name, value in changed.items():
            self.undo_stack.push(SetParamCommand(self.doc, node_id, name, params.get(name), value))
        self.undo_stack.endMacro()
        return True

    def set_training(self, key: str, value: Any, session: object = None) -> bool:
        if self._refused_while_locked() or self._refused_by_lesson(self.lesson_locks.why_training(key)):
            return False
        old = self.doc.training.get(key)
        if old == value and type(old) is type(value):
            return False
        self.undo_stack.push(SetTrainingCommand(self.doc, key, old, value, session))
        return True

    def auto_layout(self) -> bool:
        return self.move_nodes(layered_positions(self.doc), "Auto-layout")

    def undo(self) -> None:
        # a step recorded while the teacher had lifted the locks stays refused once they are back
        step = self.undo_stack.command(self.undo_stack.index() - 1)
        if not self._refused_while_locked() and not self._refused_by_lesson(
                lesson_refusal(step, self.lesson_locks, undo=True)):
            self.undo_stack.undo()

    def redo(self) -> None:
        step = self.undo_stack.command(self.undo_stack.index())
        if not self._refused_while_locked() and not self._refused_by_lesson(
                lesson_refusal(step, self.lesson_locks, undo=False)):
            self.undo_stack.redo()

    # ---- clipboard -----------------------------------------------------------------------------
    def copy(self, node_ids: list[str]) -> bool:
        if not node_ids:
            return False
        frag = fragments.make_fragment(self.doc, node_ids)
        # plain text, not a QMimeData of our own: PySide6 6.12 crashes at exit when the
        # clipboard still owns a QMimeData made in Python; the JSON text identifies itself
        QGuiApplication.clipboard().setText(fragments.fragment_to_text(frag))
        self._paste_count = 0
        return True

    def cut(self, node_ids: list[str]) -> bool:
        if self._refused_while_locked() or self._refused_by_lesson(self._first_locked_block(node_ids)) \
                or not self.copy(node_ids):
            return False
        self._paste_count = -1    # the first paste after a cut goes back where the nodes were
        return self.remove(node_ids, [], "Cut")

    def paste(self, at: tuple[float, float] | None = None) -> list[str]:
        """Insert the clipboard's nodes, at `at` (scene point) or offset from where they were."""
        if self._refused_while_locked():
            return []
        piece = fragments.parse_fragment(QGuiApplication.clipboard().text())
        if piece is None or not piece.nodes:
            self.message.emit("Nothing to paste: copy some blocks first")
            return []
        if at is not None:
            x0, y0 = fragments.bounds(piece)
            offset = (at[0] - x0, at[1] - y0)
        else:
            self._paste_count += 1
            offset = (PASTE_STEP * self._paste_count,) * 2
        return self._insert(piece, offset, "Paste")

    def duplicate(self, node_ids: list[str]) -> list[str]:
        if not node_ids or self._refused_while_locked():
            return []
        piece = graph.from_dict(fragments.make_fragment(self.doc, node_ids))
        return self._insert(piece, (PASTE_STEP, PASTE_STEP), "Duplicate")

    def _insert(self, piece: GraphDocument, offset: tuple[float, float], text: str) -> list[str]:
        nodes, edges = fragments.instantiate(self.doc, piece, offset)
        self.undo_stack.push(AddItemsCommand(self.doc, nodes, edges, _describe(text, [n.id for n in nodes], [])))
        return [n.id for n in nodes]

    # ---- files ---------------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return not self.undo_stack.isClean()

    def new_document(self) -> None:
        self.set_document(GraphDocument())

    def open_file(self, path: str | Path) -> None:
        """Load a graph file; raises GraphError (and leaves the open graph alone) when it fails."""
        loaded = graph.load(path)
        self.set_document(loaded)
        self.file_loaded.emit(str(loaded.path))

    def save(self, path: str | Path | None = None) -> Path:
        """Save (atomically, by the engine); raises OSError when the file cannot be written."""
        target = Path(path) if path is not None else self.doc.path
        if target is None:
            raise ValueError("no file name to save to")
        self.doc.save(target)
        self.undo_stack.setClean()
        self.file_saved.emit(str(target))
        return target

    def set_document(self, other: GraphDocument) -> None:
        """Show another document in place of this one (new, open, or a graph built in code);
        the undo history starts afresh and the result counts as saved."""
        self.undo_stack.clear()
        # read first, so views rebuilding for the new graph already see its locks
        self._read_lesson_locks(other, tell=False)
        self.doc.replace_with(other)
        self.undo_stack.setClean()
        self.lesson_locks_changed.emit()
        self.analyse_now()


def lesson_refusal(step: QUndoCommand | None, locks: LessonLocks, undo: bool) -> str | None:
    """Why undoing (or redoing) this step would change something the lesson locks, or None.
    Deleting is what a locked block refuses, so an undone add and a redone delete are checked."""
    if step is None or not locks:
        return None
    if isinstance(step, SetParamCommand):
        return locks.why_param(*step.target)
    if isinstance(step, SetTrainingCommand):
        return locks.why_training(step.target[0])
    removed = step.node_ids if isinstance(step, RemoveItemsCommand) and not undo else \
        [n.id for n in step.nodes] if isinstance(step, AddItemsCommand) and undo else []
    why = next(filter(None, map(locks.why_block, removed)), None)
    children = (step.child(i) for i in range(step.childCount()))    # a macro's steps
    return why or next(filter(None, (lesson_refusal(c, locks, undo) for c in children)), None)


def _describe(verb: str, node_ids: list[str], edge_keys: list[EdgeKey]) -> str:
    if len(node_ids) == 1 and not edge_keys:
        return f"{verb} '{node_ids[0]}'"
    parts = []
    if node_ids:
        parts.append(f"{len(node_ids)} block{'s' if len(node_ids) != 1 else ''}")
    if edge_keys:
        parts.append(f"{len(edge_keys)} connection{'s' if len(edge_keys) != 1 else ''}")
    return f"{verb} {' and '.join(parts)}"
