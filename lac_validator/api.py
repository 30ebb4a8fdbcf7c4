"""Validating a return from Python: the same steps as `lac-validator validate`."""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import forking
from .authorities import resolve_la
from .context import Context
from .engine import run_rules, select_rules
from .loading import load_return
from .report import Report, build_report
from .years import CollectionYear


def build_reference(providers):
    """Postcode and Ofsted provider reference data (optional module; absent -> rules not run)."""
    try:
        from .reference import build_reference as _build  # noqa: PLC0415
    except ImportError:
        return None
    return _build(list(providers or []))


@dataclass(frozen=True)
class Run:
    """A validation: its report, and the loaded tables it was made from (for what genuinely needs
    them, such as the fix sheet; the report itself holds no reference to them)."""
    report: Report
    context: Context | None = field(default=None, repr=False)


def validate(current: list[str | Path], previous: list[str | Path] | None = None,
             year: CollectionYear | str | None = None, la: str | None = None,
             providers: list[str] | None = None, select: list[str] | None = None,
             ignore: list[str] | None = None, baseline: str | Path | None = None,
             workers: int | None = None) -> Report:
    """Load, type, run the year's rules and build the report. Raises InputError on bad input.
    `workers`: processes to work in (1 = never fork); None = LAC_VALIDATOR_WORKERS, else one per core."""
    return validate_run(current, previous, year, la, providers, select, ignore, baseline, workers).report


def validate_run(current: list[str | Path], previous: list[str | Path] | None = None,
                 year: CollectionYear | str | None = None, la: str | None = None,
                 providers: list[str] | None = None, select: list[str] | None = None,
                 ignore: list[str] | None = None, baseline: str | Path | None = None,
                 workers: int | None = None) -> Run:
    """validate(), keeping the loaded tables beside the report."""
    workers = forking.workers(workers)
    timings = {}
    t0 = time.perf_counter()
    notes = []
    year_given = year is not None
    if year is None:
        year = CollectionYear.in_progress()
        notes.append(f"no --year given: validating as {year.label}, the collection year in progress today.")
    # Every output says so when a year after the latest specified one is validated with that year's rules.
    elif isinstance(year, str):
        year = CollectionYear.parse(year)
    authority = resolve_la(la) if la else None
    copied = None
    if previous:
        from .loading import expand_paths
        from .same_return import check_previous_differs

        copied = check_previous_differs(expand_paths(list(current), "current")[0],
                                        expand_paths(list(previous), "previous")[0])
    # Last year's files are read with this year's table layout: the tables rules compare are the same.
    # With a spare core a forked copy reads them while this process reads this year's and the
    # reference data; this year's errors are reported first either way.
    prev_job = forking.try_start(load_return, list(previous), year, "previous") \
        if previous and workers >= 2 else None
    try:
        cur = load_return(list(current), year, "current")
        timings["load"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        reference = build_reference(providers)
        timings["reference"] = time.perf_counter() - t1
    except BaseException:
        if prev_job is not None:
            forking.stop(prev_job)
        raise
    t1 = time.perf_counter()
    prev = _previous(prev_job, previous, year)
    timings["load"] += time.perf_counter() - t1
    t1 = time.perf_counter()
    ctx = Context(year=year, current=cur, previous=prev, la=authority, reference=reference)
    rules = select_rules(year, select, ignore)
    result = run_rules(ctx, rules, workers)
    timings["rules"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    notes += list(cur.warnings) + ([f"last year: {w}" for w in prev.warnings] if prev else [])
    from .la_check import la_alerts

    # A provisional year is said first: every output shows the alerts first.
    alerts = [year.provisional_alert] if year.provisional else []
    alerts += year_mismatch_warnings(ctx, year_given) + la_alerts(ctx) + ([copied] if copied else [])
    report = build_report(ctx, result, notes + alerts, alerts,
                          {"select": list(select or []), "ignore": list(ignore or []), "baseline": bool(baseline)})
    if baseline:
        from .baseline import apply_baseline, baseline_notes, load_baseline

        applied = apply_baseline(report.records, load_baseline(Path(baseline)),
                                 [r.code for r in select_rules(year)])
        report = replace(report, records=applied.remaining, accepted=applied.accepted, stale=tuple(applied.stale),
                         unexplained=tuple(applied.unexplained), unknown_baseline=tuple(applied.unknown_rule),
                         notes=report.notes + tuple(baseline_notes(applied, year.label)))
    timings["report"] = time.perf_counter() - t2
    timings = {**report.result.timings, **{f"phase:{k}": v for k, v in timings.items()}}
    return Run(replace(report, result=replace(report.result, timings=timings)), ctx)


def _previous(job, previous, year):
    """Last year's return: from the forked copy that read it, else read here (no copy, or it died)."""
    if not previous:
        return None
    got = job() if job is not None else None
    if got is None:
        return load_return(list(previous), year, "previous")
    kind, value = got
    if kind == "raised":
        raise value
    return value


def year_mismatch_warnings(ctx: Context, year_given: bool = True) -> list[str]:
    """Say so, naming the year the dates point to, when most of a return's dates lie in another
    collection year than the one validated: --year (or --previous) is probably wrong."""
    from .year_check import year_alerts

    return year_alerts(ctx, year_given)
