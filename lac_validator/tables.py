"""Typed tables of one return, and the return itself.

Every table is held twice over the same rows: `raw` (text as given, upper-cased, untrimmed,
blank cells as missing) and `data` (the same, with date columns parsed once to datetime64).
Row labels are the 0-based position of the row in the table (rows with no value at all are left
out); rules return these labels, and reports map them back to the file's lines and data rows.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .dates import parse_strict
from .distinct import each_distinct
from .schema import TableSpec, load_schema

# Text columns: pandas' str dtype (NaN for missing) with Python-object storage. pyarrow is not a
# dependency: measured on the benchmark returns, the rules' many small isin/merge/groupby calls ran
# markedly faster on Python storage than on pyarrow's (whose isin converts its argument value by
# value), and not importing pyarrow saves a fifth of the start-up and keeps the forked rule worker
# free of pyarrow's thread pools.
TEXT = pd.StringDtype("python", na_value=np.nan)


@dataclass
class Source:
    """Where a table came from, to point people at the right line."""

    path: str
    kind: str  # "csv", "xlsx" or "xml"
    sheet: str | None = None

    def describe(self) -> str:
        return f"{self.path} (sheet '{self.sheet}')" if self.sheet else self.path


@dataclass
class Table:
    name: str
    raw: pd.DataFrame
    data: pd.DataFrame
    source: Source
    lines: np.ndarray  # the line (CSV) or sheet row (XLSX) a person sees, per data row
    extra_columns: list[str] = field(default_factory=list)
    file_rows: np.ndarray | None = None  # per row, its 0-based data row in the file (blank rows counted)

    def __post_init__(self):
        if self.file_rows is None:
            self.file_rows = np.arange(len(self.raw))

    def __len__(self) -> int:
        return len(self.raw)


def normalise_values(values, upper: bool = True) -> np.ndarray:
    """One column's cells -> object array of text, upper-cased (unless `upper` is False), with empty
    cells and missing values as NaN. Values are not trimmed (the DfE reads " C1" as invalid)."""
    return each_distinct(np.asarray(values, dtype=object), lambda distinct: _texts(distinct.tolist(), upper))


def _texts(values: list, upper: bool) -> list:
    try:  # all text (the usual case): one join, one upper(), one split
        joined = "\x00".join(values)
        split = (joined.upper() if upper else joined).split("\x00")
        texts = split if len(split) == len(values) else None  # a value held a NUL itself
    except TypeError:  # numbers or other objects among the cells
        texts = None
    if texts is None:
        texts = [v if isinstance(v, str) else str(v) for v in values]
        texts = [t.upper() for t in texts] if upper else texts
    return [t if t else np.nan for t in texts]  # an empty cell is a missing value


def text_series(values: np.ndarray, index) -> pd.Series:
    return pd.Series(values, index=index, dtype=TEXT)


def normalise_text(frame: pd.DataFrame, upper: bool = True) -> pd.DataFrame:
    """Upper-case every value and make empty cells missing; values are not trimmed (DfE rule).
    `upper=False` keeps the case as given (format conversion)."""
    out = {col: text_series(normalise_values(frame[col].to_numpy(dtype=object), upper), frame.index)
           for col in frame.columns}
    return pd.DataFrame(out, index=frame.index, columns=frame.columns)


def make_table(spec: TableSpec, frame: pd.DataFrame, source: Source, lines=None,
               extra_columns: list[str] | None = None, upper: bool = True, normalised: bool = False,
               file_rows=None) -> Table:
    """Type a frame of text cells whose columns are already the schema's columns
    (`normalised`: the frame already went through normalise_text). `file_rows`: each row's data
    row in its file when rows were left out (default 0..n-1)."""
    frame = frame.reset_index(drop=True)
    for col in spec.csv_columns:
        if col not in frame.columns:
            frame[col] = None
    raw = frame[spec.csv_columns] if normalised else normalise_text(frame[spec.csv_columns], upper)
    data = raw.copy()
    for col in spec.date_columns:
        data[col] = parse_strict(raw[col])
    if lines is None:
        lines = np.arange(len(raw)) + 2
    return Table(spec.name, raw, data, source, np.asarray(lines), list(extra_columns or []),
                 None if file_rows is None else np.asarray(file_rows, dtype=np.int64))


def set_header_uasc(table: Table, values) -> None:
    """Header's UASC indicator as an XML HEADER carries it (one value per row, "" = blank); CSV
    returns have no such column and get it derived when the return is assembled."""
    col = pd.Series(np.asarray(values, dtype=object), index=table.raw.index, dtype=TEXT)
    table.raw["UASC"] = col.where(col.ne(""))
    table.data["UASC"] = table.raw["UASC"]


def table_from_records(name: str, records: list[dict] | pd.DataFrame, source: Source | None = None) -> Table:
    """Build a typed table from small in-memory data (tests, generators)."""
    spec = load_schema().tables[name]
    frame = pd.DataFrame(records).astype(object) if not isinstance(records, pd.DataFrame) else records
    frame = frame.where(frame.notna(), "")
    unknown = [c for c in frame.columns if c not in spec.csv_columns]
    if unknown:
        raise KeyError(f"{name} has no column(s) {unknown}")
    frame = frame.map(lambda v: "" if v is None else str(v)) if len(frame) else frame
    return make_table(spec, frame, source or Source(path=f"<{name}>", kind="csv"))


@dataclass
class Return:
    """The tables of one year's return (this year's or last year's)."""

    label: str  # "current" or "previous"
    tables: dict[str, Table] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    file_format: str = "csv"
    inputs: list[str] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return name in self.tables

    def missing_tables(self, expected: list[str]) -> list[str]:
        return [t for t in expected if t not in self.tables]
