"""CSV sources: finding the file, reading it, turning its columns into inputs and a target."""
from __future__ import annotations

import os
import time

import numpy as np
import pytest

from engine.data import csv_source
from engine.data.prepare import prepare
from engine.data.sources import load_bundle
from engine.errors import DataError
from tests.conftest import DATA

CHURN = {"target": "Exited", "drop": ["RowNumber", "CustomerId", "Surname"],
         "one_hot": ["Geography", "Gender"], "drop_first": True}


def write(path, text: str, encoding: str = "utf-8") -> str:
    path.write_bytes(text.encode(encoding))
    return str(path)


def load(path, **params):
    params.setdefault("target", "y")
    return load_bundle({"source": f"csv:{path}", **params}, node="data")


def error_of(path, **params) -> str:
    with pytest.raises(DataError) as info:
        load(path, **params)
    assert info.value.node == "data"
    assert "\n" not in str(info.value)
    return str(info.value)


TOY = "a,b,colour,y\n1,2.5,red,yes\n2,3.5,blue,no\n3,1.5,red,yes\n4,0.5,green,no\n"


# ---- finding the file -------------------------------------------------------------------------
def test_path_is_found_beside_the_graph_then_in_the_data_dir(tmp_path):
    graph_dir, data_dir = tmp_path / "graphs", tmp_path / "data"
    graph_dir.mkdir()
    data_dir.mkdir()
    write(data_dir / "toy.csv", TOY)
    params = {"source": "csv:toy.csv", "target": "y", "one_hot": ["colour"]}
    bundle = load_bundle(params, graph_dir=str(graph_dir), data_dir=str(data_dir))
    assert bundle.x.shape == (4, 4)
    write(graph_dir / "toy.csv", TOY.replace("4,0.5,green,no\n", ""))
    beside = load_bundle(params, graph_dir=str(graph_dir), data_dir=str(data_dir))
    assert beside.x.shape[0] == 3          # the graph's own folder comes first


def test_absolute_path_and_data_dir_by_file_name(tmp_path):
    path = write(tmp_path / "toy.csv", TOY)
    assert load(path, one_hot=["colour"]).x.shape == (4, 4)
    found = load_bundle({"source": "csv:elsewhere/toy.csv", "target": "y", "one_hot": ["colour"]},
                        graph_dir=str(tmp_path / "nowhere"), data_dir=str(tmp_path))
    assert found.x.shape == (4, 4)


def test_lessons_find_the_shipped_csv_unless_a_data_dir_holds_one_of_that_name(tmp_path):
    churn = {"source": "csv:Churn_Modelling.csv", **CHURN}
    shipped = load_bundle(churn, graph_dir=str(tmp_path))
    assert shipped.x.shape == (10000, 11)
    # a data folder given by the user comes before the project's own copy
    mine = tmp_path / "mine"
    mine.mkdir()
    header_and_40_rows = (DATA / "Churn_Modelling.csv").read_text().splitlines()[:41]
    (mine / "Churn_Modelling.csv").write_text("\n".join(header_and_40_rows) + "\n")
    assert load_bundle(churn, graph_dir=str(tmp_path), data_dir=str(mine)).x.shape == (40, 11)


def test_missing_file_names_it_and_says_how_to_point_at_it(tmp_path):
    with pytest.raises(DataError) as info:
        load_bundle({"source": "csv:nope.csv", "target": "y"}, graph_dir=str(tmp_path),
                    data_dir=str(tmp_path / "d"), node="data")
    msg = str(info.value)
    assert "'nope.csv' not found" in msg and "--data-dir" in msg and str(tmp_path) in msg


# ---- reading it -------------------------------------------------------------------------------
def test_empty_file_and_header_only_file(tmp_path):
    assert "'empty.csv' is empty" in error_of(write(tmp_path / "empty.csv", ""))
    assert "'blank.csv' is empty" in error_of(write(tmp_path / "blank.csv", "\n  \n"))
    assert "no rows of data" in error_of(write(tmp_path / "head.csv", "a,b,y\n"))


def test_utf8_byte_order_mark_is_not_part_of_the_first_column(tmp_path):
    path = write(tmp_path / "bom.csv", "\ufeffmonth,x,y\nmar,1,0\napr,2,1\nmar,3,0\napr,4,1\n")
    bundle = load(path, one_hot=["month"], drop_first=False)
    assert bundle.feature_names == ["x", "month_apr", "month_mar"]


def test_windows_encoded_file_keeps_accented_class_names(tmp_path):
    path = write(tmp_path / "fr.csv", "x,y\n1,café\n2,thé\n3,café\n4,thé\n", encoding="cp1252")
    assert load(path).class_names == ["café", "thé"]


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_other_delimiters_are_detected(tmp_path, sep):
    path = write(tmp_path / "semi.csv", TOY.replace(",", sep))
    bundle = load(path, one_hot=["colour"])
    assert bundle.feature_names == ["a", "b", "colour_green", "colour_red"]
    assert bundle.x[:, 1].tolist() == [2.5, 3.5, 1.5, 0.5]


def test_semicolon_file_with_decimal_commas(tmp_path):
    path = write(tmp_path / "eu.csv", "a;b;y\n1,5;2;0\n2,25;3;1\n-0,5;4;0\n7;5;1\n")
    bundle = load(path)
    assert bundle.x[:, 0].tolist() == [1.5, 2.25, -0.5, 7.0]


def test_single_column_file_says_no_delimiter_was_found(tmp_path):
    msg = error_of(write(tmp_path / "one.csv", "a b y\n1 2 0\n3 4 1\n"), target="a b y")
    assert "'one.csv'" in msg and "single column" in msg


def test_ragged_rows_name_the_file(tmp_path):
    msg = error_of(write(tmp_path / "rag.csv", "a,y\n1,0\n2,1\n" + "3,0\n" * 40 + "4,1,9,9\n"))
    assert "cannot parse 'rag.csv'" in msg


# ---- columns ----------------------------------------------------------------------------------
def test_target_absent_names_the_column_and_lists_the_columns(tmp_path):
    msg = error_of(write(tmp_path / "t.csv", TOY), target="label", one_hot=["colour"])
    assert "'label'" in msg and "'t.csv'" in msg and "columns: a, b, colour, y" in msg


def test_empty_target_param_lists_the_columns(tmp_path):
    msg = error_of(write(tmp_path / "t.csv", TOY), target="")
    assert "param 'target' is empty" in msg and "colour" in msg


def test_text_column_neither_one_hot_nor_dropped_is_named(tmp_path):
    msg = error_of(write(tmp_path / "t.csv", TOY))
    assert "'colour'" in msg and "such as 'red'" in msg and "one_hot" in msg and "drop" in msg


def test_drop_and_one_hot_must_name_real_columns(tmp_path):
    path = write(tmp_path / "t.csv", TOY)
    assert "'shade'" in error_of(path, drop=["shade"], one_hot=["colour"])
    assert "'hue'" in error_of(path, one_hot=["hue"])
    assert "also listed in param 'drop'" in error_of(path, drop=["y"], one_hot=["colour"])


def test_one_hot_with_and_without_drop_first(tmp_path):
    path = write(tmp_path / "t.csv", TOY)
    kept = load(path, one_hot=["colour"], drop_first=False)
    assert kept.feature_names == ["a", "b", "colour_blue", "colour_green", "colour_red"]
    assert kept.x[:, 2:].sum(axis=1).tolist() == [1, 1, 1, 1]
    first_dropped = load(path, one_hot=["colour"], drop_first=True)
    assert first_dropped.feature_names == ["a", "b", "colour_green", "colour_red"]
    assert load(path, drop=["colour"]).feature_names == ["a", "b"]


def test_churn_has_the_notes_eleven_inputs():
    bundle = load_bundle({"source": "csv:Churn_Modelling.csv", **CHURN}, data_dir=str(DATA))
    assert bundle.x.shape == (10000, 11)
    assert {"Geography_Germany", "Geography_Spain", "Gender_Male"} <= set(bundle.feature_names)
    assert bundle.task == "classification" and bundle.class_names == ["0", "1"]
    assert np.bincount(bundle.y).tolist() == [7963, 2037]
    assert bundle.warnings == []            # no leak alarm on an honest data set


# ---- the target -------------------------------------------------------------------------------
def test_text_labels_become_classes_with_their_names(tmp_path):
    bundle = load(write(tmp_path / "t.csv", TOY), one_hot=["colour"])
    assert bundle.task == "classification"
    assert bundle.class_names == ["no", "yes"]
    assert bundle.y.tolist() == [1, 0, 1, 0]
    assert bundle.target_names == ["y"]


def test_task_is_inferred_from_the_target_and_can_be_overridden(tmp_path):
    rows = "".join(f"{i},{i % 3},{i * 0.37:.2f}\n" for i in range(30))
    path = write(tmp_path / "n.csv", "x,k,v\n" + rows)
    whole = load(path, target="k")
    assert whole.task == "classification" and whole.class_names == ["0", "1", "2"]
    real = load(path, target="v")
    assert real.task == "regression" and real.y.shape == (30, 1) and real.y.dtype == np.float32
    forced = load(path, target="k", task="regression")
    assert forced.task == "regression"
    msg = error_of(path, target="v", task="classification")
    assert "fractional" in msg and "'v'" in msg


def test_single_class_target_is_an_error(tmp_path):
    msg = error_of(write(tmp_path / "s.csv", "x,y\n1,small\n2,small\n3,small\n"))
    assert "'y'" in msg and "single value ('small')" in msg and "two classes" in msg


def test_text_target_cannot_be_regressed(tmp_path):
    msg = error_of(write(tmp_path / "t.csv", TOY), one_hot=["colour"], task="regression")
    assert "holds text" in msg and "'y'" in msg


# ---- missing values ---------------------------------------------------------------------------
MISSING = "a,b,c,y\n1,,x,0\n2,5,,1\n3,6,x,0\n,7,z,1\n5,8,x,0\n6,9,z,1\n7,1,x,0\n8,2,z,1\n"


def test_missing_values_name_columns_and_row_counts(tmp_path):
    msg = error_of(write(tmp_path / "m.csv", MISSING), one_hot=["c"])
    assert "empty cells in 3 of 8 rows" in msg
    assert "'a' (1 row)" in msg and "'b' (1 row)" in msg and "'c' (1 row)" in msg
    assert "missing" in msg and "drop" in msg and "impute" in msg


def test_missing_values_in_a_dropped_column_do_not_count(tmp_path):
    path = write(tmp_path / "m2.csv", "a,b,y\n1,,0\n2,,1\n3,,0\n4,,1\n")
    assert load(path, drop=["b"]).x[:, 0].tolist() == [1, 2, 3, 4]


def test_missing_drop_leaves_those_rows_out_and_says_so(tmp_path):
    bundle = load(write(tmp_path / "m.csv", MISSING), one_hot=["c"], missing="drop")
    assert bundle.x.shape[0] == 5
    assert not np.isnan(bundle.x).any()
    assert any("left out 3 of 8 rows" in w for w in bundle.warnings)


def test_missing_impute_uses_training_means_and_the_most_frequent_text(tmp_path):
    bundle = load(write(tmp_path / "m.csv", MISSING), one_hot=["c"], missing="impute",
                  drop_first=False)
    assert bundle.x.shape == (8, 4)
    # the empty text cell took the most frequent value, 'x'
    assert bundle.x[2, bundle.feature_names.index("c_x")] == 1.0
    assert any("filling in empty cells" in w for w in bundle.warnings)
    data = prepare(bundle, "none", test_split=0.25, val_split=0.0, seed=0)
    assert not np.isnan(data.train.x).any() and not np.isnan(data.test.x).any()
    # each filled-in number is the mean of that column over the training rows only
    rows_a = np.flatnonzero(np.isnan(bundle.x[:, 0]))
    train_a = data.train.x[:, 0]
    filled = [v for v in np.concatenate([train_a, data.test.x[:, 0]])
              if v not in bundle.x[:, 0]]
    train_known = [v for v in train_a if v in bundle.x[:, 0]]
    assert len(rows_a) == 1 and len(filled) == 1
    assert filled[0] == pytest.approx(np.mean(train_known))


def test_missing_target_rows_are_left_out_when_imputing(tmp_path):
    path = write(tmp_path / "m.csv", "x,y\n1,0\n2,\n3,0\n4,1\n5,1\n")
    bundle = load(path, missing="impute")
    assert bundle.y.tolist() == [0, 0, 1, 1]
    assert any("no 'y'" in w for w in bundle.warnings)


# ---- caching ----------------------------------------------------------------------------------
def test_loaded_files_are_cached_until_the_file_changes(tmp_path):
    path = tmp_path / "c.csv"
    write(path, TOY)
    first = load(str(path), one_hot=["colour"])
    assert load(str(path), one_hot=["colour"]) is first
    assert load(str(path), one_hot=["colour"], drop_first=False) is not first
    write(path, TOY + "5,9.5,red,yes\n")
    later = time.time() + 5
    os.utime(path, (later, later))
    assert load(str(path), one_hot=["colour"]).x.shape[0] == 5


def test_cache_stays_small(tmp_path):
    path = write(tmp_path / "c.csv", TOY)
    for i in range(csv_source.CACHE_SIZE + 4):
        load(path, one_hot=["colour"], drop=["a"] if i % 2 else [], task="classification",
             missing=("error", "drop", "impute")[i % 3], drop_first=bool(i % 4 // 2))
    assert csv_source.cached_files() == csv_source.CACHE_SIZE


# ---- scaling is fitted on the training split --------------------------------------------------
def test_scaling_is_fitted_on_the_training_split_only():
    bundle = load_bundle({"source": "csv:Churn_Modelling.csv", **CHURN}, data_dir=str(DATA))
    data = prepare(bundle, "standard", test_split=0.2, val_split=0.1, seed=0)
    assert np.allclose(data.train.x.mean(axis=0), 0, atol=1e-4)
    assert np.allclose(data.train.x.std(axis=0), 1, atol=1e-3)
    assert not np.allclose(data.test.x.mean(axis=0), 0, atol=1e-4)
    mm = prepare(bundle, "minmax", test_split=0.2, val_split=0.0, seed=0)
    assert mm.train.x.min() == 0.0 and mm.train.x.max() == 1.0
    # classes keep their shares in every split (stratified)
    for split in (data.train, data.val, data.test):
        assert split.y.mean() == pytest.approx(0.2037, abs=0.005)


# ---- size guards --------------------------------------------------------------------------------
def test_two_columns_of_one_name_are_an_error_naming_it(tmp_path):
    path = write(tmp_path / "dup.csv", "a,b,a,y\n1,2,3,0\n4,5,6,1\n")
    assert "more than one column named 'a'" in error_of(path)


def test_a_file_too_big_to_load_is_refused_before_it_is_read(tmp_path, monkeypatch):
    from engine.data import csv_read
    path = write(tmp_path / "big.csv", "x,y\n" + "1,0\n" * 1000)
    monkeypatch.setattr(csv_read, "MAX_CSV_BYTES", 1000)
    monkeypatch.setattr(csv_read.Path, "read_bytes", lambda self: pytest.fail("it was read"))
    assert "'big.csv' is 0 MB, too big to load" in error_of(path)


def test_a_one_hot_column_of_thousands_of_values_is_refused_at_once(tmp_path):
    rows = "".join(f"name{i},{i % 7},{i % 2}\n" for i in range(3000))
    path = write(tmp_path / "names.csv", "name,x,y\n" + rows)
    start = time.perf_counter()
    message = error_of(path, one_hot=["name"])
    assert "one_hot column 'name' of 'names.csv' has 3,000 different values" in message
    assert time.perf_counter() - start < 5
