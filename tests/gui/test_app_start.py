"""Starting the app where it cannot open a window says so in one line, not a Qt core dump."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from gui.app import EXIT_INVALID, no_display
from tests.conftest import GRAPHS, ROOT


def test_no_display_is_said_on_linux_only_and_only_without_one():
    assert "no display" in no_display({}, "linux")
    assert no_display({"DISPLAY": ":0"}, "linux") == ""
    assert no_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux") == ""
    assert no_display({"QT_QPA_PLATFORM": "offscreen"}, "linux") == ""
    assert no_display({}, "darwin") == "" and no_display({}, "win32") == ""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="elsewhere a window opens")
def test_the_window_without_a_display_exits_2_with_one_line():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), str(GRAPHS / "mlp_digits.json")],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == EXIT_INVALID
    assert r.stderr.strip().startswith("error: no display") and len(r.stderr.strip().splitlines()) == 1
