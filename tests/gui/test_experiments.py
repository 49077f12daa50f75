"""One-click experiments: each control of the Experiment panel is one undo step, and every
control shows what the document holds (after undo, redo, another file, a lock)."""
from __future__ import annotations

import copy

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionSlider, QTabBar

from engine import graph
from gui.classroom.experiment_dataset import SYNTHETIC_ONLY
from gui.classroom.experiment_targets import hidden_activations
from gui.editor.controller import LOCKED_MESSAGE
from tests.conftest import ROOT

GRAPHS = ROOT / "graphs"


@pytest.fixture
def panel(window, qtbot):
    window.controller.open_file(GRAPHS / "moons_boundary.json")
    window.experiment_dock.raise_()
    qtbot.waitUntil(lambda: window.experiment_panel.shown)
    return window.experiment_panel


def doc_dict(window) -> dict:
    return copy.deepcopy(window.controller.doc.to_dict())


def params(window, node: str) -> dict:
    return window.controller.doc.nodes[node].params


# ---- the mouse on real widgets --------------------------------------------------------------------
def _send(widget, kind, pos: QPoint, button, buttons) -> None:
    ev = QMouseEvent(kind, QPointF(pos), QPointF(widget.mapToGlobal(pos)), button, buttons,
                     Qt.NoModifier)
    QApplication.sendEvent(widget, ev)


def handle_centre(slider) -> QPoint:
    opt = QStyleOptionSlider()
    slider.initStyleOption(opt)
    return slider.style().subControlRect(QStyle.CC_Slider, opt, QStyle.SC_SliderHandle,
                                         slider).center()


def drag_slider(value_slider, dx: int, during=None) -> None:
    """Press the handle, move it in steps, call `during()` before letting go, release."""
    s = value_slider.slider
    start = handle_centre(s)
    _send(s, QMouseEvent.MouseButtonPress, start, Qt.LeftButton, Qt.LeftButton)
    for i in range(1, 9):
        _send(s, QMouseEvent.MouseMove, start + QPoint(dx * i // 8, 0), Qt.NoButton, Qt.LeftButton)
    if during is not None:
        during()
    _send(s, QMouseEvent.MouseButtonRelease, start + QPoint(dx, 0), Qt.LeftButton, Qt.NoButton)


def choose(qtbot, combo, text: str) -> None:
    """Open the combo's list and click the item, as a user does."""
    index = combo.findText(text)
    assert index >= 0, f"{text!r} not offered: {[combo.itemText(i) for i in range(combo.count())]}"
    combo.showPopup()
    view = combo.view()
    qtbot.waitUntil(view.isVisible)
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=view.visualRect(view.model().index(index, 0)).center())
    qtbot.waitUntil(lambda: not view.isVisible())


# ---- the Dataset picker ------------------------------------------------------------------------------
def test_picking_circles_sets_the_source_and_one_undo_restores_the_whole_document(window, panel, qtbot):
    before = doc_dict(window)
    thumbs = panel.picker.thumbs
    assert thumbs["moons"].isChecked() and not thumbs["circles"].isChecked()

    qtbot.mouseClick(thumbs["circles"], Qt.LeftButton)

    assert params(window, "data")["source"] == "synthetic:circles"
    assert window.controller.undo_stack.count() == 1
    assert thumbs["circles"].isChecked() and not thumbs["moons"].isChecked()
    window.controller.undo()
    assert doc_dict(window) == before
    assert thumbs["moons"].isChecked() and not thumbs["circles"].isChecked()
    window.controller.redo()
    assert params(window, "data")["source"] == "synthetic:circles"
    assert thumbs["circles"].isChecked()


def test_the_thumbnails_are_pictures_of_six_different_sets(panel):
    images = {name: b.icon().pixmap(96, 96).toImage() for name, b in panel.picker.thumbs.items()}
    assert set(images) == {"moons", "circles", "spirals", "blobs", "xor", "ring"}
    assert all(not img.isNull() and img.width() >= 80 for img in images.values())
    assert len({bytes(img.constBits()) for img in images.values()}) == 6


def test_a_slider_drag_is_one_undo_step_committed_on_release(window, panel, qtbot):
    noise = panel.picker.noise
    assert noise.value_label.text() == "0.2"
    seen = {}

    def while_held():
        seen["noise"] = params(window, "data")["noise"]
        seen["label"] = noise.value_label.text()
        seen["steps"] = window.controller.undo_stack.count()

    drag_slider(noise, 120, while_held)

    # while the handle is held the value is shown, and the document is left alone
    assert seen["noise"] == 0.2 and seen["steps"] == 0
    assert seen["label"] != "0.2"
    after = params(window, "data")["noise"]
    assert after > 0.2 and noise.value_label.text() == f"{after:.3g}"
    assert window.controller.undo_stack.count() == 1
    window.controller.undo()
    assert params(window, "data")["noise"] == 0.2
    assert noise.value_label.text() == "0.2"


def test_samples_and_test_split_sliders_edit_the_dataset(window, panel, qtbot):
    panel.picker.samples.slider.setFocus()
    qtbot.keyClick(panel.picker.samples.slider, Qt.Key_Right)
    assert params(window, "data")["n_samples"] == 800
    drag_slider(panel.picker.test_split, -200)
    assert params(window, "data")["test_split"] < 0.2
    assert window.controller.undo_stack.count() == 2
    window.controller.undo()
    window.controller.undo()
    assert params(window, "data")["n_samples"] == 600 and params(window, "data")["test_split"] == 0.2
    assert panel.picker.samples.value_label.text() == "600"
    assert panel.picker.test_split.value_label.text() == "20%"


def test_a_source_that_is_not_synthetic_is_replaced_only_when_the_user_agrees(window, panel, qtbot):
    window.controller.open_file(GRAPHS / "mlp_digits.json")
    picker = panel.picker
    data = picker.source.node
    assert params(window, data)["source"] == "sklearn:digits"
    assert not any(b.isChecked() for b in picker.thumbs.values())
    assert not picker.noise.isEnabled() and picker.noise.toolTip() == SYNTHETIC_ONLY
    assert picker.test_split.isEnabled()
    asked = []
    picker.confirm_replace = lambda old, new: asked.append((old, new)) or False

    qtbot.mouseClick(picker.thumbs["xor"], Qt.LeftButton)

    assert asked == [("sklearn:digits", "synthetic:xor")]
    assert params(window, data)["source"] == "sklearn:digits"
    assert not picker.thumbs["xor"].isChecked()
    assert window.controller.undo_stack.count() == 0
    picker.confirm_replace = lambda old, new: True
    qtbot.mouseClick(picker.thumbs["xor"], Qt.LeftButton)
    assert params(window, data)["source"] == "synthetic:xor"
    assert picker.noise.isEnabled()
    window.controller.undo()
    assert params(window, data)["source"] == "sklearn:digits"


def test_with_no_dataset_the_picker_is_off_and_says_why(window, panel, qtbot):
    window.controller.new_document()
    picker = panel.picker
    assert not any(b.isEnabled() for b in picker.thumbs.values())
    assert picker.reason.isVisible()
    assert picker.reason.text() == "No Dataset block in this graph: add one to pick a data set"
    assert not picker.noise.isEnabled() and not picker.test_split.isEnabled()


# ---- quick controls ----------------------------------------------------------------------------------
def test_learning_rate_is_one_step_and_shows_the_value_after_undo(window, panel, qtbot):
    lr = panel.quick.lr
    assert lr.value_label.text() == "0.01"
    drag_slider(lr, 110)
    new = window.controller.doc.training["lr"]
    assert new >= 0.1 and lr.value_label.text() == f"{new:g}"     # two stops or more
    assert window.controller.undo_stack.count() == 1
    window.controller.undo()
    assert window.controller.doc.training["lr"] == 0.01
    assert lr.value_label.text() == "0.01"


def test_hidden_activation_changes_every_hidden_layer_not_the_output_in_one_step(window, panel, qtbot):
    before = doc_dict(window)
    combo = panel.quick.activation
    assert combo.currentText() == "tanh"
    assert "softmax" not in [combo.itemText(i) for i in range(combo.count())]

    choose(qtbot, combo, "relu")

    assert params(window, "a1")["fn"] == "relu" and params(window, "a2")["fn"] == "relu"
    assert params(window, "softmax")["fn"] == "softmax"
    assert window.controller.undo_stack.count() == 1
    assert combo.currentText() == "relu"
    window.controller.undo()
    assert doc_dict(window) == before
    assert combo.currentText() == "tanh"


def test_mixed_hidden_activations_show_as_mixed(window, panel):
    window.controller.set_param("a2", "fn", "sigmoid")
    assert panel.quick.activation.currentText() == "(mixed)"


def test_regularisation_l2_replaces_l1_in_one_step(window, panel, qtbot):
    doc = graph.load(GRAPHS / "moons_boundary.json")
    doc.training["l1"] = 0.01
    window.controller.set_document(doc)
    quick = panel.quick
    assert quick.regulariser.currentText() == "L1"
    assert quick.strength.value_label.text() == "0.01"
    before = doc_dict(window)

    choose(qtbot, quick.regulariser, "L2")

    training = window.controller.doc.training
    assert training.get("l2") == 0.01 and "l1" not in training
    assert window.controller.undo_stack.count() == 1
    window.controller.undo()
    assert doc_dict(window) == before
    assert quick.regulariser.currentText() == "L1"


def test_regularisation_strength_and_none_are_each_one_step(window, panel, qtbot):
    quick = panel.quick
    assert quick.regulariser.currentText() == "none" and not quick.strength.isEnabled()
    choose(qtbot, quick.regulariser, "L2")
    assert window.controller.doc.training["l2"] == 0.001
    drag_slider(quick.strength, 80)
    strength = window.controller.doc.training["l2"]
    assert strength > 0.001
    choose(qtbot, quick.regulariser, "none")
    assert "l2" not in window.controller.doc.training
    assert window.controller.undo_stack.count() == 3
    window.controller.undo()
    assert window.controller.doc.training["l2"] == strength
    assert quick.strength.value_label.text() == f"{strength:g}"


# ---- locks, other files --------------------------------------------------------------------------------
def test_controls_are_disabled_while_a_run_holds_the_lock(window, panel, qtbot):
    before = doc_dict(window)
    window.controller.set_locked(True)
    controls = [*panel.picker.thumbs.values(), panel.picker.noise, panel.picker.samples,
                panel.picker.test_split, panel.quick.lr, panel.quick.activation,
                panel.quick.regulariser, panel.quick.strength]
    assert not any(c.isEnabled() for c in controls)
    assert all(c.toolTip() == LOCKED_MESSAGE for c in controls)
    assert panel.picker.reason.text() == LOCKED_MESSAGE
    # a click on a disabled thumbnail, and a direct call, both leave the graph alone
    qtbot.mouseClick(panel.picker.thumbs["spirals"], Qt.LeftButton)
    assert not panel.picker.pick("spirals")
    assert not panel.quick.set_hidden_activation("relu")
    assert doc_dict(window) == before
    window.controller.set_locked(False)
    assert all(c.isEnabled() for c in controls if c is not panel.quick.strength)


def test_the_controls_follow_another_file(window, panel):
    window.controller.open_file(GRAPHS / "deep_sigmoid.json")
    quick = panel.quick
    targets = hidden_activations(window.controller.doc)
    assert len(targets) >= 5
    assert quick.activation.currentText() == "sigmoid"
    assert quick.lr.value_label.text() == f"{window.controller.doc.training['lr']:g}"


def test_a_gan_has_no_single_learning_rate_to_set(window, panel):
    window.controller.open_file(GRAPHS / "gan_ring.json")
    assert not panel.quick.lr.isEnabled()
    assert "gan.d_lr" in panel.quick.lr.toolTip()
    assert panel.picker.thumbs["ring"].isChecked()


def test_composite_blocks_offer_their_hidden_activation_not_their_output(window):
    doc = graph.load(GRAPHS / "autoencoder.json")
    targets = {(t.node, t.param) for t in hidden_activations(doc)}
    composite = {n.id for n in doc.nodes.values() if "output_activation" in n.params}
    assert targets and all(param == "activation" for _node, param in targets)
    assert not any(param == "output_activation" for _node, param in targets)
    assert composite <= {node for node, _param in targets}


def test_the_panel_is_listed_under_view_panels(window):
    assert window.experiment_dock.objectName() == "experiment_dock"
    assert window.experiment_dock.toggleViewAction() in window.panels_menu.actions()


def test_a_run_brings_the_dashboard_forward_and_locks_the_controls_until_it_stops(window, panel,
                                                                                   qtbot):
    s = window.session
    s.run_action.trigger()
    qtbot.waitUntil(lambda: s.status == "running", timeout=10_000)
    s.pause_action.trigger()          # held, so the run cannot end while the test looks
    qtbot.waitUntil(lambda: s.status == "paused", timeout=10_000)
    qtbot.waitUntil(lambda: not panel.shown, timeout=5_000)
    assert window.controller.locked
    window.experiment_dock.raise_()
    qtbot.waitUntil(lambda: panel.shown)
    assert not panel.picker.thumbs["circles"].isEnabled()
    assert panel.quick.lr.toolTip() == LOCKED_MESSAGE
    s.stop()
    qtbot.waitUntil(lambda: s.status == "idle", timeout=10_000)
    assert panel.picker.thumbs["circles"].isEnabled() and panel.quick.lr.isEnabled()


def test_the_panel_draws_its_thumbnails_only_once_its_tab_is_shown(window, qtbot):
    # drawing them needs scikit-learn, a second to import, which the window must not pay at start
    panel = window.experiment_panel
    assert not panel.shown
    assert all(b.icon().isNull() for b in panel.picker.thumbs.values())
    window.experiment_dock.raise_()
    qtbot.waitUntil(lambda: panel.shown)
    assert not any(b.icon().isNull() for b in panel.picker.thumbs.values())


def test_the_tabs_stand_beside_the_dashboard_and_no_stray_tab_bar_shows(window, qtbot):
    # a tab bar below would take its height from the dashboard's plots
    inside = [tb for tb in window.findChildren(QTabBar)
              if tb.parent() is window and tb.isVisible() and window.rect().intersects(tb.geometry())]
    ours = [tb for tb in inside if "Experiment" in [tb.tabText(i) for i in range(tb.count())]]
    assert len(ours) == 1
    assert ours[0].shape() in (QTabBar.RoundedWest, QTabBar.TriangularWest)
    assert sorted(ours[0].tabText(i) for i in range(ours[0].count())) == ["Dashboard", "Experiment"]


def test_what_a_lesson_locks_is_off_with_its_reason_and_a_change_is_refused_whole(window, panel):
    doc = graph.load(GRAPHS / "moons_boundary.json")
    doc.meta["locks"] = {"params": {"a2": ["fn"]}, "training": ["lr"],
                         "message": "Change only the data"}
    window.controller.set_document(doc)
    quick, picker = panel.quick, panel.picker
    assert not quick.lr.isEnabled() and "Change only the data" in quick.lr.toolTip()
    assert not quick.activation.isEnabled() and "a2" in quick.activation.toolTip()
    assert quick.regulariser.isEnabled() and picker.thumbs["circles"].isEnabled()
    before = doc_dict(window)
    # a1 is free, a2 is not: changing only a1 would be half of the one-click change
    assert not quick.set_hidden_activation("relu")
    assert doc_dict(window) == before and window.controller.undo_stack.count() == 0
    window.controller.set_lesson_unlocked(True)
    assert quick.lr.isEnabled() and quick.activation.isEnabled()


def test_a_set_the_network_does_not_fit_says_why_run_would_stop(window, panel, qtbot):
    picker = panel.picker
    assert not picker.reason.isVisible()
    qtbot.mouseClick(picker.thumbs["blobs"], Qt.LeftButton)       # 3 classes; 'out' has 2 units
    qtbot.waitUntil(lambda: picker.reason.isVisible(), timeout=5_000)
    assert picker.reason.text() == ("Run would stop at 'loss': prediction width 2 does not fit "
                                    "3 classes: the last Dense needs 3 units")
    window.controller.undo()
    qtbot.waitUntil(lambda: not picker.reason.isVisible(), timeout=5_000)


def test_the_thumbnails_follow_the_theme(window, panel, user):
    def corner(name):
        return panel.picker.thumbs[name].icon().pixmap(90, 90).toImage().pixelColor(4, 4).name()
    assert corner("moons") == window.theme.base
    user.trigger("theme_dark")
    assert window.theme.dark and corner("moons") == window.theme.base


def test_values_a_file_should_not_hold_are_shown_not_fatal(window, panel, qtbot):
    doc = graph.load(GRAPHS / "moons_boundary.json")
    doc.nodes["data"].params.update({"noise": float("nan"), "n_samples": "lots",
                                     "test_split": float("inf"), "source": 5})
    doc.nodes["a1"].params["fn"] = "banana"
    doc.training.update({"lr": True, "l1": "x", "l2": -1})
    window.controller.set_document(doc)
    picker, quick = panel.picker, panel.quick
    assert picker.noise.value_label.text() == "nan"
    assert picker.samples.value_label.text() == "500"          # not a number: the default
    assert picker.test_split.value_label.text() == "inf%"
    assert not any(b.isChecked() for b in picker.thumbs.values())
    assert quick.lr.value_label.text() == "0.001"
    assert quick.regulariser.currentText() == "none"
    assert quick.activation.currentText() == "(mixed)"
