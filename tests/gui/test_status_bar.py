"""The status bar's word on the graph never contradicts what the run is doing."""
from __future__ import annotations

from tests.conftest import GRAPHS


def _said(window) -> str:
    return window.status.check_label.text()


def test_while_a_run_trains_or_is_paused_the_bar_says_so_not_ready(window, qtbot):
    window.open_path(GRAPHS / "mlp_digits.json")
    qtbot.waitUntil(lambda: _said(window) == "● ready to train", timeout=10_000)
    s = window.session
    s.run_action.trigger()
    qtbot.waitUntil(lambda: s.status == "running", timeout=10_000)
    assert _said(window) == "● training"
    s.pause_action.trigger()
    qtbot.waitUntil(lambda: s.status == "paused", timeout=10_000)
    assert _said(window) == "● paused"
    s.stop()
    qtbot.waitUntil(lambda: s.status == "idle", timeout=10_000)
    assert _said(window) == "● ready to train"      # stopped by the user: nothing failed


def test_after_a_failed_run_the_bar_says_it_failed_until_the_graph_changes(window, qtbot):
    window.open_path(GRAPHS / "exploding.json")
    qtbot.waitUntil(lambda: _said(window) == "● ready to train", timeout=10_000)
    s = window.session
    s.run_action.trigger()
    qtbot.waitUntil(lambda: s.status == "idle" and s.state.snapshot().done is not None,
                    timeout=60_000)
    assert s.state.snapshot().done.reason == "diverged"      # the lesson's network blows up
    assert "failed" in _said(window) and "ready" not in _said(window)
    qtbot.wait(300)                                           # and it stays said
    assert "failed" in _said(window)
    assert window.controller.set_param("h1", "units", 32)
    qtbot.waitUntil(lambda: _said(window) == "● ready to train", timeout=10_000)
