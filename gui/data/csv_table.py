"""The preview table of a CSV Dataset: the first rows of the file, each column tinted by its role,
and a header that says the role in words and colour, so it reads without colour vision too."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QHeaderView, QTableView, QWidget

from engine.data.csv_preview import CsvPreview
from gui.data import csv_roles as cr

ROLE_COLOURS = {cr.INPUT: "#2563eb", cr.TARGET: "#16a34a", cr.DROPPED: "#6b7280",
                cr.ONE_HOT: "#7c3aed"}
TEXT_COLOUR, LEAK_COLOUR = "#dc2626", "#d97706"
TINT_ALPHA = 34
PAD = 6


class PreviewModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.preview: CsvPreview | None = None
        self.roles: dict[str, str] = {}
        self.leaks: dict[str, str] = {}

    def show(self, preview: CsvPreview | None, roles: dict[str, str], leaks: dict[str, str]) -> None:
        if preview is not self.preview:
            self.beginResetModel()
            self.preview, self.roles, self.leaks = preview, roles, leaks
            self.endResetModel()
        elif (roles, leaks) != (self.roles, self.leaks):
            self.roles, self.leaks = roles, leaks
            last = max(0, self.columnCount() - 1)
            self.headerDataChanged.emit(Qt.Horizontal, 0, last)
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, last))

    # ---- what a column is ------------------------------------------------------------------
    def column(self, i: int) -> str:
        return self.preview.columns[i] if self.preview and 0 <= i < len(self.preview.columns) else ""

    def role(self, i: int) -> str:
        return self.roles.get(self.column(i), cr.INPUT)

    def flag(self, i: int) -> tuple[str, str, str]:
        """(short mark, colour, why) when the column needs the user's attention, else empties.
        A text column the network would have to read as numbers is refused by the engine."""
        name, role = self.column(i), self.role(i)
        if self.preview and role == cr.INPUT and name in self.preview.text_columns:
            example = self.preview.examples.get(name, "")
            return ("text!", TEXT_COLOUR,
                    f"holds text{f' such as {example!r}' if example else ''}, which a network "
                    f"cannot read: make it one-hot or dropped")
        if name in self.leaks and role in (cr.INPUT, cr.ONE_HOT):
            return "leak?", LEAK_COLOUR, self.leaks[name]
        return "", "", ""

    # ---- Qt ------------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | None = None) -> int:
        if (parent is not None and parent.isValid()) or self.preview is None:
            return 0
        return len(self.preview.rows)

    def columnCount(self, parent: QModelIndex | None = None) -> int:
        if (parent is not None and parent.isValid()) or self.preview is None:
            return 0
        return len(self.preview.columns)

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid() or self.preview is None:
            return None
        col_role = self.role(index.column())
        if role == Qt.DisplayRole:
            return self.preview.rows[index.row()][index.column()]
        if role == Qt.BackgroundRole:
            mark, colour, _ = self.flag(index.column())
            tint = QColor(colour if mark else ROLE_COLOURS[col_role])
            tint.setAlpha(TINT_ALPHA if col_role != cr.DROPPED else TINT_ALPHA // 2)
            return tint
        if role == Qt.ForegroundRole and col_role == cr.DROPPED:
            return QColor("#8b95a1")
        if role == Qt.TextAlignmentRole:
            numbers = self.column(index.column()) not in self.preview.text_columns
            return int(Qt.AlignVCenter | (Qt.AlignRight if numbers else Qt.AlignLeft))
        return None

    def headerData(self, section: int, orientation, role: int = Qt.DisplayRole):
        if orientation == Qt.Vertical:
            return str(section + 1) if role == Qt.DisplayRole else None
        if role == Qt.DisplayRole:
            return f"{self.column(section)}\n{self.role(section)}"
        if role == Qt.ToolTipRole:
            r = self.role(section)
            mark, _, why = self.flag(section)
            text = f"<b>{_esc(self.column(section))}</b>: {r}, {cr.HELP[r]}"
            if mark:
                text += f"<br><b>{mark}</b> {_esc(why)}"
            return text + "<br><i>Click to choose this column's role.</i>"
        return None


class RoleHeader(QHeaderView):
    """Column name on top, the role as a coloured tag below, and a mark for text or leaks."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(Qt.Horizontal, parent)
        self.setSectionsClickable(True)
        self.setHighlightSections(False)
        self.setDefaultAlignment(Qt.AlignLeft | Qt.AlignVCenter)

    def _fonts(self) -> tuple[QFont, QFont]:
        bold = QFont(self.font())
        bold.setBold(True)
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() - 1.5))
        return bold, small

    def sectionSizeFromContents(self, logical: int) -> QSize:
        model = self.model()
        if not isinstance(model, PreviewModel):
            return super().sectionSizeFromContents(logical)
        bold, small = self._fonts()
        fb, fs = QFontMetrics(bold), QFontMetrics(small)
        mark = model.flag(logical)[0]
        tag = fs.horizontalAdvance(model.role(logical)) + 2 * PAD
        tag += fs.horizontalAdvance(mark) + PAD if mark else 0
        width = max(fb.horizontalAdvance(model.column(logical)), tag) + 2 * PAD + 2
        return QSize(width, fb.height() + fs.height() + 4 * PAD)

    def paintSection(self, painter: QPainter, rect: QRect, logical: int) -> None:
        model = self.model()
        if not isinstance(model, PreviewModel) or not rect.isValid():
            return super().paintSection(painter, rect, logical)
        role = model.role(logical)
        colour = QColor(ROLE_COLOURS[role])
        mark, mark_colour, _ = model.flag(logical)
        bold, small = self._fonts()
        fb, fs = QFontMetrics(bold), QFontMetrics(small)
        painter.save()
        painter.setRenderHint(QPainter.Antialiasing)
        painter.fillRect(rect, self.palette().base())
        tint = QColor(colour)
        tint.setAlpha(TINT_ALPHA + 20)
        painter.fillRect(rect, tint)
        painter.setPen(QPen(self.palette().mid().color(), 1))
        painter.drawLine(rect.topRight(), rect.bottomRight())
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        # the name, elided when the user narrows the column
        painter.setFont(bold)
        painter.setPen(self.palette().text().color() if role != cr.DROPPED else QColor("#8b95a1"))
        name_rect = QRect(rect.left() + PAD, rect.top() + PAD, rect.width() - 2 * PAD, fb.height())
        painter.drawText(name_rect, Qt.AlignLeft | Qt.AlignVCenter,
                         fb.elidedText(model.column(logical), Qt.ElideRight, name_rect.width()))
        # the role tag, and after it the mark
        painter.setFont(small)
        tag_w = fs.horizontalAdvance(role) + 2 * PAD
        tag = QRectF(rect.left() + PAD, name_rect.bottom() + PAD, tag_w, fs.height() + 2)
        painter.setPen(Qt.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(tag, tag.height() / 2, tag.height() / 2)
        painter.setPen(QColor("white"))
        painter.drawText(tag, Qt.AlignCenter, role)
        if mark:
            painter.setPen(QColor(mark_colour))
            painter.drawText(QRectF(tag.right() + PAD / 2, tag.top(), rect.right() - tag.right(),
                                    tag.height()), Qt.AlignLeft | Qt.AlignVCenter, mark)
        painter.restore()


class PreviewTable(QTableView):
    def __init__(self, model: PreviewModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.setHorizontalHeader(RoleHeader(self))
        self.setModel(model)
        self.setSelectionMode(QTableView.NoSelection)
        self.setEditTriggers(QTableView.NoEditTriggers)
        self.setWordWrap(False)
        self.setHorizontalScrollMode(QTableView.ScrollPerPixel)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
