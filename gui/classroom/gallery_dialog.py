"""The lesson gallery's window: a card per lesson (its network in miniature, its title and the
question it answers) under a heading per topic, in a scrolling grid. A click on a card, or Enter
on the focused one, asks for that lesson through `chosen`; the arrow keys move between cards.

Everything a card shows came from a file, so every label is plain text.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gui.classroom.gallery_catalog import Lesson, by_topic
from gui.classroom.gallery_thumbnail import thumbnail
from gui.plain_text import plain_tooltip
from gui.theme import BASE_POINT_SIZE, Theme

CARD_W = 264
THUMB_W, THUMB_H = CARD_W - 16, 124
GRID_GAP = 12
QUESTION_LINES = 3


def _plain(text: str, name: str = "", wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.PlainText)
    label.setWordWrap(wrap)
    if name:
        label.setObjectName(name)
    return label


class LessonCard(QFrame):
    """One lesson. Focusable, so the keyboard reaches it; a broken file's card cannot be opened
    and says why in one line."""

    activated = Signal(object)       # the Lesson

    def __init__(self, lesson: Lesson, theme: Theme, dpr: float, is_open: bool):
        super().__init__()
        self.lesson = lesson
        self.setObjectName("LessonCard")
        self.setProperty("current", is_open)
        self.setFixedWidth(CARD_W)
        self.setAttribute(Qt.WA_Hover)
        box = QVBoxLayout(self)
        box.setContentsMargins(8, 8, 8, 10)
        box.setSpacing(5)
        self.picture = QLabel()
        self.picture.setFixedSize(THUMB_W, THUMB_H)
        self.picture.setPixmap(thumbnail(lesson, theme, THUMB_W, THUMB_H, dpr))
        box.addWidget(self.picture)
        self.title_label = _plain(lesson.title, "LessonTitle")
        box.addWidget(self.title_label)
        if lesson.readable:
            self.question_label = _plain(lesson.question, "LessonQuestion")
            self.question_label.setMaximumHeight(
                QFontMetrics(self.question_label.font()).lineSpacing() * QUESTION_LINES + 2)
            self.setFocusPolicy(Qt.StrongFocus)
            self.setCursor(Qt.PointingHandCursor)
            note = "(open now) " if is_open else ""
            self.setToolTip(plain_tooltip(f"{note}{lesson.path.name}: {lesson.topic}"))
        else:
            # one line, elided: the whole message is in the tooltip
            self.question_label = _plain(lesson.error, "LessonError", wrap=False)
            self.question_label.setFixedWidth(THUMB_W)
            metrics = QFontMetrics(self.question_label.font())
            self.question_label.setText(metrics.elidedText(f"Cannot be opened: {lesson.error}",
                                                           Qt.ElideRight, THUMB_W))
            self.setToolTip(plain_tooltip(f"{lesson.path.name} cannot be opened: {lesson.error}"))
            self.setEnabled(False)
        box.addWidget(self.question_label)
        box.addStretch(1)

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.LeftButton and self.rect().contains(event.position().toPoint()):
            self.activated.emit(self.lesson)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key_Return, Qt.Key_Enter, Qt.Key_Space):
            self.activated.emit(self.lesson)
            event.accept()
            return
        super().keyPressEvent(event)


class LessonGallery(QDialog):
    """The gallery over the main window. It opens nothing itself: `chosen` carries the path to
    whoever opens files (and asks about unsaved changes), which closes it on success."""

    chosen = Signal(Path)

    def __init__(self, lessons: list[Lesson], theme: Theme, open_path: Path | None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Lessons")
        self.setObjectName("LessonGallery")
        self.setStyleSheet(_stylesheet(theme))
        self.cards: list[LessonCard] = []
        self.sections: list[tuple[str, QGridLayout, list[LessonCard]]] = []
        self._columns = 0
        outer = QVBoxLayout(self)
        outer.setContentsMargins(18, 14, 18, 12)
        outer.addWidget(_plain("Lessons", "GalleryHeading"))
        outer.addWidget(_plain("Each lesson is a network ready to train and a question it answers. "
                               "Click one to open it, or move with the arrow keys and press Enter. "
                               "File ▸ Lessons… brings this back.", "FormHelp"))
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        body = QWidget()
        body.setObjectName("GalleryBody")
        self.body_layout = QVBoxLayout(body)
        self.body_layout.setContentsMargins(0, 0, 8, 0)
        self.body_layout.setSpacing(6)
        dpr = parent.devicePixelRatioF() if parent is not None else 1.0
        here = _resolved(open_path)
        for topic, group in by_topic(lessons):
            self.body_layout.addWidget(_plain(topic, "TopicHeading"))
            grid = QGridLayout()
            grid.setHorizontalSpacing(GRID_GAP)
            grid.setVerticalSpacing(GRID_GAP)
            grid.setAlignment(Qt.AlignLeft | Qt.AlignTop)
            cards = []
            for lesson in group:
                card = LessonCard(lesson, theme, dpr, here is not None and _resolved(lesson.path) == here)
                card.activated.connect(lambda chosen_lesson: self.chosen.emit(chosen_lesson.path))
                card.installEventFilter(self)
                cards.append(card)
            self.cards.extend(cards)
            self.sections.append((topic, grid, cards))
            self.body_layout.addLayout(grid)
        if not lessons:
            self.body_layout.addWidget(_plain("No lesson files were found.", "FormHelp"))
        self.body_layout.addStretch(1)
        self.scroll.setWidget(body)
        outer.addWidget(self.scroll, 1)
        self.scroll.viewport().installEventFilter(self)
        self.message = _plain("", "GalleryMessage")
        self.message.hide()
        outer.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        self._place_cards(self._fitting_columns(CARD_W * 4 + GRID_GAP * 3))

    # ---- layout ------------------------------------------------------------------------------
    def _fitting_columns(self, width: int) -> int:
        return max(1, (width + GRID_GAP) // (CARD_W + GRID_GAP))

    def _place_cards(self, columns: int) -> None:
        if columns == self._columns:
            return
        self._columns = columns
        for _topic, grid, cards in self.sections:
            for card in cards:
                grid.removeWidget(card)
            for i, card in enumerate(cards):
                grid.addWidget(card, i // columns, i % columns)


    # ---- keyboard ----------------------------------------------------------------------------
    def focus_first(self) -> None:
        """Focus the open lesson's card (else the first that opens) and scroll to it."""
        usable = [c for c in self.cards if c.isEnabled()]
        current = [c for c in usable if c.property("current")]
        card = (current or usable or [None])[0]
        if card is not None:
            card.setFocus(Qt.OtherFocusReason)
            self.scroll.ensureWidgetVisible(card, 0, 40)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Resize and obj is self.scroll.viewport():
            # as many columns as the visible width holds, so the grid never scrolls sideways
            self._place_cards(self._fitting_columns(obj.width() - 8))
        elif event.type() == QEvent.KeyPress and isinstance(obj, LessonCard):
            step = {Qt.Key_Left: -1, Qt.Key_Right: 1, Qt.Key_Up: -self._columns,
                    Qt.Key_Down: self._columns}.get(event.key())
            if step is not None:
                self._move_focus(obj, step)
                return True
        return super().eventFilter(obj, event)

    def _move_focus(self, card: LessonCard, step: int) -> None:
        """Left and right walk the cards in reading order; up and down keep the column within a
        topic and cross into the next topic's row at the nearest card."""
        usable = [c for c in self.cards if c.isEnabled()]
        if card not in usable:
            return
        i = usable.index(card)
        j = i + (1 if step > 0 else -1) if abs(step) == 1 else self._vertical(card, step)
        if 0 <= j < len(usable):
            usable[j].setFocus(Qt.OtherFocusReason)
            self.scroll.ensureWidgetVisible(usable[j], 0, 40)

    def _vertical(self, card: LessonCard, step: int) -> int:
        usable = [c for c in self.cards if c.isEnabled()]
        top = {c: c.mapTo(self, QPoint(0, 0)) for c in usable}    # a row's cards share their top
        rows = sorted({p.y() for p in top.values()})
        k = rows.index(top[card].y()) + (1 if step > 0 else -1)
        if not 0 <= k < len(rows):
            return -1
        row = [c for c in usable if top[c].y() == rows[k]]
        return usable.index(min(row, key=lambda c: abs(top[c].x() - top[card].x())))

    # ---- what the opener says back ----------------------------------------------------------
    def say(self, text: str) -> None:
        """A line under the grid: why the lesson did not open (a run is training, ...)."""
        self.message.setText(text)
        self.message.setVisible(bool(text))


def _resolved(path: Path | None) -> Path | None:
    if path is None:
        return None
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return None


def _stylesheet(t: Theme) -> str:
    return f"""
    QLabel#GalleryHeading {{ font-size: {BASE_POINT_SIZE + 6}pt; font-weight: 600; }}
    QLabel#TopicHeading {{ font-size: {BASE_POINT_SIZE + 2}pt; font-weight: 600;
                           padding-top: 10px; color: {t.text}; }}
    QLabel#LessonTitle {{ font-weight: 600; color: {t.text}; }}
    QLabel#LessonQuestion {{ color: {t.muted}; }}
    QLabel#LessonError {{ color: {t.error}; }}
    QLabel#GalleryMessage {{ color: {t.error}; font-weight: 600; }}
    QFrame#LessonCard {{ background: {t.base}; border: 1px solid {t.node_border};
                         border-radius: 8px; }}
    QFrame#LessonCard[current="true"] {{ border: 2px solid {t.muted}; }}
    QFrame#LessonCard:hover {{ border: 2px solid {t.accent}; }}
    QFrame#LessonCard:focus {{ border: 3px solid {t.accent}; }}
    QFrame#LessonCard:disabled {{ background: {t.alt_base}; }}
    QWidget#GalleryBody {{ background: {t.window}; }}
    """
