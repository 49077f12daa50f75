"""Turn a CSV file into a DataBundle as a Dataset node's params describe it.

Column work (drop, one-hot, missing values, the target) happens here, once per file and params;
splitting, scaling and mean imputation happen later in prepare.py, fitted on the training split.
"""
from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from engine.data.bundle import DataBundle
from engine.data.csv_read import read_frame, resolve_path
from engine.data.leakage import find_leaks
from engine.errors import DataError

MAX_AUTO_CLASSES = 20       # whole-number targets with at most this many values are classes
WIDE_ONE_HOT = 50           # a one-hot group wider than this earns a warning
MAX_ONE_HOT_VALUES = 1000   # and one with more values than this is refused before it is built
CACHE_SIZE = 8
_cache: OrderedDict[tuple, DataBundle] = OrderedDict()


def cached_files() -> int:
    """How many prepared CSV loads are kept in memory now (at most CACHE_SIZE)."""
    return len(_cache)


def load_csv(path_text: str, params: dict[str, Any], graph_dir: str | None = None,
             data_dir: str | None = None, node: str | None = None) -> DataBundle:
    """Load (and cache) a CSV source; every problem is a DataError naming the file or column."""
    path = resolve_path(path_text, graph_dir, data_dir, node)
    try:
        stat = path.stat()
    except OSError as exc:      # removed or locked since it was found a moment ago
        raise DataError(f"cannot read '{path}': {exc.strerror or exc}", node) from None
    key = (str(path), stat.st_mtime_ns, stat.st_size, str(params.get("target", "")).strip(),
           tuple(params.get("drop") or ()), tuple(params.get("one_hot") or ()),
           bool(params.get("drop_first", True)), params.get("task", "auto"),
           params.get("missing", "error"))
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    bundle = _build(read_frame(path, node), path, key[3], params, node)
    _cache[key] = bundle
    while len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return bundle


def _build(frame: pd.DataFrame, path: Path, target: str, params: dict[str, Any],
           node: str | None) -> DataBundle:
    file = path.name
    drop = [str(c).strip() for c in params.get("drop") or ()]
    one_hot = [str(c).strip() for c in params.get("one_hot") or ()]
    _check_names(frame, file, target, drop, one_hot, node)
    frame = frame.drop(columns=drop)
    _check_text_columns(frame, file, target, one_hot, node)
    warnings: list[str] = []
    frame = _missing(frame, file, target, one_hot, params.get("missing", "error"), warnings, node)
    y, task, class_names = _target(frame[target], file, params.get("task", "auto"), node)
    for col in one_hot:
        # counted before get_dummies: building thousands of columns (and checking each of
        # them for leaks) took most of a minute on a column of surnames
        values = frame[col].nunique()
        if values > MAX_ONE_HOT_VALUES:
            raise DataError(f"one_hot column '{col}' of '{file}' has {values:,} different values "
                            f"and would become {values:,} input columns (at most "
                            f"{MAX_ONE_HOT_VALUES:,}); a column like that (a name or an id?) is "
                            f"better dropped", node)
    fills = {col: _label(frame[col].mode(dropna=True).iloc[0])
             for col in one_hot if params.get("missing") == "impute" and frame[col].notna().any()}
    x_frame = pd.get_dummies(frame.drop(columns=[target]), columns=one_hot,
                             drop_first=bool(params.get("drop_first", True)), dtype=np.float32)
    for col in one_hot:
        width = sum(str(c).startswith(f"{col}_") for c in x_frame.columns)
        if width > WIDE_ONE_HOT:
            warnings.append(f"one_hot column '{col}' becomes {width} input columns; a column with "
                            f"that many values (a name or an id?) is usually better dropped")
    if x_frame.shape[1] == 0:
        raise DataError(f"'{file}': no input columns are left once '{target}' and the dropped "
                        f"columns are taken out", node)
    x = x_frame.astype(np.float32).to_numpy()
    features = [str(c) for c in x_frame.columns]
    _check_finite(x, y, features, target, file, node)
    warnings += find_leaks(x, y, task, features, target, class_names)
    columns = _input_columns(frame.drop(columns=[target]), one_hot, features, fills)
    return DataBundle(x, y, task, features, class_names=class_names, target_names=[target],
                      name=path.stem, warnings=warnings, input_columns=columns)


def _input_columns(frame: pd.DataFrame, one_hot: list[str], features: list[str],
                   fills: dict[str, str]) -> list[dict]:
    """How each input column became inputs (DataBundle.input_columns), read off get_dummies'
    own naming (`<column>_<value>`, values in its sorted category order)."""
    index = {name: i for i, name in enumerate(features)}
    out: list[dict] = []
    for col in frame.columns:
        if col not in one_hot:
            out.append({"name": str(col), "kind": "number"})
            continue
        cats = pd.Categorical(frame[col].dropna()).categories
        labels = [_label(c) for c in cats]
        out.append({"name": str(col), "kind": "category", "categories": labels,
                    "features": {lab: index[f"{col}_{c}"] for lab, c in zip(labels, cats)
                                 if f"{col}_{c}" in index},
                    "fill": fills.get(col)})
    return out


def _columns_hint(frame: pd.DataFrame) -> str:
    cols = [str(c) for c in frame.columns]
    shown = ", ".join(cols[:12]) + (f", ... ({len(cols)} in all)" if len(cols) > 12 else "")
    return f"columns: {shown}"


def _check_names(frame, file, target, drop, one_hot, node) -> None:
    if not target:
        raise DataError(f"param 'target' is empty: name the column of '{file}' to predict "
                        f"({_columns_hint(frame)})", node)
    if target not in frame.columns:
        raise DataError(f"target column '{target}' is not in '{file}' ({_columns_hint(frame)})", node)
    for param, names in (("drop", drop), ("one_hot", one_hot)):
        absent = [c for c in names if c not in frame.columns]
        if absent:
            raise DataError(f"param '{param}' names column '{absent[0]}', which is not in '{file}' "
                            f"({_columns_hint(frame)})", node)
        if target in names:
            raise DataError(f"the target '{target}' is also listed in param '{param}'; take it out "
                            f"of '{param}'", node)
    both = [c for c in one_hot if c in drop]
    if both:
        raise DataError(f"column '{both[0]}' is listed in both drop and one_hot; pick one", node)


def is_number(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)


def _check_text_columns(frame, file, target, one_hot, node) -> None:
    text = [c for c in frame.columns
            if c != target and c not in one_hot and not is_number(frame[c])]
    if not text:
        return
    first = frame[text[0]].dropna()
    example = f" such as '{first.iloc[0]}'" if len(first) else ""
    names = ", ".join(f"'{c}'" for c in text)
    noun = "column" if len(text) == 1 else "columns"
    raise DataError(f"{noun} {names} of '{file}' hold{'s' if len(text) == 1 else ''} text{example}, "
                    f"which a network cannot read: add {'it' if len(text) == 1 else 'them'} to "
                    f"one_hot (one 0/1 column per value) or to drop", node)


def _missing(frame, file, target, one_hot, policy, warnings, node) -> pd.DataFrame:
    empty = frame.isna()
    if not empty.to_numpy().any():
        return frame
    per_col = empty.sum()
    per_col = per_col[per_col > 0]
    rows = int(empty.any(axis=1).sum())
    detail = ", ".join(f"'{c}' ({n} row{'s' if n != 1 else ''})" for c, n in per_col.items())
    if policy == "error":
        raise DataError(f"'{file}' has empty cells in {rows} of {len(frame)} rows: {detail}; set "
                        f"the Dataset's param 'missing' to drop (leave those rows out) or impute "
                        f"(fill them in), or add those columns to drop", node)
    if policy == "drop":
        kept = frame.dropna()
        if kept.empty:
            raise DataError(f"every row of '{file}' has an empty cell ({detail}); dropping them "
                            f"leaves nothing", node)
        warnings.append(f"left out {rows} of {len(frame)} rows with empty cells: {detail}")
        return kept
    # impute: a row without a target cannot be filled in honestly, so it goes
    no_target = int(empty[target].sum())
    frame = frame[~empty[target]].copy()
    if frame.empty:
        raise DataError(f"every row of '{file}' lacks a value for the target '{target}'", node)
    for col in one_hot:
        if frame[col].isna().any():
            # filled with the most frequent value of the whole file: the one-hot columns have to
            # exist before the split, so this one statistic is not fitted on training rows alone
            common = frame[col].mode(dropna=True)
            if common.empty:
                raise DataError(f"one_hot column '{col}' of '{file}' is empty in every row: drop "
                                f"it", node)
            frame[col] = frame[col].fillna(common.iloc[0])
    note = f"; left out {no_target} rows with no '{target}'" if no_target else ""
    warnings.append(f"filling in empty cells ({detail}): numbers with the training rows' mean, "
                    f"one_hot columns with their most frequent value{note}")
    return frame    # numeric NaNs stay for prepare() to fill from the training split


def _target(col: pd.Series, file: str, task: str, node) -> tuple[np.ndarray, str, list[str]]:
    name = str(col.name)
    numeric = is_number(col) and not pd.api.types.is_bool_dtype(col)
    values = col.to_numpy()
    if numeric:
        values = values.astype(np.float64)
    uniques = pd.unique(col)
    if task == "auto":
        whole = numeric and np.all(np.mod(values, 1) == 0)
        few = len(uniques) <= MAX_AUTO_CLASSES and len(uniques) <= max(2, len(col) // 2)
        task = "classification" if not numeric or (whole and few) else "regression"
    if len(uniques) < 2:
        need = ("a classifier needs at least two classes" if task == "classification"
                else "a regression needs a target that varies")
        raise DataError(f"target '{name}' of '{file}' has a single value ('{_label(uniques[0])}') "
                        f"in every row: there is nothing to learn; {need}", node)
    if task == "regression":
        if not numeric:
            raise DataError(f"target '{name}' of '{file}' holds text such as '{col.iloc[0]}'; "
                            f"regression needs numbers (set task to classification)", node)
        return values.astype(np.float32).reshape(-1, 1), task, []
    if numeric and not np.all(np.mod(values, 1) == 0):
        frac = values[np.mod(values, 1) != 0][0]
        raise DataError(f"target '{name}' of '{file}' holds fractional numbers such as {frac:g}; "
                        f"classification needs labels (set task to regression)", node)
    codes, labels = pd.factorize(col, sort=True)
    return codes.astype(np.int64), task, [_label(v) for v in labels]


def _label(v: Any) -> str:
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _check_finite(x, y, features, target, file, node) -> None:
    """Infinities (or numbers too large for 32 bits) would surface later as a 'diverged' run
    blaming a layer; name the column and row instead."""
    bad = np.isinf(x)          # empty cells (NaN) are the imputer's or the missing-value check's
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise DataError(f"column '{features[col]}' of '{file}' holds an infinite or too large "
                        f"number (first in data row {row + 1})", node)
    if y.dtype.kind == "f" and np.isinf(y).any():
        row = int(np.argwhere(np.isinf(y.reshape(len(y), -1)))[0][0])
        raise DataError(f"target '{target}' of '{file}' holds an infinite or too large number "
                        f"(first in data row {row + 1})", node)
