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
        self._plain_sheet: str | None = None       # the controls' own style, while presenting

    def set_presenting(self, scale: float | None) -> None:
        """Presenter mode: the run's controls in type `scale` times larger and the badge
        settings out of the way; None puts them back as they were."""
        presenting = scale is not None
        if presenting and self._plain_sheet is None:
            self._plain_sheet = self.controls.styleSheet()
            # a style sheet, not a font: under the app's style sheet a font set on a widget
            # does not reach its children
            points = self.controls.font().pointSizeF() * scale
            self.controls.setStyleSheet(f"{self._plain_sheet}\n* {{ font-size: {points:.1f}pt; }}")
        elif not presenting and self._plain_sheet is not None:
            self.controls.setStyleSheet(self._plain_sheet)
            self._plain_sheet = None
        self.thresholds_button.setVisible(not presenting)
        # the keys run the lesson then (Space, Right, R): the row of buttons gives its height
        # to the plots, and the device choice its width to the progress line
        for button in self.controls.buttons.values():
            button.setVisible(not presenting and button.defaultAction().isVisible())
        for widget in self._device_widgets():
            widget.setVisible(not presenting)

    def _device_widgets(self) -> list[QWidget]:
        """The device list and the label before it."""
        device = self.controls.device
        row = device.parentWidget().layout().itemAt(1).layout()
        at = row.indexOf(device) if row is not None else -1
        label = row.itemAt(at - 1).widget() if at > 0 else None
        return [device, label] if isinstance(label, QLabel) else [device]

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
