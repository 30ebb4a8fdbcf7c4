"""From recognised sheets to a return: typing a sheet into a table, warnings on dates written in an
export's format, and assembling one year's tables into a Return (each table once, the file format,
Header's UASC indicator for CSV)."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..errors import InputError
from ..schema import TableSpec, load_schema
from ..tables import Return, Table, make_table, normalise_text
from ..years import CollectionYear
from .sheet import RawSheet, norm_header


def table_from_sheet(sheet: RawSheet, spec: TableSpec, extra: list[str], upper: bool = True,
                     warnings: list[str] | None = None):
    """The typed table of a recognised sheet: the spec's columns (missing ones blank), rows with no
    value left out (their neighbours keep their file lines and file rows)."""
    cols = [norm_header(h) for h in sheet.header]
    seen = {}
    for i, c in enumerate(cols):
        if c in spec.csv_columns:
            if c in seen:
                raise InputError(f"{sheet.source.describe()}: column {c} appears twice in the header: keep one.")
            seen[c] = i
    frame = normalise_text(pd.DataFrame(
        {c: sheet.rows[seen[c]] if c in seen else pd.Series("", index=sheet.rows.index, dtype=object)
         for c in spec.csv_columns}, index=sheet.rows.index), upper)
    # Drop rows with no value at all: Excel exports often end with ",,,,," lines. Those at the end
    # are dropped silently; empty rows between records are mentioned, as a record may be lost there.
    keep = frame.notna().any(axis=1).to_numpy() if len(frame) else np.zeros(0, dtype=bool)
    if warnings is not None and keep.any():
        gaps = np.flatnonzero(~keep[:np.flatnonzero(keep)[-1]])
        if len(gaps):
            warnings.append(f"{sheet.source.describe()}: {len(gaps)} empty row(s) between records were skipped "
                            f"(first at line {sheet.lines[gaps[0]]}).")
    if not keep.all():
        frame = frame[keep]
    file_rows = np.arange(len(sheet.rows)) if sheet.file_rows is None else sheet.file_rows
    return make_table(spec, frame, sheet.source, sheet.lines[keep], extra, upper, normalised=True,
                      file_rows=file_rows[keep])


# Non-DfE date writings, each with its likely cause; dd/mm/yyyy is the only accepted form.
_DATE_SHAPES = [
    ("ISO dates (yyyy-mm-dd)", re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}\s*$"),
     "the column was exported in ISO format: format it as dd/mm/yyyy before saving"),
    ("dates with a time", re.compile(r"^\s*(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{1,2}-\d{1,2})[ T]\d{1,2}:\d{2}"),
     "the export added times: format the column as dd/mm/yyyy without the time"),
    ("Excel serial numbers", re.compile(r"^\s*\d{5}(\.\d+)?\s*$"),
     "the column was saved as numbers: format it as a date (dd/mm/yyyy) before saving"),
    ("US dates (mm/dd/yyyy)", re.compile(r"^\s*(0?[1-9]|1[0-2])/(1[3-9]|2\d|3[01])/\d{4}\s*$"),
     "the export used month/day/year: other dates in the column that look valid may have day and month "
     "swapped; export with the UK date format"),
    ("dates with - or . separators", re.compile(r"^\s*\d{1,2}[-.]\d{1,2}[-.]\d{4}\s*$"),
     "use / between day, month and year (`lac-validator fix` can correct these on a copy)"),
    ("dates with a two-digit year", re.compile(r"^\s*\d{1,2}/\d{1,2}/\d{2}\s*$"),
     "write the year with four digits"),
]


def date_format_warnings(table, what: str) -> list[str]:
    """Explain invalid dates whose form points at an export setting. The values stay invalid (the
    DfE reads dd/mm/yyyy only) and the rules report them; the warning names the likely cause."""
    out = []
    spec = load_schema().tables[table.name]
    for col in spec.date_columns:
        raw = table.raw[col]
        bad = raw.notna() & table.data[col].isna()
        if not bad.any():
            continue
        texts = raw[bad].astype(str)
        for label, pattern, advice in _DATE_SHAPES:
            hit = texts.str.match(pattern)
            if hit.any():
                first = int(table.lines[np.flatnonzero(bad.to_numpy())[np.flatnonzero(hit.to_numpy())[0]]])
                out.append(f"{what}: {int(hit.sum())} {col} value(s) are written as {label} (first at line {first}); "
                           f"the DfE format is dd/mm/yyyy, so they are reported as invalid: {advice}.")
    return out


def assemble_return(label: str, tables: list[tuple[str, Table, str]], year: CollectionYear, kinds: set[str],
                    warnings: list[str] | None = None, inputs: list[str] | None = None) -> Return:
    """One year's return from the tables read for it: (table name, typed table, where it was read).
    Each table once, only the year's tables (others are ignored with a warning), the file format
    from the `kinds` of readers used ("csv", "xlsx", "xml"), and the UASC indicator CSV lacks."""
    warnings = [] if warnings is None else warnings
    ret = Return(label=label, warnings=warnings, inputs=list(inputs or []))
    where: dict[str, str] = {}
    for name, table, what in tables:
        spec = load_schema().tables[name]
        if not spec.in_year(year):
            warnings.append(f"{what}: the {name} table is not part of the {year.label} return and was ignored.")
            continue
        if name in ret.tables:
            raise InputError(f"The {ret.label} return has the {name} table twice: in {where[name]} and in {what}. Keep one of them.")
        where[name] = what
        ret.tables[name] = table
    ret.file_format = "xml" if kinds == {"xml"} else ("csv" if "xml" not in kinds else "mixed")
    if "Header" in ret.tables:
        _derive_uasc(ret)
    return ret


def _derive_uasc(ret: Return) -> None:
    """CSV returns carry no UASC column in Header: it is 1 when the child has a UASC row."""
    header = ret.tables["Header"]
    if "UASC" in header.raw.columns:
        return
    if "UASC" in ret.tables:
        # A blank CHILD is no child: it has no UASC row even beside a blank-CHILD UASC row.
        from ..toolkit import child_in
        flag = child_in(header.raw["CHILD"], ret.tables["UASC"].raw["CHILD"]).map({True: "1", False: "0"}).astype("str")
    else:
        flag = pd.Series(np.nan, index=header.raw.index, dtype="str")
    header.raw["UASC"] = flag
    header.data["UASC"] = flag
