"""The small form where the user sets when a layer earns a badge (see gui/training/badges.py)."""
from __future__ import annotations

import math

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QFormLayout, QSpinBox, QWidget

from gui.training.badges import Thresholds

_RATIOS = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6)
_NORMS = (1.0, 10.0, 100.0, 1e3, 1e4, 1e5)


class ThresholdForm(QWidget):
    """Three settings; emits `changed` with the new Thresholds whenever one is edited."""

    changed = Signal(object)

    def __init__(self, thresholds: Thresholds, parent: QWidget | None = None):
        super().__init__(parent)
        self.thresholds = thresholds
        form = QFormLayout(self)
        self.vanishing = QComboBox()
        for r in _RATIOS:
            self.vanishing.addItem(f"{1 / r:,.0f} times smaller than the largest layer's", r)
        self.vanishing.setToolTip("A layer is badged 'vanishing' when its weight-gradient norm is "
                                  "this much smaller than the largest one in the network.")
        self.exploding = QComboBox()
        for n in _NORMS:
            self.exploding.addItem(f"norm above {n:,.0f}", n)
        self.exploding.setToolTip("A layer is badged 'exploding' when its weight-gradient norm "
                                  "exceeds this (or is NaN or infinite).")
        self.dead = QSpinBox()
        self.dead.setRange(1, 100)
        self.dead.setSuffix(" % of units dead")
        self.dead.setToolTip("A ReLU is badged 'dead' when more than this share of its units output "
                             "zero for every example of a batch.")
        form.addRow("Vanishing gradient", self.vanishing)
        form.addRow("Exploding gradient", self.exploding)
        form.addRow("Dead ReLU", self.dead)
        self._show(thresholds)
        self.vanishing.currentIndexChanged.connect(self._edited)
        self.exploding.currentIndexChanged.connect(self._edited)
        self.dead.valueChanged.connect(self._edited)

    def _show(self, t: Thresholds) -> None:
        self.vanishing.setCurrentIndex(_nearest(_RATIOS, t.vanishing_ratio))
        self.exploding.setCurrentIndex(_nearest(_NORMS, t.exploding_norm))
        self.dead.setValue(round(t.dead_fraction * 100))

    @Slot()
    def _edited(self) -> None:
        t = self.thresholds
        t.vanishing_ratio = self.vanishing.currentData()
        t.exploding_norm = self.exploding.currentData()
        t.dead_fraction = self.dead.value() / 100
        self.changed.emit(t)


def _nearest(choices: tuple[float, ...], value: float) -> int:
    return min(range(len(choices)), key=lambda i: abs(math.log10(choices[i]) - math.log10(value)))
