"""`lac-validator explain CODE`: one rule's documentation, which is its spec entry.

Each version shows what lac-validator does (the entry's logic), where that departs from the older
reference validator, and where to find it: the implementing `module:function`, the schema code
lists it reads and its test cases' file.
"""
from __future__ import annotations

import io
import textwrap

from . import divergences
from .registry import RuleVersion, load_registry
from .rule_sources import code_lists
from .schema import load_schema
from .years import CollectionYear, specified_range_text

WIDTH = 100


def params_text(params: dict) -> str:
    """A rule version's year-specific values (spec `params`), as one line."""
    def one(v):
        if isinstance(v, list):
            return ", ".join(one(x) for x in v) if all(not isinstance(x, list) for x in v) else \
                "; ".join(one(x) for x in v)
        if isinstance(v, dict):
            return "; ".join(f"{k}: {one(x)}" for k, x in v.items())
        return str(v)
    return "; ".join(f"{k} = {one(v)}" for k, v in params.items())


def _block(out, title: str, text: str) -> None:
    out.write(f"  {title}:\n")
    for line in text.strip().splitlines():
        out.write(f"    {line}\n")


def _bullet(out, text: str) -> None:
    out.write(textwrap.fill(text, width=WIDTH, initial_indent="    - ", subsequent_indent="      ",
                            break_on_hyphens=False) + "\n")


def _version(out, v: RuleVersion, year: CollectionYear | None) -> None:
    out.write(f"Rule {v.code} ({v.span.label})\n")
    out.write(f"  Message:  {v.message}\n")
    out.write(f"  Category: {v.category}\n")
    out.write(f"  Tables:   {', '.join(v.tables)}\n")
    out.write(f"  Fields:   {', '.join(v.fields)}\n")
    if v.needs:
        out.write(f"  Needs:    {', '.join(v.needs)}\n")
    if v.params:
        out.write(f"  Values:   {params_text(v.params)}\n")
    out.write(f"  Flags:    {v.flags}\n")
    _block(out, "Logic", v.logic)
    if v.notes.strip():
        _block(out, "Notes", v.notes)
    if v.departures:
        out.write("  Departs from the older reference validator:\n")
        for d in v.departures:
            _bullet(out, d.sentence())
    if v.implemented:
        out.write(f"  Function: {v.implemented_as}" + (f" (variant {v.variant})" if v.variant else "") + "\n")
        lists = code_lists(v.func)
        if lists:
            # The codes themselves, for the year asked about (else the version's latest year): how-to-fix
            # hints send people here for the valid codes.
            shown = year or CollectionYear.from_key(v.years[-1])
            out.write(f"  Code lists (schemas/fields.yaml, {shown.rules_year.label}):\n")
            schema = load_schema()
            for table, name in lists:
                codes = sorted(schema.codes(table, name, shown))
                out.write(textwrap.fill(f"{table}.{name}: {', '.join(codes)}", width=WIDTH, initial_indent="    ",
                                        subsequent_indent="      ", break_on_hyphens=False) + "\n")
    else:
        out.write("  (not implemented yet in this version of lac-validator)\n")
    out.write(f"  Tests:    tests/rule_cases/{v.code}.yaml (in the source repository)\n\n")


def explain_text(code: str, year: CollectionYear | None = None) -> str:
    """The text `explain` prints; LookupError when no rule (or no version in `year`) has the code."""
    registry = load_registry()
    versions = registry.versions_of(code)
    if not versions:
        raise LookupError(f"no rule with code '{code}': `lac-validator rules` lists them.")
    if year is not None:
        versions = [v for v in versions if v.applies_to(year)]
        if not versions:
            raise LookupError(f"rule {code} is not part of the {year.label} collection.")
    out = io.StringIO()
    if year is not None and year.provisional:
        out.write(f"{year.provisional_alert}.\n\n")
    for v in versions:
        _version(out, v, year)
    shared = divergences.shared_for(code)
    if shared:
        out.write("Departures shared with other rules (rules/departures.yaml):\n")
        for text in shared:
            _bullet(out, text)
        out.write("\n")
    out.write(textwrap.fill("Conventions every rule follows (blank values, dates, a blank CHILD is no child): "
                            "rules/conventions.md.", width=WIDTH) + "\n")
    out.write(textwrap.fill(specified_range_text(), width=WIDTH) + "\n")
    return out.getvalue()
