"""Showing text that came from a file (node ids, types, params, meta, paths, messages that
quote them) as the literal characters it holds, never as markup.

Qt guesses: a QLabel, a tooltip or a message box whose text merely *looks* like HTML is rendered
as rich text, and rich text loads images. A node id like `<img src=/dev/zero>` in a tooltip
would make Qt read /dev/zero forever. So file text either goes into widgets set to plain
text, or, where the widget must be rich (a tooltip with a bold head), through `esc` inside
markup we wrote ourselves.
"""
from __future__ import annotations

import html
from typing import Any

from PySide6.QtGui import Qt

from engine.blocks.face_text import text as short_text

TOOLTIP_LIMIT = 2000        # a tooltip taller than the screen helps nobody, and costs layout time


def as_str(value: Any, limit: int = 10_000) -> str:
    """Whatever a caller holds as a str (a summary that came back a list, None, a number)."""
    if isinstance(value, str):
        return value if len(value) <= limit else value[: limit - 1] + "…"
    return short_text(value, limit)


def esc(value: Any, limit: int = TOOLTIP_LIMIT) -> str:
    """File text made safe to put inside rich text we compose: every <, >, & and quote escaped."""
    # quotes stay: our markup never puts file text inside an attribute
    return html.escape(as_str(value, limit), quote=False)


def plain_tooltip(value: Any) -> str:
    """A tooltip that shows `value` literally, line breaks kept. Text Qt would show as plain
    anyway (its own `mightBeRichText` test, the one tooltips use) is returned as it is; text
    that looks like markup is escaped and wrapped in <qt>, so Qt takes it as rich text on
    purpose and nothing in it is a tag."""
    text = as_str(value, TOOLTIP_LIMIT)
    if not Qt.mightBeRichText(text):
        return text
    return "<qt>" + "<br>".join(html.escape(line, quote=False) for line in text.splitlines()) + "</qt>"


def menu_text(value: Any) -> str:
    """Text for a menu item or action: '&' would otherwise make the next letter a shortcut."""
    return as_str(value, 200).replace("&", "&&")


def window_title_text(value: Any) -> str:
    """Text inside a window title: Qt treats '[*]' as the unsaved-changes mark."""
    return as_str(value, 300).replace("[*]", "[*][*]")
