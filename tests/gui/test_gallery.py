"""The lesson gallery: every shipped lesson as a card under its topic, one click opens it through
the window's own open path (unsaved edits asked about first), a broken file gets a one-line card,
and the app shows it by itself once, on its first start only."""
import json
import shutil

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from gui import app as gui_app
from gui.classroom import gallery
from gui.classroom.gallery_catalog import (
    COURSE_TOPICS,
    LESSONS_DIR,
    MAX_QUESTION,
    MAX_TITLE,
    UNREADABLE_TOPIC,
    read_lessons,
)
from gui.classroom.gallery_dialog import LessonGallery
from tests.conftest import GRAPHS

LESSONS = sorted(GRAPHS.glob("*.json"))


def _meta(path):
    return json.loads(path.read_text(encoding="utf-8"))["meta"]


def _card(dialog, name):
    [card] = [c for c in dialog.cards if c.lesson.path.name == name]
    return card


def _click(qtbot, card):
    qtbot.mouseClick(card, Qt.LeftButton, pos=QPoint(card.width() // 2, 40))


def _edit(window):
    """An unsaved edit, as a user makes one: h1 gets another width."""
    assert window.controller.set_param("h1", "units", 99)
    assert window.isWindowModified()
    return window.controller.doc.to_dict()


def test_the_app_finds_the_lessons_where_it_opens_its_default_one():
    assert LESSONS_DIR == gui_app.DEFAULT_LESSON.parent == GRAPHS


def test_every_lesson_has_a_question_and_a_course_topic():
    for path in LESSONS:
        meta = _meta(path)
        assert isinstance(meta.get("question"), str) and meta["question"].endswith("?"), path.name
        assert "\n" not in meta["question"] and len(meta["question"]) <= MAX_QUESTION, path.name
        assert meta.get("topic") in COURSE_TOPICS, path.name
        assert isinstance(meta.get("order"), int), path.name


def test_the_gallery_lists_every_lesson_with_its_title_and_question_under_its_topic(window, qtbot):
    dialog = window.lesson_gallery.show()
    qtbot.waitExposed(dialog)
    assert sorted(c.lesson.path.name for c in dialog.cards) == [p.name for p in LESSONS]
    for card in dialog.cards:
        meta = _meta(card.lesson.path)
        assert card.title_label.text() == meta["title"]
        assert card.question_label.text() == meta["question"]
        assert card.picture.pixmap() is not None and not card.picture.pixmap().isNull()
    # one heading per topic, in the course's order, each holding exactly that topic's lessons
    headings = [topic for topic, _grid, _cards in dialog.sections]
    assert headings == [t for t in COURSE_TOPICS if any(_meta(p)["topic"] == t for p in LESSONS)]
    for topic, _grid, cards in dialog.sections:
        assert {c.lesson.path.name for c in cards} == {p.name for p in LESSONS
                                                        if _meta(p)["topic"] == topic}
        orders = [_meta(c.lesson.path)["order"] for c in cards]
        assert orders == sorted(orders)


def test_one_click_opens_the_lesson_and_closes_the_gallery(window, qtbot):
    assert window.open_path(GRAPHS / "mlp_digits.json")
    dialog = window.lesson_gallery.show()
    qtbot.waitExposed(dialog)
    _click(qtbot, _card(dialog, "deep_sigmoid.json"))
    assert window.controller.doc.path == GRAPHS / "deep_sigmoid.json"
    assert window.controller.doc.meta["title"] == _meta(GRAPHS / "deep_sigmoid.json")["title"]
    assert "h10" in window.controller.doc.nodes and "h10" in [i.node_id for i in window.scene.node_items()]
    assert window.windowTitle().startswith("deep_sigmoid.json")
    assert not dialog.isVisible()


def test_enter_opens_the_focused_card_and_the_arrows_move_between_cards(window, qtbot):
    assert window.open_path(GRAPHS / "mlp_digits.json")
    dialog = window.lesson_gallery.show()
    qtbot.waitExposed(dialog)
    first = _card(dialog, "mlp_digits.json")
    assert dialog.focusWidget() is first, "the open lesson's card has the focus"
    qtbot.keyClick(first, Qt.Key_Right)
    second = _card(dialog, "moons_boundary.json")
    assert dialog.focusWidget() is second
    qtbot.keyClick(second, Qt.Key_Down)
    assert dialog.focusWidget() is _card(dialog, "deep_relu_he.json"), "down: the next topic's row"
    qtbot.keyClick(dialog.focusWidget(), Qt.Key_Up)
    assert dialog.focusWidget() is second
    qtbot.keyClick(second, Qt.Key_Return)
    assert window.controller.doc.path == GRAPHS / "moons_boundary.json"
    assert not dialog.isVisible()


def test_file_menu_entry_and_its_shortcut_clash_with_nothing(window):
    texts = [a.text() for a in window.file_menu.actions()]
    assert "&Lessons…" in texts
    key = window.lessons_action.shortcut()
    assert key == QKeySequence(gallery.SHORTCUT)
    others = [a for a in window.findChildren(type(window.lessons_action))
              if a is not window.lessons_action and key in a.shortcuts()]
    assert others == []
    window.lessons_action.trigger()
    assert window.lesson_gallery.dialog.isVisible()
    window.lesson_gallery.dialog.reject()


def test_unsaved_edits_are_asked_about_and_cancel_keeps_them(window, qtbot):
    assert window.open_path(GRAPHS / "mlp_digits.json")
    edited = _edit(window)
    asked = []
    window.ask_save_changes = lambda: asked.append(1) or "cancel"
    dialog = window.lesson_gallery.show()
    qtbot.waitExposed(dialog)
    _click(qtbot, _card(dialog, "vae.json"))
    assert asked == [1]
    assert window.controller.doc.to_dict() == edited and window.isWindowModified()
    assert window.controller.doc.path == GRAPHS / "mlp_digits.json"
    assert dialog.isVisible() and "changes are kept" in dialog.message.text()
    # a second choice, answered "discard", opens it
    window.ask_save_changes = lambda: asked.append(2) or "discard"
    _click(qtbot, _card(dialog, "vae.json"))
    assert asked == [1, 2] and window.controller.doc.path == GRAPHS / "vae.json"
    assert not window.isWindowModified() and not dialog.isVisible()


def test_save_answer_writes_the_edit_before_the_lesson_opens(window, qtbot, tmp_path):
    copy = tmp_path / "mine.json"
    shutil.copy(GRAPHS / "mlp_digits.json", copy)
    assert window.open_path(copy)
    edited = _edit(window)
    window.save_answers = ["save"]
    dialog = window.lesson_gallery.show()
    _click(qtbot, _card(dialog, "churn.json"))
    assert json.loads(copy.read_text(encoding="utf-8")) == edited
    assert window.controller.doc.path == GRAPHS / "churn.json"


def test_a_running_training_keeps_the_lesson_and_the_gallery_says_why(window, qtbot):
    assert window.open_path(GRAPHS / "mlp_digits.json")
    dialog = window.lesson_gallery.show()
    window.controller.set_locked(True)        # as while a run trains
    _click(qtbot, _card(dialog, "vae.json"))
    assert window.controller.doc.path == GRAPHS / "mlp_digits.json"
    assert dialog.isVisible() and dialog.message.isVisible() and dialog.message.text()
    window.controller.set_locked(False)


def test_a_broken_lesson_gets_a_one_line_card_and_the_others_still_open(window, qtbot, tmp_path):
    for name in ("mlp_digits.json", "vae.json"):
        shutil.copy(GRAPHS / name, tmp_path / name)
    (tmp_path / "broken.json").write_text('{"nodes": [\n  {,}]}', encoding="utf-8")
    (tmp_path / "not_a_graph.json").write_text('{"format": "spreadsheet"}', encoding="utf-8")
    window.lesson_gallery.folder = tmp_path
    dialog = window.lesson_gallery.show()
    qtbot.waitExposed(dialog)
    assert len(dialog.cards) == 4
    broken = _card(dialog, "broken.json")
    assert not broken.isEnabled() and broken.lesson.topic == UNREADABLE_TOPIC
    line = broken.question_label.text()
    assert "\n" not in line and line.startswith("Not valid JSON") and not broken.question_label.wordWrap()
    assert broken.question_label.fontMetrics().horizontalAdvance(line) <= broken.question_label.width()
    assert "cannot be opened: not valid JSON (line 2, column" in broken.toolTip()
    assert "format" in _card(dialog, "not_a_graph.json").toolTip()
    _click(qtbot, broken)
    assert window.errors == [] and dialog.isVisible(), "a broken card opens nothing"
    _click(qtbot, _card(dialog, "vae.json"))
    assert window.controller.doc.path == tmp_path / "vae.json"


def test_odd_meta_values_are_shown_as_plain_text_or_ignored(window, qtbot, tmp_path):
    data = json.loads((GRAPHS / "mlp_digits.json").read_text(encoding="utf-8"))
    cases = {
        "list_title.json": {"title": ["not", "text"], "question": 42, "topic": {"a": 1}, "order": "1"},
        "markup.json": {"title": "<img src=/dev/zero>", "question": "<b>bold?</b>\nsecond line",
                        "topic": "Autoencoders", "order": True},
        "long.json": {"title": "T" * 5000, "question": "Why " * 20000, "topic": "x" * 3000,
                      "order": 10**15},
    }
    for name, meta in cases.items():
        (tmp_path / name).write_text(json.dumps({**data, "meta": meta}), encoding="utf-8")
    lessons = {lesson.path.name: lesson for lesson in read_lessons(tmp_path)}
    assert lessons["list_title.json"].title == "list_title"     # the file's name stands in
    assert lessons["list_title.json"].question == "" and lessons["list_title.json"].topic == "Other lessons"
    assert lessons["markup.json"].question == "<b>bold?</b> second line"
    assert len(lessons["long.json"].title) == MAX_TITLE and len(lessons["long.json"].question) == MAX_QUESTION
    window.lesson_gallery.folder = tmp_path
    dialog = window.lesson_gallery.show()
    qtbot.waitExposed(dialog)
    markup = _card(dialog, "markup.json")
    assert markup.title_label.textFormat() == Qt.PlainText
    assert markup.title_label.text() == "<img src=/dev/zero>"
    assert all(c.isEnabled() for c in dialog.cards)
    assert isinstance(dialog, LessonGallery)


def test_the_app_shows_the_gallery_once_on_its_first_start(window, qtbot):
    assert window.lesson_gallery.dialog is None, "building the window shows no gallery"
    app = QApplication.instance()
    # the app's start path with no file named: the default lesson opens, then the gallery
    gui_app._open_first(app, window, gui_app.DEFAULT_LESSON, offer_gallery=True)
    qtbot.waitUntil(lambda: window.lesson_gallery.dialog is not None
                    and window.lesson_gallery.dialog.isVisible())
    assert window.controller.doc.path == gui_app.DEFAULT_LESSON
    window.lesson_gallery.dialog.reject()
    first = window.lesson_gallery.dialog
    # the next start (same settings) does not show it again
    gui_app._open_first(app, window, gui_app.DEFAULT_LESSON, offer_gallery=True)
    qtbot.wait(50)
    assert window.lesson_gallery.dialog is first and not first.isVisible()
    assert gallery.show_on_first_start(window) is False


def test_a_file_named_on_the_command_line_never_shows_it(window, qtbot):
    gui_app._open_first(QApplication.instance(), window, GRAPHS / "vae.json", offer_gallery=False)
    qtbot.wait(50)
    assert window.lesson_gallery.dialog is None
    assert gallery.show_on_first_start(window) is True     # the flag was left unset


def test_screenshot_mode_never_shows_it(tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(gallery.LessonGalleryCommand, "show", lambda self: shown.append(self))
    monkeypatch.setattr(gallery, "show_on_first_start", lambda w: shown.append(w))
    png = tmp_path / "shot.png"
    assert gui_app.main([str(gui_app.DEFAULT_LESSON), "--screenshot", str(png), "--size", "800x600"]) == 0
    assert png.exists() and shown == []


def test_shown_again_it_is_reused_until_a_lesson_file_changes(window, qtbot, tmp_path):
    for name in ("mlp_digits.json", "vae.json"):
        shutil.copy(GRAPHS / name, tmp_path / name)
    window.lesson_gallery.folder = tmp_path
    first = window.lesson_gallery.show()
    _click(qtbot, _card(first, "vae.json"))
    again = window.lesson_gallery.show()
    assert again is first, "nothing changed: the same cards"
    assert _card(again, "vae.json").property("current") and not _card(again, "mlp_digits.json").property("current")
    again.reject()
    data = json.loads((tmp_path / "mlp_digits.json").read_text(encoding="utf-8"))
    data["meta"]["question"] = "A question asked today?"
    (tmp_path / "mlp_digits.json").write_text(json.dumps(data), encoding="utf-8")
    rebuilt = window.lesson_gallery.show()
    assert rebuilt is not first
    assert _card(rebuilt, "mlp_digits.json").question_label.text() == "A question asked today?"


def test_a_topic_in_the_list_scrolls_its_heading_into_view(window, qtbot):
    dialog = window.lesson_gallery.show()
    qtbot.waitExposed(dialog)
    row = [topic for topic, _g, _c in dialog.sections].index("GANs")
    item = dialog.topics.item(row)
    assert item.text().startswith("GANs")
    qtbot.mouseClick(dialog.topics.viewport(), Qt.LeftButton,
                     pos=dialog.topics.visualItemRect(item).center())
    heading = dialog.headings[row]
    top = heading.mapTo(dialog.scroll.viewport(), QPoint(0, 0)).y()
    assert 0 <= top < dialog.scroll.viewport().height() // 2, "the heading near the top of the view"
    assert dialog.topics.currentRow() == row


def test_lessons_that_share_a_drawing_are_told_apart_by_their_recipe_line(window, qtbot):
    names = ("deep_sigmoid.json", "deep_relu_he.json", "exploding.json", "exploding_clipped.json")
    recipes = {lesson.path.name: lesson.recipe for lesson in read_lessons(GRAPHS)}
    assert recipes["deep_sigmoid.json"] == "64 · Xavier-U, sigmoid, sgd"
    assert recipes["deep_relu_he.json"] == "64 · He-N, relu, sgd"
    assert recipes["exploding_clipped.json"].endswith(", clip norm 1")
    assert len({recipes[n] for n in names}) == len(names)
    dialog = window.lesson_gallery.show()
    qtbot.waitExposed(dialog)
    for name in names:
        card = _card(dialog, name)
        assert card.recipe_label.isVisible() and card.recipe_label.full_text == recipes[name]
    # the RBM lesson has no repeated block and no optimizer: no empty line on its card
    assert recipes["rbm_digits.json"] == "" and not _card(dialog, "rbm_digits.json").recipe_label.isVisible()
