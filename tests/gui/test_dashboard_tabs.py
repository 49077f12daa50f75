"""Which dashboard tabs a run gets: only those it has something to show on."""
from __future__ import annotations

from tests.conftest import GRAPHS


def test_a_regression_run_has_no_classes_tab(window, qtbot):
    assert window.open_path(GRAPHS / "regression_diabetes.json")
    d = window.dashboard.dashboard
    window.session.step_action.trigger()          # one batch, then paused
    qtbot.waitUntil(lambda: window.session.state.rows >= 1, timeout=20_000)
    qtbot.waitUntil(lambda: "classes" not in d.available_views(), timeout=5_000)
    assert d.available_views() == ["overview", "layers"]
    assert not d.show_view("classes")
    window.session.stop()
    qtbot.waitUntil(lambda: window.session.status == "idle", timeout=20_000)
    # a classifier keeps it
    assert window.open_path(GRAPHS / "mlp_digits.json")
    window.session.step_action.trigger()
    qtbot.waitUntil(lambda: window.session.state.rows >= 1, timeout=20_000)
    window.dashboard.dashboard.refresh()
    assert "classes" in d.available_views()
    window.session.stop()
    qtbot.waitUntil(lambda: window.session.status == "idle", timeout=20_000)
