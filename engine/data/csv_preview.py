"""The first rows of a CSV source, as plain text, for an editor to show before anything trains.

It reads the file exactly as a Dataset node would (the same search path, encoding and delimiter
detection), so what the preview shows is what training will get. Column types are judged on the
whole file, not the rows shown: a column may hold numbers for twenty rows and text after that.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine.data.csv_read import read_frame, resolve_path

# pandas (and csv_source, which needs it) are imported inside preview_file: importing pandas
# takes about a third of a second, and the editor imports this module at start

PREVIEW_ROWS = 20
_CACHE_SIZE = 4
_cache: OrderedDict[tuple, CsvPreview] = OrderedDict()


@dataclass
class CsvPreview:
    path: Path                          # the file found, absolute
    columns: list[str]
    rows: list[list[str]]               # the first rows, every cell as text ('' when empty)
    n_rows: int                         # rows in the whole file
    text_columns: set[str] = field(default_factory=set)   # hold text somewhere in the file
    examples: dict[str, str] = field(default_factory=dict)  # a text column's first value


def preview_csv(path_text: str, graph_dir: str | None = None, data_dir: str | None = None,
                node: str | None = None, rows: int = PREVIEW_ROWS) -> CsvPreview:
    """The first `rows` rows of the file a `csv:<path>` source names; raises DataError."""
    path = resolve_path(path_text, graph_dir, data_dir, node)
    return preview_file(path, node, rows)


def preview_file(path: Path, node: str | None = None, rows: int = PREVIEW_ROWS) -> CsvPreview:
    """As preview_csv, for a file already found. Cached on the file's time and size, since an
    editor asks again after every edit of the graph."""
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size, rows)
    except OSError:
        key = None      # read_frame says why in words
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    import pandas as pd

    from engine.data.csv_source import is_number

    frame = read_frame(path, node)
    text = [c for c in frame.columns if not is_number(frame[c])]
    examples = {c: str(frame[c].dropna().iloc[0]) for c in text if frame[c].notna().any()}
    head = frame.head(rows)
    cells = [[_cell(v, pd.NA) for v in row] for row in head.itertuples(index=False, name=None)]
    preview = CsvPreview(path.resolve(), [str(c) for c in frame.columns], cells, len(frame),
                         set(text), examples)
    if key is not None:
        _cache[key] = preview
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return preview


def _cell(v, na) -> str:
    """A cell as text; `na` is pandas' missing-value marker."""
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is na:
        return ""
    if isinstance(v, (float, np.floating)):
        # the shortest text that reads back as the same number: 83807.86, not 83807.860000
        return np.format_float_positional(float(v), trim="-")
    return str(v)
