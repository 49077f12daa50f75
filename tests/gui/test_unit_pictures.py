"""Hidden units' pictures on the canvas: made by the training thread, hung under each hidden
layer's node, kept after the run, cleared by a reset; nothing for data with more than two
features."""
from __future__ import annotations

import threading

import numpy as np

from engine.training import unit_pictures
from gui.canvas.live_face import unit_card
from tests.conftest import GRAPHS

MOONS = GRAPHS / "moons_boundary.json"


def _cards(window) -> dict:
    return {item.node_id: card for item in window.scene.node_items()
            if (card := unit_card(item)) is not None}


def test_moons_hidden_layers_show_one_picture_per_unit_until_a_reset(window, qtbot, monkeypatch):
    threads: list[int] = []
    real = unit_pictures.unit_pictures

    def recorded(*args, **kwargs):
        threads.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(unit_pictures, "unit_pictures", recorded)
    assert window.open_path(MOONS)
    s = window.session
    s.run_action.trigger()
    qtbot.waitUntil(lambda: len(s.state.epochs) >= 2, timeout=30_000)
    s.pause()
    qtbot.waitUntil(lambda: set(_cards(window)) == {"h1", "h2"}, timeout=10_000)
    assert threads and threading.get_ident() not in threads, "made by the training thread"
    serial, pictures = s.units.latest()
    qtbot.waitUntil(lambda: _cards(window)["h1"].shown is s.units.latest()[1]["h1"],
                    timeout=5_000)
    for nid in ("h1", "h2"):
        card = _cards(window)[nid]
        assert len(card.images) == len(card.tiles) == 16 and card.more == 0
        # the picture of a unit is the engine's values, drawn blue-white-orange
        values = card.shown["values"]
        assert card.shown["source"] == {"h1": "a1.out", "h2": "a2.out"}[nid]
        assert len({card.images[i].constBits().tobytes() for i in range(16)}) == 16
        assert not np.allclose(values[0], values[1])
        assert f"outputs after a{nid[1]}" in card.toolTip() and card.caption == ""
        assert card.isVisible() and card.scene() is window.scene
    # a single step while paused brings the pictures of the new weights
    s.step_action.trigger()
    qtbot.waitUntil(lambda: s.units.latest()[0] > serial, timeout=10_000)
    # the end of a run keeps its last pictures
    s.stop()
    qtbot.waitUntil(lambda: s.status == "idle", timeout=20_000)
    last = s.units.latest()[1]
    qtbot.waitUntil(lambda: _cards(window).get("h1") is not None
                    and _cards(window)["h1"].shown is last["h1"], timeout=5_000)
    s.reset_action.trigger()
    assert _cards(window) == {}


def test_more_units_than_drawn_are_counted_on_the_card(window, qtbot):
    assert window.open_path(MOONS)
    window.controller.set_param("h1", "units", 40)
    s = window.session
    s.step_action.trigger()
    qtbot.waitUntil(lambda: "h1" in _cards(window), timeout=20_000)
    card = _cards(window)["h1"]
    assert len(card.images) == unit_pictures.MAX_UNITS and card.more == 40 - unit_pictures.MAX_UNITS
    assert "+24 more" in card.caption
    s.stop()
    qtbot.waitUntil(lambda: s.status == "idle", timeout=20_000)


def test_data_with_more_than_two_features_gets_no_pictures(window, qtbot):
    assert window.open_path(GRAPHS / "mlp_digits.json")
    s = window.session
    s.step_action.trigger()
    qtbot.waitUntil(lambda: s.state.rows >= 1, timeout=20_000)
    assert not s.units.active and s.units.latest() == (0, {}) and s.units.seconds == 0
    assert _cards(window) == {}
    s.stop()
    qtbot.waitUntil(lambda: s.status == "idle", timeout=20_000)


def test_a_run_the_pictures_cannot_read_trains_on_without_them():
    from types import SimpleNamespace

    from gui.training.unit_mailbox import UnitPicturesBox

    box = UnitPicturesBox()
    assert not box.begin(SimpleNamespace(context=SimpleNamespace(model=None)))
    assert box.latest() == (0, {}) and "no unit pictures" in box.problem
    box.active = True          # a set that fails mid-run stops the pictures, not the run
    box.sample(SimpleNamespace(context=None))
    assert not box.active and "unit pictures stopped" in box.problem
