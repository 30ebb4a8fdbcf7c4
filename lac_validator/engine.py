"""Running a year's rules over a return: each rule isolated, none can stop the others."""
from __future__ import annotations

import os
import time
import traceback
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import forking
from .context import Context
from .registry import NEEDS, NotApplicable, Registry, RuleVersion, code_sort_key, load_registry
from .schema import base_table
from .years import CollectionYear

NEEDS_ALWAYS_MET = {"collection_year", "file_format"}


@dataclass
class Finding:
    rule: RuleVersion
    table: str          # table key, e.g. "Episodes" or "Header_last"
    rows: np.ndarray    # sorted, unique row labels


@dataclass
class RunResult:
    year: CollectionYear
    rules_run: list[RuleVersion] = field(default_factory=list)
    not_run: list[tuple[str, str]] = field(default_factory=list)
    internal_errors: list[tuple[str, str]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def _matches(code: str, patterns: list[str], known: set[str]) -> bool:
    """A pattern that is a rule code matches that code only (101 is not 1010); any other pattern
    is a prefix (5 = the 500s and 5000s, INT = the integrity checks)."""
    c = code.upper()
    for p in patterns:
        p = p.upper()
        if c == p or (p not in known and c.startswith(p)):
            return True
    return False


def select_rules(year: CollectionYear, select: list[str] | None = None, ignore: list[str] | None = None,
                 registry: Registry | None = None) -> list[RuleVersion]:
    """The year's rule versions, filtered by code or code prefix (--select / --ignore)."""
    registry = registry or load_registry()
    rules = registry.for_year(year)
    known = {v.code.upper() for v in registry.versions}
    if select or ignore:
        from .select import check_selection

        check_selection(year, select, ignore, [r.code for r in rules])
    if select:
        rules = [r for r in rules if _matches(r.code, select, known)]
    if ignore:
        rules = [r for r in rules if not _matches(r.code, ignore, known)]
    return sorted(rules, key=lambda r: code_sort_key(r.code))


def why_not_run(rule: RuleVersion, ctx: Context) -> str | None:
    if not rule.implemented:
        return "not implemented yet in this version of lac-validator"
    missing = [t for t in rule.requires if not ctx.has(t)]
    if missing:
        last = [t for t in missing if t.endswith("_last")]
        this = [t for t in missing if not t.endswith("_last")]
        parts = []
        if this:
            parts.append("this year's " + ", ".join(this) + " table" + ("s" if len(this) > 1 else "") + " not supplied")
        if last:
            if ctx.previous is None:
                parts.append("needs last year's return (--previous)")
            else:
                names = [base_table(t) for t in last]
                parts.append("last year's " + ", ".join(names) + " table" + ("s" if len(names) > 1 else "") + " not supplied")
        return "; ".join(parts)
    for need in rule.needs:
        if need not in NEEDS:  # refused when the spec is loaded; never counted as met
            return f"needs '{need}', which this version of lac-validator does not know"
        if need in NEEDS_ALWAYS_MET:
            continue
        if need == "la_code" and ctx.la is None:
            return "needs the submitting local authority (--la)"
        if need == "postcodes" and getattr(ctx.reference, "postcodes", None) is None:
            return "needs postcode reference data, which is not available"
        if need == "provider_info" and getattr(ctx.reference, "providers", None) is None:
            return "no Ofsted provider list given (--providers)"
    return None


def _as_labels(value, index: pd.Index) -> np.ndarray:
    if value is None:
        return np.zeros(0, dtype=np.int64)
    if isinstance(value, pd.Series) and value.dtype == bool:
        labels = value.index[value.to_numpy()]
    elif isinstance(value, (pd.DataFrame,)):
        labels = value.index
    else:
        labels = pd.Index(value)
    labels = pd.Index(labels).dropna().unique()
    unknown = labels.difference(index)
    if len(unknown):
        raise ValueError(f"rule returned row labels that are not rows of the table: {list(unknown[:5])}")
    return np.sort(labels.to_numpy(dtype=np.int64))


def normalise_flags(rule: RuleVersion, result, ctx: Context) -> dict[str, np.ndarray]:
    if result is None:
        return {}
    if not isinstance(result, dict):
        result = {rule.primary_table: result}
    out = {}
    for table, value in result.items():
        labels = _as_labels(value, ctx.table(table).index)
        if len(labels):
            out[table] = labels
    return out


def _run_one(rule: RuleVersion, ctx: Context):
    """('not_run', reason) | ('error', text) | ('ok', {table: rows}), and the seconds it took."""
    reason = why_not_run(rule, ctx)
    if reason:
        return ("not_run", reason), None
    started = time.perf_counter()
    try:
        outcome = ("ok", normalise_flags(rule, rule.run(ctx), ctx))
    except NotApplicable as exc:
        outcome = ("not_run", str(exc))
    except Exception as exc:  # a broken rule must never stop the run
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        outcome = ("error", f"{type(exc).__name__}: {exc} ({frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})")
    return outcome, time.perf_counter() - started


def rule_workers(n_rules: int, workers: int | None = None) -> int:
    """Processes to run the rules in (forking.workers: `workers` if given); one for a handful of rules."""
    return 1 if n_rules < 20 else forking.workers(workers)


def _batches(rules: list[RuleVersion]) -> list[list[int]]:
    """Rule positions grouped by the module that defines them, largest group first. Rules of one
    module mostly share their views, so handing out whole modules keeps such a view in one process;
    views that rules of several modules share are computed before the processes start
    (precompute_views)."""
    groups: dict[str, list[int]] = {}
    for i, rule in enumerate(rules):
        groups.setdefault(getattr(rule.func, "__module__", "") or "", []).append(i)
    return sorted(groups.values(), key=len, reverse=True)


def precompute_views(ctx: Context, rules: list[RuleVersion]) -> None:
    """Compute, into ctx.cache, the views declared `@shared(precompute=...)` that rules about to run
    will ask for (memo.Precompute says which), so that every forked process inherits them. A view
    that fails is left for the rules to compute: each meets the error in its own run, as without
    this step."""
    from . import memo, views  # noqa: F401 - importing views declares its precomputed views

    running = [r for r in rules if why_not_run(r, ctx) is None]
    for view in memo.PRECOMPUTED:
        wanted = view.precompute
        for args in wanted.args:
            if any(args[0] in r.requires and wanted.needs <= set(r.needs) for r in running):
                try:
                    view(ctx, *args)
                except Exception:
                    pass


def _take_batches(tickets: int, batches: list[list[int]], rules: list[RuleVersion], ctx: Context) -> list:
    """Run batches drawn from the shared ticket pipe until it is empty: (position, outcome) pairs.
    A one-byte read from a pipe is atomic, so each batch is taken by exactly one process, and a
    process that finishes early takes more (the processes balance themselves)."""
    done = []
    while True:
        ticket = os.read(tickets, 1)
        if not ticket:
            return done
        for i in batches[ticket[0]]:
            done.append((i, _run_one(rules[i], ctx)))


def _run_parallel(ctx: Context, rules: list[RuleVersion], workers: int) -> list:
    precompute_views(ctx, rules)
    batches = _batches(rules)
    if len(batches) > 255:  # one byte per ticket; never the case with the rule modules we have
        return [_run_one(rule, ctx) for rule in rules]
    read_t, write_t = os.pipe()
    os.write(write_t, bytes(range(len(batches))))  # far below the pipe's buffer: never blocks
    os.close(write_t)
    outcomes: list = [None] * len(rules)
    try:
        started = (forking.try_start(_take_batches, read_t, batches, rules, ctx) for _ in range(workers - 1))
        collectors = [c for c in started if c is not None]
        for i, o in _take_batches(read_t, batches, rules, ctx):
            outcomes[i] = o
    finally:
        os.close(read_t)
    for collect in collectors:
        got = collect()
        for i, o in (got[1] if got and got[0] == "ok" else []):
            outcomes[i] = o
    # A worker that failed (killed, out of memory) took batches that no one reported: run them here.
    for i, o in enumerate(outcomes):
        if o is None:
            outcomes[i] = _run_one(rules[i], ctx)
    return outcomes


def run_rules(ctx: Context, rules: list[RuleVersion], workers: int | None = None) -> RunResult:
    """Run the rules in up to `workers` processes (rule_workers); their outcomes are recorded in the
    rules' order whatever process ran them, so reports do not depend on the number of workers."""
    workers = rule_workers(len(rules), workers)
    if workers >= 2:
        outcomes = _run_parallel(ctx, rules, workers)
    else:
        outcomes = [_run_one(rule, ctx) for rule in rules]
    res = RunResult(year=ctx.year)
    for rule, ((kind, value), seconds) in zip(rules, outcomes):
        if seconds is not None:
            res.timings[rule.code] = res.timings.get(rule.code, 0.0) + seconds
        if kind == "not_run":
            res.not_run.append((rule.code, value))
        elif kind == "error":
            res.internal_errors.append((rule.code, value))
        else:
            res.rules_run.append(rule)
            for table, rows in value.items():
                res.findings.append(Finding(rule, table, rows))
    return res
