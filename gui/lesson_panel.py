"""The lesson panel: the graph file's own Markdown (meta.lesson), shown beside the canvas so a
teacher's notes travel with the network they describe.

A graph file may come from anyone, so its lesson is rendered with care:
- raw HTML in the Markdown shows as the literal text it is (no tags, no <img>, no <script>);
- nothing is ever loaded for it: an image, local (`/dev/zero`, `file:///etc/passwd`) or
  remote, gets a grey placeholder from `loadResource` instead of its bytes;
- a click on a link opens it only if it is http(s) and the user says yes (`ask_open_link`,
  which tests replace); any other scheme (file:, javascript:, a relative path) is refused
  with a line in the status bar.
"""
from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QImage,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QMessageBox, QTextBrowser, QWidget

from gui.editor.controller import Controller
from gui.plain_text import as_str

PLACEHOLDER = ("*This graph has no lesson.* A graph file can carry notes for the class in its "
               "`meta.lesson` field, written in Markdown; they are shown here.")
# GitHub Markdown (tables, strikethrough, task lists) with raw HTML turned off: md4c then
# keeps `<b>` or `<img src=...>` as the characters typed
MARKDOWN = QTextDocument.MarkdownFeatures(QTextDocument.MarkdownDialectGitHub | QTextDocument.MarkdownNoHTML)
WEB_SCHEMES = ("http", "https")
_MD_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")     # ASCII punctuation: CommonMark lets \ escape each


class LessonPanel(QTextBrowser):
    def __init__(self, controller: Controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        # links go through _on_link only: QTextBrowser would otherwise follow file: links
        # itself (replacing the lesson with the file) or hand any URL to the desktop
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._on_link)
        self.asked_resources: list[str] = []      # every resource the lesson asked for (none loaded)
        self._placeholder = _placeholder_image()
        self.document().setDocumentMargin(14)
        controller.doc_event.connect(self._on_doc_event)
        self.refresh()

    def refresh(self) -> None:
        meta = self.controller.doc.meta
        lesson = meta.get("lesson") if isinstance(meta.get("lesson"), str) else ""
        title = meta.get("title") if isinstance(meta.get("title"), str) else ""
        text = lesson.strip() or PLACEHOLDER
        if title and not text.lstrip().startswith("#"):
            # the title is a name, not Markdown: every character shows as typed
            text = f"# {markdown_literal(title)}\n\n{text}"
        self.document().setMarkdown(text, MARKDOWN)
        self._tame_headings()
        # a lesson is read from its first line: the edit's cursor stayed where the last text
        # put it, and a later resize scrolled the dock to it (seen: opened at the lesson's end)
        self.moveCursor(QTextCursor.Start)

    # ---- nothing is loaded -------------------------------------------------------------------
    def loadResource(self, kind: int, url: QUrl) -> Any:
        """Every image (or other resource) the lesson names gets the placeholder, never its
        bytes. It must be a real value: on a null answer QTextDocument reads local files itself."""
        self.asked_resources.append(url.toString())
        if kind == QTextDocument.ImageResource:
            return self._placeholder
        return " "

    # ---- links -------------------------------------------------------------------------------
    def _on_link(self, url: QUrl) -> None:
        shown = as_str(url.toString(), 300)
        if url.scheme().lower() not in WEB_SCHEMES or not url.host():
            self.controller.message.emit(f"Link not opened: only web (http, https) links open "
                                         f"from a lesson, not {shown}")
            return
        if self.ask_open_link(shown):
            self.open_external(url)

    def ask_open_link(self, url: str) -> bool:
        """Whether the user wants this web link opened in the browser (tests replace this)."""
        box = QMessageBox(QMessageBox.Question, "Open link", "Open this link in your web browser?",
                          QMessageBox.Open | QMessageBox.Cancel, self)
        box.setTextFormat(Qt.PlainText)
        box.setInformativeText(url)        # plain text too: the URL is shown as written
        box.setDefaultButton(QMessageBox.Cancel)
        return box.exec() == QMessageBox.Open

    def open_external(self, url: QUrl) -> None:
        QDesktopServices.openUrl(url)

    # ---- look --------------------------------------------------------------------------------
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


def markdown_literal(text: str) -> str:
    """Markdown that reads back as exactly `text` on one line: each punctuation mark escaped."""
    return _MD_PUNCT.sub(r"\\\1", " ".join(text.split()))


def _placeholder_image() -> QImage:
    """A small grey square where a lesson's image would be."""
    image = QImage(24, 24, QImage.Format_ARGB32)
    image.fill(QColor(200, 200, 200))
    return image
