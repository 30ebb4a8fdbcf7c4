"""Suggester tests as data: tests/suggestion_cases/<name>.yaml holds tiny tables, the errors the
rules reported, and the suggestion expected for each (or none).

Format (one file per suggester, or per group of them):

    suggester: last_year:Header      # the suggester the cases are about (its registered name)
    cases:
      - name: last year's SEX for an invalid one
        years: ["2025_26"]           # optional: default 2025_26
        tables:                      # exactly as in tests/rule_cases (CSV text or row mappings;
          Header: |                  # *_last tables are last year's return)
            CHILD,SEX,DOB
            1,X,01/01/2015
          Header_last: [{CHILD: "1", SEX: "M", DOB: "01/01/2015"}]
        errors:                      # the records the rules reported: table, row, the rule's fields
          - {table: Header, row: 0, fields: [SEX]}
        expect:                      # one entry per error: null (no suggestion) or the suggestion;
          - {field: SEX, value: M, evidence: "recorded SEX M"}   # evidence: a part of the text

Tables are built through the same loader path as the rule cases (tests/rule_cases.build_context).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lac_validator.specfile import load_yaml_text
from rule_cases import Case, CaseSpec, build_context

CASES_DIR = Path(__file__).parent / "suggestion_cases"


@dataclass
class SuggestionCase:
    suggester: str
    name: str
    year: str
    tables: dict
    errors: list
    expect: list
    file: str
    options: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.suggester}[{self.year}]:{self.name}"


def load_suggestion_cases() -> list[SuggestionCase]:
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        doc = load_yaml_text(path.read_text(encoding="utf-8"))
        for raw in doc.get("cases") or []:
            options = {k: v for k, v in raw.items() if k not in {"name", "years", "tables", "errors", "expect"}}
            for y in raw.get("years") or ["2025_26"]:
                out.append(SuggestionCase(str(doc["suggester"]), str(raw["name"]), str(y), raw.get("tables") or {},
                                          list(raw["errors"]), list(raw["expect"]), path.name, options))
    return out


def run_suggestion_case(case: SuggestionCase):
    """(context, suggestions) for the case's errors, through lac_validator.suggestions.suggest."""
    from lac_validator.suggestions import suggest

    ctx = build_context(Case(case.suggester, case.year, case.file,
                             CaseSpec(name=case.name, tables=case.tables, **case.options)))
    records = pd.DataFrame([{"table": e["table"], "year": e.get("year", "current"), "row": int(e["row"]),
                             "fields": list(e["fields"])} for e in case.errors])
    return ctx, suggest(ctx, records)
