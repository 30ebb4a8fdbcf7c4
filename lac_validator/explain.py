"""`lac-validator explain CODE`: one rule's documentation, which is its spec entry.

Each version shows what lac-validator does (the entry's logic), where that departs from the older
reference validator, and where to find it: the implementing `module:function`, the schema code
lists it reads and its test cases' file.
"""
from __future__ import annotations

import io
import re
import textwrap

from . import divergences
from .registry import RuleVersion, load_registry
from .rule_sources import code_lists
from .schema import load_schema
from .years import CollectionYear, specified_range_text

WIDTH = 100  # the widest text explain writes; narrower terminals get their own width (at least 60)


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


_MARKER = re.compile(r"^([-*]|\d+[.)]|\(?[a-z0-9]\))\s")


def _paragraphs(text: str) -> list[tuple[str, str, str]]:
    """(indent, hanging indent, text) of each paragraph of a spec text: the YAML breaks lines at
    its own width, so a line continues the one before unless it is blank, starts a list item, or is
    indented differently from that paragraph's continuation lines."""
    out: list[list] = []
    for line in text.strip().splitlines():
        body = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        if out and body and out[-1][2] and not _MARKER.match(body) and indent in (out[-1][1], out[-1][0]) \
                and (indent == out[-1][1] or out[-1][0] == out[-1][1]):
            out[-1][2] += " " + body
            continue
        hang = indent + (" " * (len(_MARKER.match(body).group(0))) if _MARKER.match(body) else "")
        out.append([indent, hang, body])
    return [tuple(p) for p in out]


def _block(out, title: str, text: str, width: int) -> None:
    """A spec text wrapped to `width` (list items keep their hanging indent), so it reads at 80
    columns as well as at 100."""
    out.write(f"  {title}:\n")
    for indent, hang, body in _paragraphs(text):
        out.write((textwrap.fill(body, width=width, initial_indent="    " + indent, subsequent_indent="    " + hang,
                                 break_on_hyphens=False, break_long_words=False) if body else "") + "\n")


def _field(out, label: str, text: str, width: int) -> None:
    out.write(textwrap.fill(text, width=width, initial_indent=f"  {label + ':':<10}", subsequent_indent=" " * 12,
                            break_on_hyphens=False, break_long_words=False) + "\n")


def _bullet(out, text: str, width: int) -> None:
    out.write(textwrap.fill(text, width=width, initial_indent="    - ", subsequent_indent="      ",
                            break_on_hyphens=False) + "\n")


def _version(out, v: RuleVersion, year: CollectionYear | None, width: int) -> None:
    out.write(f"Rule {v.code} ({v.span.label})\n")
    _field(out, "Message", v.message, width)
    out.write(f"  Category: {v.category}\n")
    _field(out, "Tables", ', '.join(v.tables), width)
    _field(out, "Fields", ', '.join(v.fields), width)
    if v.needs:
        _field(out, "Needs", ", ".join(v.needs), width)
    if v.params:
        _field(out, "Values", params_text(v.params), width)
    _field(out, "Flags", v.flags, width)
    _block(out, "Logic", v.logic, width)
    if v.notes.strip():
        _block(out, "Notes", v.notes, width)
    if v.departures:
        out.write("  Departs from the older reference validator:\n")
        for d in v.departures:
            _bullet(out, d.sentence(), width)
    if v.implemented:
        _field(out, "Function", v.implemented_as + (f" (variant {v.variant})" if v.variant else ""), width)
        lists = code_lists(v.func)
        if lists:
            # The codes themselves, for the year asked about (else the version's latest year): how-to-fix
            # hints send people here for the valid codes.
            shown = year or CollectionYear.from_key(v.years[-1])
            out.write(f"  Code lists (schemas/fields.yaml, {shown.rules_year.label}):\n")
            schema = load_schema()
            for table, name in lists:
                codes = sorted(schema.codes(table, name, shown))
                out.write(textwrap.fill(f"{table}.{name}: {', '.join(codes)}", width=width, initial_indent="    ",
                                        subsequent_indent="      ", break_on_hyphens=False) + "\n")
    else:
        out.write("  (not implemented yet in this version of lac-validator)\n")
    out.write(f"  Tests:    tests/rule_cases/{v.code}.yaml (in the source repository)\n\n")


def explain_text(code: str, year: CollectionYear | None = None, width: int = WIDTH) -> str:
    """The text `explain` prints, `width` columns wide at most; LookupError when no rule (or no
    version in `year`) has the code."""
    width = max(60, min(WIDTH, width))
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
        _version(out, v, year, width)
    shared = divergences.shared_for(code)
    if shared:
        out.write("Departures shared with other rules (rules/departures.yaml):\n")
        for text in shared:
            _bullet(out, text, width)
        out.write("\n")
    out.write(textwrap.fill("Conventions every rule follows (blank values, dates, a blank CHILD is no child): "
                            "rules/conventions.md.", width=width) + "\n")
    out.write(textwrap.fill(specified_range_text(), width=width) + "\n")
    return out.getvalue()
