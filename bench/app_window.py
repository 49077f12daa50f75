"""The real main window with a graph open, for the GUI benchmarks (settings kept out of the
user's own, in a temporary file)."""
from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings


def open_window(path: Path, size: tuple[int, int] = (1600, 1000)):
    from gui.main_window import MainWindow

    settings = QSettings(str(Path(tempfile.mkdtemp()) / "bench.ini"), QSettings.IniFormat)
    win = MainWindow(settings)
    win.controller.open_file(path)
    win.resize(*size)
    win.show()
    return win
