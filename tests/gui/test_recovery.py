"""Autosave and crash recovery: unsaved edits survive a window that never closed, a clean close
or a save leaves nothing behind, broken recovery files are skipped, and a failed save says why."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
import shiboken6
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtWidgets import QApplication, QLabel

from engine.graph import GraphDocument
from gui import recovery
from gui.main_window import MainWindow
from gui.recovery_dialog import recovery_box
from tests.conftest import GRAPHS


def copies(folder):
    return sorted(folder.glob("session-*.json")) if folder.is_dir() else []


def make_window(qtbot, tmp_path, folder, name, **kw):
    """A main window like the `window` fixture's, with its own settings and a given recovery
    folder; prompts are answered from lists and errors recorded instead of shown."""
    settings = QSettings(str(tmp_path / f"{name}.ini"), QSettings.IniFormat)
    w = MainWindow(settings, "light", recovery_dir=folder, **kw)
    w.errors, w.said, w.asked = [], [], []
    w.show_error = lambda title, message: w.errors.append(message)
    w.status.say = lambda text, ms=0: w.said.append(text)
    w.recover_answers = []
    w.ask_recover = lambda copy: (w.asked.append(copy), w.recover_answers.pop(0))[1]
    return w


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def crash(window) -> None:
    """Drop a window the way a crash does: no closeEvent, no clean-up of its own."""
    window.autosaver.timer.stop()
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    assert not shiboken6.isValid(window)


def test_a_crashed_windows_edits_are_restored_as_unsaved_changes_to_the_original_file(qtbot, tmp_path):
    lesson = tmp_path / "mlp_digits.json"
    shutil.copy(GRAPHS / "mlp_digits.json", lesson)
    folder = tmp_path / "recovery"
    first = make_window(qtbot, tmp_path, folder, "first", autosave_ms=50)
    assert first.open_path(lesson)
    assert copies(folder) == [], "nothing unsaved yet, so no copy"
    c = first.controller
    added = c.add_node("Dense", (900, 500))
    assert c.set_param("h1", "units", 100)
    edited = c.doc.to_dict()
    assert edited != json.loads(lesson.read_text())

    # the autosave timer (shortened to 50 ms here; a minute in the app) writes the copy
    def copy_is_current():
        files = copies(folder)
        return len(files) == 1 and json.loads(files[0].read_text())["graph"] == edited
    qtbot.waitUntil(copy_is_current, timeout=5000)
    saved = json.loads(copies(folder)[0].read_text())
    assert saved["original_path"] == str(lesson) and saved["saved_at"]
    crash(first)
    assert len(copies(folder)) == 1, "a crash leaves the copy behind"

    second = make_window(qtbot, tmp_path, folder, "second")
    qtbot.addWidget(second)
    assert second.open_path(GRAPHS / "deep_sigmoid.json")     # what the app opens at start
    second.recover_answers = ["restore"]
    assert second.offer_recovery()
    assert [a.original_path for a in second.asked] == [lesson]
    doc = second.controller.doc
    assert doc.to_dict() == edited and added in doc.nodes and doc.nodes["h1"].params["units"] == 100
    assert second.controller.dirty and second.isWindowModified()
    assert doc.path == lesson
    assert not second.controller.undo_stack.canUndo(), "the restored graph starts a fresh history"
    # the old copy is gone; the second window keeps its own copy of the still unsaved graph
    files = copies(folder)
    assert len(files) == 1 and files[0].name == second.autosaver.name
    assert json.loads(files[0].read_text())["graph"] == edited

    # Save writes the recovered graph to the original file, and then no copy is needed
    assert second.save()
    assert json.loads(lesson.read_text()) == edited
    assert not second.controller.dirty and copies(folder) == []
    assert second.errors == []


def test_a_clean_close_leaves_no_recovery_file_even_after_discard(window, tmp_path):
    folder = tmp_path / "recovery"
    assert window.open_path(GRAPHS / "mlp_digits.json")
    window.controller.set_param("h1", "units", 50)
    assert window.autosaver.save_now()
    assert len(copies(folder)) == 1
    window.save_answers = ["discard"]
    assert window.close()
    assert copies(folder) == []
    # and a closed window writes no more copies, whatever still happens to its document
    window.controller.set_param("h1", "units", 60)
    window.autosaver.save_now()
    assert copies(folder) == []


def test_a_close_the_user_cancels_keeps_the_copy(window, tmp_path):
    window.controller.add_node("Dense", (0, 0))
    assert window.autosaver.save_now()
    window.save_answers = ["cancel"]
    assert not window.close()
    assert len(copies(tmp_path / "recovery")) == 1


def test_saving_or_undoing_to_the_saved_state_removes_the_copy(window, tmp_path):
    folder = tmp_path / "recovery"
    window.controller.add_node("Dense", (0, 0))
    assert window.autosaver.save_now() and len(copies(folder)) == 1
    window.controller.undo()
    assert not window.controller.dirty and copies(folder) == []
    window.controller.redo()
    assert window.autosaver.save_now() and len(copies(folder)) == 1
    window.save_path = str(tmp_path / "mine.json")
    assert window.save_as()
    assert copies(folder) == []
    # the copy is only ever written to the recovery folder, never beside the user's file
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith((".", "session"))) == []


def test_starting_a_run_writes_a_copy_of_the_unsaved_graph(window, tmp_path, qtbot):
    folder = tmp_path / "recovery"
    assert window.open_path(GRAPHS / "mlp_digits.json")
    window.session.run_action.trigger()          # a clean graph: nothing to keep
    assert copies(folder) == []
    window.session.shutdown()
    qtbot.waitUntil(lambda: window.session.status == "idle", timeout=30_000)
    window.controller.set_training("epochs", 1)
    window.session.run_action.trigger()           # Run, as the toolbar button does
    files = copies(folder)
    assert len(files) == 1
    assert json.loads(files[0].read_text())["graph"]["training"]["epochs"] == 1
    window.session.shutdown()


def test_unreadable_recovery_files_are_skipped_with_a_message(qtbot, tmp_path):
    folder = tmp_path / "recovery"
    folder.mkdir()
    pid = dead_pid()
    good = json.loads(recovery.encode(GraphDocument()))
    bad_graph = dict(good, graph={"nodes": "not a list"})
    texts = {
        1: "{ this is not json",
        2: json.dumps(bad_graph),
        3: "[" * 100_000 + "]" * 100_000,          # nested past Python's recursion limit
        4: json.dumps(dict(good, saved_at="yesterday")),
        5: b"\xff\xfe not utf-8",
    }
    for n, text in texts.items():
        f = folder / f"session-{pid}-{n}.json"
        f.write_bytes(text) if isinstance(text, bytes) else f.write_text(text)
    w = make_window(qtbot, tmp_path, folder, "w")
    qtbot.addWidget(w)
    assert w.open_path(GRAPHS / "mlp_digits.json")
    before = w.controller.doc.to_dict()
    assert not w.offer_recovery()
    assert w.asked == [], "nothing usable was offered"
    skipped = [s for s in w.said if s.startswith("Skipped the unreadable recovery file")]
    assert len(skipped) == len(texts)
    assert any("nodes" in s for s in skipped), skipped
    assert w.controller.doc.to_dict() == before and not w.controller.dirty
    # moved aside, so the next start does not stumble over them again
    assert copies(folder) == [] and len(list(folder.glob("*.unreadable"))) == len(texts)
    w.said.clear()
    assert not w.offer_recovery() and w.said == []


def test_a_copy_that_a_running_process_owns_is_left_alone(qtbot, tmp_path):
    folder = tmp_path / "recovery"
    folder.mkdir()
    doc = GraphDocument()
    doc.set_meta("title", "someone's")
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (folder / f"session-{alive.pid}-1.json").write_text(recovery.encode(doc))
        (folder / f"session-{dead_pid()}-1.json").write_text(recovery.encode(doc))
        w = make_window(qtbot, tmp_path, folder, "w")
        qtbot.addWidget(w)
        w.recover_answers = ["discard"]
        assert not w.offer_recovery()
        assert len(w.asked) == 1 and w.asked[0].file.name.startswith("session-") \
            and str(alive.pid) not in w.asked[0].file.name
        assert [f.name for f in copies(folder)] == [f"session-{alive.pid}-1.json"]
    finally:
        alive.kill()
        alive.wait()


def test_later_keeps_the_copy_for_the_next_start(qtbot, tmp_path):
    folder = tmp_path / "recovery"
    folder.mkdir()
    (folder / f"session-{dead_pid()}-1.json").write_text(recovery.encode(GraphDocument()))
    w = make_window(qtbot, tmp_path, folder, "w")
    qtbot.addWidget(w)
    w.recover_answers = ["later", "later"]
    assert not w.offer_recovery()
    assert not w.offer_recovery()
    assert len(w.asked) == 2 and len(copies(folder)) == 1


def test_the_question_shows_the_file_and_time_as_plain_text(tmp_path, qtbot):
    doc = GraphDocument()
    doc.path = tmp_path / "<b>bold</b> & <i>x</i>.json"
    f = tmp_path / "copy.json"
    f.write_text(recovery.encode(doc))
    box = recovery_box(recovery.read(f))
    qtbot.addWidget(box)
    labels = [lab for lab in box.findChildren(QLabel) if lab.text()]
    assert labels and all(lab.textFormat() == Qt.PlainText for lab in labels)
    shown = "\n".join(lab.text() for lab in labels)
    assert str(doc.path) in shown and "just now" in shown
    assert {b.text() for b in box.buttons()} == {"Restore", "Discard", "Later"}
    untitled = tmp_path / "untitled.json"
    untitled.write_text(recovery.encode(GraphDocument()))
    box2 = recovery_box(recovery.read(untitled))
    qtbot.addWidget(box2)
    assert "untitled" in box2.informativeText()


@pytest.mark.parametrize("how", ["monkeypatched", "real"])
def test_a_save_that_cannot_encode_the_text_says_so_and_stays_unsaved(window, tmp_path, how):
    target = tmp_path / "out.json"
    target.write_text("the old file\n")
    assert window.open_path(GRAPHS / "mlp_digits.json")
    if how == "monkeypatched":
        window.controller.set_param("h1", "units", 70)

        def fail(path):
            raise UnicodeEncodeError("utf-8", "a\udc80b", 1, 2, "surrogates not allowed")
        window.controller.doc.save = fail
    else:
        # a lone surrogate, as os.listdir gives for a file name that is not UTF-8
        window.controller.set_training("note", "data from caf\udce9.csv")
    window.save_path = str(target)
    assert not window.save_as()
    assert len(window.errors) == 1
    assert str(target) in window.errors[0] and "UTF-8" in window.errors[0], window.errors
    assert window.controller.dirty and window.isWindowModified()
    assert target.read_text() == "the old file\n"
    assert window.controller.doc.path == GRAPHS / "mlp_digits.json"
    # the recovery copy escapes what the user's file could not hold, so it is still written
    assert window.autosaver.save_now()
    assert recovery.read(copies(tmp_path / "recovery")[0]).doc.to_dict() == window.controller.doc.to_dict()
    window.controller.doc.__dict__.pop("save", None)


@pytest.mark.parametrize("exc", [OSError(28, "No space left on device"), ValueError("bad value")])
def test_other_save_failures_name_the_file_and_the_reason(window, tmp_path, exc):
    window.controller.add_node("Dense", (0, 0))

    def fail(path):
        raise exc
    window.controller.doc.save = fail
    window.save_path = str(tmp_path / "x.json")
    assert not window.save_as()
    assert window.errors and str(tmp_path / "x.json") in window.errors[0]
    assert ("No space left" if isinstance(exc, OSError) else "bad value") in window.errors[0]
    assert window.controller.dirty
    window.controller.doc.__dict__.pop("save", None)


def test_the_default_folder_is_in_the_application_data_location():
    folder = recovery.default_folder()
    assert folder is not None and folder.name == "recovery"
    assert os.path.isabs(folder)
