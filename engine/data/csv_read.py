"""Find a CSV file and read it into a DataFrame, whatever its encoding and delimiter.

Every failure becomes a DataError whose one line names the file, so `check`, `train` and the
editor can show it as it is.
"""
from __future__ import annotations

import codecs
import csv
import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

from engine.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

# pandas is imported inside the functions that read: importing it takes about a third of a
# second, and the app imports this module at start but reads a CSV only when a graph names one

# The course notes' CSV files ship with the project; a lesson naming one finds it here when
# neither the graph's folder nor a chosen data folder holds a file of that name.
BUNDLED_DATA = Path(__file__).resolve().parents[2] / "assets" / "data"
# A CSV file is read whole into memory, where pandas needs several times its size; files past
# this are refused with a message rather than left to exhaust the machine.
MAX_CSV_BYTES = 256 * 2**20
DELIMITERS = ",;\t|"
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
# Byte-order marks, longest first: UTF-32's little-endian mark begins with UTF-16's.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def resolve_path(path_text: str, graph_dir: str | None, data_dir: str | None,
                 node: str | None) -> Path:
    """The file a `csv:<path>` source means: absolute, beside the graph, or in the data folder."""
    text = path_text.strip()
    if not text:
        raise DataError("the source 'csv:' names no file; write csv:<path to a .csv file>", node)
    given = Path(os.path.expanduser(text))
    if given.is_absolute():
        candidates = [given]
    else:
        candidates = []
        if graph_dir:
            candidates.append(Path(graph_dir) / given)
        if data_dir:
            candidates += [Path(data_dir) / given, Path(data_dir) / given.name]
        if not graph_dir:
            # a graph never saved has no folder of its own; the working folder stands in for it
            candidates.append(Path.cwd() / given)
        candidates.append(BUNDLED_DATA / given.name)
    for c in dict.fromkeys(candidates):
        if c.is_file():
            return c.resolve()
    looked = ", ".join(str(c.absolute()) for c in dict.fromkeys(candidates))
    raise DataError(f"CSV file '{text}' not found (looked in: {looked}); give an absolute path, "
                    f"put the file beside the graph, or name its folder with --data-dir "
                    f"(in the app: the data folder setting)", node)


def read_frame(path: Path, node: str | None) -> pd.DataFrame:
    """The file as a DataFrame with clean column names; raises DataError for an unusable file."""
    import pandas as pd

    try:
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            raise DataError(f"'{path.name}' is {size / 2**20:.0f} MB, too big to load (at most "
                            f"{MAX_CSV_BYTES // 2**20} MB); take a sample of its rows", node)
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read '{path}': {exc.strerror or exc}", node) from None
    text = _decode(raw)
    if not text.strip():
        raise DataError(f"'{path.name}' is empty: a CSV needs a header line and rows of data", node)
    sep = sniff_delimiter(text)
    _check_header(text, sep, path.name, node)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, skipinitialspace=True)
    except (ValueError, csv.Error) as exc:    # pandas' ParserError is a ValueError
        detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise DataError(f"cannot parse '{path.name}' as {_NAMES[sep]}-separated values: {detail}",
                        node) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if sep != ",":
        frame = _decimal_commas(frame)
    if len(frame) == 0:
        raise DataError(f"'{path.name}' has a header line but no rows of data", node)
    if frame.shape[1] < 2:
        raise DataError(f"'{path.name}' has a single column '{frame.columns[0]}': no delimiter "
                        f"(comma, semicolon, tab or |) separates its header; a CSV needs at "
                        f"least one input column and a target", node)
    return frame


def _check_header(text: str, sep: str, file: str, node: str | None) -> None:
    """Two columns of one name: pandas would quietly rename the second ('a.1'), and a param
    naming the column would then mean only the first."""
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    names = [n.strip() for n in next(csv.reader([first], delimiter=sep), [])]
    seen: set[str] = set()
    twice = list(dict.fromkeys(n for n in names if n in seen or seen.add(n)))
    if twice:
        shown = ", ".join(f"'{n}'" for n in twice[:5])
        raise DataError(f"'{file}' has more than one column named {shown}; give every column of "
                        f"the header its own name", node)


def _decimal_commas(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers written with a decimal comma (`1,5`), as spreadsheets in much of Europe save them."""
    import pandas as pd

    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        text = s.dropna().astype(str).str.strip()
        if text.empty or not text.str.fullmatch(r"[-+]?\d*,?\d+").all():
            continue
        frame[col] = pd.to_numeric(s.astype(str).str.strip().str.replace(",", ".", regex=False)
                                   .where(s.notna()), errors="coerce")
    return frame


def _decode(raw: bytes) -> str:
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return raw.decode(encoding)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # spreadsheets on Windows save in the ANSI code page; cp1252 is its Western form and
        # latin-1 accepts any byte at all, so reading never fails here
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header and the first rows into the same number of fields.

    csv.Sniffer prefers a comma whenever commas are consistent, which misreads the semicolon
    files that European spreadsheets write with decimal commas (`1,5;2`); the header of such a
    file holds no decimals, so requiring the header to agree with the rows settles it.
    """
    lines = [ln for ln in text.splitlines()[:30] if ln.strip()]
    best, best_fields = ",", 1
    for sep in DELIMITERS:
        counts = {len(row) for row in csv.reader(lines, delimiter=sep)}
        if len(counts) == 1 and (n := counts.pop()) > best_fields:
            best, best_fields = sep, n
    if best_fields > 1:
        return best
    try:    # ragged rows: let the standard library's heuristics have a go
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","
