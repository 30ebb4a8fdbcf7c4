"""Applying a filled-in fix sheet to a copy of the return, safely.

Every filled-in row is checked before anything is written: its record is found by its key (child and
the record's date, with the sheet's line only to tell identical records apart), the cell must still
hold the value the sheet shows, the field must be one the rule's row may correct, and the value must
be valid for the field and year. Rows that fail are refused with a plain reason; the others are
written to a copy, logged, and the copy is validated again and compared with the return.
"""
from __future__ import annotations

import getpass
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..report import LOCATOR
from ..suggestions import answered_fields
from ..years import CollectionYear
from . import copying
from . import model as m
from .model import Change, FileStamp, Outcome, SheetInfo, SheetRow, shown
from .sheet_reader import read_fix_sheet
from .sheet_writer import record_label, stamp
from .targets import Invalid, normalise, targets


@dataclass
class Comparison:
    fixed: pd.DataFrame
    remaining: pd.DataFrame
    introduced: pd.DataFrame


@dataclass
class ApplyResult:
    info: SheetInfo
    outcomes: list[Outcome]
    output: Path | None = None
    comparison: Comparison | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def applied(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.applied]

    @property
    def refused(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.applied]

    @property
    def exit_code(self) -> int:
        """0: everything asked was done and nothing new broke; 1: something was refused or a
        correction introduced an error (inputs and usage problems exit 2 before this)."""
        if self.output is not None and self.comparison is None:
            return 1  # written but not validated again: nothing is known about new errors
        introduced = self.comparison is not None and len(self.comparison.introduced)
        return 1 if self.refused or introduced else 0


# ---------------------------------------------------------------- the return the sheet was made from

def return_changes(stamps: list[FileStamp], files: list[Path], role: str) -> list[str]:
    """What differs between the files recorded in the sheet and `files` now (by file name)."""
    recorded = {Path(s.path).name: s for s in stamps if s.role == role}
    given = {Path(f).name: Path(f) for f in files}
    out = []
    for name, s in recorded.items():
        if name not in given:
            out.append(f"{name} is not there any more")
            continue
        now = stamp(given[name], role)
        if now.sha256 != s.sha256:
            out.append(f"{name} changed ({s.size:,} bytes then, {now.size:,} now)")
    out += [f"{name} is new" for name in given if name not in recorded]
    return out


# ---------------------------------------------------------------- finding each row's record

_KEY_SUFFIX = re.compile(r"#\d+$")


def _parse_key(row: SheetRow) -> tuple[str, str, str, str, str] | None:
    """(rule, table, year, child, natural key) from the row's Key; None when it cannot be read."""
    parts = row.key.split("|")
    if len(parts) < 5:
        return None
    rule, table, year = parts[:3]
    rest = "|".join(parts[3:])
    child = (row.child or "").upper()
    if child and rest.startswith(child + "|"):
        natural = rest[len(child) + 1:]
    elif len(parts) == 5:
        child, natural = parts[3], parts[4]
    else:
        return None
    return rule, table, year, child, _KEY_SUFFIX.sub("", natural)


class Resolver:
    """Finds sheet rows' records in the return as it is now (loaded with case as given)."""

    def __init__(self, ret, year: CollectionYear):
        self.ret = ret
        self.year = year
        self._upper: dict[tuple[str, str], np.ndarray] = {}

    def _col(self, table: str, name: str) -> np.ndarray:
        if (table, name) not in self._upper:
            raw = self.ret.tables[table].raw[name]
            self._upper[(table, name)] = raw.str.upper().to_numpy(dtype=object, na_value="")
        return self._upper[(table, name)]

    def resolve(self, row: SheetRow, value) -> Outcome:
        from ..registry import load_registry

        parsed = _parse_key(row)
        if parsed is None:
            return Outcome(row, "refused", "its Key cell is empty or was changed, so its record cannot be found")
        code, table, year, child, natural = parsed
        versions = [v for v in load_registry().versions_of(code) if v.applies_to(self.year)]
        if not versions:
            return Outcome(row, "refused", f"its Key names rule {code}, which is not a {self.year.label} rule")
        if table not in self.ret.tables and year == "current":
            return Outcome(row, "refused", f"the return has no {table} table now")
        kind = self.ret.tables[table].source.kind if table in self.ret.tables else "csv"
        allowed = targets(list(versions[0].fields) + answered_fields(table, versions[0].fields), table, year, kind)
        target = next((t for t in allowed if t.field == row.field), None)
        if target is None:
            fields = ", ".join(t.field for t in allowed if not t.locked) or "nothing"
            return Outcome(row, "refused", f"{row.field or 'this field'} cannot be corrected through a rule {code} "
                                           f"row (it corrects {fields})")
        if target.locked:
            return Outcome(row, "refused", target.locked)
        where = self._find(table, child, natural, row)
        if isinstance(where, str):
            return Outcome(row, "refused", where)
        t = self.ret.tables[table]
        raw = t.raw[row.field].iloc[where]
        current = None if raw is None or raw != raw else str(raw)
        if (shown(current) or "").upper() != (row.current or "").upper():
            return Outcome(row, "refused", f"the record's {row.field} is now '{current or ''}', not "
                                           f"'{row.current or ''}' as the sheet shows: it changed after the sheet "
                                           "was written")
        if value is None:
            return Outcome(row, "unchanged")
        try:
            new = normalise(value, table, row.field, self.year.key)
        except Invalid as exc:
            return Outcome(row, "refused", f"the corrected value is not valid: {exc}")
        if new == (current or ""):
            return Outcome(row, "refused", "the corrected value is the value already there: nothing to change")
        why = f"rule {code} ({row.where})"
        if row.uses_suggestion:
            evidence = row.cells.get(m.EVIDENCE)
            why += f"; accepted suggestion ({evidence})" if evidence else "; accepted suggestion"
        change = Change(t.source.describe(), int(t.lines[where]), table, child, row.field, current, new, why)
        return Outcome(row, "applied", "", change)

    def _find(self, table: str, child: str, natural: str, row: SheetRow) -> int | str:
        """The record's position in its table, or why it cannot be found."""
        t = self.ret.tables[table]
        match = self._col(table, "CHILD") == child
        loc = LOCATOR.get(table)
        if loc:
            match &= self._col(table, loc) == natural
        found = np.flatnonzero(match)
        label = record_label(table, "current", f"{loc} {natural}" if loc and natural else None)
        if len(found) == 0:
            return f"the record (child {child}, {label}) is no longer in the return"
        if len(found) == 1:
            return int(found[0])
        at_line = [i for i in found if row.line is not None and int(t.lines[i]) == row.line]
        if len(at_line) == 1:
            return int(at_line[0])
        return (f"{len(found)} records match child {child}, {label}, and the sheet's line no longer tells which: "
                "validate again and write a new fix sheet")


def resolve_rows(rows: list[SheetRow], ret, year: CollectionYear, check_unfilled: bool) -> list[Outcome]:
    """An outcome per filled-in row (and per row whose Current value was edited instead), with
    rows that ask different values for one cell refused and repeats of one change marked "same"."""
    resolver = Resolver(ret, year)
    outcomes = []
    for row in rows:
        value = row.value_to_apply()
        if value is None and not check_unfilled:
            continue
        o = resolver.resolve(row, value)
        if value is None:
            if o.status == "refused" and o.reason.startswith("the record's"):
                o.reason = ("its Current value was edited but Corrected value is empty: type the correction in the "
                            "Corrected value column and leave Current value as it was")
                outcomes.append(o)
            continue
        outcomes.append(o)
    by_cell: dict[tuple, list[Outcome]] = {}
    for o in outcomes:
        if o.change is not None:
            by_cell.setdefault((o.change.file, o.change.line, o.change.field), []).append(o)
    for same in by_cell.values():
        if len({o.change.new for o in same}) > 1:
            where = ", ".join(o.row.where for o in same)
            for o in same:
                o.status, o.reason, o.change = "refused", f"rows give different corrections for the same cell ({where})", None
        else:
            for o in same[1:]:
                o.status, o.reason = "same", f"the same correction as {same[0].row.where}"
                o.change = None
    return outcomes


# ---------------------------------------------------------------- the whole run

def apply_fix_sheet(sheet: Path, to: list[Path], output: Path, who: str = "", previous: list[Path] | None = None,
                    allow_changed: bool = False, year: str | None = None, la: str | None = None) -> ApplyResult:
    """Apply `sheet` to a copy of the return `to` in the new folder `output` and compare the errors.
    Raises InputError (nothing written) when the sheet, the return or the output folder is wrong."""
    from ..api import validate
    from ..loading import expand_paths, load_return

    info, rows = read_fix_sheet(sheet)
    cy = CollectionYear.parse(info.year)
    if year and CollectionYear.parse(year).key != cy.key:
        raise InputError(f"--year {year} disagrees with the fix sheet, which was written for {info.year}: leave "
                         "--year out (the sheet records it).")
    if la and info.la and la.upper() not in (info.la.upper(),) and _la_code(la) != info.la:
        raise InputError(f"--la {la} disagrees with the fix sheet, which was written for {info.la}: leave --la out.")
    files, _ = expand_paths(list(to), "current")
    prev_paths = list(previous or info.previous)
    prev_files: list[Path] = []
    if prev_paths:
        missing = [p for p in prev_paths if not Path(p).exists()]
        if missing:
            raise InputError(f"last year's return {missing[0]}, recorded in the fix sheet, is not there: give its "
                             "new place with --previous.")
        prev_files, _ = expand_paths(prev_paths, "previous")
    copying.check_output(output, files, [Path(sheet), *prev_files])
    changed = return_changes(info.files, files, "current")
    changed_prev = return_changes(info.files, prev_files, "previous") if prev_files else []
    result = ApplyResult(info, [])
    if changed or changed_prev:
        what = "; ".join(changed + [f"last year's {c}" for c in changed_prev])
        if not allow_changed:
            raise InputError(f"the return changed since the fix sheet was written ({what}): validate it again and "
                             "write a new fix sheet, or add --allow-changed to apply only the rows whose record "
                             "and value are still as the sheet shows.")
        result.notes.append(f"the return changed since the fix sheet was written ({what}); each row was checked "
                            "against the record as it is now.")
    ret = load_return(list(to), cy, "current", upper=False)
    result.outcomes = resolve_rows(rows, ret, cy, check_unfilled=not changed)
    if not result.outcomes:
        result.notes.append("no Corrected value is filled in: nothing was applied and nothing was written.")
        return result
    changes = [o.change for o in result.outcomes if o.change is not None]
    run = copying.now()
    who = who or _login()
    log = []
    for o in result.outcomes:
        if o.change is not None:
            log.append(copying.log_row(run, who, f"fix sheet {Path(sheet).name}", o.change, "applied",
                                       changes.index(o.change)))
        else:
            log.append(copying.log_row(run, who, f"fix sheet {Path(sheet).name}", None,
                                       "applied (same as another row)" if o.status == "same" else f"refused: {o.reason}",
                                       sheet_row=o.row))
    earlier = _earlier_log(to)
    _, status = copying.write_copy(files, changes, output, log, earlier)
    for o in result.outcomes:  # a file that did not take a change (it never should: all was checked)
        if o.change is not None and status.get(changes.index(o.change), "applied") != "applied":
            o.status, o.reason = "refused", status[changes.index(o.change)]
    result.output = Path(output)
    gone = [p for p in info.providers if not Path(p).exists()]
    if gone:
        result.notes.append(f"the provider list {gone[0]} recorded in the fix sheet is not there: the return and the "
                            "copy were compared without it (the URN rules may not run).")
    settings = dict(year=cy, la=info.la or None, providers=[p for p in info.providers if Path(p).exists()],
                    select=info.select or None, ignore=info.ignore or None)
    try:
        before = validate(list(to), prev_files or None, **settings)
        after = validate([output], prev_files or None, **settings)
        result.comparison = compare(before.records, after.records)
    except InputError as exc:  # the copy is written; say why it could not be compared
        result.notes.append(f"the corrected copy could not be validated again: {exc}")
    summary = render_summary(result)
    (Path(output) / copying.SUMMARY).write_text(summary, encoding="utf-8")
    return result


def _la_code(text: str) -> str:
    from ..authorities import resolve_la

    try:
        return resolve_la(text).ons_code
    except InputError:
        return text


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (some services): say so
        return "unknown"


def _earlier_log(to: list[Path]) -> Path | None:
    """The change log of the return given, when it is itself a corrected copy (its history goes on)."""
    for p in to:
        log = Path(p) / copying.CHANGE_LOG if Path(p).is_dir() else Path(p).parent / copying.CHANGE_LOG
        if log.is_file():
            return log
    return None


IDENTITY = ["rule", "table", "year", "row"]  # the copy has the same rows in the same order


def compare(before: pd.DataFrame, after: pd.DataFrame) -> Comparison:
    b = before.set_index(IDENTITY, drop=False).index if len(before) else pd.MultiIndex.from_tuples([], names=IDENTITY)
    a = after.set_index(IDENTITY, drop=False).index if len(after) else pd.MultiIndex.from_tuples([], names=IDENTITY)
    return Comparison(fixed=before[~b.isin(a)] if len(before) else before,
                      remaining=after[a.isin(b)] if len(after) else after,
                      introduced=after[~a.isin(b)] if len(after) else after)


def render_summary(result: ApplyResult, limit: int | None = None) -> str:
    """The plain-text summary (terminal and the copy's lac-validator-summary.txt)."""
    lines = [f"Fix sheet for the {result.info.year} return"
             + (f" of {result.info.la}" if result.info.la else "") + "."]
    lines += [f"Note: {n}" for n in result.notes]
    applied = [o for o in result.outcomes if o.status == "applied"]
    same = [o for o in result.outcomes if o.status == "same"]
    refused = result.refused
    asked = len(result.outcomes)
    if result.output is not None:
        lines.append(f"Corrections made: {len(applied)} (from {len(applied) + len(same)} of {asked} filled-in rows), "
                     f"in a copy in {result.output}; change log: {result.output / copying.CHANGE_LOG}.")
    for o in applied[:limit]:
        c = o.change
        lines.append(f"  {o.row.where}: child {c.child}, {c.field} '{c.old or ''}' -> '{c.new}'")
    if result.outcomes:
        lines.append(f"Refused: {len(refused)}" + (" (nothing was written for these rows):" if refused else "."))
    for o in refused[:limit]:
        lines.append(f"  {o.row.where}: child {o.row.child or '?'}, {o.row.field or '?'}: {o.reason}.")
    cmp = result.comparison
    if cmp is not None:
        err = {k: _severity(getattr(cmp, k), "error") for k in ("fixed", "remaining", "introduced")}
        lines.append(f"Errors fixed: {err['fixed']}. Errors remaining: {err['remaining']}. "
                     f"Errors the corrections introduced: {err['introduced']}" + (":" if err["introduced"] else "."))
        lines += _introduced(cmp.introduced[cmp.introduced["severity"].eq("error")] if err["introduced"] else None, limit)
        warn = {k: _severity(getattr(cmp, k), "warning") for k in ("fixed", "remaining", "introduced")}
        if any(warn.values()):
            lines.append(f"Warnings (DfE WARNING rules) fixed: {warn['fixed']}, remaining: {warn['remaining']}, "
                         f"introduced: {warn['introduced']}" + (":" if warn["introduced"] else "."))
            lines += _introduced(cmp.introduced[cmp.introduced["severity"].eq("warning")] if warn["introduced"]
                                 else None, limit)
    return "\n".join(_plain(x) for x in lines) + "\n"


def _severity(recs: pd.DataFrame, severity: str) -> int:
    return int(recs["severity"].eq(severity).sum()) if len(recs) else 0


def _introduced(recs: pd.DataFrame | None, limit: int | None) -> list[str]:
    if recs is None:
        return []
    return [f"  rule {r['rule']}, child {r['child']}, {r['locator'] or r['table']}: {r['message']}"
            for r in recs.head(limit or len(recs)).to_dict("records")]


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _plain(text: str) -> str:
    """No escape sequences from the return reach the terminal."""
    return _CONTROL.sub("?", text)
