"""New rows, as a saved model's preprocessing reads them: every cell checked, every problem one
line naming the row and the column."""
from __future__ import annotations

from typing import Any

import numpy as np

from engine.models.errors import ModelError
from engine.models.preprocessing import Preprocessing

_TRUE, _FALSE = ("true", "yes"), ("false", "no")


def _label(v: Any) -> str:
    """A cell as the category labels are written (a whole float as an integer: 1.0 -> '1')."""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v).strip()


def _empty(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, (float, np.floating)) and np.isnan(v):
        return True
    return isinstance(v, str) and not v.strip()


def _number(v: Any) -> float | None:
    if isinstance(v, (bool, np.bool_)):
        return float(v)
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v)
    text = str(v).strip()
    if text.lower() in _TRUE:
        return 1.0
    if text.lower() in _FALSE:
        return 0.0
    try:
        return float(text)
    except ValueError:
        return None


def _frame(rows: Any):
    import pandas as pd

    if isinstance(rows, pd.DataFrame):
        return rows
    if isinstance(rows, dict):
        if rows and all(isinstance(v, (list, tuple, np.ndarray)) for v in rows.values()):
            return pd.DataFrame(rows, dtype=object)          # column -> values
        return pd.DataFrame([rows], dtype=object)            # one row: column -> value
    if isinstance(rows, (list, tuple)) and all(isinstance(r, dict) for r in rows):
        return pd.DataFrame(list(rows), dtype=object)
    raise ModelError("rows must be a DataFrame, a dict of column values, or a list of such dicts")


def encode(pre: Preprocessing, rows: Any, first_row: int = 1) -> np.ndarray:
    """The network's (scaled) inputs for rows given by column name, float32 (n, features).
    Rows are numbered from `first_row` in messages (1: the first data row of a CSV file)."""
    frame = _frame(rows)
    absent = [c["name"] for c in pre.columns if c["name"] not in frame.columns]
    if absent:
        shown = ", ".join(f"'{a}'" for a in absent[:5]) + (" ..." if len(absent) > 5 else "")
        raise ModelError(f"the rows lack column{'s' if len(absent) > 1 else ''} {shown}, which "
                         f"the model reads")
    n, width = len(frame), len(pre.features)
    x = np.zeros((n, width), np.float32)
    taken = {i for c in pre.columns if c["kind"] == "category" for i in c["features"].values()}
    free = iter(i for i in range(width) if i not in taken)
    impute = pre.impute_means is not None
    for col in pre.columns:
        name = col["name"]
        values = frame[name].tolist()
        if col["kind"] == "number":
            j = next(free)
            for r, v in enumerate(values):
                if _empty(v):
                    if not impute:
                        raise ModelError(_empty_message(pre, first_row + r, name))
                    x[r, j] = np.nan
                    continue
                num = _number(v)
                if num is None:
                    raise ModelError(f"row {first_row + r}, column '{name}': {str(v)[:40]!r} is "
                                     f"not a number")
                x[r, j] = num
            continue
        features, known = col["features"], set(col["categories"])
        for r, v in enumerate(values):
            if _empty(v):
                if col["fill"] is None:
                    raise ModelError(_empty_message(pre, first_row + r, name))
                label = col["fill"]
            else:
                label = _label(v)
            if label not in known:
                shown = ", ".join(col["categories"][:10])
                more = " ..." if len(col["categories"]) > 10 else ""
                raise ModelError(f"row {first_row + r}, column '{name}': {label[:40]!r} is not a "
                                 f"category the model knows ({shown}{more})")
            if label in features:
                x[r, features[label]] = 1.0
    if impute:
        # as scikit-learn's SimpleImputer fills them: the training mean, cast to the inputs' type
        gaps = np.isnan(x)
        if gaps.any():
            x[gaps] = np.broadcast_to(np.asarray(pre.impute_means, np.float64), x.shape)[gaps]
    elif not np.isfinite(x).all():
        r, j = np.argwhere(~np.isfinite(x))[0]
        raise ModelError(f"row {first_row + r}: input '{pre.features[j]}' is not a finite number")
    return pre.scale(x)


def _empty_message(pre: Preprocessing, row: int, name: str) -> str:
    return (f"row {row}, column '{name}' is empty; this model was trained with missing="
            f"'{pre.missing}' and has nothing to fill it with")
