"""Pseudonymised reports, safe to share outside the team (README: "Pseudonymised reports").

One policy for every output format: the report itself is rewritten before any writer sees it.
CHILD and SW_ID become stable salted hashes; what identifies a child (UPN, date of birth and the
dates derived from it, full postcodes, Ofsted URNs) is removed, keeping at most the postcode
district; values are shown only where they cannot carry free text (valid codes, dates, numbers);
social worker names, baseline explanations and folder names are dropped. Timelines for the HTML
report are taken from the tables first and kept under the pseudonyms.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd

from .report import LOCATOR, UNASSIGNED, Report
from .schema import base_table, load_schema

# Dates of birth and dates computed from one (DUC, the date UASC status ceased, is the 18th birthday).
DOB_FIELDS = {"DOB", "MC_DOB", "DUC"}
REMOVED = "(removed)"
NOT_A_DATE = "(removed: not a date)"
NOT_A_CODE = "(removed: not a valid code)"
NOT_A_NUMBER = "(removed: not a number)"
WITHHELD = "(withheld)"

_DATE_SHAPED = re.compile(r"[0-9][0-9/.\-: ]{0,24}")   # digits and separators only: cannot hold a name
_NUMBER = re.compile(r"[0-9]{1,6}")
_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})?")


def pseudonym(value, salt: str, prefix: str):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return value
    digest = hmac.new(salt.encode("utf-8"), str(value).encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{prefix}{digest[:12]}"


def postcode_district(value) -> str:
    """The postcode district (outward code, e.g. "B42" of "B42 1AB"), or REMOVED when the value is
    not a postcode."""
    m = _POSTCODE.fullmatch(" ".join(str(value).upper().split()))
    return m.group(1) if m else REMOVED


class _Cleaner:
    """Value by value, what a pseudonymised report may show."""

    def __init__(self, salt: str):
        self.salt = salt
        self.schema = load_schema()
        self.children: dict = {}
        self._codes: dict = {}

    def child(self, c):
        if c is None or (isinstance(c, float) and pd.isna(c)):
            return None
        if c not in self.children:
            self.children[c] = pseudonym(c, self.salt, "C-")
        return self.children[c]

    def worker(self, sw):
        if sw is None or sw == UNASSIGNED:
            return sw
        return pseudonym(sw, self.salt, "SW-")

    def codes(self, table: str, field: str) -> frozenset:
        key = (table, field)
        if key not in self._codes:
            spec = self.schema.tables.get(table)
            f = spec.fields.get(field) if spec else None
            self._codes[key] = frozenset(c.code for c in f.codes) if f else frozenset()  # any year's codes
        return self._codes[key]

    def field_type(self, table: str, field: str) -> str | None:
        spec = self.schema.tables.get(table)
        f = spec.fields.get(field) if spec else None
        return f.type if f else None

    def value(self, table: str, field: str, v):
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return None
        text = str(v)
        if field == "CHILD":
            return self.child(v)
        if field == "SW_ID":
            return self.worker(text)
        if field in DOB_FIELDS:
            return REMOVED
        kind = self.field_type(table, field)
        if kind == "postcode":
            return postcode_district(text)
        if kind == "date":
            return text if _DATE_SHAPED.fullmatch(text.strip()) else NOT_A_DATE
        if kind == "code":
            return text if text.strip() in self.codes(table, field) else NOT_A_CODE
        if kind == "integer":
            return text if _NUMBER.fullmatch(text.strip()) else NOT_A_NUMBER
        return REMOVED  # UPN, URN, and anything not known to be harmless

    def natural(self, table: str, natural: str) -> str:
        """The natural key part of an error key (the locator date as written)."""
        if not natural:
            return natural
        body, sep, n = natural.partition("#")
        field = LOCATOR.get(table)
        if field in DOB_FIELDS or not _DATE_SHAPED.fullmatch(body.strip()):
            body = pseudonym(body, self.salt, "N-")
        return body + sep + n

    def locator(self, table: str, locator):
        if locator is None or (isinstance(locator, float) and pd.isna(locator)):
            return locator
        field, _, rest = str(locator).partition(" ")
        if field in DOB_FIELDS:
            return f"{field} {REMOVED}"
        if rest == "(blank)" or _DATE_SHAPED.fullmatch(rest.strip()):
            return locator
        return f"{field} {NOT_A_DATE}"


def _strip_folders(text, paths: list[str]):
    """Replace each input path in a text by its file name."""
    if not isinstance(text, str):
        return text
    for p in sorted(paths, key=len, reverse=True):
        if p and p in text:
            text = text.replace(p, Path(p).name)
    return text


def pseudonymise_records(records: pd.DataFrame, salt: str, paths: list[str] | None = None,
                         cleaner: _Cleaner | None = None) -> pd.DataFrame:
    """The same salt gives the same pseudonyms in every report, so reports can still be compared."""
    out = records.copy()
    if out.empty:
        return out
    c = cleaner or _Cleaner(salt)
    tables = [base_table(t) for t in out["table"]]
    out["child"] = [c.child(x) for x in out["child"]]
    out["social_worker"] = [c.worker(s) for s in out["social_worker"]]
    out["values"] = [{k: c.value(t, k, v) for k, v in vals.items()} for t, vals in zip(tables, out["values"])]
    out["locator"] = pd.Series([c.locator(t, loc) for t, loc in zip(tables, out["locator"])],
                               index=out.index, dtype=object)
    keys = []
    for t, k, child in zip(tables, out["key"], out["child"]):
        parts = k.split("|")
        if len(parts) >= 5:
            parts[3] = child or ""
            parts[4] = c.natural(t, "|".join(parts[4:]))
            parts = parts[:5]
        keys.append("|".join(parts))
    out["key"] = keys
    out["file"] = [_strip_folders(f, paths or []) for f in out["file"]]
    if "explanation" in out.columns:
        out["explanation"] = WITHHELD
    # proposed values and their evidence may name a child, a worker, a date of birth: none shared
    out["suggestion"] = None
    return out


def pseudonymise_report(report: Report, salt: str) -> Report:
    """A new report rewritten for sharing (see the module's docstring); the original is unchanged.
    Its timelines, when an output shows them, were taken from the tables before (app/validate.py)."""
    inputs = report.inputs
    paths = list(inputs["current"]) + list(inputs["previous"] or [])
    c = _Cleaner(salt)
    timelines = None
    if report.timelines is not None:
        timelines = {c.child(child): [
            {**ep, "ls": c.value("Episodes", "LS", ep.get("ls")), "place": c.value("Episodes", "PLACE", ep.get("place"))}
            for ep in episodes] for child, episodes in report.timelines.items()}
    accepted = report.accepted
    if accepted is not None:
        accepted = pseudonymise_records(accepted, salt, paths, c)
    entries = {kind: tuple(_entry(c, e) for e in getattr(report, kind))
               for kind in ("stale", "unexplained", "unknown_baseline")}
    # Notes about baseline entries name their child ("the entry for rule 999, child ..."): the pseudonym instead.
    named = {f"child {e.child}": f"child {c.child(e.child.upper())}"
             for kind in entries for e in getattr(report, kind) if e.child}

    def text(t):
        t = _strip_folders(t, paths)
        for raw, pseudo in named.items():
            t = re.sub(re.escape(raw) + r"(?![\w-])", pseudo, t)
        return t

    # A failing rule's exception text may quote a value: keep its type and where it was raised.
    result = replace(report.result, internal_errors=tuple((code, _error_type(err))
                                                          for code, err in report.result.internal_errors))
    return replace(report, result=result, records=pseudonymise_records(report.records, salt, paths, c), accepted=accepted,
                   **entries, notes=tuple(text(w) for w in report.notes), alerts=tuple(text(a) for a in report.alerts),
                   workers={}, timelines=timelines, pseudonymised=True)


def _entry(c: _Cleaner, e):
    """A baseline entry: its child pseudonymised, its key cleaned, its free text withheld."""
    return replace(e, child=c.child(e.child.upper()) if e.child else e.child, key=_stale_key(c, e.key),
                   explanation=WITHHELD if e.explanation else "", who=WITHHELD if e.who else "")


def _stale_key(c: _Cleaner, key: str) -> str:
    """A baseline entry's key: the row's date as written, or a full error key."""
    if not key:
        return key
    parts = key.split("|")
    if len(parts) >= 5:
        parts[3] = c.child(parts[3]) or ""
        parts[4] = c.natural(base_table(parts[1]), "|".join(parts[4:]))
        return "|".join(parts[:5])
    return key if _DATE_SHAPED.fullmatch(key.strip()) else pseudonym(key, c.salt, "N-")


def _error_type(err: str) -> str:
    m = re.fullmatch(r"(\w+): .*? \(([^()]*:\d+)\)", err, flags=re.S)
    return f"{m.group(1)} ({m.group(2)}); details withheld from a pseudonymised report" if m else \
        "details withheld from a pseudonymised report"
