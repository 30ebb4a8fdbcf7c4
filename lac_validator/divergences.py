"""Where lac-validator departs from the older reference validator, as the spec records it.

A departure is data: a rule version's spec entry lists its `departures` (what lac-validator does,
`reference_behaviour`: what the older tool did, `why_different`), and rules/departures.yaml lists
those that concern the whole tool or a piece of reference data shared by many rules. The document
users read, rules/divergences.md, is generated from them (`python -m lac_validator.divergences
--write`); a test keeps it in step, so the list and `explain` can never disagree.
"""
from __future__ import annotations

import re
import sys
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .registry import DEPARTURE_KEYS, Departure, code_sort_key, load_registry, parse_departures
from .specfile import load_yaml_text

TOOL_KEYS = frozenset({"section", "title", "rules", *DEPARTURE_KEYS})
SECTIONS = {"whole tool": "Whole tool", "reference data": "Reference data: postcodes, local authorities, Ofsted providers"}
# Families of rule codes, in the order of the document (and of rules/spec/*.yaml files).
FAMILIES = (
    ("r100", "Rules 100-199"), ("r200", "Rules 200-299"), ("r300", "Rules 300-399"),
    ("r400", "Rules 400-499"), ("r500", "Rules 500-599"), ("r600", "Rules 600-699"),
    ("r700", "Rules 700-799"), ("r1000", "Rules 1000-1016 and 3001"),
    ("sw", "Social worker episodes (SW*)"), ("integrity", "Integrity checks (EPI, INT*, NoE)"),
)

INTRO = """\
# Where lac-validator departs from the older reference validator

lac-validator's rules are written down in `rules/spec/*.yaml`: each entry says what lac-validator
does. Where that differs from the long-standing reference validator (csc-validator-be-903) because
the older tool's behaviour contradicts the DfE message or is a defect (a rule that raises and so
reports nothing, reads a column that does not exist, can never match), the entry records the
departure: what lac-validator does, what the older tool did, and why. Users comparing the two
tools' outputs should expect exactly these differences.

This file is generated from those records (`python -m lac_validator.divergences --write`); edit
the `departures` of the spec entries or `rules/departures.yaml`, not this file.
"""


@dataclass(frozen=True)
class ToolDeparture:
    section: str
    title: str
    rules: tuple[str, ...]
    departure: Departure


@lru_cache(maxsize=1)
def tool_departures() -> tuple[ToolDeparture, ...]:
    """rules/departures.yaml: departures that are not one rule's."""
    out = []
    # Read from the package itself, not a LAC_VALIDATOR_SPEC_DIR copy of the year data: these are not year data.
    text = resources.files("lac_validator.rules").joinpath("departures.yaml").read_text(encoding="utf-8")
    for n, item in enumerate(load_yaml_text(text) or []):
        where = f"rules/departures.yaml item {n + 1}"
        if not isinstance(item, dict) or set(item) - TOOL_KEYS or item.get("section") not in SECTIONS:
            raise RuntimeError(f"{where}: expected keys {sorted(TOOL_KEYS)} with section one of {sorted(SECTIONS)}")
        dep = parse_departures(where, [{k: item.get(k) for k in DEPARTURE_KEYS}])[0]
        out.append(ToolDeparture(item["section"], item["title"].strip(), tuple(str(c) for c in item.get("rules") or ()), dep))
    return tuple(out)


def family_of(code: str) -> str:
    """The spec file (and document section) a rule code belongs to."""
    if code.upper().startswith("SW"):
        return "sw"
    if code.upper().startswith("INT") or code.upper() in ("EPI", "NOE"):
        return "integrity"
    number = int(re.match(r"\d+", code).group())
    return "r1000" if number >= 1000 else f"r{number // 100 * 100}"


def _years_text(spans) -> str:
    """'all years', '2024_25 onwards', '2024_25 to 2025_26' or a list, from the versions' ranges."""
    from .years import specified_keys  # noqa: PLC0415

    keys = specified_keys()
    years = sorted({k for s in spans for k in keys if k in s})
    open_ended = any(s.last is None for s in spans)
    if years == list(keys) and open_ended:
        return "all years"
    if open_ended and years == list(keys[keys.index(years[0]):]):
        return f"{years[0]} onwards"
    if years == list(keys[keys.index(years[0]):keys.index(years[-1]) + 1]) and len(years) > 2:
        return f"{years[0]} to {years[-1]}"
    return ", ".join(years)


def shared_for(code: str) -> list[str]:
    """Departures concerning rule `code` that are not its own entries': the tool-wide ones naming it."""
    wanted = code.strip().upper()
    out = [f"{t.title}: {t.departure.sentence()}" for t in tool_departures() if wanted in {c.upper() for c in t.rules}]
    return out


def _bullet(head: str, text: str) -> str:
    return textwrap.fill(f"- **{head}** {text}", width=110, subsequent_indent="  ",
                         break_on_hyphens=False, break_long_words=False)


def render(registry=None) -> str:
    """The whole document, generated from the spec entries and rules/departures.yaml."""
    registry = registry or load_registry()
    parts = [INTRO]
    for section, heading in SECTIONS.items():
        items = [t for t in tool_departures() if t.section == section]
        if not items:
            continue
        parts.append(f"## {heading}\n")
        for t in items:
            codes = f" ({', '.join(t.rules)})" if t.rules else ""
            parts.append(_bullet(f"{t.title}{codes}.", t.departure.sentence(markdown=True)))
        parts.append("")
    # Rule departures: one bullet per distinct departure, naming every rule and year carrying it.
    by_departure: dict[Departure, dict[str, list]] = {}
    for v in registry.versions:
        for d in v.departures:
            by_departure.setdefault(d, {}).setdefault(v.code, []).append(v.span)
    sections: dict[str, list[tuple]] = {}
    for d, codes in by_departure.items():
        ordered = sorted(codes, key=code_sort_key)
        spans = [s for c in ordered for s in codes[c]]
        sections.setdefault(family_of(ordered[0]), []).append((code_sort_key(ordered[0]), ordered, spans, d))
    for family, heading in FAMILIES:
        items = sorted(sections.get(family, []), key=lambda x: x[0])
        if not items:
            continue
        parts.append(f"## {heading}\n")
        for _, ordered, spans, d in items:
            parts.append(_bullet(f"{', '.join(ordered)}", f"({_years_text(spans)}): {d.sentence(markdown=True)}"))
        parts.append("")
    return "\n".join(parts).rstrip("\n") + "\n"


def document_path() -> Path:
    return Path(str(resources.files("lac_validator.rules").joinpath("divergences.md")))


def main(argv: list[str]) -> int:
    """`python -m lac_validator.divergences [--write]`: print or rewrite rules/divergences.md."""
    text = render()
    if "--write" in argv:
        document_path().write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {document_path()}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
