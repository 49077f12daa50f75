"""A slider over a list of values, with the value shown beside it, that edits once per gesture.

A drag shows each value as it passes but changes the document only on release, so one drag is
one undo step; a click on the groove or an arrow key is a gesture of its own and commits at
once.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QWidget


class ValueSlider(QWidget):
    def __init__(self, values: Sequence[float], fmt: Callable[[float], str],
                 commit: Callable[[float], None], parent: QWidget | None = None):
        super().__init__(parent)
        self.values = list(values)
        self.fmt = fmt
        self._commit = commit
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setRange(0, len(self.values) - 1)
        self.slider.setPageStep(1)
        self.value_label = QLabel()
        self.value_label.setMinimumWidth(self.value_label.fontMetrics().horizontalAdvance("0.000 "))
        self.value_label.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.slider, 1)
        row.addWidget(self.value_label)
        self.slider.valueChanged.connect(self._moved)
        self.slider.sliderReleased.connect(self._released)

    def value(self) -> float:
        return self.values[self.slider.value()]

    def show_value(self, value: float) -> None:
        """Follow the document without editing it: the handle goes to the nearest stop and the
        label says the value itself (a file may hold one between the stops)."""
        nearest = min(range(len(self.values)), key=lambda i: abs(self.values[i] - value))
        with QSignalBlocker(self.slider):
            self.slider.setValue(nearest)
        self.value_label.setText(self.fmt(value))

    def _moved(self, index: int) -> None:
        self.value_label.setText(self.fmt(self.values[index]))
        if not self.slider.isSliderDown():
            self._commit(self.values[index])

    def _released(self) -> None:
        self._commit(self.value())
