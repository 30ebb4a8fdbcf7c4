"""Anonymised error profiles, for learning from other councils without sharing child-level data.

A profile holds, per rule run, the number of errors and the rate per 100 children, with small
counts suppressed (1-4 becomes "<5", and its rate is withheld) so no child can be singled out. It
holds no child, social worker, postcode or date: only the LA, the collection year, the tool
version, the numbers of children and episodes, and the per-rule figures.
"""
from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .errors import InputError
from .report import Report, severity_of

PROFILE_VERSION = 1
SUPPRESS_BELOW = 5
SUPPRESSED = "<5"


def version_id(rule) -> str:
    """Two councils' figures are comparable when the rule version is the same (code + years)."""
    return f"{rule.code}:{rule.years[0]}..{rule.years[-1]}"


def same_version(a: str, b: str) -> bool:
    """The same rule version: same code and first year. A version still in force ends in the latest
    specified year, which moves when a collection year is added (docs/new-year.md); versions of a
    code never overlap, so the first year names the version."""
    return a.split("..", 1)[0] == b.split("..", 1)[0]


def make_profile(report: Report) -> dict:
    meta = report.info
    children, episodes = meta.children, meta.episodes
    counts = report.records.groupby("rule").size().to_dict() if len(report.records) else {}
    rules = {}
    for rule in report.result.rules_run:
        n = int(counts.get(rule.code, 0))
        suppressed = 0 < n < SUPPRESS_BELOW
        rules[rule.code] = {
            "version": version_id(rule),
            "category": rule.category,
            "severity": severity_of(rule.message),
            "errors": SUPPRESSED if suppressed else n,
            "rate_per_100": None if suppressed or not children else round(100.0 * n / children, 2),
        }
    return {
        "profile_version": PROFILE_VERSION,
        "tool": {"name": "lac-validator", "version": __version__},
        "la": meta.la.dfe_code if meta.la else None,
        "la_name": meta.la.name if meta.la else None,
        "collection_year": meta.year.label,
        "children": children,
        "episodes": episodes,
        "previous_year_supplied": meta.previous is not None,
        # DfE errors and WARNING-rule flags, counted apart as in every report
        "errors": _suppress(report.error_count),
        "warnings": _suppress(report.warning_count),
        "rules": rules,
        "rules_not_run": sorted({c for c, _ in report.result.not_run}),
    }


def _suppress(n: int):
    return SUPPRESSED if 0 < n < SUPPRESS_BELOW else int(n)


def load_profile(path: Path) -> dict:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a readable profile ({type(exc).__name__}): write one with `lac-validator profile`.") from None
    if not isinstance(doc, dict) or doc.get("profile_version") != PROFILE_VERSION or "rules" not in doc:
        raise InputError(f"{path}: not a lac-validator profile of version {PROFILE_VERSION}.")
    _check_shape(doc, path)
    doc["_path"] = str(path)
    return doc


def _check_shape(doc: dict, path: Path) -> None:
    """A peer's profile is someone else's file: check every figure the comparison uses has its type."""
    from typing import Literal, Optional, Union

    from pydantic import BaseModel, ConfigDict, StrictFloat, StrictInt, StrictStr, ValidationError

    class Figure(BaseModel):
        model_config = ConfigDict(extra="allow")
        version: StrictStr
        category: StrictStr
        errors: Union[StrictInt, Literal["<5"]]
        rate_per_100: Optional[Union[StrictInt, StrictFloat]] = None

    class Shape(BaseModel):
        model_config = ConfigDict(extra="allow")
        collection_year: StrictStr
        rules: dict[str, Figure]

    try:
        Shape.model_validate(doc)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"] if not str(p).startswith(("int", "float", "str", "literal")))
        raise InputError(f"{path}: not a valid lac-validator profile ({where}: {first['msg'].lower()}): "
                         "ask for it to be written again with `lac-validator profile`.") from None


def _rate(entry: dict) -> float | None:
    """A suppressed count (1-4) is known only to lie between 0 and 5 errors: it is left out of medians."""
    return entry.get("rate_per_100")


@dataclass
class Comparison:
    rows: list[dict]           # per shared rule: ours and the peers' figures
    eliminated_by_all: list[str]
    notes: list[str]

    @property
    def worse(self) -> list[dict]:
        """The rules where we do worse: a rate above the peers' median, or errors where every peer has none."""
        return [r for r in self.rows if (r["gap"] is not None and r["gap"] > 0) or r["rule"] in self.eliminated_by_all]


def compare(ours: dict, others: list[dict]) -> Comparison:
    notes = []
    years = {o["collection_year"] for o in others} | {ours["collection_year"]}
    if len(years) > 1:
        notes.append(f"profiles cover several collection years ({', '.join(sorted(years))}): only rules whose version "
                     "is the same in both profiles are compared.")
    rows = []
    eliminated = []
    for code, mine in ours["rules"].items():
        peers = [o["rules"][code] for o in others
                 if code in o["rules"] and same_version(o["rules"][code]["version"], mine["version"])]
        if not peers:
            continue
        peer_rates = [r for r in (_rate(p) for p in peers) if r is not None]
        zeros = sum(1 for p in peers if p["errors"] == 0)
        row = {"rule": code, "category": mine["category"], "ours_errors": mine["errors"], "ours_rate": _rate(mine),
               "peers": len(peers), "peers_median": round(statistics.median(peer_rates), 2) if peer_rates else None,
               "peers_best": min(peer_rates) if peer_rates else None, "peers_with_zero": zeros}
        row["gap"] = (round(row["ours_rate"] - row["peers_median"], 2)
                      if row["ours_rate"] is not None and row["peers_median"] is not None else None)
        rows.append(row)
        if zeros == len(peers) and mine["errors"] not in (0,):
            eliminated.append(code)
    skipped = sorted(set(ours["rules"]) - {r["rule"] for r in rows})
    if skipped:
        notes.append(f"{len(skipped)} of our rules have no comparable peer figure (not run by the others, or a different "
                     "rule version).")
    rows.sort(key=lambda r: (r["gap"] is None, -(r["gap"] or 0), r["rule"]))
    result = Comparison(rows, sorted(eliminated), notes)
    if rows and not result.worse:
        notes.append(f"we are not worse than the other councils on any of the {len(rows)} rules compared: our rate is "
                     "at or below their median on each, and no rule they have all eliminated flags for us.")
    return result
