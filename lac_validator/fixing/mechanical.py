"""Mechanical fixes: the corrections a person would make without thinking.

Surrounding spaces, lower-case codes, postcode spacing, dates written with other separators or year
first. Computed on the case-preserving load of the return; written to a copy like a fix sheet's.
"""
from __future__ import annotations

import datetime as dt
import re

from ..schema import load_schema
from ..tables import Return
from .model import Change


_DATE_OTHER = re.compile(r"^\s*(\d{1,2})[-.\s](\d{1,2})[-.\s](\d{4})\s*$")
_DATE_ISO = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]00:00(?::00)?)?\s*$")
_DATE_TIME = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s+00:00(?::00)?\s*$")
_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})$")


def _fix_date(text: str) -> str | None:
    for pattern, order in ((_DATE_OTHER, (0, 1, 2)), (_DATE_ISO, (2, 1, 0)), (_DATE_TIME, (0, 1, 2))):
        m = pattern.match(text)
        if m:
            d, mth, y = (int(m.group(i + 1)) for i in order)
            try:
                return dt.date(y, mth, d).strftime("%d/%m/%Y")
            except ValueError:
                return None
    stripped = text.strip()
    if stripped != text and re.match(r"^\d{1,2}/\d{1,2}/\d{4}$", stripped):
        return stripped
    return None


def mechanical_fixes(ret: Return) -> list[Change]:
    """Safe corrections, computed on the case-preserving load of the return."""
    schema = load_schema()
    out = []
    for name, table in ret.tables.items():
        spec = schema.tables[name]
        for col in spec.csv_columns:
            fspec = spec.fields.get(col)
            if fspec is None or col == "CHILD":
                continue
            raw = table.raw[col]
            present = raw.notna()
            if not present.any():
                continue
            values = raw[present].astype(str)
            if fspec.is_date:
                fixed = values.map(_fix_date)
            elif fspec.type == "postcode":
                compact = values.str.upper().str.replace(r"\s+", "", regex=True)
                fixed = compact.map(lambda v: (lambda m: f"{m.group(1)} {m.group(2)}" if m else None)(_POSTCODE.match(v)))
            elif fspec.type in ("code", "upn", "urn", "integer"):
                fixed = values.str.strip().str.upper()
            else:
                continue
            changed = fixed.notna() & fixed.ne(values)
            for row in values.index[changed]:
                out.append(Change(table.source.describe(), int(table.lines[row]), name,
                                  str(table.raw.at[row, "CHILD"]), col, values[row], fixed[row],
                                  "mechanical: " + ("date format" if fspec.is_date else
                                                    "postcode spacing" if fspec.type == "postcode" else "spaces/case")))
    return out
