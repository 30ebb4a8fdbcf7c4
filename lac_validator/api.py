"""Validating a return from Python: the same steps as `lac-validator validate`."""
from __future__ import annotations

import time
from pathlib import Path

from .authorities import resolve_la
from .context import Context
from .engine import run_rules, select_rules
from .loader import load_return
from .report import Report, build_report
from .years import CollectionYear


def build_reference(providers):
    """Postcode and Ofsted provider reference data (optional module; absent -> rules not run)."""
    try:
        from .reference import build_reference as _build  # noqa: PLC0415
    except ImportError:
        return None
    return _build(list(providers or []))


def validate(current: list[str | Path], previous: list[str | Path] | None = None,
             year: CollectionYear | str | None = None, la: str | None = None,
             providers: list[str] | None = None, select: list[str] | None = None,
             ignore: list[str] | None = None) -> Report:
    """Load, type, run the year's rules and build the report. Raises InputError on bad input."""
    timings = {}
    t0 = time.perf_counter()
    if year is None:
        year = CollectionYear.in_progress()
    elif isinstance(year, str):
        year = CollectionYear.parse(year)
    authority = resolve_la(la) if la else None
    cur = load_return(list(current), year, "current")
    # Last year's files are read with this year's table layout: the tables rules compare are the same.
    prev = load_return(list(previous), year, "previous") if previous else None
    timings["load"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    reference = build_reference(providers)
    ctx = Context(year=year, current=cur, previous=prev, la=authority, reference=reference)
    rules = select_rules(year, select, ignore)
    result = run_rules(ctx, rules)
    timings["rules"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    warnings = list(cur.warnings) + ([f"last year: {w}" for w in prev.warnings] if prev else [])
    report = build_report(ctx, result, warnings)
    timings["report"] = time.perf_counter() - t2
    result.timings.update({f"phase:{k}": v for k, v in timings.items()})
    return report
