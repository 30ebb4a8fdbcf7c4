"""The machine-readable report (documented in README: JSON report)."""
from __future__ import annotations

import json
import math

import pandas as pd

from .. import __version__
from ..report import Report
from .safety import json_document

SCHEMA_VERSION = 1


def _clean(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if hasattr(v, "item"):
        return v.item()
    return v


def report_dict(report: Report) -> dict:
    meta, res = report.info, report.result
    recs = report.records
    if "suggestion" not in recs.columns:  # computed only when an output shows them (app/validate.py)
        recs = recs.assign(suggestion=None)
    errors = _records(recs)
    tables = {}
    for label, ret in (("current", meta.current), ("previous", meta.previous)):
        if ret is None:
            continue
        tables[label] = {t.name: {"file": _file(report, t.file), "rows": t.rows} for t in ret.tables}
    absent = {"current": list(meta.current.absent)}
    if meta.previous is not None:
        absent["previous"] = list(meta.previous.absent)
    by_rule = report.by_rule()
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "lac-validator", "version": __version__},
        "collection_year": meta.year.label,
        # The year whose rules and code lists were applied; provisional: a year after the latest
        # the specification covers, validated with that latest year's rules (see `alerts`).
        "rules_year": meta.year.rules_year.label,
        "provisional": meta.year.provisional,
        "collection_start": meta.year.start.date().isoformat(),
        "collection_end": meta.year.end.date().isoformat(),
        "la": None if meta.la is None else {"ons_code": meta.la.ons_code, "dfe_code": meta.la.dfe_code, "name": meta.la.name},
        "inputs": {
            "current": report.input_files("current"),
            "previous": report.input_files("previous"),
            "tables": tables,
            "absent_tables": absent,
        },
        "alerts": list(report.alerts),
        "warnings": list(report.notes),  # the run's notes (the key keeps its published name)
        "rules_run": [r.code for r in res.rules_run],
        "rules_not_run": [{"code": c, "reason": why} for c, why in res.not_run],
        "internal_errors": [{"code": c, "error": e} for c, e in res.internal_errors],
        "summary": {
            **report.counts(),
            "children_with_errors": report.children_with("error"),
            "children_with_warnings": report.children_with("warning"),
            "by_rule": [{k: _clean(v) for k, v in row.items()} for row in by_rule.to_dict("records")],
            "by_category": {r["category"]: int(r["errors"]) for r in report.by_category().to_dict("records")},
        },
        "errors": errors,
        "accepted": _records(report.accepted),
        "stale_baseline": [vars(e) for e in report.stale],
        "unexplained_baseline": [vars(e) for e in report.unexplained],
        "unknown_rule_baseline": [vars(e) for e in report.unknown_baseline],
    }


def _file(report: Report, described: str) -> str:
    """A table's file as described by the loader; only its name once pseudonymised."""
    if not report.pseudonymised:
        return described
    from pathlib import Path

    path, sep, sheet = described.partition(" (sheet ")
    return Path(path).name + sep + sheet


def _records(frame) -> list[dict]:
    if frame is None or frame.empty:
        return []
    return [{k: _clean(v) if not isinstance(v, (list, dict)) else v for k, v in r.items()}
            for r in frame.to_dict("records")]


def write_json(report: Report, stream) -> None:
    stream.write(dumps(report_dict(report)))
    stream.write("\n")


def dumps(data: dict) -> str:
    """The report as JSON text: one member per line and one list item (e.g. one error) per line.

    Readable and diff-friendly like an indented dump, but written by json's C encoder: `indent=`
    switches to the pure-Python encoder, several times slower on reports with many errors."""
    encode = json.JSONEncoder(ensure_ascii=False, default=str).encode
    members = []
    for key, value in data.items():
        if isinstance(value, list) and value:
            items = ",\n  ".join(encode(item) for item in value)
            members.append(f" {encode(key)}: [\n  {items}\n ]")
        else:
            members.append(f" {encode(key)}: {encode(value)}")
    return json_document("{\n" + ",\n".join(members) + "\n}")  # file names that were not UTF-8


