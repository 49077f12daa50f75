"""Quick controls: learning rate, the activation of every hidden layer, and regularisation
(none, L1, L2 and its strength). Each change is one undo step, however many values it sets."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel

from engine import blocks
from engine.training import settings
from gui.classroom.experiment_slider import ValueSlider
from gui.classroom.experiment_targets import (
    activation_choices,
    current_activation,
    hidden_activations,
    number_or,
)
from gui.editor.controller import LOCKED_MESSAGE, Controller

LR_STOPS = [1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0]
STRENGTH_STOPS = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1]
REGULARISERS = {"none": (), "L1": ("l1",), "L2": ("l2",), "L1 + L2": ("l1", "l2")}
MIXED = "(mixed)"
NO_HIDDEN = "No hidden layer with an activation to change"


class QuickControls(QGroupBox):
    def __init__(self, controller: Controller, parent=None):
        super().__init__("Quick controls", parent)
        self.controller = controller
        self.lr = ValueSlider(LR_STOPS, lambda v: f"{v:g}", self.set_lr)
        self.activation = QComboBox()
        self.activation.activated.connect(
            lambda i: self.set_hidden_activation(self.activation.itemText(i)))
        self.regulariser = QComboBox()
        self.regulariser.addItems(list(REGULARISERS))
        self.regulariser.activated.connect(
            lambda i: self.set_regularisation(self.regulariser.itemText(i), self.strength.value()))
        self.strength = ValueSlider(STRENGTH_STOPS, lambda v: f"{v:g}",
                                    lambda v: self.set_regularisation(
                                        self.regulariser.currentText(), v))
        self.strength.show_value(1e-3)     # what choosing L1 or L2 starts from
        form = QFormLayout(self)
        form.addRow("learning rate", self.lr)
        form.addRow("hidden activation", self.activation)
        form.addRow("regularisation", self.regulariser)
        form.addRow("strength", self.strength)
        hint = QLabel("Each change here is one step: Ctrl+Z takes it back.")
        hint.setObjectName("FormHelp")
        hint.setWordWrap(True)
        form.addRow(hint)

    # ---- edits -----------------------------------------------------------------------------------
    def set_lr(self, value: float) -> bool:
        done = not self._refused(self._why_lr()) and self.controller.set_training("lr", float(value))
        self.refresh()
        return done

    def set_hidden_activation(self, fn: str) -> bool:
        """Every hidden layer's activation to `fn` in one undo step; the output's stays. A lesson
        lock on any of them refuses the whole change: half of it would be a different lesson."""
        doc = self.controller.doc
        targets = hidden_activations(doc, self.controller.analysis)
        changes = []
        for t in targets:
            node = doc.nodes[t.node]
            if fn in t.choices and blocks.get(node.type).resolve(node.params).get(t.param) != fn:
                changes.append(t)
        done = False
        if changes and not self._refused(self._why_activation(changes)):
            stack = self.controller.undo_stack
            stack.beginMacro(f"Every hidden activation to {fn}")
            for t in changes:
                self.controller.set_param(t.node, t.param, fn)
            stack.endMacro()
            done = True
        self.refresh()
        return done

    def set_regularisation(self, kind: str, strength: float) -> bool:
        """`kind` from REGULARISERS at `strength`, clearing the penalty it leaves out (a penalty
        already 0 or absent is left as the file has it), in one undo step."""
        training = self.controller.doc.training
        wanted = {}
        for key in ("l1", "l2"):
            if key in REGULARISERS.get(kind, ()):
                wanted[key] = float(strength)
            elif _positive(training.get(key)):
                wanted[key] = None
        changes = {k: v for k, v in wanted.items() if training.get(k) != v}
        done = False
        if changes and not self._refused(self._why_regularisation()):
            stack = self.controller.undo_stack
            stack.beginMacro(f"Regularisation: {kind}" + (f" {strength:g}" if kind != "none" else ""))
            for key, value in changes.items():
                self.controller.set_training(key, value)
            stack.endMacro()
            done = True
        self.refresh()
        return done

    def _refused(self, why: str) -> bool:
        if why:
            self.controller.message.emit(why)
        return bool(why)

    # ---- why a control is off: a run trains, the lesson locks it, or nothing to change ----------
    def _why_lr(self) -> str:
        if self.controller.locked:
            return LOCKED_MESSAGE
        doc = self.controller.doc
        ignored = settings.ignored(doc.training, blocks.plans_of(doc.nodes.values())).get("lr")
        return (self.controller.lesson_locks.why_training("lr")
                or (f"lr: {ignored}" if ignored else ""))

    def _why_activation(self, targets: list) -> str:
        if self.controller.locked:
            return LOCKED_MESSAGE
        if not targets:
            return NO_HIDDEN
        locks = self.controller.lesson_locks
        return next(filter(None, (locks.why_param(t.node, t.param) for t in targets)), "")

    def _why_regularisation(self) -> str:
        if self.controller.locked:
            return LOCKED_MESSAGE
        locks = self.controller.lesson_locks
        return locks.why_training("l1") or locks.why_training("l2") or ""

    # ---- following the document ------------------------------------------------------------------
    def refresh(self) -> None:
        doc = self.controller.doc
        resolved = settings.resolve(doc.training)
        why = self._why_lr()
        self.lr.show_value(number_or(resolved.get("lr"), 0.001))
        self.lr.setEnabled(not why)
        self.lr.setToolTip(why or "Training setting lr: the size of each step")

        targets = hidden_activations(doc, self.controller.analysis)
        choices = activation_choices(targets)
        current = current_activation(doc, targets)
        items = ([MIXED if current is None else str(current)] if targets and current not in choices
                 else []) + choices
        if items != [self.activation.itemText(i) for i in range(self.activation.count())]:
            # rebuilt only when the offer changes: a refresh must not close an open list
            self.activation.clear()
            self.activation.addItems(items)
        self.activation.setCurrentIndex(items.index(current) if current in items else 0)
        why = self._why_activation(targets)
        self.activation.setEnabled(not why)
        names = ", ".join(t.node for t in targets)
        self.activation.setToolTip(why or f"Sets the activation of {names}; the output's stays")

        l1, l2 = number_or(resolved.get("l1"), 0.0), number_or(resolved.get("l2"), 0.0)
        kind = {(False, False): "none", (True, False): "L1", (False, True): "L2",
                (True, True): "L1 + L2"}[(l1 > 0, l2 > 0)]
        self.regulariser.setCurrentText(kind)
        if kind != "none":
            self.strength.show_value(l2 if l2 > 0 else l1)
        why = self._why_regularisation()
        self.regulariser.setEnabled(not why)
        self.regulariser.setToolTip(why or "Training settings l1 and l2: a penalty on the Dense "
                                           "weights")
        strength_why = why or ("Choose L1 or L2 first" if kind == "none" else "")
        self.strength.setEnabled(not strength_why)
        self.strength.setToolTip(strength_why or "How strongly large weights are penalised")


def _positive(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
