"""The Dataset picker: a thumbnail per synthetic data set, and sliders for noise, number of
samples and test split. Each click or slider gesture is one undoable edit of the graph's one
Dataset block (the block that declares the role `source`)."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
)

from engine import blocks
from engine.data.synthetic import NAMES
from gui.classroom.experiment_slider import ValueSlider
from gui.classroom.experiment_targets import SYNTHETIC, Source, data_source, number_or
from gui.classroom.experiment_thumbnails import thumbnail
from gui.editor.controller import LOCKED_MESSAGE, Controller
from gui.theme import Theme

THUMB_PX = 90
# the pictures say which set is which, so each is drawn with the noise that shows its shape (at
# the lessons' 0.2 the circles and the spirals are a cloud); the slider says how noisy the data is
THUMB_NOISE = {"blobs": 0.0, "ring": 0.12}
NOISE_STOPS = [round(0.025 * i, 3) for i in range(21)]            # 0 .. 0.5
SAMPLE_STOPS = [50, 100, 150, 200, 300, 400, 500, 600, 800, 1000, 1500, 2000, 3000, 5000]
SPLIT_STOPS = [round(0.05 * i, 2) for i in range(11)]              # 0 .. 0.5
SYNTHETIC_ONLY = "Noise and number of samples shape synthetic data sets only"
ABOUT = {"moons": "two interleaving half-moons", "circles": "a circle inside a ring",
         "spirals": "two spirals wound around each other", "xor": "the four quadrants, "
         "diagonal ones alike", "blobs": "three round clusters", "ring": "eight clusters on a "
         "ring (the GAN lessons' toy)"}


class DatasetPicker(QGroupBox):
    picked = Signal(str)        # the synthetic set's name, after the graph took it

    def __init__(self, controller: Controller, theme: Callable[[], Theme], parent=None):
        super().__init__("Data set", parent)
        self.controller = controller
        self._theme = theme
        self.reason = QLabel()
        self.reason.setObjectName("FormHelp")
        self.reason.setWordWrap(True)
        self.thumbs: dict[str, QToolButton] = {}
        row = QHBoxLayout()
        row.setSpacing(4)
        for name in NAMES:
            b = QToolButton()
            b.setText(name)
            b.setCheckable(True)
            b.setAutoRaise(True)
            b.setToolButtonStyle(Qt.ToolButtonTextUnderIcon)
            b.setIconSize(QSize(THUMB_PX, THUMB_PX))
            b.clicked.connect(lambda _checked=False, n=name: self.pick(n))
            self.thumbs[name] = b
            row.addWidget(b)
        row.addStretch(1)
        self.noise = ValueSlider(NOISE_STOPS, lambda v: f"{v:.3g}",
                                 lambda v: self._set("noise", float(v)))
        self.samples = ValueSlider(SAMPLE_STOPS, lambda v: f"{v:.0f}",
                                   lambda v: self._set("n_samples", int(v)))
        self.test_split = ValueSlider(SPLIT_STOPS, lambda v: f"{v * 100:.0f}%",
                                      lambda v: self._set("test_split", float(v)))
        sliders = QFormLayout()
        sliders.addRow("noise", self.noise)
        sliders.addRow("samples", self.samples)
        sliders.addRow("test split", self.test_split)
        box = QVBoxLayout(self)
        box.setContentsMargins(6, 4, 6, 4)
        box.setSpacing(4)
        box.addLayout(row)
        box.addLayout(sliders)
        box.addWidget(self.reason)
        box.addStretch(1)
        self.source = Source(None)
        self._styled_for = ""

    # ---- questions (tests replace this) --------------------------------------------------------
    def confirm_replace(self, old: str, new: str) -> bool:
        answer = QMessageBox.question(
            self, "Replace the data set",
            f"This graph trains on {old}. Train it on {new} instead?\n"
            f"Undo (Ctrl+Z) brings {old} back.")
        return answer == QMessageBox.Yes

    # ---- edits -----------------------------------------------------------------------------------
    def pick(self, name: str) -> bool:
        """Make the graph's Dataset the synthetic set `name`: one undo step."""
        source = data_source(self.controller.doc)
        done = False
        if source.node is not None and not self.controller.locked:
            new = SYNTHETIC + name
            if source.text != new and (source.synthetic or self.confirm_replace(source.text, new)):
                done = self.controller.set_param(source.node, "source", new)
        self.refresh()            # a refused or cancelled click must not leave its button checked
        if done:
            self.picked.emit(name)
        return done

    def _set(self, param: str, value: float | int) -> None:
        node = data_source(self.controller.doc).node
        if node is not None:
            self.controller.set_param(node, param, value)
        self.refresh()

    def _first_error(self) -> str:
        analysis = self.controller.analysis
        errors = [p for p in (analysis.problems if analysis else ()) if p.severity == "error"]
        if not errors:
            return ""
        p = errors[0]
        return f"Run would stop at '{p.node}': {p.message}" if p.node else f"Run would stop: {p}"

    def _why_not(self, source: Source, param: str) -> str:
        """Why the Dataset's `param` cannot be changed now, or ""."""
        if source.node is None:
            return source.reason
        if self.controller.locked:
            return LOCKED_MESSAGE
        return self.controller.lesson_locks.why_param(source.node, param) or ""

    # ---- following the document ------------------------------------------------------------------
    def refresh(self) -> None:
        doc = self.controller.doc
        self.source = source = data_source(doc)
        params = {}
        if source.node is not None:
            node = doc.nodes[source.node]
            params = blocks.get(node.type).resolve(node.params)
        why = self._why_not(source, "source")
        theme = self._theme()
        # after a pick the network may no longer fit the data (blobs has 3 classes, the moons'
        # output 2 units): the class should read why Run would refuse here, not only on a badge
        stop = "" if why else self._first_error()
        self.reason.setText(why or stop)
        self.reason.setToolTip(self.reason.text())
        self.reason.setStyleSheet(f"color: {theme.error};" if stop else "")
        self.reason.setVisible(bool(why or stop))
        if theme.name != self._styled_for:
            # the chosen set must show from the back of the room, not only as a sunken button
            self._styled_for = theme.name
            self.setStyleSheet(f"QToolButton {{ border: 2px solid transparent; border-radius: "
                               f"4px; padding: 2px; }} QToolButton:checked {{ border-color: "
                               f"{theme.accent}; font-weight: bold; }}")
        for name, b in self.thumbs.items():
            pix, classes = thumbnail(name, THUMB_NOISE.get(name, 0.04), THUMB_PX, theme)
            b.setIcon(QIcon(pix))
            b.setChecked(source.name == name)
            b.setEnabled(not why)
            b.setToolTip(why or f"{name}: {ABOUT.get(name, '')}, {classes} classes. "
                                f"Click to train on it.")
        self.noise.show_value(number_or(params.get("noise"), 0.1))
        self.samples.show_value(number_or(params.get("n_samples"), 500))
        self.test_split.show_value(number_or(params.get("test_split"), 0.2))
        for slider, param in ((self.noise, "noise"), (self.samples, "n_samples"),
                              (self.test_split, "test_split")):
            reason = self._why_not(source, param)
            if not reason and param != "test_split" and not source.synthetic:
                reason = SYNTHETIC_ONLY
            slider.setEnabled(not reason)
            slider.setToolTip(reason)
