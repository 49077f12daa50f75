"""The lesson panel: the graph file's own Markdown (meta.lesson), shown beside the canvas so a
teacher's notes travel with the network they describe."""
from __future__ import annotations

from typing import Any

from PySide6.QtGui import QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import QTextBrowser, QWidget

from gui.controller import Controller

PLACEHOLDER = ("*This graph has no lesson.* A graph file can carry notes for the class in its "
               "`meta.lesson` field, written in Markdown; they are shown here.")


class LessonPanel(QTextBrowser):
    def __init__(self, controller: Controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.setOpenExternalLinks(True)
        self.document().setDocumentMargin(14)
        controller.doc_event.connect(self._on_doc_event)
        self.refresh()

    def refresh(self) -> None:
        meta = self.controller.doc.meta
        lesson = meta.get("lesson") if isinstance(meta.get("lesson"), str) else ""
        title = meta.get("title") if isinstance(meta.get("title"), str) else ""
        text = lesson.strip() or PLACEHOLDER
        if title and not text.lstrip().startswith("#"):
            text = f"# {title}\n\n{text}"
        self.setMarkdown(text)
        self._tame_headings()

    def _tame_headings(self) -> None:
        """Markdown headings come out poster-sized in a narrow dock; one step above the text
        (the app font is already large for projectors) reads better."""
        block = self.document().begin()
        while block.isValid():
            level = block.blockFormat().headingLevel()
            if level:
                cursor = QTextCursor(block)
                cursor.select(QTextCursor.BlockUnderCursor)
                fmt = QTextCharFormat()
                fmt.setProperty(QTextFormat.FontSizeAdjustment, 1 if level == 1 else 0)
                cursor.mergeCharFormat(fmt)
            block = block.next()

    def _on_doc_event(self, event: str, info: dict[str, Any]) -> None:
        if event == "reset" or (event == "meta_changed" and info.get("key") in ("lesson", "title")):
            self.refresh()
