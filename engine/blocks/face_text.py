"""Turning a param's value into a few words for a node's face, whatever the file put there.

A graph file is hand-editable, so a summary may be handed a list where a number belongs, a
dict, null, NaN, an integer with thousands of digits, or 1e308. The helpers here never raise
and always return a short one-line str: a summary built from them cannot take the canvas down.
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

LIMIT = 120           # a face shows about 20 characters and elides; its tooltip shows this much
_MAX_DIGITS = 30      # str() of a longer int is slow (and raises past 4300 digits)


def value(params: Any, key: str, default: Any = None) -> Any:
    """params[key], or `default` when params is not a mapping or lacks the key."""
    if isinstance(params, Mapping):
        try:
            return params.get(key, default)
        except Exception:  # noqa: BLE001 - a mapping with an odd key type
            return default
    return default


def text(v: Any, limit: int = LIMIT) -> str:
    """Any value as a one-line string of at most `limit` characters."""
    try:
        if isinstance(v, str):
            s = v
        elif isinstance(v, bool) or v is None:
            s = json.dumps(v)                   # true / false / null, as the file says it
        elif isinstance(v, (int, float)):
            s = number(v)
        else:
            # lists and objects: compact JSON, cut short before it could grow large
            s = _short_json(v, limit)
    except Exception:  # noqa: BLE001 - whatever it was, the face says "?" rather than crash
        s = "?"
    return _one_line(s, limit)


def number(v: Any) -> str:
    """An int as written, a float the way `:g` writes it (1e+308, nan, 0.001); anything else
    via `text`."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return text(v)
    if isinstance(v, int) and abs(v) >= 10 ** _MAX_DIGITS:
        # float() of such an int overflows and str() is slow: say its size instead
        digits = int(v.bit_length() * math.log10(2))
        return f"{'-' if v < 0 else ''}~1e+{digits}"
    return str(v) if isinstance(v, int) else f"{v:g}"


def is_number(v: Any) -> bool:
    """A real int or float (not a bool), for summaries that compare or scale it."""
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _short_json(v: Any, limit: int) -> str:
    parts: list[str] = []
    size = 0

    class _Enough(Exception):
        pass

    def default(o: Any) -> str:
        return repr(type(o).__name__)

    try:
        for chunk in json.JSONEncoder(default=default, check_circular=True).iterencode(v):
            parts.append(chunk)
            size += len(chunk)
            if size > limit:
                raise _Enough
    except _Enough:
        pass
    except Exception:  # noqa: BLE001 - e.g. an int past str()'s digit limit inside a list
        return "?" if not parts else "".join(parts)
    return "".join(parts)


def _one_line(s: str, limit: int) -> str:
    s = " ".join(s[: 4 * limit].split())   # newlines and tabs would break the face's one row
    if len(s) > limit:
        s = s[: max(1, limit - 1)] + "…"
    return s
