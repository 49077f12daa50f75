"""Presenter mode: F5 folds the window down to the graph and a few large plots, the keys drive
a run, and Esc puts the window back as it was."""
from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt

from engine.lesson_meta import presenter_plots as lesson_plots

GRAPHS = Path(__file__).resolve().parents[2] / "graphs"
WAIT_MS = 20_000


def _steps(window) -> int:
    return window.session.state.snapshot().run_step


def _steady_steps(window, qtbot) -> int:
    """The step count once a pause has taken hold (a batch under way when Pause was pressed
    still finishes and reports)."""
    seen = [-1]

    def settled() -> bool:
        now = _steps(window)
        same = now == seen[0]
        seen[0] = now
        return same

    qtbot.waitUntil(settled, timeout=WAIT_MS)
    qtbot.wait(150)
    qtbot.waitUntil(settled, timeout=WAIT_MS)
    return seen[0]


def _open(window, qtbot, graph: Path) -> None:
    assert window.open_path(graph, ask=False)
    qtbot.wait(50)


def test_presenter_keys_drive_a_run_and_esc_restores_the_window(window, qtbot):
    _open(window, qtbot, GRAPHS / "moons_boundary.json")
    side = [window.palette_dock, window.lesson_dock, window.inspector_dock]
    shown_before = {d.objectName(): d.isVisible() for d in side}
    geometry = window.geometry()
    speed = window.dashboard.controls.speed
    view = window.view

    qtbot.keyClick(view, Qt.Key_F5)
    p = window.presenter
    assert p.active
    assert not any(d.isVisible() for d in side)
    assert not window.menuBar().isVisible() and not window.run_toolbar.isVisible()
    assert window.dashboard_dock.isVisible()
    assert p.page.names[0] == "boundary"          # two inputs, two classes: the boundary first
    assert not window.dashboard.dashboard.tabs.isVisible()
    assert window.dashboard.dashboard.large.isVisibleTo(window)

    # - slows the run down, + speeds it up, each along the speed slider
    full = speed.value()
    qtbot.keyClick(view, Qt.Key_Minus)
    qtbot.keyClick(view, Qt.Key_Minus)
    assert speed.value() < full and window.session.delay_s > 0
    slow, slow_delay = speed.value(), window.session.delay_s
    qtbot.keyClick(view, Qt.Key_Plus)
    assert speed.value() > slow and 0 < window.session.delay_s < slow_delay
    assert "per batch" in p.hint.text()

    # Space runs, not pans the canvas
    qtbot.keyClick(view, Qt.Key_Space)
    assert window.session.status == "running"
    assert not view._space
    qtbot.waitUntil(lambda: _steps(window) >= 3, timeout=WAIT_MS)

    # Space again pauses
    qtbot.keyClick(view, Qt.Key_Space)
    assert window.session.status == "paused"
    before = _steady_steps(window, qtbot)
    # nobody edits in front of the class: no orange 'editing is locked' line
    assert window.controller.locked and not window.status.lock_label.isVisibleTo(window)

    # Right: exactly one more step, still paused
    qtbot.keyClick(view, Qt.Key_Right)
    qtbot.waitUntil(lambda: _steps(window) == before + 1, timeout=WAIT_MS)
    assert _steady_steps(window, qtbot) == before + 1
    assert window.session.status == "paused"

    # R: the run stops and its history is cleared
    qtbot.keyClick(view, Qt.Key_R)
    qtbot.waitUntil(lambda: window.session.status == "idle"
                    and window.session.state.snapshot().start is None, timeout=WAIT_MS)
    assert _steps(window) == 0 and window.session.state.snapshot().done is None

    # Esc: everything as it was
    qtbot.keyClick(view, Qt.Key_Escape)
    assert not p.active
    assert window.status.lock_label.isVisibleTo(window) == window.controller.locked
    assert {d.objectName(): d.isVisible() for d in side} == shown_before
    assert window.menuBar().isVisible() and window.run_toolbar.isVisible()
    assert window.geometry() == geometry
    assert window.dashboard.dashboard.tabs.isVisible()
    assert window.dashboard.dashboard.large is None
    assert window.dashboard.thresholds_button.isVisible()
    assert window.dashboard.controls.buttons["run"].isVisible()
    assert window.dashboard.controls.styleSheet() == ""


def test_presenting_keys_do_nothing_outside_presenter_mode(window, qtbot):
    _open(window, qtbot, GRAPHS / "moons_boundary.json")
    qtbot.keyClick(window.view, Qt.Key_R)
    qtbot.keyClick(window.view, Qt.Key_Right)
    assert window.session.status == "idle" and window.session.run is None


def test_f5_again_leaves_and_the_view_menu_has_the_mode(window, qtbot):
    _open(window, qtbot, GRAPHS / "deep_sigmoid.json")
    zoom = window.view.zoom
    action = window.presenter.action
    assert action in window.view_menu.actions() and action.shortcut().toString() == "F5"
    action.trigger()
    assert window.presenter.active and action.isChecked()
    assert window.presenter.page.names == ["loss", "gradients", "gradient_history"]
    qtbot.keyClick(window.view, Qt.Key_F5)
    assert not window.presenter.active and not action.isChecked()
    qtbot.waitUntil(lambda: abs(window.view.zoom - zoom) < 1e-6, timeout=2000)


def test_presenter_plots_are_larger_and_thicker(window, qtbot):
    _open(window, qtbot, GRAPHS / "deep_sigmoid.json")
    window.presenter.enter(full_screen=False)
    mine = window.presenter.page.views[0]
    everyday = window.dashboard.dashboard.loss
    assert (mine.frame.title_label.font().pointSizeF()
            > 1.5 * everyday.frame.title_label.font().pointSizeF())
    assert mine.train_curve.opts["pen"].widthF() > 1.5 * everyday.train_curve.opts["pen"].widthF()
    window.presenter.leave()


def _wire_width(edge) -> float:
    from PySide6.QtGui import QImage, QPainter
    image = QImage(8, 8, QImage.Format_ARGB32)
    painter = QPainter(image)
    try:
        edge.paint(painter, None)
        return painter.pen().widthF()
    finally:
        painter.end()


def test_presenting_draws_the_wires_thicker_and_leaving_puts_them_back(window, qtbot):
    _open(window, qtbot, GRAPHS / "deep_sigmoid.json")
    edge = window.scene.edge_items()[0]
    everyday = _wire_width(edge)
    window.presenter.enter(full_screen=False)
    assert _wire_width(edge) >= 1.5 * everyday
    window.presenter.leave()
    assert _wire_width(edge) == everyday


def test_a_lesson_names_its_plots_and_bad_names_are_said_not_crashed_on(window, qtbot, tmp_path):
    doc = json.loads((GRAPHS / "moons_boundary.json").read_text())
    doc["meta"]["presenter"] = {"plots": ["loss", "nonsense", 3, "gradients"], "size": 9}
    path = tmp_path / "lesson.json"
    path.write_text(json.dumps(doc))
    _open(window, qtbot, path)
    window.presenter.enter(full_screen=False)
    assert window.presenter.page.names == ["loss", "gradients"]
    problems = window.presenter.problems
    assert len(problems) == 3          # the key 'size', the names 'nonsense' and 3
    assert "unknown key 'size'" in problems[0] and "'nonsense' is not a plot" in problems[1]
    # over the canvas one short line says there are problems; the status bar says which
    assert "3 problems: see the status bar" in window.presenter.hint.text()
    assert window.presenter.hint.width() <= window.view.width()
    for problem in problems:
        assert problem in window.statusBar().currentMessage()
    window.presenter.leave()


def test_meta_presenter_is_read_as_untrusted():
    assert lesson_plots({}) == (None, [])
    assert lesson_plots({"presenter": {"plots": ["gan_losses", "loss"]}}) == (["gan_losses", "loss"], [])
    names, problems = lesson_plots({"presenter": "large"})
    assert names is None and "must be an object" in problems[0]
    names, problems = lesson_plots({"presenter": {"plots": "loss"}})
    assert names is None and "must be a list" in problems[0]
    names, problems = lesson_plots({"presenter": {"plots": ["x" * 100_000]}})
    assert names is None and len(problems[0]) < 300
    names, problems = lesson_plots({"presenter": {"plots": ["loss", "metrics", "gradients",
                                                            "boundary", "loss"]}})
    assert names == ["loss", "metrics", "gradients"] and "boundary left out" in problems[0]


def test_closing_while_presenting_saves_the_everyday_layout(window, qtbot):
    _open(window, qtbot, GRAPHS / "moons_boundary.json")
    window.presenter.enter(full_screen=False)
    assert window.palette_dock.isHidden()
    window.close()
    assert not window.presenter.active
    assert not window.palette_dock.isHidden() and not window.menuBar().isHidden()
    # the layout the next start restores has the side panels
    saved = window.settings.value("window/state")
    window.palette_dock.hide()
    window.restoreState(saved)
    assert not window.palette_dock.isHidden()


def test_the_engine_knows_every_plot_presenter_mode_can_draw():
    """`main.py check` reads meta.presenter without Qt: its list of names is the app's."""
    from engine.lesson_meta import PRESENTER_PLOTS
    from gui.classroom.presenter_plots import PLOTS
    assert tuple(PLOTS) == PRESENTER_PLOTS
