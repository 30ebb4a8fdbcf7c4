"""Suggested corrections: what a flagged value probably should be, and the evidence for it.

A rule says what is wrong; a suggester says what the value probably should be and why. Each
suggester is metadata (name, table, the fields it proposes, the fields whose errors it answers)
plus one vectorised function over the flagged rows of its table and the context (both years'
typed tables). It returns candidate values with their evidence in plain words; this module checks
each candidate (a valid value for the field and year, different from the value given), drops
conflicting candidates (two suggesters, or two pieces of evidence, proposing different values for
the same cell), and attaches at most one suggestion to each error record.

Suggesters run only on the rows that rules flagged, only for this year's return (last year's has
been submitted), and never change anything: a person accepts a suggestion in the fix sheet.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from ..context import Context
from .values import valid_for_field

CANDIDATE_COLUMNS = ["row", "field", "value", "evidence"]
# The modules holding the suggesters, by kind of evidence (registration order breaks ties between
# suggestions for different fields of one record).
SOURCES = ("forms", "last_year", "same_child", "neighbours", "identifiers")


@dataclass(frozen=True)
class Suggester:
    name: str
    table: str                  # the table whose flagged rows it looks at (this year's)
    fields: tuple[str, ...]     # the input fields it may propose a value for
    answers: tuple[str, ...]    # other fields whose errors its proposals answer (DEC for a REC error)
    func: Callable              # func(ctx, rows: pd.Index) -> DataFrame with CANDIDATE_COLUMNS
    description: str


_SUGGESTERS: list[Suggester] = []
STRICT = False  # tests set this: a failing suggester then raises instead of being skipped


def suggester(name: str, table: str, fields: list[str], answers: list[str] | None = None, description: str = ""):
    """Register ``func(ctx, rows)``: ``rows`` are labels of flagged rows of ``table`` (this year's);
    it returns one candidate per (row, field) it has evidence for (columns row, field, value,
    evidence) or an empty frame. A record gets a proposal for one of the fields its rule names;
    ``answers`` lists other fields whose errors the proposals also answer (e.g. an episode's DEC
    for a rule about its REC X1)."""
    def deco(func):
        _SUGGESTERS.append(Suggester(name, table, tuple(fields), tuple(answers or ()), func,
                                     description or (func.__doc__ or "").strip().split("\n")[0]))
        return func
    return deco


def candidates(rows=(), field=None, values=(), evidence=()) -> pd.DataFrame:
    """A candidate frame (rows, values and evidence aligned; `field` one name or one per row)."""
    rows = np.asarray(list(rows) if not isinstance(rows, np.ndarray) else rows, dtype=np.int64)
    fields = [field] * len(rows) if isinstance(field, str) or field is None else list(field)
    return pd.DataFrame({"row": rows, "field": fields, "value": list(values), "evidence": list(evidence)},
                        columns=CANDIDATE_COLUMNS)


def all_suggesters() -> list[Suggester]:
    if not _SUGGESTERS:
        for name in SOURCES:
            importlib.import_module(f"{__name__}.{name}")
    return list(_SUGGESTERS)


@dataclass
class Suggestion:
    field: str
    value: str
    evidence: str
    by: str  # the suggester's name (tests and the benchmark; not part of the report)

    def as_dict(self) -> dict:
        return {"field": self.field, "value": self.value, "evidence": self.evidence}


def answered_fields(table: str, fields) -> list[str]:
    """Fields beyond `fields` whose suggested values answer errors about `fields` (an episode's DEC
    for a rule about its REC): the fix sheet gives such a suggestion its own row."""
    out: list[str] = []
    for s in all_suggesters():
        if s.table == table and set(s.answers) & set(fields):
            out += [f for f in s.fields if f not in fields and f not in out]
    return out


def describe(suggestion: dict | None) -> str:
    """A report's suggestion as one line for people: 'SEX = F (last year's return recorded ...)'."""
    if not suggestion:
        return ""
    return f"{suggestion['field']} = {suggestion['value']} ({suggestion['evidence']})"


def cell_candidates(ctx: Context, flagged: dict[str, dict[str, set]]) -> dict[tuple, Suggestion]:
    """Checked suggestions per flagged cell, keyed (table, row, field). A cell with candidates
    proposing different values gets none (conflicting evidence); the same value from several
    suggesters is one suggestion with the evidence joined. `flagged` holds, per table, the rows
    flagged per field at fault: a suggester sees only the rows whose errors it may answer, so most
    run on nothing at all. Candidates are few: they are gathered in plain Python."""
    found: dict[tuple, list] = {}
    for s in all_suggesters():
        by_field = flagged.get(s.table)
        if not by_field or not ctx.has(s.table):
            continue
        wanted = set().union(*(by_field.get(f, set()) for f in {*s.fields, *s.answers}))
        if not wanted:
            continue
        rows = pd.Index(sorted(wanted), dtype=np.int64)
        try:
            got = s.func(ctx, rows)
        except Exception:  # noqa: BLE001 - a broken suggester costs its suggestions, never the report
            if STRICT:
                raise
            continue
        if got is None or got.empty:
            continue
        for row, field, value, evidence in zip(got["row"].tolist(), got["field"].tolist(), got["value"].tolist(),
                                               got["evidence"].tolist()):
            if int(row) in wanted and field in s.fields and isinstance(value, str) and value:
                found.setdefault((s.table, int(row), field), []).append((value, evidence, s.name))
    out: dict[tuple, Suggestion] = {}
    by_field: dict[tuple, list] = {}
    for key, cands in found.items():
        if len({v for v, _, _ in cands}) == 1:
            by_field.setdefault((key[0], key[2]), []).append(key)
    for (table, field), keys in by_field.items():
        values = pd.Series([found[k][0][0] for k in keys])
        ok = valid_for_field(table, field, values, ctx.year).tolist()
        given = ctx.raw(table)[field].reindex([k[1] for k in keys]).tolist() \
            if field in ctx.raw(table).columns else [None] * len(keys)
        for key, good, now in zip(keys, ok, given):
            value = found[key][0][0]
            if good and value != now:  # valid for the field and year, and a change
                cands = found[key]
                out[key] = Suggestion(field, value, "; ".join(dict.fromkeys(e for _, e, _ in cands)),
                                      "+".join(dict.fromkeys(n for _, _, n in cands)))
    return out


def suggest(ctx: Context, records: pd.DataFrame) -> list[Suggestion | None]:
    """One suggestion or None per error record (records as report.build_records makes them: table,
    year, row, fields). A record gets the suggestion for one of its own fields, else for a field a
    suggester answers for it (e.g. an episode's DEC for a rule about its REC)."""
    out: list[Suggestion | None] = [None] * len(records)
    if records.empty:
        return out
    is_current = records["year"].eq("current").tolist()
    listed = list(zip(records["table"].tolist(), records["row"].tolist(), records["fields"].tolist(), is_current))
    flagged: dict[str, dict[str, set]] = {}
    for table, row, fields, cur in listed:
        if cur:
            for f in fields:
                flagged.setdefault(table, {}).setdefault(f, set()).add(int(row))
    if not flagged:
        return out
    cells = cell_candidates(ctx, flagged)
    if not cells:
        return out
    answers: dict[tuple, set] = {}
    for s in all_suggesters():
        for f in s.fields:
            answers.setdefault((s.table, f), set()).update(s.answers)
    by_row: dict[tuple, list] = {}
    for (table, row, field), sug in cells.items():
        by_row.setdefault((table, row), []).append(sug)
    for i, (table, row, fields, cur) in enumerate(listed):
        cands = by_row.get((table, int(row))) if cur else None
        if not cands:
            continue
        own = [c for f in fields for c in cands if c.field == f]
        chosen = own[0] if own else next((c for c in cands if answers.get((table, c.field), set()) & set(fields)), None)
        out[i] = chosen
    return out
