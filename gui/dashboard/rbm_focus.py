"""Which RBM of a stack the Pretraining and Gibbs views show: the one pretraining now (the
default, following the run up the stack), or one the user picks in either view's list. One
choice for both views, so the filters and the samples on screen are the same RBM's."""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QComboBox

from gui.dashboard.rbm_figures import followed_node
from gui.training.run_state import Snapshot

FOLLOW = "follow the run"          # the one pretraining, then the top of the stack


class RbmFocus(QObject):
    changed = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.pinned: str | None = None      # None: follow the run
        self.combos: list[QComboBox] = []
        self._nodes: list[str] = []

    def combo(self) -> QComboBox:
        """A list to choose from, kept in step with every other one made here."""
        box = QComboBox()
        box.setToolTip("Which RBM these views show; by default the one pretraining now, then "
                       "the top of the stack")
        box.addItem(FOLLOW, None)
        for nid in self._nodes:
            box.addItem(nid, nid)
        box.currentIndexChanged.connect(self._chosen)
        self.combos.append(box)
        return box

    def node(self, snap: Snapshot) -> str | None:
        self.sync(snap.phases.pretrained_nodes)
        return followed_node(snap, self.pinned)

    def sync(self, nodes: list[str]) -> None:
        """The run's RBMs (a new run may have others): the lists follow, the choice stays if
        that RBM is still there."""
        if nodes == self._nodes:
            return
        self._nodes = list(nodes)
        if self.pinned not in nodes:
            self.pinned = None
        for box in self.combos:
            box.blockSignals(True)
            box.clear()
            box.addItem(FOLLOW, None)
            for nid in nodes:
                box.addItem(nid, nid)
            box.setCurrentIndex(max(0, box.findData(self.pinned)) if self.pinned else 0)
            box.blockSignals(False)

    def choose(self, node_id: str | None) -> None:
        if node_id == self.pinned:
            return
        self.pinned = node_id
        for box in self.combos:
            box.blockSignals(True)
            box.setCurrentIndex(max(0, box.findData(node_id)) if node_id else 0)
            box.blockSignals(False)
        self.changed.emit()

    @Slot(int)
    def _chosen(self, index: int) -> None:
        box = self.sender()
        self.choose(box.itemData(index) if isinstance(box, QComboBox) else None)
