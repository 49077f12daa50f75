"""Under a Dataset's form in the inspector: the CSV file it reads, a button to choose another (or
to switch the node to a CSV file), the engine's messages about the data, and a preview of the
first rows where a click on a column's header sets its role.

The panel keeps no state the document does not have: roles come from target/drop/one_hot, the
messages from the controller's latest analysis, and every change goes through the controller
as one undo step. A file that cannot be read shows its message in place of the table.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QActionGroup, QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engine import blocks
from engine.data.csv_preview import CsvPreview, preview_csv, preview_file
from engine.errors import DataError
from gui.data import csv_roles as cr
from gui.data.csv_table import ROLE_COLOURS, PreviewModel, PreviewTable
from gui.editor.controller import LOCKED_MESSAGE, Controller
from gui.plain_text import menu_text, plain_tooltip

CSV_FILTER = "CSV files (*.csv *.tsv *.txt);;All files (*)"
TABLE_HEIGHT = 300
ERROR, WARNING = "#dc2626", "#d97706"


class CsvPanel(QWidget):
    def __init__(self, controller: Controller, node_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("csv_panel")
        self.controller = controller
        self.node_id = node_id
        self.preview: CsvPreview | None = None
        self.preview_error = ""
        self._build()
        controller.doc_event.connect(self._on_doc_event)
        controller.analysis_ready.connect(self._on_analysis)
        controller.locked_changed.connect(self._on_locked)
        self._on_locked(controller.locked)
        self.refresh()

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 10, 0, 0)
        title = QLabel("CSV data")
        title.setObjectName("FormHeading")
        outer.addWidget(title)
        row = QHBoxLayout()
        self.file_label = QLabel()
        self.file_label.setTextFormat(Qt.PlainText)      # the source as the file writes it
        self.file_label.setObjectName("FormHelp")
        self.file_label.setWordWrap(True)
        self.file_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.choose_button = QPushButton("Choose CSV file…")
        self.choose_button.setObjectName("choose_csv")
        self.choose_button.clicked.connect(self.choose_file)
        row.addWidget(self.file_label, 1)
        row.addWidget(self.choose_button, 0, Qt.AlignTop)
        outer.addLayout(row)
        self.messages = QLabel()
        self.messages.setObjectName("csv_messages")
        self.messages.setWordWrap(True)
        self.messages.setTextFormat(Qt.RichText)
        self.messages.setTextInteractionFlags(Qt.TextSelectableByMouse)
        outer.addWidget(self.messages)
        self.legend = QLabel(_legend())
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.RichText)
        outer.addWidget(self.legend)
        self.model = PreviewModel(self)
        self.table = PreviewTable(self.model, self)
        self.table.setMinimumHeight(TABLE_HEIGHT)
        self.table.horizontalHeader().sectionClicked.connect(self._on_header_clicked)
        outer.addWidget(self.table)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.PlainText)
        self.summary.setObjectName("FormHelp")
        self.summary.setWordWrap(True)
        outer.addWidget(self.summary)

    def detach(self) -> None:
        """Stop following the controller; the inspector calls this before dropping the panel,
        since a deleted widget must not be called by a signal still connected to it."""
        for signal, slot in ((self.controller.doc_event, self._on_doc_event),
                             (self.controller.analysis_ready, self._on_analysis),
                             (self.controller.locked_changed, self._on_locked)):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass

    # ---- reading the document --------------------------------------------------------------
    @property
    def params(self) -> dict[str, Any]:
        node = self.controller.doc.nodes.get(self.node_id)
        block = blocks.get(node.type) if node else None
        return block.resolve(node.params) if block else {}

    @property
    def source(self) -> str:
        return str(self.params.get("source", ""))

    @property
    def is_csv(self) -> bool:
        return self.source.startswith("csv:")

    def _graph_dir(self) -> str | None:
        path = self.controller.doc.path
        return str(Path(path).parent) if path else None

    def refresh(self) -> None:
        """Re-read what the node names (cheap: the preview is cached on the file's time and
        size) and show it. Never raises: a bad file is a message in the panel."""
        if self.node_id not in self.controller.doc.nodes:
            return
        self.preview, self.preview_error = None, ""
        if self.is_csv:
            try:
                self.preview = preview_csv(self.source[4:], self._graph_dir(),
                                           self.controller.data_dir, self.node_id)
            except DataError as exc:
                self.preview_error = str(exc)
            except Exception as exc:  # noqa: BLE001 - an odd file must not take the editor down
                self.preview_error = f"cannot read '{self.source[4:]}': {exc}"
        self._show()

    def _show(self) -> None:
        csv = self.is_csv
        if not csv:
            self.file_label.setText("This Dataset uses a built-in data set. To train on a table "
                                    "of your own, choose a CSV file.")
        elif self.preview is not None:
            named, found = self.source[4:], self.preview.path
            where = "" if Path(named).is_absolute() else f"\nfound in {found.parent}"
            self.file_label.setText(named + where)
            self.file_label.setToolTip(plain_tooltip(str(found)))
        else:
            self.file_label.setText(self.source[4:] or "(no file named)")
        for w in (self.legend, self.table, self.summary):
            w.setVisible(csv and self.preview is not None)
        self._show_roles()
        self._show_messages()

    def _show_roles(self) -> None:
        if self.preview is None:
            self.model.show(None, {}, {})
            return
        params = self.params
        problems = self._problems()
        leaks = cr.leaking_columns([m for m, s in problems if s == "warning"], self.preview.columns,
                                   cr.names(params.get("one_hot")))
        self.model.show(self.preview, cr.roles(self.preview.columns, params), leaks)
        counts = {r: list(self.model.roles.values()).count(r) for r in cr.ROLES}
        widths = (self.controller.analysis.widths.get(self.node_id, {})
                  if self.controller.analysis else {})
        inputs = f"; the network gets {widths['x'].features} inputs" if "x" in widths else ""
        self.summary.setText(
            f"{self.preview.n_rows:,} rows, {len(self.preview.columns)} columns "
            f"(the first {len(self.preview.rows)} rows are shown): {counts[cr.INPUT]} input, "
            f"{counts[cr.ONE_HOT]} one-hot, {counts[cr.DROPPED]} dropped, "
            f"{counts[cr.TARGET]} target{inputs}.")

    def _problems(self) -> list[tuple[str, str]]:
        a = self.controller.analysis
        found = [(str(p.message), p.severity) for p in a.for_node(self.node_id)] if a else []
        if self.preview_error and not any(m == self.preview_error for m, _ in found):
            found.insert(0, (self.preview_error, "error"))
        return found

    def _show_messages(self) -> None:
        lines = [f"<span style='color:{ERROR if s == 'error' else WARNING}'>"
                 f"{'●' if s == 'error' else '▲'} {_esc(m)}</span>"
                 for m, s in (self._problems() if self.is_csv else [])]
        self.messages.setText("<br>".join(lines))
        self.messages.setVisible(bool(lines))

    def _on_doc_event(self, event: str, info: dict[str, Any]) -> None:
        if event == "param_changed" and info.get("node") == self.node_id:
            if info.get("param") == "source":
                self.refresh()
            else:
                self._show()

    def _on_analysis(self, _analysis) -> None:
        # the data folder may have changed, or the file on disk: both show up here
        self.refresh()

    def _on_locked(self, locked: bool) -> None:
        self.choose_button.setEnabled(not locked)

    # ---- roles ---------------------------------------------------------------------------------
    def _on_header_clicked(self, section: int) -> None:
        column = self.model.column(section)
        if not column:
            return
        if self.controller.locked:      # say why at once, rather than after a menu
            self.controller.message.emit(LOCKED_MESSAGE)
            return
        header = self.table.horizontalHeader()
        x = header.sectionViewportPosition(section)
        where = header.viewport().mapToGlobal(QPoint(x, header.height()))
        role = self.ask_role(column, self.model.role(section), where)
        if role:
            self.set_role(column, role)

    def role_menu(self, column: str, current: str) -> QMenu:
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        menu.addSection(menu_text(f"Column '{column}' is:"))     # a '&' in a name is not a shortcut
        group = QActionGroup(menu)
        for role in cr.ROLES:
            act = QAction(_swatch(ROLE_COLOURS[role]), f"{role}: {cr.HELP[role]}", menu)
            act.setCheckable(True)
            act.setChecked(role == current)
            act.setData(role)
            if role == current:
                font = act.font()
                font.setBold(True)
                act.setFont(font)
            group.addAction(act)
            menu.addAction(act)
        return menu

    def ask_role(self, column: str, current: str, where: QPoint) -> str | None:
        """Which role the user picks for `column` from a menu under its header (tests replace
        this, as they replace the window's other questions)."""
        menu = self.role_menu(column, current)
        chosen = menu.exec(where)
        menu.deleteLater()
        return chosen.data() if chosen is not None else None

    def set_role(self, column: str, role: str) -> bool:
        """Give a column a role, as one undo step however many params that touches."""
        if role not in cr.ROLES or self.node_id not in self.controller.doc.nodes:
            return False
        params = self.params
        wanted = cr.with_role(params, column, role)
        return self.controller.set_params(self.node_id, _changed(params, wanted),
                                          f"Make column '{column}' {role}")

    # ---- the file ----------------------------------------------------------------------------
    def ask_csv_path(self) -> str | None:
        """The file the user picks, or None (tests replace this)."""
        start = (str(self.preview.path.parent) if self.preview else
                 self._graph_dir() or self.controller.data_dir or str(Path.cwd()))
        path, _ = QFileDialog.getOpenFileName(self, "Choose a CSV file", start, CSV_FILTER)
        return path or None

    def choose_file(self) -> bool:
        chosen = self.ask_csv_path()
        if not chosen or self.node_id not in self.controller.doc.nodes:
            return False
        path = Path(chosen)
        text = "csv:" + cr.source_text(path, self.controller.doc.path, self.controller.data_dir)
        params = self.params
        wanted: dict[str, Any] = {"source": text}
        try:
            wanted.update(cr.for_new_file(params, preview_file(path, self.node_id).columns))
        except Exception:  # noqa: BLE001 - a file we cannot read still gets chosen; the
            pass            # panel then shows why, and the column params stay as they were
        return self.controller.set_params(self.node_id, _changed(params, wanted),
                                          f"Use CSV file '{path.name}'")


def _changed(params: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    """Only what differs from the node's values (defaults included), so a file stays short."""
    return {k: v for k, v in wanted.items() if params.get(k) != v}


def _legend() -> str:
    chips = " ".join(f"<span style='color:{ROLE_COLOURS[r]}'>■</span>&nbsp;{r}&nbsp;" for r in cr.ROLES)
    return f"Click a column's header to change its role:<br>{chips}"


def _swatch(colour: str) -> QIcon:
    pix = QPixmap(12, 12)
    pix.fill(QColor(colour))
    return QIcon(pix)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
