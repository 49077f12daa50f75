"""Everything about training in one widget, for the main window's dock: the controls and
progress, the colour key of the canvas with its threshold settings, and the dashboard."""
from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.dashboard.controls import RunControls
from gui.dashboard.legend import GradientLegend
from gui.dashboard.thresholds import ThresholdForm
from gui.dashboard.widget import DashboardWidget
from gui.training.training_session import TrainingSession


class DashboardPanel(QWidget):
    def __init__(self, session: TrainingSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.controls = RunControls(session)
        self.dashboard = DashboardWidget(session)
        self.legend = GradientLegend(session.thresholds)
        self.thresholds_button = QPushButton("Badges…")
        self.thresholds_button.setToolTip("When a layer is badged vanishing, exploding or dead")
        self.thresholds_button.clicked.connect(self.edit_thresholds)
        key = QVBoxLayout()
        key.setSpacing(0)
        key.addWidget(self.legend)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.controls, 5)
        top.addLayout(key, 2)
        top.addWidget(self.thresholds_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(top)
        lay.addWidget(self.dashboard, 1)
        self.dashboard.snapshot_shown.connect(self.controls.show_progress)
        session.thresholds_changed.connect(self.legend.set_thresholds)
        self.thresholds_dialog: QDialog | None = None

    @Slot()
    def edit_thresholds(self) -> None:
        """A small modeless dialog: badges and lines update as the settings change."""
        if self.thresholds_dialog is None:
            d = QDialog(self)
            d.setWindowTitle("Badges on the canvas")
            form = ThresholdForm(self.session.thresholds)
            form.changed.connect(self.session.set_thresholds)
            buttons = QDialogButtonBox(QDialogButtonBox.Close)
            buttons.rejected.connect(d.close)
            lay = QVBoxLayout(d)
            lay.addWidget(QLabel("A layer gets a badge on the canvas when:"))
            lay.addWidget(form)
            lay.addWidget(buttons)
            self.thresholds_dialog = d
        self.thresholds_dialog.show()
        self.thresholds_dialog.raise_()
