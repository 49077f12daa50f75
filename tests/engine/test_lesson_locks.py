"""meta.locks: what a lesson file may lock, and how a bad one is refused in one line."""
from __future__ import annotations

import pytest

from engine import graph
from engine.lesson_locks import NO_LOCKS, LockFileError, from_meta, parse

NODES = {"data": "Dataset", "h1": "Dense", "a1": "Activation", "out": "Dense", "loss": "Loss"}


def _doc(locks) -> graph.GraphDocument:
    return graph.from_dict({
        "meta": {"locks": locks},
        "nodes": [{"id": nid, "type": t, "params": {}, "pos": [0, 0]} for nid, t in NODES.items()],
    })


def _read(locks):
    doc = _doc(locks)
    return from_meta(doc.meta, doc.nodes)


def test_a_lesson_locks_what_it_names_and_nothing_else():
    locks, report = _read({"panels": ["palette", "inspector"], "params": {"h1": ["units"], "out": "*"},
                           "blocks": ["data"], "training": ["lr", "optimizer"],
                           "message": "Change only the activation"})
    assert report == ""
    assert locks.panels == {"palette", "inspector"}
    assert locks.param_locked("h1", "units") and not locks.param_locked("h1", "init")
    assert locks.param_locked("out", "units") and locks.param_locked("out", "bias")
    assert locks.param_locked("data", "source")           # a locked block locks its params
    assert locks.block_locked("data") and not locks.block_locked("h1")
    assert locks.training_locked("lr") and not locks.training_locked("epochs")
    assert not locks.param_locked("a1", "fn")


def test_refusals_name_the_item_and_give_the_lessons_reason():
    locks, _ = _read({"params": {"h1": ["units"]}, "blocks": ["data"], "training": ["lr"],
                      "panels": ["palette"], "message": "Change only the activation"})
    assert locks.why_param("h1", "units") == "'h1.units' is locked by the lesson: Change only the activation"
    assert locks.why_param("h1", "init") is None
    assert locks.why_block("data") == ("the block 'data' is locked by the lesson and cannot be deleted: "
                                       "Change only the activation")
    assert locks.why_block("h1") is None
    assert locks.why_training("lr") == "'training.lr' is locked by the lesson: Change only the activation"
    assert locks.why_panel("palette").startswith("the palette panel is hidden by the lesson")
    assert locks.why_panel("inspector") is None
    assert "units" in locks.describe_block("h1") and "cannot be deleted" in locks.describe_block("data")
    assert locks.describe_block("a1") == ""


def test_a_star_locks_every_block_setting_or_param():
    locks, report = _read({"blocks": "*", "training": "*"})
    assert report == ""
    assert all(locks.block_locked(n) for n in NODES) and locks.block_locked("added_later")
    assert locks.training_locked("epochs") and locks.training_locked("gan")
    assert locks.describe() == "This lesson locks every block and every training setting"


def test_without_a_message_the_refusal_still_says_who_locked_it():
    locks, _ = _read({"params": {"h1": ["units"]}})
    assert locks.why_param("h1", "units") == "'h1.units' is locked by the lesson"


def test_no_locks_and_empty_locks_lock_nothing():
    assert from_meta({}, {}) == (NO_LOCKS, "")
    locks, report = _read({})
    assert not locks and report == ""
    assert NO_LOCKS.why_param("h1", "units") is None and NO_LOCKS.why_block("data") is None


@pytest.mark.parametrize("raw, key, what", [
    (["palette"], "meta.locks", "must be an object"),
    ({"param": {"h1": ["units"]}}, "meta.locks", "unknown key 'param'"),
    ({"panels": "palette"}, "meta.locks.panels", "must be a list of names"),
    ({"panels": ["sidebar"]}, "meta.locks.panels", "unknown name 'sidebar'"),
    ({"params": ["h1"]}, "meta.locks.params", "must be an object"),
    ({"params": {"h1": "units"}}, "meta.locks.params.h1", 'a list of names or "*"'),
    ({"params": {"h1": [3]}}, "meta.locks.params.h1", 'a list of names or "*"'),
    ({"blocks": {"data": True}}, "meta.locks.blocks", 'a list of names or "*"'),
    ({"training": ["learning_rate"]}, "meta.locks.training", "unknown name 'learning_rate'"),
    ({"message": ["one", "two"]}, "meta.locks.message", "must be text"),
    ({"blocks": ["x"] * 10_001}, "meta.locks.blocks", "10001 entries"),
])
def test_a_locks_object_no_lesson_may_hold_is_refused_in_one_line_naming_the_key(raw, key, what):
    with pytest.raises(LockFileError) as err:
        parse(raw, _doc({}).nodes)
    text = str(err.value)
    assert text.startswith(key) and what in text and "\n" not in text
    locks, report = from_meta({"locks": raw}, _doc({}).nodes)
    assert locks == NO_LOCKS
    assert report.startswith(key) and report.endswith("the lesson opens without its locks")


def test_what_this_graph_lacks_is_left_out_and_reported_and_the_rest_holds():
    locks, report = _read({"blocks": ["data", "dta"], "params": {"h9": ["units"], "h1": ["units", "unit"]}})
    assert locks.block_locked("data") and not locks.block_locked("dta")
    assert locks.param_locked("h1", "units") and "h9" not in locks.params
    assert "meta.locks.blocks: no block 'dta'" in report
    assert "meta.locks.params: no block 'h9'" in report
    assert "meta.locks.params.h1: Dense has no param 'unit'" in report
    assert report.endswith("(left out; the other locks hold)") and "\n" not in report


def test_the_message_is_one_line_and_short_whatever_the_file_holds():
    locks, _ = _read({"blocks": ["data"], "message": "line one\nline two\u202e" + "x" * 1000})
    assert "\n" not in locks.message and "\u202e" not in locks.message
    assert len(locks.message) <= 300


def test_a_node_id_with_control_characters_is_quoted_safely():
    with pytest.raises(LockFileError) as err:
        parse({"params": {"h1\nEVIL": 5}}, {})
    assert "\n" not in str(err.value)


def test_describe_says_what_is_locked_in_words():
    locks, _ = _read({"panels": ["palette"], "params": {"h1": ["units"], "out": "*"},
                      "blocks": ["data"], "training": ["lr"], "message": "Only activations"})
    assert locks.describe() == ("This lesson locks 1 block, 1 param, every param of 1 block and "
                                "1 training setting and hides the palette panel: Only activations")
