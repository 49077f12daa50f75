"""The Predict panel: a form made from a trained model's input columns (a choice for each
category, a field for each number) that answers as the user types: the predicted class and every
class's probability, or a regression's number in the target's units.

Every value is checked by the engine (engine.models.predict.predict_row); a bad one is named in
the panel in one line, never raised. Names and labels come from a file, so they show as plain
text."""
from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from engine.models.errors import ModelError
from engine.models.predict import predict_row
from gui.models.model_files import default_inputs
from gui.models.trained_model import TrainedModel
from gui.plain_text import as_str

NO_MODEL = ("No trained model yet: press Run and let it finish (or pause it), or open a "
            ".dcmodel file.")
MAX_FIELDS = 200        # a model with thousands of inputs (pixels) gets no form


def _label(text: str) -> QLabel:
    label = QLabel(as_str(text, 300))
    label.setTextFormat(Qt.PlainText)
    label.setWordWrap(True)
    return label


def _form_of(model) -> tuple | None:
    """What the form is built from: two models with the same one share the form."""
    if model is None:
        return None
    names = tuple(model.class_names) if model.task == "classification" else ()
    return (model.task, model.input_columns, names)


class PredictPanel(QWidget):
    def __init__(self, trained: TrainedModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.trained = trained
        self.fields: dict[str, QComboBox | QLineEdit] = {}
        self.bars: dict[str, QProgressBar] = {}
        self.answer: dict[str, Any] | None = None     # predict_row's last answer
        self.problem = ""                              # why there is no answer, in one line
        self._model = None
        self.source_label = _label("")
        self.source_label.setObjectName("FormHelp")
        self.form_holder = QWidget()
        self.form = QFormLayout(self.form_holder)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.answer_label = _label("")
        font = self.answer_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.answer_label.setFont(font)
        self.problem_label = _label("")
        self.problem_label.setStyleSheet("QLabel { color: #b3261e; }")
        self.bars_holder = QWidget()
        self.bars_layout = QFormLayout(self.bars_holder)
        self.bars_layout.setContentsMargins(0, 0, 0, 0)
        # all of it scrolls as one: wrapped text in a narrow dock must not make the window's
        # minimum height exceed a 1280x720 screen
        inner = QWidget()
        lay = QVBoxLayout(inner)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.source_label)
        lay.addWidget(self.form_holder)
        lay.addWidget(self.answer_label)
        lay.addWidget(self.bars_holder)
        lay.addWidget(self.problem_label)
        lay.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        trained.changed.connect(self.sync)
        trained.failed.connect(self._say_problem)
        self.sync()

    # ---- the form ----------------------------------------------------------------------------
    @Slot()
    def sync(self) -> None:
        model = self.trained.model
        if model is not self._model:
            same_form = _form_of(model) == _form_of(self._model) and bool(self.fields)
            self._model = model
            if same_form:
                # the next run of the same graph: the form stays as the user left it (values
                # typed, field focused) and answers with the new weights; rebuilding 64 rows for
                # the digits took about 0.15 s of the GUI thread at every run's end
                self.recompute()
            else:
                self._build(model)
        if model is None:
            self.source_label.setText(NO_MODEL)
        else:
            note = (" A run is training: these answers use those weights until it pauses or "
                    "ends." if self.trained.training() else "")
            self.source_label.setText(as_str(f"Answers from {self.trained.source}.{note}", 400))
        self.setEnabled(True)
        self.form_holder.setEnabled(model is not None)

    def _build(self, model) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        while self.bars_layout.rowCount():
            self.bars_layout.removeRow(0)
        self.fields, self.bars = {}, {}
        self.answer, self.problem = None, ""
        self.answer_label.setText("")
        self.problem_label.setText("")
        if model is None:
            return
        if model.task not in ("classification", "regression"):
            self._say_problem(f"this model's task is {model.task}: it makes no predictions "
                              f"from rows")
            return
        columns = model.input_columns
        if len(columns) > MAX_FIELDS:
            self._say_problem(f"this model reads {len(columns):,} inputs: too many for a form "
                              f"(use main.py predict with a CSV file)")
            return
        start = default_inputs(model)
        for col in columns:
            name = col["name"]
            if col["kind"] == "category":
                box = QComboBox()
                for cat in col["categories"]:
                    box.addItem(as_str(cat, 200), cat)
                box.setCurrentIndex(max(0, box.findData(start[name])))
                box.currentIndexChanged.connect(self.recompute)
                field = box
            else:
                field = QLineEdit(start[name])
                field.setToolTip(as_str(f"{name}: a number", 300))
                field.textChanged.connect(self.recompute)
            field.setObjectName(f"predict:{name}")
            self.fields[name] = field
            self.form.addRow(_label(name), field)
        if model.task == "classification":
            for cls in model.class_names:
                bar = QProgressBar()
                bar.setRange(0, 1000)
                bar.setTextVisible(True)
                self.bars[cls] = bar
                self.bars_layout.addRow(_label(f"p({cls})"), bar)
        self.recompute()

    # ---- values and answers -------------------------------------------------------------------
    def values(self) -> dict[str, str]:
        """The form as a row, {column: value as typed or chosen}."""
        out = {}
        for name, field in self.fields.items():
            out[name] = field.currentData() if isinstance(field, QComboBox) else field.text()
        return out

    def set_values(self, row: dict[str, Any]) -> None:
        """Fill the form (as typing would): numbers as text, categories by label."""
        for name, value in row.items():
            field = self.fields.get(name)
            if isinstance(field, QComboBox):
                field.setCurrentIndex(field.findData(str(value)))
            elif field is not None:
                field.setText(str(value))

    @Slot()
    def recompute(self) -> None:
        model = self._model
        if model is None or not self.fields:
            return
        try:
            answer = predict_row(model, self.values())
        except ModelError as exc:
            # the form is one row: the engine's "row 1" says nothing here
            self._say_problem(re.sub(r"^row 1(, |: )", "", str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 - whatever went wrong, the panel says it
            self._say_problem(f"{type(exc).__name__}: {exc}")
            return
        self.answer, self.problem = answer, ""
        self.problem_label.setText("")
        self._show(answer, model)

    def _show(self, answer: dict[str, Any], model) -> None:
        pre = model.preprocessing
        target = pre.target_names[0] if pre.target_names else "prediction"
        if "values" in answer:
            self.answer_label.setText(as_str("   ".join(
                f"{name}: {v:.6g}" for name, v in answer["values"].items()), 400))
            return
        probs = answer["probabilities"]
        best = answer["class"]
        self.answer_label.setText(as_str(f"{target}: {best}  (p = {probs[best]:.4f})", 400))
        for cls, bar in self.bars.items():
            p = probs.get(cls, 0.0)
            bar.setValue(round(p * 1000))
            bar.setFormat(f"{p:.4f}")

    def probability_text(self, cls: str) -> str:
        """What the panel shows as a class's probability."""
        bar = self.bars.get(cls)
        return bar.format() if bar is not None else ""

    def _say_problem(self, message: str) -> None:
        self.answer = None
        self.problem = message
        self.problem_label.setText(as_str(message, 400))
        self.answer_label.setText("")
        for bar in self.bars.values():
            bar.setValue(0)
            bar.setFormat("–")
