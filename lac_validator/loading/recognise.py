"""Which 903 table a sheet is, from its header row (case- and whitespace-insensitive, any column
order; file names are not used), and what to say when it is none or lacks columns: the closest
header ("did you mean"), invisible characters, a second table pasted below the first."""
from __future__ import annotations

import difflib
import re

import numpy as np
import pandas as pd

from ..errors import InputError
from ..schema import TableSpec, load_schema
from ..tables import Source
from .sheet import RawSheet, norm_header


def recognise(sheet: RawSheet, specs: list[TableSpec]) -> tuple[TableSpec | None, list[str], list[str]]:
    """Return (table, extra columns, missing columns) for a header row.

    The table chosen is the one with the most of its columns present; ties favour the table
    with fewer columns missing.
    """
    cols = [norm_header(h) for h in sheet.header]
    present = set(cols)
    # A column shared by many tables (CHILD, DOB) says little; one found in a single table
    # (ETHNIC, DECOM) says a lot. Complete matches win; then the most telling overlap.
    counts: dict[str, int] = {}
    for spec in specs:
        for c in spec.csv_columns:
            counts[c] = counts.get(c, 0) + 1
    best, best_key = None, None
    for spec in specs:
        have = present & set(spec.csv_columns)
        complete = len(have) == len(spec.csv_columns)
        weight = sum(1.0 / counts[c] for c in have)
        key = (complete, len(have) if complete else weight)
        if best_key is None or key > best_key:
            best, best_key = spec, key
    if best is None:
        return None, [], []
    missing = [c for c in best.csv_columns if c not in present]
    extra = [h for h, c in zip(sheet.header, cols) if c not in best.csv_columns]
    # Require most of the table's identity to be there before we call it that table.
    if len(best.csv_columns) - len(missing) < max(2, (len(best.csv_columns) + 1) // 2):
        return None, extra, missing
    return best, extra, missing


def table_of_header_row(cells: list[str]) -> str | None:
    """The 903 table whose column names a row mostly holds (a header row), or None."""
    specs = list(load_schema().tables.values())
    spec, _, missing = recognise(RawSheet(Source("", "csv"), [str(c) for c in cells], pd.DataFrame(), np.zeros(0)), specs)
    if spec is not None and len(missing) <= len(spec.csv_columns) // 2:
        return spec.name
    return None


def refuse_second_table(sheet: RawSheet, specs: list[TableSpec], what: str) -> None:
    """A second table pasted below the first (its own header row, then its rows) would be read as
    records of the first: find such a header row and say where it is. Every 903 table starts with
    CHILD, so only the first column and the first table's CHILD column are looked at (cheap on a
    large table); a candidate row must then be mostly one table's column names."""
    rows = sheet.rows
    if rows.empty:
        return
    cols = {0} | {i for i, h in enumerate(sheet.header) if norm_header(h) == "CHILD"}
    hit = np.zeros(len(rows), dtype=bool)
    for col in cols:
        if col in rows.columns:
            hit |= rows[col].isin(_CHILD_SPELLINGS).to_numpy()
    for i in np.flatnonzero(hit):
        second = table_of_header_row(rows.iloc[i].tolist())
        if second is not None:
            raise InputError(f"{what}: line {int(sheet.lines[i])} is a second header row (the {second} table's column "
                             "names) below the first table: put each table in its own file or sheet, then validate again.")


_CHILD_SPELLINGS = ["CHILD", "Child", "child", " CHILD", "CHILD "]


# Characters that make a header differ from the DfE name without showing on screen. NBSP and a
# BOM are removed by _norm_header (they are read as the name); the others keep a column unknown.
_INVISIBLE = {"\u200b": "a zero-width space", "\u200c": "a zero-width non-joiner", "\u200d": "a zero-width joiner",
              "\u2060": "a word joiner", "\ufeff": "a byte order mark (BOM)", "\xa0": "a non-breaking space",
              "\xad": "a soft hyphen", "\u200e": "a left-to-right mark", "\u200f": "a right-to-left mark"}


def _shown(header: str) -> str:
    """A header as text a person can read: invisible characters as <U+200B>."""
    return "".join(f"<U+{ord(ch):04X}>" if ch in _INVISIBLE or not ch.isprintable() else ch for ch in header)


def column_hint(wanted: str, unknown: list[str]) -> str | None:
    """Why an unrecognised header is probably the missing column `wanted`, or None."""
    best, best_score = None, 0.0
    for h in unknown:
        hidden = sorted({_INVISIBLE[ch] for ch in h if ch in _INVISIBLE})
        visible = "".join(ch for ch in h.replace("\xa0", " ") if ch not in _INVISIBLE).strip().upper()
        underscored = re.sub(r"[\s\-.]+", "_", visible)
        if visible.replace(" ", "") == wanted or underscored == wanted:
            reasons = [f"contains {' and '.join(hidden)}"] if hidden else []
            if underscored == wanted and visible != wanted:
                reasons.append("has a space or hyphen where the DfE name has an underscore")
            if not reasons:
                continue
            return f'the header "{_shown(h)}" {" and ".join(reasons)}'
        score = difflib.SequenceMatcher(None, underscored, wanted).ratio()
        if score > best_score:
            best, best_score = h, score
    if best is not None and best_score >= 0.7:
        return f'the header has "{_shown(best)}": did you mean {wanted}?'
    return None


def described_missing(missing: list[str], unknown: list[str]) -> str:
    out = []
    for c in missing:
        hint = column_hint(c, unknown)
        out.append(f"{c} ({hint})" if hint else c)
    return ", ".join(out)


def header_summary(header: list[str], specs: list[TableSpec]) -> str:
    """Describe an unrecognised first row without echoing its cells: when it is a data row they
    are a child's details, which must not reach logs."""
    known = sorted({c for spec in specs for c in spec.csv_columns})
    names = [norm_header(h) for h in header if norm_header(h)]
    ours = [n for n in names if n in known]
    if not ours:
        return f"the first row ({len(names)} non-empty cell(s)) holds no 903 column name and matches no 903 table"
    return (f"the first row holds only {len(ours)} 903 column name(s) ({', '.join(ours[:8])}) among {len(names)} "
            "cells and matches no 903 table")
