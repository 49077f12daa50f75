"""The recent-files list, kept in QSettings so it survives restarts."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

KEY = "recent_files"
LIMIT = 8


class RecentFiles:
    def __init__(self, settings: QSettings):
        self.settings = settings

    def paths(self) -> list[str]:
        value = self.settings.value(KEY, [])
        if isinstance(value, str):        # QSettings gives a bare string for a one-item list
            value = [value]
        return [str(v) for v in (value or [])]

    def add(self, path: str | Path) -> None:
        p = str(Path(path).resolve())
        items = [p] + [q for q in self.paths() if q != p]
        self.settings.setValue(KEY, items[:LIMIT])

    def remove(self, path: str | Path) -> None:
        p = str(Path(path).resolve())
        self.settings.setValue(KEY, [q for q in self.paths() if q != p])

    def clear(self) -> None:
        self.settings.setValue(KEY, [])
