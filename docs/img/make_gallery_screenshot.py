"""Make docs/img/lesson_gallery.png: the lesson gallery as it shows at the app's first start,
over the default lesson in a 1280x720 window (offscreen, no display needed).

    python docs/img/make_gallery_screenshot.py [OUT_DIR]

Offscreen, a dialog is a window of its own that the main window's picture does not include, so
the gallery's picture is laid over the window's where the dialog sits, with a border and shadow
standing in for the frame a window manager would draw.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_screenshots as shots  # noqa: E402  (sets the offscreen platform and the path)
from PySide6.QtCore import QRect  # noqa: E402
from PySide6.QtGui import QColor, QPainter, QPen  # noqa: E402

from gui.app import DEFAULT_LESSON, make_app, settle  # noqa: E402
from gui.classroom.gallery import show_on_first_start  # noqa: E402

SIZE = (1280, 720)


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path(__file__).resolve().parent
    app = make_app()
    w = shots.window_for(app, DEFAULT_LESSON.name)
    w.resize(*SIZE)
    settle(app)
    w.show_start_of_graph()
    assert show_on_first_start(w)
    dialog = w.lesson_gallery.dialog
    settle(app)
    picture = w.grab()
    at = dialog.geometry().topLeft() - w.geometry().topLeft()
    painter = QPainter(picture)
    for i, alpha in enumerate((40, 25, 12)):         # a soft shadow, three pixels deep
        painter.setPen(QPen(QColor(0, 0, 0, alpha), 1))
        painter.drawRect(QRect(at, dialog.size()).adjusted(-1 - i, -1 - i, i, i).translated(1, 2))
    painter.drawPixmap(at, dialog.grab())
    painter.setPen(QPen(QColor(w.theme.node_border), 1))
    painter.drawRect(QRect(at, dialog.size()).adjusted(-1, -1, 0, 0))
    painter.end()
    path = out / "lesson_gallery.png"
    picture.save(str(path))
    dialog.reject()
    w.controller.undo_stack.setClean()
    w.close()
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
