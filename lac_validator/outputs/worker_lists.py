"""Worker lists: one social worker's errors, laid out to be sent to them and printed.

Used for the per-worker sheets of the XLSX report and for `--split-by social-worker` (one
workbook per worker in a folder the run owns). A short cover says who the list is for, which
return, when it was produced, how much there is to do and whom to ask; then one row per error
with the child, the record in words, what is wrong, how to fix it, the value at fault and the
suggested correction where the return points to one. No
technical columns (paths, table and year codes, row numbers). Printing: landscape, fitted to the
page width, the header row repeated, header and footer with LA, year, date and page numbers.
"""
from __future__ import annotations

import datetime as dt
import re
import textwrap
import unicodedata
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from .printing import print_as_table

from .. import __version__
from ..errors import InputError
from ..fixhints import FIELD_NAMES, how_to_fix
from ..report import LOCATOR, UNASSIGNED, Report
from .safety import safe_cell, unicode_text, xml_text

COLUMNS = ["Child", "Record", "What is wrong", "How to fix", "Value now", "Suggested correction", "Rule"]
WIDTHS = [12, 24, 44, 44, 26, 30, 8]
DEFAULT_CONTACT = "the performance / data team who sent you this list"
MANIFEST = "lac-validator-split.txt"
# Files an operating system or office suite leaves in folders; never counted as someone's files.
_SYSTEM_FILES = {"thumbs.db", "desktop.ini", ".ds_store"}

_TITLE = Font(name="Calibri", bold=True, size=14)
_LABEL = Font(name="Calibri", bold=True)
_ALERT = Font(name="Calibri", bold=True, color="9C0006")
_ALERT_FILL = PatternFill("solid", fgColor="FFC7CE")
_HEADER_FONT = Font(name="Calibri", bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_WRAP = Alignment(wrap_text=True, vertical="top")
_LINE = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_LINE, right=_LINE, top=_LINE, bottom=_LINE)
_LINE_HEIGHT = 15  # points per line of 11-point text

# What a record is, in words a social worker uses (by table); dated records add their date.
RECORD_NOUNS = {
    "Header": "child details",
    "Episodes": "episode starting {date}",
    "Reviews": "review on {date}",
    "UASC": "UASC details",
    "OC2": "health and offending outcomes (OC2)",
    "OC3": "care leaver details (OC3)",
    "AD1": "adoption details (AD1)",
    "PlacedAdoption": "placement for adoption on {date}",
    "PrevPerm": "previous permanence details",
    "Missing": "missing or away period starting {date}",
    "SWEpisodes": "social worker episode starting {date}",
    "DoLo": "deprivation of liberty starting {date}",
}
_UNDATED = {
    "Episodes": "episode with no start date", "Reviews": "review with no date",
    "PlacedAdoption": "placement for adoption with no date", "Missing": "missing or away period with no start date",
    "SWEpisodes": "social worker episode with no start date", "DoLo": "deprivation of liberty with no start date",
}


def record_in_words(table: str, year: str, locator) -> str:
    """E.g. "episode starting 01/04/2025", "child details", "last year's review on 12/05/2024"."""
    noun = RECORD_NOUNS.get(table, table)
    if "{date}" in noun:
        date = None
        if isinstance(locator, str) and LOCATOR.get(table) and locator.startswith(LOCATOR[table] + " "):
            date = locator.split(" ", 1)[1]
        noun = _UNDATED.get(table, noun) if not date or date == "(blank)" else noun.format(date=date)
    return f"last year's {noun}" if year == "previous" else noun


def value_at_fault(values: dict) -> str:
    """The fields at fault in words with their values, e.g. "sex: X; episode end date: (blank)"."""
    parts = [f"{FIELD_NAMES.get(k, k)}: {'(blank)' if v is None else v}" for k, v in values.items()]
    return "; ".join(parts)


def _sort(grp):
    """Child by child; this year's records ("current") before last year's, in file order."""
    return grp.sort_values(["child", "year", "row", "rule"], kind="mergesort")


def worker_rows(report: Report, grp, hints: dict) -> list[tuple]:
    return [(r["child"], record_in_words(r["table"], r["year"], r["locator"]), r["message"],
             hints.get(r["rule"], ""), value_at_fault(r["values"]), suggested(r.get("suggestion")), r["rule"])
            for r in _sort(grp).to_dict("records")]


def suggested(suggestion: dict | None) -> str:
    """A suggested correction in words, e.g. "sex: F (last year's return recorded F)"."""
    if not suggestion:
        return ""
    return f"{FIELD_NAMES.get(suggestion['field'], suggestion['field'])}: {suggestion['value']} ({suggestion['evidence']})"


def _cell(ws, value, font=None, fill=None, alignment=None, border=None):
    c = WriteOnlyCell(ws, value=safe_cell(value))
    if border is not None:
        c.border = border
    if font is not None:
        c.font = font
    if fill is not None:
        c.fill = fill
    if alignment is not None:
        c.alignment = alignment
    return c


def _lines(values) -> int:
    """How many lines the row's longest cell wraps to in its column."""
    return max(len(textwrap.wrap(str(v or ""), max(4, int(w * 1.05)))) or 1 for v, w in zip(values, WIDTHS))


def _hf(text: str) -> str:
    """Text for a printed header/footer: & starts a code there, control characters are dropped."""
    text = "".join(ch for ch in str(text) if unicodedata.category(ch)[0] != "C")
    return text.replace("&", "&&")[:80]


def who_for(report: Report, sw) -> str:
    if sw == UNASSIGNED:
        return "children with no social worker recorded in the return (Unassigned)"
    w = report.workers.get(str(sw).strip().upper()) if report.workers else None
    if w is None:
        return str(sw)
    return w.label() + (f", {w.team}" if w.team else "")


def add_worker_sheet(wb: Workbook, title: str, report: Report, sw, grp, hints: dict,
                     produced: dt.datetime, contact: str | None = None) -> None:
    """One worker's list on a sheet of `wb`: the cover lines, then the errors."""
    meta = report.info
    ws = wb.create_sheet(title)
    for i, w in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    la = meta.la.describe() if meta.la else "local authority not given"
    n, children = len(grp), grp["child"].nunique()
    rows = [[_cell(ws, f"Records to check: SSDA903 return {meta.year.label}", _TITLE)]]
    cover = [
        ("For", who_for(report, sw)),
        ("Return", f"SSDA903 {meta.year.label} (children looked after, {meta.year.start:%d/%m/%Y} to "
                   f"{meta.year.end:%d/%m/%Y}), {la}"),
        ("Produced", f"{produced:%d/%m/%Y %H:%M} by lac-validator {__version__}"),
        ("To check", f"{n} error{'s' if n != 1 else ''} for {children} child{'ren' if children != 1 else ''}"),
        ("What to do", "Correct each record in the case management system as 'How to fix' says; the errors are "
                       "checked again at the next extract."),
        ("Questions to", contact or DEFAULT_CONTACT),
    ]
    for alert in report.alerts:
        cover.append(("Please note", alert))
    for label, text in cover:
        style = (_ALERT, _ALERT_FILL) if label == "Please note" else (_LABEL, None)
        for j, line in enumerate(textwrap.wrap(str(text), 140) or [""]):
            rows.append([_cell(ws, label if j == 0 else None, *style), _cell(ws, line, style[0] if style[1] else None)])
    rows.append([])
    header = len(rows) + 1
    rows.append([_cell(ws, name, _HEADER_FONT, _HEADER_FILL, _WRAP, _BOX) for name in COLUMNS])
    # A write-only sheet writes its view and properties with the first row: set them before.
    ws.freeze_panes = f"A{header + 1}"
    print_as_table(ws, header)
    ws.oddHeader.left.text = _hf(meta.la.name if meta.la else "")
    ws.oddHeader.center.text = _hf(f"SSDA903 {meta.year.label}: records to check")
    ws.oddHeader.right.text = _hf(f"Produced {produced:%d/%m/%Y}")
    ws.oddFooter.left.text = _hf("Personal data about children: keep it secure")
    ws.oddFooter.right.text = _hf(who_for(report, sw) if sw != UNASSIGNED else UNASSIGNED)
    for r in rows:
        ws.append(r)
    for i, values in enumerate(worker_rows(report, grp, hints), start=header + 1):
        # Spreadsheets do not grow a row for wrapped text they did not lay out themselves.
        ws.row_dimensions[i].height = _LINE_HEIGHT * _lines(values) + 3
        ws.append([_cell(ws, v, alignment=_WRAP, border=_BOX) for v in values])
    ws.auto_filter.ref = f"A{header}:{get_column_letter(len(COLUMNS))}{header + n}"

# ---------------------------------------------------------------- file names

_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


def file_stem(label: str) -> str:
    """A file name for a worker that keeps their name readable ("Zoë O'Brien (SW12)"): only the
    characters some file system refuses are replaced (<>:"/\\|?* and control characters), names
    Windows reserves (CON, NUL, COM1...) get a trailing underscore, and it is at most 100 characters."""
    name = _FORBIDDEN.sub("_", unicodedata.normalize("NFC", unicode_text(str(label))))  # no lone surrogates
    name = " ".join(name.split())[:100].rstrip(" .")  # Windows drops trailing dots and spaces
    name = name.lstrip(" .") or "worker"
    if name.split(".")[0].upper().rstrip() in _RESERVED:
        name += "_"
    return name


def _worker_label(report: Report, sw) -> str:
    return UNASSIGNED if sw == UNASSIGNED else report.worker_label(sw)


# ---------------------------------------------------------------- the split folder

def _prepare_folder(folder: Path) -> list[str]:
    """The split folder belongs to the run: a new or empty folder, or one an earlier split wrote
    (its manifest lists the workbooks). Anything else in it is someone else's: refuse."""
    if folder.exists() and not folder.is_dir():
        raise InputError(f"--output {folder} is a file: --split-by social-worker writes a folder of workbooks; "
                         "give a folder path.")
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / MANIFEST
    ours = set()
    if manifest.exists():
        # Only plain workbook names count: a manifest never makes the run touch anything outside.
        ours = {line.strip() for line in manifest.read_text(encoding="utf-8", errors="replace").splitlines()
                if line.strip().lower().endswith(".xlsx") and not re.search(r"[/\\]|^\.\.", line.strip())}
    foreign = sorted(p.name for p in folder.iterdir()
                     if p.name != MANIFEST and p.name not in ours and p.name.lower() not in _SYSTEM_FILES
                     and not p.name.startswith(("~$", ".~lock.")))
    if foreign:
        more = f" and {len(foreign) - 1} more" if len(foreign) > 1 else ""
        raise InputError(f"--output {folder} holds files an earlier --split-by run did not write ({foreign[0]}{more}): "
                         "give a new or empty folder, so old and new worker lists cannot be mixed up.")
    return sorted(ours)


def _write_manifest(folder: Path, names: list[str]) -> None:
    text = ("# Written by lac-validator --split-by social-worker: the workbooks of the last run in this folder.\n"
            "# The next run into this folder replaces them (and refuses to run if other files are here).\n"
            + "".join(f"{n}\n" for n in names))
    (folder / MANIFEST).write_text(text, encoding="utf-8")


def write_split_by_worker(report: Report, folder: Path, contact: str | None = None,
                          produced: dt.datetime | None = None) -> list[Path]:
    """One workbook per social worker (and one for Unassigned) holding only their children's errors.
    Workbooks of an earlier run into the same folder are removed, so only this run's remain."""
    folder = Path(folder)
    previous = _prepare_folder(folder)
    produced = produced or dt.datetime.now()
    hints = {r.code: how_to_fix(r, report.info.year.label) for r in report.result.rules_run}
    plan, used = [], set()
    for sw, grp in report.records.groupby("social_worker", sort=True):
        stem = base = file_stem(_worker_label(report, sw))
        i = 2
        while stem.lower() in used:
            stem = f"{base} ({i})"
            i += 1
        used.add(stem.lower())
        plan.append((sw, grp, f"{stem}.xlsx"))
    names = [name for _, _, name in plan]
    # The manifest lists old and new until the new workbooks are written: a run that stops half
    # way leaves a folder the next run still recognises as its own.
    _write_manifest(folder, sorted(set(previous) | set(names)))
    written = []
    for sw, grp, name in plan:
        wb = Workbook(write_only=True)
        add_worker_sheet(wb, sheet_title(_worker_label(report, sw), set()), report, sw, grp, hints, produced, contact)
        path = folder / name
        wb.save(path)
        written.append(path)
    for old in set(previous) - set(names):
        try:
            (folder / old).unlink()
        except FileNotFoundError:
            pass
    _write_manifest(folder, names)
    return written


def sheet_title(name: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", "_", xml_text(str(name))).strip("'") or "Sheet"
    title = base[:31]
    i = 2
    while title.lower() in used:
        suffix = f" ({i})"
        title = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(title.lower())
    return title
