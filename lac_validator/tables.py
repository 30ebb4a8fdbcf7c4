"""Typed tables of one return, and the return itself.

Every table is held twice over the same rows: `raw` (text as given, upper-cased, untrimmed,
blank cells as missing) and `data` (the same, with date columns parsed once to datetime64).
Row labels are the 0-based position of the data row in the table's input; rules return
these labels, and reports map them back to file lines.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .dates import parse_strict
from .schema import TableSpec, load_schema

# Text columns: pandas' str dtype (NaN for missing) with Python-object storage. Measured on the
# benchmark returns, the rules' many small isin/merge/groupby calls run markedly faster on it than
# on the pyarrow-backed default (pyarrow's isin converts its argument value by value).
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

    def __len__(self) -> int:
        return len(self.raw)


def normalise_text(frame: pd.DataFrame, upper: bool = True) -> pd.DataFrame:
    """Upper-case every value and make empty cells missing; values are not trimmed (DfE rule).
    `upper=False` keeps the case as given (format conversion)."""
    out = {}
    for col in frame.columns:
        s = frame[col]
        if s.dtype != object and not pd.api.types.is_string_dtype(s.dtype):
            s = s.astype(object).where(s.notna(), None)
        if not len(s):
            out[col] = s.astype(object)
            continue
        # Normalised with pyarrow's vectorised kernels, then held with Python storage (see TEXT).
        s = s.astype("str")
        if upper:
            s = s.str.upper()
        s = s.where(s.ne("") & s.notna())
        out[col] = pd.Series(s.to_numpy(dtype=object, na_value=np.nan), index=frame.index, dtype=TEXT)
    result = pd.DataFrame(out, index=frame.index, columns=frame.columns)
    return result


def make_table(spec: TableSpec, frame: pd.DataFrame, source: Source, lines=None,
               extra_columns: list[str] | None = None, upper: bool = True) -> Table:
    """Type a frame of text cells whose columns are already the schema's columns."""
    frame = frame.reset_index(drop=True)
    for col in spec.csv_columns:
        if col not in frame.columns:
            frame[col] = None
    raw = normalise_text(frame[spec.csv_columns], upper)
    data = raw.copy()
    for col in spec.date_columns:
        data[col] = parse_strict(raw[col])
    if lines is None:
        lines = np.arange(len(raw)) + 2
    return Table(spec.name, raw, data, source, np.asarray(lines), list(extra_columns or []))


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
