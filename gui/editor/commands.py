"""Undoable edits. Each command changes the graph document and nothing else.

The scene, inspector and lesson panel follow the document's change events, so a command never
touches a widget; undo and redo then look after the view for free. Commands assume the
controller already checked that the edit is allowed.
"""
from __future__ import annotations

import copy
from typing import Any

from PySide6.QtGui import QUndoCommand

from engine.graph import Edge, GraphDocument, Node

EdgeKey = tuple[str, str, str, str]

# ids for QUndoCommand.mergeWith: only commands with the same id are offered for merging
MERGE_PARAM = 1
MERGE_TRAINING = 2
MERGE_MOVE = 3


def _restore_order(doc: GraphDocument, node_order: list[str], edge_order: list[EdgeKey]) -> None:
    """Put nodes and edges back in the order they had before a removal.

    The document only appends, so an undone delete would move nodes to the end of the file;
    the order is part of what the user saved, so we put it back. Reordering is not a change
    anyone listens for, hence no event.
    """
    rank = {nid: i for i, nid in enumerate(node_order)}
    if list(doc.nodes) != sorted(doc.nodes, key=lambda n: rank.get(n, len(rank))):
        ordered = sorted(doc.nodes.items(), key=lambda kv: rank.get(kv[0], len(rank)))
        doc.nodes.clear()
        doc.nodes.update(ordered)
    erank = {k: i for i, k in enumerate(edge_order)}
    doc.edges.sort(key=lambda e: erank.get(e.key, len(erank)))


class AddItemsCommand(QUndoCommand):
    """Add nodes and the edges between them: a palette add, a paste or a duplicate."""

    def __init__(self, doc: GraphDocument, nodes: list[Node], edges: list[Edge], text: str):
        super().__init__(text)
        self.doc = doc
        self.nodes = [copy.deepcopy(n) for n in nodes]
        self.edges = [copy.deepcopy(e) for e in edges]

    def redo(self) -> None:
        for n in self.nodes:
            self.doc.add_node(copy.deepcopy(n))
        for e in self.edges:
            self.doc.add_edge(copy.deepcopy(e))

    def undo(self) -> None:
        for e in reversed(self.edges):
            self.doc.remove_edge(e.key)
        for n in reversed(self.nodes):
            self.doc.remove_node(n.id)


class RemoveItemsCommand(QUndoCommand):
    """Delete nodes (with every edge touching them) and loose edges; undo puts all back in place."""

    def __init__(self, doc: GraphDocument, node_ids: list[str], edge_keys: list[EdgeKey], text: str):
        super().__init__(text)
        self.doc = doc
        self.node_ids = [n for n in doc.nodes if n in set(node_ids)]
        doomed = set(self.node_ids)
        self.edge_keys = [e.key for e in doc.edges
                          if e.key in set(edge_keys) or e.src in doomed or e.dst in doomed]
        self.nodes: list[Node] = []
        self.edges: list[Edge] = []
        self.node_order: list[str] = []
        self.edge_order: list[EdgeKey] = []

    def redo(self) -> None:
        self.node_order = list(self.doc.nodes)
        self.edge_order = [e.key for e in self.doc.edges]
        self.edges = [self.doc.remove_edge(k) for k in self.edge_keys]
        self.nodes = [self.doc.remove_node(n)[0] for n in self.node_ids]

    def undo(self) -> None:
        for n in self.nodes:
            self.doc.add_node(n)
        for e in self.edges:
            self.doc.add_edge(e)
        _restore_order(self.doc, self.node_order, self.edge_order)


class ConnectCommand(QUndoCommand):
    def __init__(self, doc: GraphDocument, edge: Edge):
        super().__init__(f"Connect {edge.src}.{edge.src_port} to {edge.dst}.{edge.dst_port}")
        self.doc = doc
        self.edge = edge

    def redo(self) -> None:
        self.doc.add_edge(copy.deepcopy(self.edge))

    def undo(self) -> None:
        self.doc.remove_edge(self.edge.key)


class MoveNodesCommand(QUndoCommand):
    """Move nodes from where they were to where they are now (a drag, a nudge or auto-layout)."""

    def __init__(self, doc: GraphDocument, moves: dict[str, tuple[tuple[float, float], tuple[float, float]]],
                 text: str, merge_key: object = None):
        super().__init__(text)
        self.doc = doc
        self.moves = dict(moves)   # id -> (old, new)
        self.merge_key = merge_key

    def redo(self) -> None:
        for nid, (_, new) in self.moves.items():
            self.doc.move_node(nid, new)

    def undo(self) -> None:
        for nid, (old, _) in self.moves.items():
            self.doc.move_node(nid, old)

    def id(self) -> int:
        return MERGE_MOVE if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        # arrow-key nudges of the same selection become one step, like typing in a field
        if not isinstance(other, MoveNodesCommand) or other.merge_key != self.merge_key:
            return False
        if set(other.moves) != set(self.moves):
            return False
        self.moves = {nid: (self.moves[nid][0], other.moves[nid][1]) for nid in self.moves}
        return True


class _ValueCommand(QUndoCommand):
    """A value set from a form field. Changes made in one editing session merge into one step
    (typing 1-2-8 into a spin box is one undo, not three)."""

    merge_id = -1

    def __init__(self, doc: GraphDocument, target: tuple, old: Any, new: Any, session: object, text: str):
        super().__init__(text)
        self.doc = doc
        self.target = target
        self.old = copy.deepcopy(old)
        self.new = copy.deepcopy(new)
        self.session = session

    def id(self) -> int:
        return self.merge_id if self.session is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if (type(other) is not type(self) or other.target != self.target
                or other.session != self.session):
            return False
        self.new = copy.deepcopy(other.new)
        # typed back to where it started: nothing to undo, so the step disappears
        self.setObsolete(self.new == self.old)
        return True


class SetParamCommand(_ValueCommand):
    merge_id = MERGE_PARAM

    def __init__(self, doc: GraphDocument, node_id: str, name: str, old: Any, new: Any,
                 session: object = None):
        super().__init__(doc, (node_id, name), old, new, session, f"Set {node_id}.{name}")

    def redo(self) -> None:
        self.doc.set_param(self.target[0], self.target[1], copy.deepcopy(self.new))

    def undo(self) -> None:
        self.doc.set_param(self.target[0], self.target[1], copy.deepcopy(self.old))


class SetTrainingCommand(_ValueCommand):
    merge_id = MERGE_TRAINING

    def __init__(self, doc: GraphDocument, key: str, old: Any, new: Any, session: object = None):
        super().__init__(doc, (key,), old, new, session, f"Set training {key}")

    def redo(self) -> None:
        self.doc.set_training(self.target[0], copy.deepcopy(self.new))

    def undo(self) -> None:
        self.doc.set_training(self.target[0], copy.deepcopy(self.old))
