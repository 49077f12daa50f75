"""The inspector: a form for the selected block's params, or the graph's training settings when
nothing is selected. Forms are made from the engine's declarations; every change goes to the
controller, and the fields follow the document (so undo updates them too)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFormLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from engine import blocks
from engine.training import settings
from gui.data.csv_panel import CsvPanel
from gui.editor.controller import Controller
from gui.editor.param_editors import Editor, lock_editor, locked_label, make_editor

NESTED_TRAINING = {"early_stopping": settings.EARLY_STOPPING, "grad_clip": settings.GRAD_CLIP,
                   "gan": settings.GAN}


class Inspector(QScrollArea):
    def __init__(self, controller: Controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.NoFrame)
        self.node_id: str | None = None     # the block shown, if one is
        self.mode = ""                      # "node", "training", "many" or "edge"
        self.editors: dict[str, Editor] = {}
        self.form_host: QWidget | None = None
        self.status_label: QLabel | None = None
        self.csv_panel: CsvPanel | None = None   # under a Dataset's form
        controller.doc_event.connect(self._on_doc_event)
        controller.analysis_ready.connect(lambda _a: self._update_status())
        controller.locked_changed.connect(self._on_locked)
        controller.lesson_locks_changed.connect(self._on_lesson_locks)
        self.show_training()

    # ---- what is shown ---------------------------------------------------------------------
    def show_node(self, node_id: str) -> None:
        node = self.controller.doc.nodes.get(node_id)
        if node is None:
            self.show_training()
            return
        block = blocks.get(node.type)
        self.node_id, self.mode = node_id, "node"
        page, form = self._page(node_id, f"{node.type}. {block.help}" if block else
                                f"Unknown block type '{node.type}': it cannot be edited here.")
        self.editors = {}
        if block is not None:
            resolved = block.resolve(node.params)
            locks = self.controller.lesson_locks
            for p in block.params:
                ed = make_editor(p, resolved.get(p.name),
                                 lambda v, s, name=p.name: self.controller.set_param(node_id, name, v, s))
                self._add_row(form, p.name, p.help, ed, locked=locks.why_param(node_id, p.name))
            if not block.params:
                form.addRow(QLabel("This block has no params."))
        if block is not None and block.role == "source":
            self.csv_panel = CsvPanel(self.controller, node_id)
            page.layout().insertWidget(page.layout().count() - 1, self.csv_panel)
        self._finish(page)

    def show_training(self) -> None:
        self.node_id, self.mode = None, "training"
        page, form = self._page("Training settings",
                                "Used when you press Run, and saved in the graph file.")
        resolved = settings.resolve(self.controller.doc.training)
        self.editors = {}
        for p in settings.PARAMS:
            if p.name in settings.NOT_READ_YET:
                continue
            value = self.controller.doc.training.get(p.name, p.default) if p.name in NESTED_TRAINING \
                else resolved.get(p.name)
            ed = make_editor(p, value, lambda v, s, key=p.name: self.controller.set_training(key, v, s),
                             NESTED_TRAINING.get(p.name))
            self._add_row(form, p.name, p.help, ed, span=p.name in NESTED_TRAINING,
                          locked=self.controller.lesson_locks.why_training(p.name))
        self._show_ignored_settings()
        self._finish(page)

    def _show_ignored_settings(self) -> None:
        """Grey out the settings that the chosen optimizer, or the way this graph trains, does
        not read, saying why."""
        doc = self.controller.doc
        ignored = settings.ignored(doc.training, blocks.plans_of(doc.nodes.values()))
        for p in settings.PARAMS:
            ed = self.editors.get(p.name)
            if ed is not None and ed.lock_reason:
                continue                       # the lesson's lock says why, and stays
            if ed is None or (p.name in NESTED_TRAINING and p.name not in ignored):
                if ed is not None:
                    ed.widget.setEnabled(True)
                continue
            why = ignored.get(p.name)
            ed.widget.setEnabled(why is None)
            ed.widget.setToolTip(why or p.help)

    def show_many(self, count: int) -> None:
        self.node_id, self.mode = None, "many"
        page, _ = self._page(f"{count} blocks selected", "Select one block to edit its params.")
        self.editors = {}
        self._finish(page)

    def show_edge(self, key: tuple[str, str, str, str]) -> None:
        self.node_id, self.mode = None, "edge"
        s, sp, d, dp = key
        a = self.controller.analysis
        w = a.widths.get(s, {}).get(sp) if a else None
        page, _ = self._page("Connection", f"{s}.{sp} → {d}.{dp}" + (f"\nwidth: {w}" if w else ""))
        self.editors = {}
        self._finish(page)

    # ---- building pages ------------------------------------------------------------------
    def _page(self, heading: str, help_text: str) -> tuple[QWidget, QFormLayout]:
        if self.csv_panel is not None:
            self.csv_panel.detach()
            self.csv_panel = None
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(12, 10, 12, 10)
        # the heading is a node id and the help may name its type or ports: file text, so plain
        title = QLabel(heading)
        title.setTextFormat(Qt.PlainText)
        title.setObjectName("FormHeading")
        about = QLabel(help_text)
        about.setTextFormat(Qt.PlainText)
        about.setObjectName("FormHelp")
        about.setWordWrap(True)
        outer.addWidget(title)
        outer.addWidget(about)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.RichText)
        outer.addWidget(self.status_label)
        host = QWidget()
        form = QFormLayout(host)
        form.setContentsMargins(0, 6, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignRight | Qt.AlignVCenter)
        outer.addWidget(host)
        outer.addStretch(1)
        self.form_host = host
        return page, form

    def _add_row(self, form: QFormLayout, name: str, help_text: str, ed: Editor, span: bool = False,
                 locked: str | None = None) -> None:
        """One field; `locked`: why the lesson locks it (the field is then read-only, with a
        padlock by its name)."""
        self.editors[name] = ed
        if locked:
            lock_editor(ed, locked)
        if span:
            if locked:
                form.addRow(locked_label(f"{name.replace('_', ' ')}: locked by the lesson", locked,
                                         self.palette().color(QPalette.WindowText)))
            form.addRow(ed.widget)
            return
        if locked:
            label = locked_label(name.replace("_", " "), locked, self.palette().color(QPalette.WindowText))
        else:
            label = QLabel(name.replace("_", " "))
            label.setToolTip(help_text)
        form.addRow(label, ed.widget)

    def _finish(self, page: QWidget) -> None:
        old = self.takeWidget()
        self.setWidget(page)
        if old is not None:
            old.deleteLater()
        self.form_host.setEnabled(not self.controller.locked)
        self._update_status()

    def _update_status(self) -> None:
        """Under the heading: the shapes in and out of the block, and what is wrong with it."""
        if self.status_label is None:
            return
        a = self.controller.analysis
        lines: list[str] = []
        if a is not None and self.node_id is not None:
            ins = _ports_text(a.in_widths.get(self.node_id, {}), "in")
            outs = _ports_text(a.widths.get(self.node_id, {}), "out")
            if ins and outs:
                lines.append(f"<b>Shape</b> &nbsp;{ins} &nbsp;→&nbsp; {outs}")
            elif ins or outs:
                lines.append(f"<b>{'Takes' if ins else 'Gives'}</b> &nbsp;{ins or outs}")
            problems = a.for_node(self.node_id)
            if problems and self.csv_panel is not None and self.csv_panel.is_csv:
                # the CSV panel lists them in full beside the table they are about
                lines.append(_problem_count(problems) + " about the data: see CSV data below")
                problems = []
            for p in problems:
                color = "#dc2626" if p.severity == "error" else "#d97706"
                lines.append(f"<span style='color:{color}'>● {_esc(str(p.message))}</span>")
        elif a is not None:
            for p in a.problems:
                if p.node is None:
                    color = "#dc2626" if p.severity == "error" else "#d97706"
                    lines.append(f"<span style='color:{color}'>● {_esc(p.message)}</span>")
        self.status_label.setText("<br>".join(lines))
        self.status_label.setVisible(bool(lines))

    # ---- following the document --------------------------------------------------------------
    def _on_doc_event(self, event: str, info: dict[str, Any]) -> None:
        if event in ("node_added", "node_removed") and self.mode == "training":
            self._show_ignored_settings()      # a GAN's blocks come or go: other settings apply
        if event == "reset":
            self.show_training()
        elif event == "node_removed" and info.get("node") == self.node_id:
            self.show_training()
        elif event == "param_changed" and info.get("node") == self.node_id:
            node = self.controller.doc.nodes[self.node_id]
            block = blocks.get(node.type)
            ed = self.editors.get(info["param"])
            if block is not None and ed is not None:
                ed.set_value(block.resolve(node.params).get(info["param"]))
        elif event == "training_changed" and self.mode == "training" and info["key"] in self.editors:
            key = info["key"]
            value = self.controller.doc.training.get(key)
            if value is None and key not in NESTED_TRAINING:
                value = settings.resolve({}).get(key)
            self.editors[key].set_value(value)
            if key == "optimizer":
                self._show_ignored_settings()

    def _on_locked(self, locked: bool) -> None:
        if self.form_host is not None:
            self.form_host.setEnabled(not locked)

    def _on_lesson_locks(self) -> None:
        """The lesson's locks were read, lifted or put back: build the page again with them."""
        if self.mode == "node" and self.node_id is not None:
            self.show_node(self.node_id)
        elif self.mode == "training":
            self.show_training()


def _ports_text(widths: dict, lone: str) -> str:
    """'64 (8x8)' for a block's single in/out port; 'x 64 (8x8), y 10 classes' for named ones."""
    if list(widths) == [lone]:
        return _esc(str(widths[lone]))
    return ", ".join(f"{_esc(k)} {_esc(str(w))}" for k, w in widths.items())


def _problem_count(problems: list) -> str:
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    parts = [f"<span style='color:{c}'>● {n} {word}{'s' if n != 1 else ''}</span>"
             for n, word, c in ((errors, "error", "#dc2626"), (warnings, "warning", "#d97706")) if n]
    return " ".join(parts)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
