"""The question asked at start when a session ended without closing: restore its unsaved graph,
discard the copy, or decide later (the copy is kept and offered again at the next start)."""
from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import QDateTime, QLocale, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from gui.recovery import RecoveryCopy, describe_origin

TITLE = "Recover unsaved changes"


def when_text(saved_at: datetime, now: datetime | None = None) -> str:
    """'Tuesday, 3 June 2025 at 14:02 (5 minutes ago)', in local time and the user's locale."""
    local = QDateTime.fromSecsSinceEpoch(int(saved_at.timestamp()))
    loc = QLocale()
    text = (f"{loc.toString(local.date(), QLocale.LongFormat)} at "
            f"{loc.toString(local.time(), QLocale.ShortFormat)}")
    minutes = int(((now or datetime.now(timezone.utc)) - saved_at).total_seconds() // 60)
    if 0 <= minutes < 60:
        text += " (just now)" if minutes == 0 else f" ({minutes} minute{'s' if minutes > 1 else ''} ago)"
    return text


def recovery_box(copy: RecoveryCopy, parent: QWidget | None = None) -> QMessageBox:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Warning)
    box.setWindowTitle(TITLE)
    # plain text before any text is set: the path is the user's and may hold anything, '<' too
    box.setTextFormat(Qt.PlainText)
    box.setText("DeepCanvas did not close normally last time. It kept a copy of a graph with "
                "unsaved changes.")
    box.setInformativeText(f"File: {describe_origin(copy)}\n"
                           f"Copy saved: {when_text(copy.saved_at)}\n\n"
                           "Restore opens it as unsaved; Save then writes it to that file. "
                           "Later keeps the copy and asks again at the next start.")
    restore = box.addButton("Restore", QMessageBox.AcceptRole)
    box.addButton("Discard", QMessageBox.DestructiveRole)
    later = box.addButton("Later", QMessageBox.RejectRole)
    box.setDefaultButton(restore)
    box.setEscapeButton(later)
    return box


def ask_restore(copy: RecoveryCopy, parent: QWidget | None = None) -> str:
    """'restore', 'discard' or 'later'."""
    box = recovery_box(copy, parent)
    box.exec()
    role = box.buttonRole(box.clickedButton()) if box.clickedButton() else QMessageBox.RejectRole
    return {QMessageBox.AcceptRole: "restore", QMessageBox.DestructiveRole: "discard"}.get(role, "later")
