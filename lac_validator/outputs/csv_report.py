"""One CSV row per error, safe to open in a spreadsheet."""
from __future__ import annotations

import csv

from ..report import Report
from .safety import safe_cell

COLUMNS = ["rule", "message", "category", "table", "year", "row", "line", "file", "child", "locator",
           "social_worker", "fields", "values"]


def _values_text(values: dict) -> str:
    return "; ".join(f"{k}={'' if v is None else v}" for k, v in values.items())


def write_csv(report: Report, stream) -> None:
    # CRLF rows: the csv module quotes a cell holding any line-terminator character, so with CRLF a
    # bare CR inside a value is quoted too and cannot start a new row in a spreadsheet.
    w = csv.writer(stream, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for r in report.records.to_dict("records"):
        row = dict(r)
        row["fields"] = ";".join(r["fields"])
        row["values"] = _values_text(r["values"])
        w.writerow([safe_cell("" if row[c] is None else row[c]) if isinstance(row[c], str) or row[c] is None
                    else row[c] for c in COLUMNS])
