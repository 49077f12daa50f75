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
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
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
QUESTION_LINES = 3      # the meta's limits allow more: a longer text is cut at the card's edge
TITLE_LINES = 3
TOPICS_W = 250
CARD_MAX_W = CARD_W + 80


def _plain(text: str, name: str = "", wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.PlainText)
    label.setWordWrap(wrap)
    label.setAlignment(Qt.AlignLeft | Qt.AlignTop)     # text cut by a height limit loses its end
    if name:
        label.setObjectName(name)
    return label


def _lines_height(label: QLabel, lines: int) -> int:
    return QFontMetrics(label.font()).lineSpacing() * lines + 2


class OneLineLabel(QLabel):
    """Plain text on one line, cut with an ellipsis at whatever width the label is given."""

    def __init__(self, text: str):
        super().__init__()
        self.setTextFormat(Qt.PlainText)
        self.full_text = text
        self.setMinimumWidth(1)        # the text's width must not widen the card
        self.setText(text)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.setText(self.fontMetrics().elidedText(self.full_text, Qt.ElideRight, self.width()))


class LessonCard(QFrame):
    """One lesson. Focusable, so the keyboard reaches it; a broken file's card cannot be opened
    and says why in one line."""

    activated = Signal(object)       # the Lesson

    def __init__(self, lesson: Lesson, theme: Theme, dpr: float, is_open: bool):
        super().__init__()
        self.lesson = lesson
        self.setObjectName("LessonCard")
        self.setProperty("current", is_open)
        self.setFixedWidth(CARD_W)       # widened by the gallery to fill its columns
        self.setAttribute(Qt.WA_Hover)
        box = QVBoxLayout(self)
        box.setContentsMargins(8, 8, 8, 10)
        box.setSpacing(5)
        self.picture = QLabel()
        self.picture.setObjectName("LessonPicture")
        self.picture.setFixedHeight(THUMB_H)
        self.picture.setAlignment(Qt.AlignCenter)
        self.picture.setPixmap(thumbnail(lesson, theme, THUMB_W, THUMB_H, dpr))
        box.addWidget(self.picture)
        # lessons can share a drawing (the ten-layer ones): the recipe line tells them apart
        self.recipe_label = OneLineLabel(lesson.recipe)
        self.recipe_label.setObjectName("LessonRecipe")
        self.recipe_label.setVisible(bool(lesson.recipe))
        if lesson.recipe:
            self.recipe_label.setToolTip(plain_tooltip(f"Repeated blocks, optimizer and "
                                                       f"clipping: {lesson.recipe}"))
        box.addWidget(self.recipe_label)
        self.title_label = _plain(lesson.title, "LessonTitle")
        self.title_label.setMaximumHeight(_lines_height(self.title_label, TITLE_LINES))
        box.addWidget(self.title_label)
        if lesson.readable:
            self.question_label = _plain(lesson.question, "LessonQuestion")
            self.question_label.setMaximumHeight(_lines_height(self.question_label, QUESTION_LINES))
            self.setFocusPolicy(Qt.StrongFocus)
            self.setCursor(Qt.PointingHandCursor)
            self.setToolTip(plain_tooltip(f"{lesson.path.name}: {lesson.topic}"))
        else:
            # one line, elided to the card's width: the whole message is in the tooltip
            self.question_label = OneLineLabel(lesson.error[:1].upper() + lesson.error[1:])
            self.question_label.setObjectName("LessonError")
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
        outer.addWidget(_plain("Each lesson is a network ready to train and the question it answers. "
                               "Click one to open it.", "FormHelp"))
        middle = QHBoxLayout()
        middle.setSpacing(14)
        # the topics, so a teacher reaches "Autoencoders" in one click rather than by scrolling
        self.topics = QListWidget()
        self.topics.setObjectName("GalleryTopics")
        self.topics.setFixedWidth(TOPICS_W)
        self.topics.setFocusPolicy(Qt.NoFocus)     # Tab and the arrows stay among the cards
        self.topics.setWordWrap(True)
        self.topics.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        middle.addWidget(self.topics)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        body = QWidget()
        body.setObjectName("GalleryBody")
        self.body_layout = QVBoxLayout(body)
        self.body_layout.setContentsMargins(0, 0, 8, 0)
        self.body_layout.setSpacing(6)
        self.headings: list[QLabel] = []
        dpr = parent.devicePixelRatioF() if parent is not None else 1.0
        for topic, group in by_topic(lessons):
            heading = _plain(topic, "TopicHeading")
            self.headings.append(heading)
            self.body_layout.addWidget(heading)
            self.topics.addItem(QListWidgetItem(f"{topic}  ({len(group)})"))
            grid = QGridLayout()
            grid.setHorizontalSpacing(GRID_GAP)
            grid.setVerticalSpacing(GRID_GAP)
            grid.setAlignment(Qt.AlignLeft | Qt.AlignTop)
            cards = []
            for lesson in group:
                card = LessonCard(lesson, theme, dpr, False)
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
        middle.addWidget(self.scroll, 1)
        outer.addLayout(middle, 1)
        self.scroll.viewport().installEventFilter(self)
        self.topics.itemClicked.connect(lambda item: self.show_topic(self.topics.row(item)))
        self.scroll.verticalScrollBar().valueChanged.connect(self._mark_topic_in_view)
        self.topics.setCurrentRow(0)
        self.message = _plain("", "GalleryMessage")
        self.message.hide()
        outer.addWidget(self.message)
        footer = QHBoxLayout()
        footer.addWidget(_plain("Arrow keys and Enter choose too. File ▸ Lessons… shows this again.",
                                "FormHelp"), 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        footer.addWidget(buttons)
        outer.addLayout(footer)
        self._place_cards(self._fitting_columns(CARD_W * 3 + GRID_GAP * 2))
        self.mark_open(open_path)

    def mark_open(self, path: Path | None) -> None:
        """Outline the card of the lesson open in the window (none when it is not a lesson)."""
        here = _resolved(path)
        for card in self.cards:
            is_open = here is not None and _resolved(card.lesson.path) == here
            if card.property("current") != is_open:
                card.setProperty("current", is_open)
                card.style().unpolish(card)       # a dynamic property: restyle by hand
                card.style().polish(card)

    # ---- topics ------------------------------------------------------------------------------
    def show_topic(self, row: int) -> None:
        """Scroll so that topic `row`'s heading is at the top of the grid."""
        if 0 <= row < len(self.headings):
            self.scroll.verticalScrollBar().setValue(self.headings[row].y())
            self.topics.setCurrentRow(row)

    def _mark_topic_in_view(self, value: int) -> None:
        bar = self.scroll.verticalScrollBar()
        if value >= bar.maximum() > 0:
            row = len(self.headings) - 1       # the last topics may never reach the top
        else:
            row = max((i for i, h in enumerate(self.headings) if h.y() <= value + 20), default=0)
        if self.topics.currentRow() != row:
            self.topics.setCurrentRow(row)

    # ---- layout ------------------------------------------------------------------------------
    def _fitting_columns(self, width: int) -> int:
        return max(1, (width + GRID_GAP) // (CARD_W + GRID_GAP))

    def _place_cards(self, columns: int, width: int = 0) -> None:
        # cards widen (up to a limit) to fill the row rather than leave a strip at its end
        card_w = max(CARD_W, min(CARD_MAX_W, (width - GRID_GAP * (columns - 1)) // columns))
        for card in self.cards:
            card.setFixedWidth(card_w)
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
            self._place_cards(self._fitting_columns(obj.width() - 8), obj.width() - 8)
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
    QLabel#LessonPicture {{ background: {t.canvas}; border-radius: 4px; }}
    QLabel#LessonRecipe {{ color: {t.muted}; font-size: {BASE_POINT_SIZE - 1}pt; }}
    QLabel#LessonError {{ color: {t.error}; }}
    QLabel#GalleryMessage {{ color: {t.error}; font-weight: 600; }}
    QFrame#LessonCard {{ background: {t.base}; border: 1px solid {t.node_border};
                         border-radius: 8px; }}
    QFrame#LessonCard[current="true"] {{ border: 2px solid {t.muted}; }}
    QFrame#LessonCard:hover {{ border: 2px solid {t.accent}; }}
    QFrame#LessonCard:focus {{ border: 3px solid {t.accent}; }}
    QFrame#LessonCard:disabled {{ background: {t.alt_base}; }}
    QWidget#GalleryBody {{ background: {t.window}; }}
    QListWidget#GalleryTopics {{ border: none; background: {t.window}; }}
    QListWidget#GalleryTopics::item {{ padding: 7px 6px; border-radius: 5px; }}
    QListWidget#GalleryTopics::item:selected {{ background: {t.accent}; color: {t.accent_text}; }}
    """
