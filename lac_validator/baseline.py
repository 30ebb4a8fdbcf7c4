"""Accepted errors: occurrences the DfE lets stand with an explanation.

A baseline is a YAML or CSV list of entries with `rule`, `child`, optional `key` (the row's
natural key as reports show it, e.g. the episode's DECOM "01/04/2025", or a full error key),
`explanation`, `who` and `date`. Each entry accepts the matching errors of the run; entries that
match nothing any more are reported as stale, so the list does not outlive its reasons. Entries
without a real explanation (empty, or the TODO placeholder `baseline create` writes) are reported
on every run, and entries naming a rule the year does not have are reported as such.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from .errors import InputError
from .specfile import load_yaml_text

FIELDS = ["rule", "child", "key", "explanation", "who", "date"]
PLACEHOLDER = "TODO"  # how `baseline create` starts the explanation a person must write


@dataclass
class Entry:
    rule: str
    child: str
    key: str = ""
    explanation: str = ""
    who: str = ""
    date: str = ""

    @property
    def explained(self) -> bool:
        """A real explanation: not empty and not the placeholder `baseline create` writes."""
        text = self.explanation.strip()
        return bool(text) and not text.upper().startswith(PLACEHOLDER)


@dataclass
class BaselineResult:
    accepted: pd.DataFrame          # records accepted by an entry (with its explanation)
    remaining: pd.DataFrame         # records still to fix
    stale: list[Entry] = field(default_factory=list)
    unexplained: list[Entry] = field(default_factory=list)   # no real explanation (matched or not)
    unknown_rule: list[Entry] = field(default_factory=list)  # name a rule the year does not have


def load_baseline(path: Path) -> list[Entry]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"baseline {path}: cannot be read ({exc.strerror or exc}).") from None
    if Path(path).suffix.lower() == ".csv":
        rows = list(csv.DictReader(io.StringIO(text)))
    else:
        try:
            _refuse_aliases(text, path)
            doc = load_yaml_text(text) or []
        except yaml.YAMLError as exc:
            raise InputError(f"baseline {path}: not valid YAML ({str(exc).splitlines()[0]}): see README, 'Accepted errors'.") from None
        rows = doc.get("accepted", []) if isinstance(doc, dict) else doc
        if rows is None:
            rows = []
        if not isinstance(rows, list):
            raise InputError(f"baseline {path}: 'accepted' must be a list of entries (each with rule, child, key, "
                             f"explanation), not {_kind(rows)}: see README, 'Accepted errors'.")
    entries = []
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or not _scalar_text(row.get("rule")) or not _scalar_text(row.get("child")):
            raise InputError(f"baseline {path}: entry {i} needs at least 'rule' and 'child' (see README, 'Accepted errors').")
        bad = [k for k in FIELDS if row.get(k) is not None and not isinstance(row.get(k), (str, int, float, dt.date))]
        if bad:
            raise InputError(f"baseline {path}: entry {i}: '{bad[0]}' must be one text value, not {_kind(row[bad[0]])}.")
        entries.append(Entry(**{k: _scalar_text(row.get(k)) for k in FIELDS}))
    return entries


def _scalar_text(value) -> str:
    return str(value).strip() if isinstance(value, (str, int, float, dt.date)) and value is not None else ""


def _kind(value) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number"}.get(type(value), type(value).__name__)


def _refuse_aliases(text: str, path: Path) -> None:
    """YAML anchors and aliases let a few lines stand for an exponentially large document (the
    "billion laughs" attack); a baseline has no use for them, so they are refused before loading."""
    for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise InputError(f"baseline {path}: uses YAML anchors or aliases (& and *), which a baseline never needs "
                             "and which can make a small file expand without limit: write each entry out in full.")


def apply_baseline(records: pd.DataFrame, entries: list[Entry], year_codes: list[str] | None = None) -> BaselineResult:
    """Match entries on rule and child (upper-cased like the data), and on key when given.

    `year_codes` (the collection year's rule codes) tells an entry for a rule that does not exist
    in the year from one that is merely stale."""
    if not entries:
        return BaselineResult(records.iloc[0:0].assign(explanation=[], explained=[]), records, [])
    known = None if year_codes is None else {c.upper() for c in year_codes}
    unknown = [e for e in entries if known is not None and e.rule.upper() not in known]
    unexplained = [e for e in entries if not e.explained]
    natural = records["key"].str.split("|").str[4].str.replace(r"#\d+$", "", regex=True) if len(records) else records["key"]
    rule = records["rule"].str.upper()
    child = records["child"].astype(object).where(records["child"].notna(), "").astype(str).str.upper()
    accepted_mask = pd.Series(False, index=records.index)
    explanation = pd.Series("", index=records.index, dtype=object)
    explained = pd.Series(False, index=records.index)
    stale = []
    for e in entries:
        if any(e is u for u in unknown):
            continue
        m = rule.eq(e.rule.upper()) & child.eq(e.child.upper())
        if e.key:
            m &= natural.eq(e.key) | records["key"].eq(e.key)
        if not m.any():
            stale.append(e)
            continue
        explanation[m & ~accepted_mask] = e.explanation
        explained[m & ~accepted_mask] = e.explained
        accepted_mask |= m
    accepted = records[accepted_mask].assign(explanation=explanation[accepted_mask], explained=explained[accepted_mask])
    return BaselineResult(accepted, records[~accepted_mask], stale, unexplained, unknown)


def baseline_notes(result: BaselineResult, year_label: str) -> list[str]:
    """What a run must say about its baseline, every time it is used."""
    notes = []
    if result.unexplained:
        n_acc = int((~result.accepted["explained"]).sum()) if len(result.accepted) else 0
        notes.append(f"baseline: {len(result.unexplained)} entr{'y has' if len(result.unexplained) == 1 else 'ies have'} "
                     f"no real explanation (empty or still '{PLACEHOLDER}...'), accepting {n_acc} error(s): write why "
                     "the DfE accepts each one (--fail-on unexplained makes CI fail on them).")
    for e in result.unknown_rule:
        notes.append(f"baseline: the entry for rule {e.rule}, child {e.child} names no rule of {year_label}: "
                     "check the rule code and --year, or remove the entry.")
    return notes


def baseline_yaml(records: pd.DataFrame, who: str = "", explanation: str = "") -> str:
    """A baseline accepting every error of a run, to be edited: fill in each explanation."""
    today = dt.date.today().isoformat()
    entries = []
    for r in records.to_dict("records"):
        natural = r["key"].split("|")[4]
        entries.append({"rule": r["rule"], "child": r["child"] or "", "key": natural,
                        "explanation": explanation or f"TODO: why the DfE can accept this ({r['message']})",
                        "who": who, "date": today})
    head = ("# lac-validator baseline: errors accepted with an explanation (one entry per occurrence).\n"
            "# Match: rule + child, and key (the row's date as in reports) when given. Remove an entry\n"
            "# when its error is fixed; runs report entries that no longer match anything as stale.\n")
    return head + yaml.safe_dump({"accepted": entries}, sort_keys=False, allow_unicode=True, width=120)
