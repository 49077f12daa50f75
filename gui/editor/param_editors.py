"""One editor widget per param type, made from the engine's Param declarations alone.

Each editor reports a new value with a `session` token: values typed or dragged in one go share
a token, so the controller folds them into one undo step; the token is renewed when editing
finishes (Enter, focus leaves). Discrete choices (a combo, a check box) pass None: one step each.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPixmap, QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from engine.blocks.base import Param
from gui.canvas.node_item import paint_padlock
from gui.plain_text import plain_tooltip

OnChange = Callable[[Any, object], None]
INT_LIMIT = 2**31 - 1


class _NoWheelUnlessFocused:
    """Scrolling the inspector must not change whatever field passes under the mouse."""

    def wheelEvent(self, event) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


class IntSpin(_NoWheelUnlessFocused, QSpinBox):
    pass


class Combo(_NoWheelUnlessFocused, QComboBox):
    pass


class FloatSpin(_NoWheelUnlessFocused, QDoubleSpinBox):
    """A float field that shows 0.001 and 1e-05 as typed, instead of fixed decimals."""

    def __init__(self) -> None:
        super().__init__()
        self.setDecimals(12)

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        try:
            v = float(text)
        except ValueError:
            ok = text.strip() in ("", "-", ".", "-.") or text.strip().lower().endswith(("e", "e-", "e+"))
            return (QValidator.Intermediate if ok else QValidator.Invalid), text, pos
        if self.minimum() <= v <= self.maximum():
            return QValidator.Acceptable, text, pos
        return QValidator.Intermediate, text, pos

    def stepBy(self, steps: int) -> None:
        # a step of a tenth of the value's own order of magnitude: 0.001 -> 0.0011, 0.5 -> 0.51
        v = self.value()
        step = 10 ** math.floor(math.log10(abs(v))) / 10 if v else self.singleStep()
        self.setValue(round(v + steps * step, 12))


class Editor:
    """A widget plus how to show a value in it without echoing a change back."""

    def __init__(self, widget: QWidget, setter: Callable[[Any], None],
                 getter: Callable[[], Any] | None = None):
        self.widget = widget
        self._setter = setter
        self._getter = getter
        self.lock_reason = ""      # why the lesson locks this field ('' while it is free)

    def set_value(self, value: Any) -> None:
        if self._getter is not None and self._getter() == value:
            return     # already shown: rewriting it would move the cursor of someone typing
        self.widget.blockSignals(True)
        try:
            self._setter(value)
        except Exception:  # noqa: BLE001 - a file's value this field cannot hold leaves the
            # field as it was; the node's badge and the inspector's status line say what is wrong
            pass
        finally:
            self.widget.blockSignals(False)


def lock_editor(editor: Editor, reason: str) -> None:
    """Make a field the lesson locks read-only, saying why on hover. Text and number fields
    stay readable and copyable; a combo, check box or group has no read-only state, so it is
    disabled. The controller refuses the edit anyway; this only spares a student the try."""
    w = editor.widget
    editor.lock_reason = reason
    if isinstance(w, (QAbstractSpinBox, QLineEdit)):
        w.setReadOnly(True)
        if isinstance(w, QAbstractSpinBox):
            w.setButtonSymbols(QAbstractSpinBox.NoButtons)    # arrows that do nothing mislead
        w.setFocusPolicy(Qt.ClickFocus)        # Tab skips it; a click still selects to copy
    else:
        w.setEnabled(False)
    w.setToolTip(plain_tooltip(reason))     # the lesson's message is the file's text


def lock_pixmap(px: int, color: QColor) -> QPixmap:
    """The padlock the canvas draws on a locked block, for a label (sharp at 2x screens)."""
    pm = QPixmap(2 * px, 2 * px)
    pm.fill(Qt.transparent)
    pm.setDevicePixelRatio(2.0)
    p = QPainter(pm)
    p.setRenderHint(QPainter.Antialiasing)
    paint_padlock(p, QRectF(1, 0, px - 2, px), color)
    p.end()
    return pm


def locked_label(text: str, reason: str, color: QColor) -> QWidget:
    """A form row's label with a padlock before it, both saying why on hover."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(4)
    row.addStretch(1)                # labels in the form are right-aligned
    icon = QLabel()
    icon.setObjectName("lock_icon")
    icon.setPixmap(lock_pixmap(13, color))
    words = QLabel(text)
    words.setTextFormat(Qt.PlainText)
    for w in (box, icon, words):
        w.setToolTip(plain_tooltip(reason))
    row.addWidget(icon)
    row.addWidget(words)
    return box


class _Session:
    def __init__(self) -> None:
        self.token = object()

    def renew(self) -> None:
        self.token = object()


def make_editor(param: Param, value: Any, on_change: OnChange,
                nested: tuple[Param, ...] | None = None) -> Editor:
    maker = {"int": _int_editor, "float": _float_editor, "bool": _bool_editor,
             "choice": _choice_editor, "str": _str_editor, "int_list": _list_editor,
             "str_list": _list_editor}.get(param.type)
    if param.type == "object":
        editor = _nested_editor(param, value, on_change, nested) if nested else _json_editor(param, value, on_change)
    else:
        editor = maker(param, value, on_change)
    editor.widget.setToolTip(param.help)
    editor.widget.setObjectName(f"param_{param.name}")
    return editor


def _int_editor(param: Param, value: Any, on_change: OnChange) -> Editor:
    w = IntSpin()
    w.setFocusPolicy(Qt.StrongFocus)
    w.setRange(int(param.min) if param.min is not None else -INT_LIMIT,
               int(min(param.max, INT_LIMIT)) if param.max is not None else INT_LIMIT)
    w.setGroupSeparatorShown(False)
    session = _Session()
    w.valueChanged.connect(lambda v: on_change(int(v), session.token))
    w.editingFinished.connect(session.renew)
    editor = Editor(w, lambda v: _show_number(w, v, int), w.value)
    editor.set_value(value)
    return editor


def _float_editor(param: Param, value: Any, on_change: OnChange) -> Editor:
    w = FloatSpin()
    w.setFocusPolicy(Qt.StrongFocus)
    w.setRange(param.min if param.min is not None else -1e9, param.max if param.max is not None else 1e9)
    session = _Session()
    w.valueChanged.connect(lambda v: on_change(float(v), session.token))
    w.editingFinished.connect(session.renew)
    editor = Editor(w, lambda v: _show_number(w, v, float), w.value)
    editor.set_value(value)
    return editor


def _show_number(w: QSpinBox | QDoubleSpinBox, v: Any, kind: type) -> None:
    """Show a file's number, clamped to the field's range; leave the field alone for anything
    else (a string, a list, NaN). Qt's setValue takes a C int: 1e308 would overflow it, and
    PySide reports that outside any try block."""
    if not isinstance(v, (int, float)) or (isinstance(v, float) and not math.isfinite(v)):
        return
    w.setValue(kind(max(w.minimum(), min(w.maximum(), v))))


def _bool_editor(param: Param, value: Any, on_change: OnChange) -> Editor:
    w = QCheckBox()
    w.toggled.connect(lambda v: on_change(bool(v), None))
    editor = Editor(w, lambda v: w.setChecked(bool(v)))
    editor.set_value(value)
    return editor


def _choice_editor(param: Param, value: Any, on_change: OnChange) -> Editor:
    w = Combo()
    w.setFocusPolicy(Qt.StrongFocus)
    w.addItems(list(param.choices))

    def show(v: Any) -> None:
        if v is not None and w.findText(str(v)) < 0:
            w.addItem(str(v))      # a value the file has but the block refuses: show it as it is
        w.setCurrentText(str(v))

    w.currentTextChanged.connect(lambda text: on_change(text, None))
    editor = Editor(w, show)
    editor.set_value(value)
    return editor


def _str_editor(param: Param, value: Any, on_change: OnChange) -> Editor:
    w = QLineEdit()

    def commit() -> None:
        on_change(w.text(), None)

    # committed when editing finishes, not per keystroke: a half-typed data source would be
    # loaded (and fail) at every letter otherwise
    w.editingFinished.connect(commit)
    def show(v: Any) -> None:
        w.setText("" if v is None else str(v))
        w.setCursorPosition(0)     # a long path or list reads from its start

    editor = Editor(w, show)
    editor.set_value(value)
    return editor


def parse_list(text: str, param: Param) -> list | str:
    """A list from '128, 64' (or an error sentence)."""
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    if param.type == "str_list":
        return parts
    try:
        values = [int(p) for p in parts]
    except ValueError:
        return "whole numbers separated by commas, e.g. 128, 64"
    msg = param.check(values)
    return f"the list {msg}" if msg else values


def _list_editor(param: Param, value: Any, on_change: OnChange) -> Editor:
    w = QLineEdit()
    w.setPlaceholderText("128, 64" if param.type == "int_list" else "name, other")

    def commit() -> None:
        parsed = parse_list(w.text(), param)
        if isinstance(parsed, str):
            w.setStyleSheet("border: 2px solid #dc2626;")
            w.setToolTip(f"{param.help}\nNot saved: {parsed}")
            return
        w.setStyleSheet("")
        w.setToolTip(param.help)
        on_change(parsed, None)

    w.editingFinished.connect(commit)
    def show(v: Any) -> None:
        w.setText(", ".join(str(x) for x in v) if isinstance(v, list) else "")
        w.setCursorPosition(0)

    editor = Editor(w, show)
    editor.set_value(value)
    return editor


def _json_editor(param: Param, value: Any, on_change: OnChange) -> Editor:
    """Objects without declared fields: shown and edited as JSON text (parsed, never evaluated)."""
    w = QLineEdit()

    def commit() -> None:
        try:
            parsed = json.loads(w.text()) if w.text().strip() else None
        except json.JSONDecodeError as exc:
            w.setToolTip(f"{param.help}\nNot saved: not valid JSON ({exc.msg})")
            w.setStyleSheet("border: 2px solid #dc2626;")
            return
        w.setStyleSheet("")
        on_change(parsed, None)

    w.editingFinished.connect(commit)
    def show(v: Any) -> None:
        w.setText("" if v is None else json.dumps(v))
        w.setCursorPosition(0)     # show the start of a long object, not its tail

    editor = Editor(w, show)
    editor.set_value(value)
    return editor


def _nested_editor(param: Param, value: Any, on_change: OnChange, fields: tuple[Param, ...]) -> Editor:
    """An object with declared fields, each with an editor of its own. A nullable one (early
    stopping, gradient clipping) has a check box that turns it on or off; one that is always
    there (a GAN's settings) has none."""
    nullable = bool(getattr(param, "nullable", False))
    box = QGroupBox(param.name.replace("_", " "))
    box.setCheckable(nullable)
    form = QFormLayout(box)
    state: dict[str, Any] = {"value": value}
    editors: dict[str, Editor] = {}

    def full(v: Any) -> dict[str, Any]:
        out = {f.name: f.default for f in fields}
        out.update(v if isinstance(v, dict) else {})
        return out

    def field_changed(name: str, v: Any, session: object) -> None:
        current = dict(state["value"]) if isinstance(state["value"], dict) else full(None)
        current[name] = v
        state["value"] = current
        on_change(current, session)

    for f in fields:
        ed = make_editor(f, full(value).get(f.name), lambda v, s, n=f.name: field_changed(n, v, s))
        editors[f.name] = ed
        form.addRow(f.name.replace("_", " "), ed.widget)

    def toggled(on: bool) -> None:
        state["value"] = full(None) if on else None
        for f in fields:
            editors[f.name].set_value(full(state["value"]).get(f.name))
        on_change(state["value"], None)

    box.toggled.connect(toggled)

    def show(v: Any) -> None:
        state["value"] = v
        if nullable:
            box.setChecked(isinstance(v, dict))
        for f in fields:
            editors[f.name].set_value(full(v).get(f.name))

    editor = Editor(box, show)
    editor.set_value(value)
    return editor
