"""The app opens its first graph only once the window is on screen, and it starts and quits
cleanly as a user starts it."""
import os
import subprocess
import sys

from PySide6.QtWidgets import QLabel

from gui.first_frame import FALLBACK_MS, after_first_frame
from tests.conftest import ROOT


def test_the_work_runs_once_after_the_window_is_exposed(qtbot):
    w = QLabel("x")
    qtbot.addWidget(w)
    w.show()
    calls = []
    after_first_frame(w, lambda: calls.append(w.windowHandle().isExposed()))
    assert calls == []                      # never from inside show() or the call itself
    qtbot.waitUntil(lambda: bool(calls), timeout=3000)
    w.hide()
    w.show()                                # neither a second expose nor the fallback timer
    qtbot.wait(FALLBACK_MS + 100)           # runs it again
    assert calls == [True]


def test_the_app_paints_its_first_frame_before_opening_the_lesson(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", DEEPCANVAS_STARTUP_PROBE="1",
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CACHE_HOME=str(tmp_path / "cache"))
    r = subprocess.run([sys.executable, "main.py"], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["first-frame", "opened"]
