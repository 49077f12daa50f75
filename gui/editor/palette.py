"""The block palette: every block type from the engine's registry, by category, with a search
box. Drag a block onto the canvas, or double-click (or press Enter) to add it in the middle."""
from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QColor, QDrag, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from engine import blocks
from gui.canvas.scene import BLOCK_MIME
from gui.theme import LIGHT, Theme

ROLE_BLOCK = Qt.UserRole + 1


def _swatch(color: QColor) -> QIcon:
    pm = QPixmap(14, 14)
    pm.fill(Qt.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.Antialiasing)
    p.setBrush(color)
    p.setPen(Qt.NoPen)
    p.drawRoundedRect(1, 1, 12, 12, 3, 3)
    p.end()
    return QIcon(pm)


class BlockTree(QTreeWidget):
    """The list itself; it starts drags carrying the block's name."""

    def mimeData(self, items):
        md = QMimeData()
        names = [it.data(0, ROLE_BLOCK) for it in items if it.data(0, ROLE_BLOCK)]
        if names:
            md.setData(BLOCK_MIME, names[0].encode("utf-8"))
        return md

    def mimeTypes(self):
        return [BLOCK_MIME]

    def startDrag(self, actions) -> None:
        item = self.currentItem()
        name = item.data(0, ROLE_BLOCK) if item else None
        if not name:
            return
        drag = QDrag(self)
        drag.setMimeData(self.mimeData([item]))
        drag.setPixmap(item.icon(0).pixmap(14, 14))
        drag.exec(Qt.CopyAction)


class Palette(QWidget):
    add_requested = Signal(str)    # block type: add it where the user is looking

    def __init__(self, theme: Theme = LIGHT, parent: QWidget | None = None):
        super().__init__(parent)
        self.search = QLineEdit(placeholderText="Search blocks…", clearButtonEnabled=True)
        self.tree = BlockTree()
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(8)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self._populate(theme)
        self.search.textChanged.connect(self.filter)
        self.tree.itemActivated.connect(self._activated)      # double-click or Enter
        self.search.returnPressed.connect(self._add_current)

    def _populate(self, theme: Theme) -> None:
        self.tree.clear()
        cats = list(blocks.CATEGORIES) + sorted({b.category for b in blocks.REGISTRY.values()}
                                                - set(blocks.CATEGORIES))
        for cat in cats:
            members = [b for b in blocks.REGISTRY.values() if b.category == cat]
            if not members:
                continue
            head = QTreeWidgetItem([cat])
            head.setFlags(Qt.ItemIsEnabled)
            font = head.font(0)
            font.setBold(True)
            head.setFont(0, font)
            self.tree.addTopLevelItem(head)
            icon = _swatch(theme.category_color(cat))
            for b in members:
                it = QTreeWidgetItem([b.name])
                it.setData(0, ROLE_BLOCK, b.name)
                it.setIcon(0, icon)
                ports = f"in: {', '.join(b.inputs) or '–'}   out: {', '.join(b.outputs) or '–'}"
                it.setToolTip(0, f"<b>{b.name}</b><br>{b.help}<br><i>{ports}</i><br>"
                                 "Drag onto the canvas, or double-click to add.")
                it.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsDragEnabled)
                head.addChild(it)
            head.setExpanded(True)

    def set_theme(self, theme: Theme) -> None:
        text = self.search.text()
        self._populate(theme)
        self.filter(text)

    def block_item(self, name: str) -> QTreeWidgetItem | None:
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            for j in range(head.childCount()):
                if head.child(j).data(0, ROLE_BLOCK) == name:
                    return head.child(j)
        return None

    def filter(self, text: str) -> None:
        """Show blocks whose name, category or help mentions every word typed."""
        words = text.lower().split()
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            shown = 0
            for j in range(head.childCount()):
                it = head.child(j)
                block = blocks.get(it.data(0, ROLE_BLOCK))
                hay = f"{block.name} {block.category} {block.help}".lower()
                hide = not all(w in hay for w in words)
                it.setHidden(hide)
                shown += not hide
            head.setHidden(shown == 0)
        if words:   # Enter in the search box adds the first match
            first = next((head.child(j) for i in range(self.tree.topLevelItemCount())
                          for head in [self.tree.topLevelItem(i)] for j in range(head.childCount())
                          if not head.child(j).isHidden()), None)
            if first is not None:
                self.tree.setCurrentItem(first)

    def _activated(self, item: QTreeWidgetItem, column: int = 0) -> None:
        name = item.data(0, ROLE_BLOCK)
        if name:
            self.add_requested.emit(name)

    def _add_current(self) -> None:
        item = self.tree.currentItem()
        if item is not None and not item.isHidden():
            self._activated(item)
