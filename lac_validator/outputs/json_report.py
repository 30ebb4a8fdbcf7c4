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
    ctx, res = report.ctx, report.result
    recs = report.with_suggestions()
    errors = _records(recs)
    tables = {}
    for label, ret in (("current", ctx.current), ("previous", ctx.previous)):
        if ret is None:
            continue
        tables[label] = {name: {"file": _file(report, t.source.describe()), "rows": len(t)} for name, t in ret.tables.items()}
    expected = [t.name for t in _tables_for_year(ctx)]
    absent = {"current": [t for t in expected if t not in ctx.current.tables]}
    if ctx.previous is not None:
        absent["previous"] = [t for t in expected if t not in ctx.previous.tables]
    by_rule = report.by_rule()
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "lac-validator", "version": __version__},
        "collection_year": ctx.year.label,
        # The year whose rules and code lists were applied; provisional: a year after the latest
        # the specification covers, validated with that latest year's rules (see `alerts`).
        "rules_year": ctx.year.rules_year.label,
        "provisional": ctx.year.provisional,
        "collection_start": ctx.collection_start.date().isoformat(),
        "collection_end": ctx.collection_end.date().isoformat(),
        "la": None if ctx.la is None else {"ons_code": ctx.la.ons_code, "dfe_code": ctx.la.dfe_code, "name": ctx.la.name},
        "inputs": {
            "current": report.input_files("current"),
            "previous": report.input_files("previous"),
            "tables": tables,
            "absent_tables": absent,
        },
        "alerts": list(report.alerts),
        "warnings": list(report.warnings),
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


def _tables_for_year(ctx):
    from ..schema import load_schema

    return load_schema().tables_for(ctx.year)


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


