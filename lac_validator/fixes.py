"""Fixing many records at once, always on a copy of the return, always logged.

- A fix sheet (workbook) lists every error occurrence per rule, one row per field at fault, with an
  empty "Corrected value" column for business support to fill in.
- `apply_fixes` writes a corrected copy of the return: every input file is copied, the changed
  cells are rewritten in the copy (CSV keeps its other bytes' text exactly; XLSX keeps the workbook),
  and a change log (when, who, file, line, child, field, old -> new, rule) is written beside it.
- `mechanical_fixes` proposes the safe corrections a person would make without thinking: surrounding
  spaces, lower-case codes, postcode spacing, dates written with other separators or year first.
The input files are never opened for writing.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import InputError
from .loader import decode_bytes, sniff_delimiter
from .report import Report
from .schema import load_schema
from .tables import Return

FIX_COLUMNS = ["Key", "Rule", "Child", "Table", "Year", "File", "Line", "Field", "Current value", "Corrected value",
               "Where", "Message"]
CHANGE_LOG = "lac-validator-changes.log"  # CSV text; the name keeps it out of the return's tables
LOG_COLUMNS = ["when", "who", "file", "line", "child", "table", "field", "old", "new", "reason"]


# ---------------------------------------------------------------- fix sheets

def write_fix_sheet(report: Report, path: Path) -> int:
    """One sheet per rule; returns the number of rows to fill in."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    from .outputs.safety import safe_cell
    from .outputs.xlsx_report import sheet_title

    wb = Workbook(write_only=True)
    used: set[str] = set()
    total = 0
    recs = report.records
    intro = wb.create_sheet("How to use")
    for line in ("Fill in 'Corrected value' for the rows you want to change; leave the others empty.",
                 "Then: lac-validator apply-fixes THIS_FILE --to RETURN_FOLDER --output NEW_FOLDER --who 'your name'",
                 "The return is never changed: a corrected copy and a change log are written to NEW_FOLDER.",
                 "Key, File and Line identify the record; do not edit them."):
        intro.append([line])
    for rule, grp in (recs.groupby("rule", sort=False) if len(recs) else []):
        ws = wb.create_sheet(sheet_title(f"Rule {rule}", used))
        ws.freeze_panes = "A2"
        header = []
        for name in FIX_COLUMNS:
            c = WriteOnlyCell(ws, value=name)
            c.font = Font(bold=True)
            if name == "Corrected value":
                c.fill = PatternFill("solid", fgColor="FFF2CC")
            header.append(c)
        ws.append(header)
        for i, width in enumerate([34, 8, 12, 14, 9, 30, 7, 20, 18, 18, 22, 60], start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        n = 0
        for r in grp.to_dict("records"):
            fields = r["fields"] or [""]
            for f in fields:
                value = r["values"].get(f) if f else None
                ws.append([safe_cell(v) for v in (r["key"], r["rule"], r["child"], r["table"], r["year"], r["file"],
                                                  int(r["line"]), f, value, None, r["locator"], r["message"])])
                n += 1
        ws.auto_filter.ref = f"A1:{get_column_letter(len(FIX_COLUMNS))}{n + 1}"
        total += n
    wb.save(path)
    return total


@dataclass
class Change:
    file: str
    line: int
    table: str
    child: str
    field: str
    old: str | None
    new: str
    reason: str


def read_fix_sheet(path: Path) -> list[Change]:
    import openpyxl

    from .loader import _cell_text

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the user's file problem
        raise InputError(f"{path}: cannot be opened as a fix sheet ({type(exc).__name__}): give the .xlsx written by --fix-sheet.") from None
    changes = []
    for ws in wb.worksheets:
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if not header or "Corrected value" not in header:
            continue
        col = {name: i for i, name in enumerate(header)}
        missing = [c for c in ("File", "Line", "Field", "Current value", "Corrected value", "Table", "Child") if c not in col]
        if missing:
            raise InputError(f"{path}: sheet '{ws.title}' lacks column(s) {', '.join(missing)}: use the sheet as written by --fix-sheet.")
        for n, row in enumerate(rows, start=2):
            new = row[col["Corrected value"]] if col["Corrected value"] < len(row) else None
            if new is None or _cell_text(new) == "":
                continue
            old = row[col["Current value"]]
            line = _whole_number(row[col["Line"]])
            if line is None:
                raise InputError(f"{path}: sheet '{ws.title}' row {n}: the Line column must hold the file line number "
                                 "the sheet was written with: restore it, or clear that row's 'Corrected value'.")
            changes.append(Change(str(row[col["File"]]), line, str(row[col["Table"]]),
                                  _unsafe(_cell_text(row[col["Child"]])), str(row[col["Field"]]),
                                  None if old is None else _unsafe(_cell_text(old)), _cell_text(new),
                                  f"rule {row[col['Rule']]}" if "Rule" in col else "fix sheet"))
    wb.close()
    return changes


def _whole_number(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _unsafe(text: str) -> str:
    """Undo the formula-injection apostrophe the sheet added to values from the return."""
    return text[1:] if text.startswith("'") and text[1:2] in ("=", "+", "-", "@", "\t", "\r") else text


# ---------------------------------------------------------------- mechanical fixes

_DATE_OTHER = re.compile(r"^\s*(\d{1,2})[-.\s](\d{1,2})[-.\s](\d{4})\s*$")
_DATE_ISO = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]00:00(?::00)?)?\s*$")
_DATE_TIME = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s+00:00(?::00)?\s*$")
_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})$")


def _fix_date(text: str) -> str | None:
    for pattern, order in ((_DATE_OTHER, (0, 1, 2)), (_DATE_ISO, (2, 1, 0)), (_DATE_TIME, (0, 1, 2))):
        m = pattern.match(text)
        if m:
            d, mth, y = (int(m.group(i + 1)) for i in order)
            try:
                return dt.date(y, mth, d).strftime("%d/%m/%Y")
            except ValueError:
                return None
    stripped = text.strip()
    if stripped != text and re.match(r"^\d{1,2}/\d{1,2}/\d{4}$", stripped):
        return stripped
    return None


def mechanical_fixes(ret: Return) -> list[Change]:
    """Safe corrections, computed on the case-preserving load of the return."""
    schema = load_schema()
    out = []
    for name, table in ret.tables.items():
        spec = schema.tables[name]
        for col in spec.csv_columns:
            fspec = spec.fields.get(col)
            if fspec is None or col == "CHILD":
                continue
            raw = table.raw[col]
            present = raw.notna()
            if not present.any():
                continue
            values = raw[present].astype(str)
            if fspec.is_date:
                fixed = values.map(_fix_date)
            elif fspec.type == "postcode":
                compact = values.str.upper().str.replace(r"\s+", "", regex=True)
                fixed = compact.map(lambda v: (lambda m: f"{m.group(1)} {m.group(2)}" if m else None)(_POSTCODE.match(v)))
            elif fspec.type in ("code", "upn", "urn", "integer"):
                fixed = values.str.strip().str.upper()
            else:
                continue
            changed = fixed.notna() & fixed.ne(values)
            for row in values.index[changed]:
                out.append(Change(table.source.describe(), int(table.lines[row]), name,
                                  str(table.raw.at[row, "CHILD"]), col, values[row], fixed[row],
                                  "mechanical: " + ("date format" if fspec.is_date else
                                                    "postcode spacing" if fspec.type == "postcode" else "spaces/case")))
    return out


# ---------------------------------------------------------------- writing the corrected copy

def apply_changes(inputs: list[Path], changes: list[Change], output: Path, who: str) -> tuple[list[Path], Path, int]:
    """Copy every input file into `output`, apply `changes` to the copies, write changes.csv."""
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    by_file: dict[str, list[Change]] = {}
    for c in changes:
        by_file.setdefault(str(Path(c.file.split(" (sheet '")[0]).resolve()), []).append(c)
    copies = []
    applied: list[tuple[Change, str]] = []
    names: set[str] = set()
    for src in inputs:
        src = Path(src)
        dest = output / _unique_name(src, names)
        if dest.resolve() == src.resolve():
            raise InputError(f"--output {output} is the return's own folder: choose a new folder for the corrected copy.")
        mine = by_file.get(str(src.resolve()), [])
        if not mine:
            shutil.copyfile(src, dest)
        elif src.suffix.lower() in (".csv", ".txt"):
            applied += _apply_csv(src, dest, mine)
        elif src.suffix.lower() in (".xlsx", ".xlsm"):
            applied += _apply_xlsx(src, dest, mine)
        else:
            raise InputError(f"{src}: fixes can be applied to CSV and XLSX files only: convert the XML return to CSV first "
                             "(lac-validator convert ... --to csv).")
        copies.append(dest)
    unknown = set(by_file) - {str(Path(p).resolve()) for p in inputs}
    if unknown:
        raise InputError(f"the fixes refer to file(s) not in --to: {', '.join(sorted(unknown))}: give the same return that was validated.")
    log = output / CHANGE_LOG
    when = dt.datetime.now().isoformat(timespec="seconds")
    with open(log, "a" if log.exists() else "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")  # CRLF: a bare CR in a value gets quoted
        if fh.tell() == 0:
            w.writerow(LOG_COLUMNS)
        from .outputs.safety import safe_cell
        for c, status in applied:
            w.writerow([safe_cell(v) for v in (when, who, c.file, c.line, c.child, c.table, c.field, c.old or "", c.new,
                                               c.reason if status == "applied" else f"{c.reason} (NOT applied: {status})")])
    return copies, log, sum(1 for _, s in applied if s == "applied")


def _unique_name(src: Path, used: set[str]) -> str:
    """The copy's file name: the source's, unless a file of that name (from another folder) is
    already copied, when " (2)", " (3)", ... is added so no table overwrites another."""
    name, i = src.name, 2
    while name.lower() in used:
        name, i = f"{src.stem} ({i}){src.suffix}", i + 1
    used.add(name.lower())
    return name


def _apply_csv(src: Path, dest: Path, changes: list[Change]) -> list[tuple[Change, str]]:
    data = src.read_bytes()
    text = decode_bytes(data, src)
    delim = sniff_delimiter(text)
    # Keep the file's line endings, unless a cell holds a bare CR: only CRLF rows get that quoted.
    newline = "\r\n" if "\r\n" in text[:10000] or "\r" in text.replace("\r\n", "") else "\n"
    # physical line where each record starts (the reader counts CR, LF and CRLF line breaks alike)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    rows, starts, line = [], [], 1
    for r in reader:
        rows.append(r)
        starts.append(line)
        line = reader.line_num + 1
    header = ["".join(h.replace("\ufeff", "").split()).upper() for h in rows[0]] if rows else []
    at = {s: i for i, s in enumerate(starts)}
    results = []
    for c in changes:
        i = at.get(c.line)
        if i is None or i == 0 or c.field not in header:
            results.append((c, "line or field not found"))
            continue
        j = header.index(c.field)
        row = rows[i]
        current = row[j] if j < len(row) else ""
        if c.old is not None and current.upper() != str(c.old).upper():
            results.append((c, f"value is now '{current}', not '{c.old}'"))
            continue
        while len(row) <= j:
            row.append("")
        row[j] = c.new
        results.append((c, "applied"))
    out = io.StringIO()
    csv.writer(out, lineterminator=newline, delimiter=delim).writerows(rows)
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    dest.write_text(out.getvalue(), encoding=encoding, newline="")
    return results


def _apply_xlsx(src: Path, dest: Path, changes: list[Change]) -> list[tuple[Change, str]]:
    import openpyxl

    wb = openpyxl.load_workbook(src)
    results = []
    for c in changes:
        sheet = c.file.split(" (sheet '", 1)[1][:-2] if " (sheet '" in c.file else None
        ws = wb[sheet] if sheet in wb.sheetnames else None
        if ws is None:
            results.append((c, "sheet not found"))
            continue
        header = ["".join(str(v or "").split()).upper() for v in next(ws.iter_rows(min_row=1, max_row=1, values_only=True))]
        if c.field not in header:
            results.append((c, "field not found"))
            continue
        cell = ws.cell(row=c.line, column=header.index(c.field) + 1)
        from .loader import _cell_text
        if c.old is not None and _cell_text(cell.value).upper() != str(c.old).upper():
            results.append((c, f"value is now '{_cell_text(cell.value)}', not '{c.old}'"))
            continue
        cell.value = c.new
        cell.data_type = "s"
        results.append((c, "applied"))
    wb.save(dest)
    return results


def changes_frame(changes: list[Change]) -> pd.DataFrame:
    return pd.DataFrame([vars(c) for c in changes])
