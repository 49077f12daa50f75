"""Every block's summary (the words on its node face) comes back as a short str whatever a
hand-edited file put in its params: the canvas draws it before anything has validated them."""
import math

import pytest

from engine import blocks
from engine.blocks.face_text import LIMIT, number, text

HOSTILE_VALUES = [
    None, True, False, "", "abc", "<b>bold</b><img src=/dev/zero>", "line\nbreak\ttab",
    "x" * 100_000, 0, -1, 10**400, -(10**5000), 1e308, -1e308, math.inf, -math.inf, math.nan,
    [], [1, 2], [{"a": 1}, {"b": [None, {"c": 10**5000}]}], {}, {"a": 1}, {"units": {"x": []}},
    [[[[[[]]]]]], 3.5, "he_uniform",
]


def _param_names(block) -> list[str]:
    return [p.name for p in block.params] or ["anything"]


@pytest.mark.parametrize("name", sorted(blocks.REGISTRY))
@pytest.mark.parametrize("bad", HOSTILE_VALUES, ids=lambda v: type(v).__name__)
def test_summary_of_any_single_bad_param_is_a_short_str(name, bad):
    block = blocks.REGISTRY[name]
    for pname in _param_names(block):
        # the way the canvas calls it (defaults filled in, one value bad) and raw, unresolved
        for params in (block.resolve({pname: bad}), {pname: bad}):
            s = block.summary(params)
            assert isinstance(s, str), (name, pname, bad, s)
            assert "\n" not in s and len(s) <= 3 * LIMIT, (name, pname, s[:200])


@pytest.mark.parametrize("name", sorted(blocks.REGISTRY))
def test_summary_when_every_param_is_wrong_at_once(name):
    block = blocks.REGISTRY[name]
    for bad in HOSTILE_VALUES:
        params = {p: bad for p in _param_names(block)}
        assert isinstance(block.summary(params), str)


@pytest.mark.parametrize("name", sorted(blocks.REGISTRY))
@pytest.mark.parametrize("params", [{}, None, [], "units", 5, {1: 2, None: 3}],
                         ids=["empty", "none", "list", "str", "int", "odd keys"])
def test_summary_of_params_that_are_not_a_dict_of_strings(name, params):
    assert isinstance(blocks.REGISTRY[name].summary(params), str)


def test_good_params_still_read_as_before():
    assert blocks.get("Dense").summary(blocks.get("Dense").resolve({"units": 64, "init": "he_normal"})) \
        == "64 · He-N"
    dense = blocks.get("Dense").resolve({"units": 8, "init_scale": 2.5})
    assert blocks.get("Dense").summary(dense) == "8 · Xavier-U ×2.5"
    assert blocks.get("Loss").summary({"kind": "mse", "weight": 0.5}) == "mse x0.5"
    assert blocks.get("Dropout").summary({"p": 0.25}) == "p = 0.25"
    assert blocks.get("Augment").summary(blocks.get("Augment").resolve({})) == "shift 1, rot 10°"


def test_a_fixed_spread_times_its_scale_is_said_as_one_number():
    """The exploding lessons' weights: "N(0, .05) ×10" was cut on the canvas before the ×10."""
    dense = blocks.get("Dense")
    assert dense.summary(dense.resolve({"units": 64, "init": "random_normal",
                                        "init_scale": 10.0})) == "64 · N(0, .5)"
    assert dense.summary(dense.resolve({"units": 64, "init": "random_uniform",
                                        "init_scale": 2})) == "64 · U(±.1)"
    assert dense.summary(dense.resolve({"units": 64, "init": "random_normal"})) == "64 · N(0, .05)"


def test_wrong_values_are_said_as_they_are():
    dense = blocks.get("Dense")
    assert dense.summary(dense.resolve({"units": "abc"})).startswith("abc · ")
    assert dense.summary(dense.resolve({"units": [1, 2], "init": 5})) == "[1, 2] · 5"
    assert dense.summary(dense.resolve({"units": 1e308})).startswith("1e+308")
    assert blocks.get("Activation").summary({"fn": [{"a": 1}]}) == '[{"a": 1}]'


def test_text_helpers_bound_every_value():
    assert number(10**400).startswith("~1e+4") and number(-(10**5000)).startswith("-~1e+")
    assert number(math.nan) == "nan" and number(1e308) == "1e+308" and number(7) == "7"
    assert text(None) == "null" and text(True) == "true"
    assert text("a\nb") == "a b"
    long = text(list(range(100_000)))
    assert len(long) == LIMIT and long.endswith("…")
    assert isinstance(text([10**5000]), str)     # past str()'s digit limit, inside a list
    assert isinstance(text(object()), str)
