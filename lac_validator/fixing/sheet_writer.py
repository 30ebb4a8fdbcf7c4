"""Writing a fix sheet: a workbook a business support officer can fill in without help.

Sheets: "How to use" (what to do and the exact command to apply this sheet), one "Rule ..." sheet
per rule (one row per field to correct), a hidden "Code lists" sheet feeding the drop-downs and a
hidden, protected "About" sheet recording the run (year, LA, files and their hashes).
Columns are declared once in COLUMNS; adding one is adding an entry there.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..fixhints import FIELD_NAMES, how_to_fix
from ..report import LOCATOR, Report, suggestions
from ..schema import load_schema
from ..suggestions import answered_fields
from . import model as m
from .model import FileStamp, SheetInfo
from .targets import Target, code_entry, field_spec, targets, what_to_enter

if TYPE_CHECKING:
    from ..api import Run

ABOUT = "About"
LISTS = "Code lists"
HOW_TO = "How to use"
HEADER_FILL, HEADER_FONT_COLOUR = "1F4E78", "FFFFFF"
CORRECTED_FILL, LOCKED_FILL = "FFF2CC", "D9D9D9"
TECH_FONT_COLOUR = "808080"


@dataclass(frozen=True)
class Column:
    name: str
    width: float
    value: Callable[[dict], object]   # from the row's facts (see _facts)
    wrap: bool = True
    technical: bool = False            # identifiers: kept at the far right, grey, not printed


COLUMNS = [
    Column(m.CHILD, 12, lambda f: f["child"]),
    Column(m.SOCIAL_WORKER, 16, lambda f: f["social_worker"]),
    Column(m.RECORD, 20, lambda f: f["record"]),
    Column(m.FIELD, 18, lambda f: f["field_label"]),
    Column(m.CURRENT, 14, lambda f: f["current"]),
    Column(m.CORRECTED, 16, lambda f: None),
    Column(m.SUGGESTED, 14, lambda f: f["suggested"]),
    Column(m.EVIDENCE, 34, lambda f: f["evidence"]),
    Column(m.ACCEPT, 12, lambda f: None),
    Column(m.WHAT, 24, lambda f: f["what"]),
    Column(m.HOW, 38, lambda f: f["how"]),
    Column(m.MESSAGE, 38, lambda f: f["message"]),
    Column(m.RULE, 8, lambda f: f["rule"], technical=True),
    Column(m.TABLE, 12, lambda f: f["table"], technical=True),
    Column(m.YEAR, 9, lambda f: f["year"], technical=True),
    Column(m.FILE, 24, lambda f: f["file"], technical=True),
    Column(m.LINE, 7, lambda f: f["line"], technical=True),
    Column(m.KEY, 16, lambda f: f["key"], wrap=False, technical=True),
]

RECORD_NAMES = {
    "Header": "Child details", "UASC": "UASC details", "OC2": "Outcomes (OC2)", "OC3": "Care leaver (OC3)",
    "AD1": "Adoption (AD1)", "PrevPerm": "Previous permanence", "Episodes": "Episode starting {}",
    "Reviews": "Review on {}", "Missing": "Missing/away period starting {}",
    "SWEpisodes": "Social worker episode starting {}", "PlacedAdoption": "Placed for adoption on {}",
    "DoLo": "DoLO starting {}",
}


def record_label(table: str, year: str, locator: str | None) -> str:
    text = RECORD_NAMES.get(table, table)
    if "{}" in text:
        date = (locator or "").split(" ", 1)[1] if locator and " " in locator else ""
        text = text.format(date or "(no date)")
    return ("Last year: " + text) if year == "previous" else text


def field_label(field: str) -> str:
    name = FIELD_NAMES.get(field)
    return f"{field} ({name})" if name and name.lower() != field.lower() else field


def stamp(path: Path, role: str) -> FileStamp:
    data = Path(path).read_bytes()
    return FileStamp(role, str(Path(path).resolve()), hashlib.sha256(data).hexdigest(), len(data))


def sheet_info(report: Report, current: list, previous: list, providers=(), select=(), ignore=()) -> SheetInfo:
    from .. import __version__

    meta = report.info
    files = [stamp(Path(p), "current") for p in meta.current.inputs]
    if meta.previous is not None:
        files += [stamp(Path(p), "previous") for p in meta.previous.inputs]
    return SheetInfo(year=meta.year.label, la=meta.la.ons_code if meta.la else "",
                     current=[str(Path(p).resolve()) for p in current],
                     previous=[str(Path(p).resolve()) for p in previous],
                     providers=[str(Path(p).resolve()) for p in providers], select=list(select),
                     ignore=list(ignore), files=files,
                     written=dt.datetime.now().isoformat(timespec="seconds"), version=__version__)


def _quote(path: str) -> str:
    """A path as a command line argument that works in Windows' cmd/PowerShell and POSIX shells."""
    if re.fullmatch(r"[A-Za-z0-9_./:\\-]+", path):
        return path
    if re.search(r"[\"$`!]", path):
        return shlex.quote(path)
    return f'"{path}"'


def apply_command(sheet: Path, info: SheetInfo) -> str:
    """The command that applies this sheet: everything else is recorded in the sheet."""
    first = Path(info.current[0])
    out = (first if first.is_dir() else first.parent)
    out = out.with_name(out.name + "_fixed")
    to = " ".join(f"--to {_quote(p)}" for p in info.current)
    return (f"lac-validator apply-fixes {_quote(str(Path(sheet).resolve()))} {to} -o {_quote(str(out))} "
            f'--who "your name"')


def write_fix_sheet(run: Run, path: Path, info: SheetInfo, workers: dict | None = None) -> int:
    """Write the fix sheet of a run (its report, and the tables: each row shows the cell as it is
    now); returns the number of rows (fields to correct)."""
    from openpyxl import Workbook

    report, ctx = run.report, run.context
    workers = workers if workers is not None else report.workers

    wb = Workbook()
    intro = wb.active
    intro.title = HOW_TO
    lists = _ListSheet(wb.create_sheet(LISTS), info)
    rules = {r.code: r for r in report.result.rules_run}
    year_key = report.info.year.key
    total = 0
    recs = report.records
    if "suggestion" not in recs.columns:  # the application layer computes them first; a direct call here
        recs = recs.assign(suggestion=suggestions(ctx, recs))
    for code, grp in (recs.groupby("rule", sort=False) if len(recs) else []):
        rule = rules.get(code)
        hint = how_to_fix(rule, report.info.year.label) if rule else ""
        ws = wb.create_sheet(_title(f"Rule {code}", wb))
        total += _rule_sheet(ws, ctx, grp, rule, hint, lists, year_key, workers)
    _about_sheet(wb.create_sheet(ABOUT), info)
    _how_to(intro, path, info, report, total)
    lists.ws.sheet_state = "hidden"
    wb.save(path)
    return total


def _title(name: str, wb) -> str:
    base = re.sub(r"[\[\]:*?/\\']", "_", name)[:31]
    title, i = base, 2
    while title in wb.sheetnames:
        title = f"{base[:26]} ({i})"
        i += 1
    return title


def _facts(ctx, r: dict, target: Target, workers, hint: str, year_key: str) -> dict:
    table_name = r["table"] + ("_last" if r["year"] == "previous" else "")
    src = ctx.source(table_name)
    value = None
    if target.field in src.raw.columns:
        v = src.raw.at[r["row"], target.field]
        value = None if v is None or v != v else str(v)
    sw = r["social_worker"]
    if workers and sw in workers:
        sw = workers[sw].label()
    what = target.locked or " ".join(x for x in (what_to_enter(field_spec(r["table"], target.field), year_key),
                                                 target.note) if x)
    sug = r.get("suggestion")
    sug = sug if sug and target.field and sug["field"] == target.field else None
    return {"child": r["child"], "social_worker": sw, "record": record_label(r["table"], r["year"], r["locator"]),
            "field_label": field_label(target.field), "current": value, "what": what, "how": hint,
            "message": r["message"], "rule": r["rule"], "table": r["table"], "year": r["year"], "file": r["file"],
            "line": int(r["line"]), "key": r["key"], "suggested": sug["value"] if sug else None,
            "evidence": sug["evidence"] if sug else None}


def _rule_sheet(ws, ctx, grp, rule, hint, lists, year_key, workers) -> int:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from ..outputs.safety import safe_cell

    wrap, top = Alignment(wrap_text=True, vertical="top"), Alignment(vertical="top")
    grey = Font(color=TECH_FONT_COLOUR)
    for i, col in enumerate(COLUMNS, start=1):
        c = ws.cell(row=1, column=i, value=col.name)
        to_fill = col.name in (m.CORRECTED, m.ACCEPT)
        c.font = Font(bold=True, color="000000" if to_fill else HEADER_FONT_COLOUR)
        c.fill = PatternFill("solid", fgColor=CORRECTED_FILL if to_fill else HEADER_FILL)
        c.alignment = Alignment(wrap_text=True, vertical="center")
        dim = ws.column_dimensions[get_column_letter(i)]
        dim.width = col.width
    ws.row_dimensions[1].height = 15.0 * max(lines_needed(c.name, c.width) for c in COLUMNS)
    corrected_col = [c.name for c in COLUMNS].index(m.CORRECTED) + 1
    accept_col = [c.name for c in COLUMNS].index(m.ACCEPT) + 1
    acceptable: list[int] = []  # rows with a suggestion that may be accepted
    kinds: dict[tuple, list[int]] = {}  # validation kind -> sheet rows
    n = 1
    fields = list(rule.fields) if rule else []
    for r in grp.to_dict("records"):
        kind = ctx.source(r["table"] + ("_last" if r["year"] == "previous" else "")).source.kind
        sug = r.get("suggestion")
        # a suggestion for a field beyond the rule's (an episode's DEC for its REC X1) gets its own row
        extra = [sug["field"]] if sug and sug["field"] in answered_fields(r["table"], fields or r["fields"]) else []
        for target in targets(list(fields or r["fields"]) + extra, r["table"], r["year"], kind) or [
                Target("", locked="Nothing to type here: see How to fix.")]:
            n += 1
            facts = _facts(ctx, r, target, workers, hint, year_key)
            for i, col in enumerate(COLUMNS, start=1):
                c = ws.cell(row=n, column=i, value=safe_cell(m.shown(col.value(facts))))
                c.alignment = wrap if col.wrap else top
                if col.technical:
                    c.font = grey
            ws.row_dimensions[n].height = row_height(COLUMNS, [col.value(facts) for col in COLUMNS])
            cell = ws.cell(row=n, column=corrected_col)
            fspec = field_spec(r["table"], target.field)
            accept = ws.cell(row=n, column=accept_col)
            if target.locked or not target.field:
                cell.fill = accept.fill = PatternFill("solid", fgColor=LOCKED_FILL)
                kinds.setdefault(("locked",), []).append(n)
                continue
            cell.fill = PatternFill("solid", fgColor=CORRECTED_FILL)
            if facts["suggested"] is not None:
                accept.fill = PatternFill("solid", fgColor=CORRECTED_FILL)
                acceptable.append(n)
            else:
                accept.fill = PatternFill("solid", fgColor=LOCKED_FILL)
            if fspec is not None and fspec.is_date:
                cell.number_format = "DD/MM/YYYY"
                kinds.setdefault(("date",), []).append(n)
            else:
                cell.number_format = "@"  # text: "05" and "0" stay as typed
                if fspec is not None and fspec.type == "code" and fspec.codes_for(year_key):
                    kinds.setdefault(("list", r["table"], target.field), []).append(n)
    _validations(ws, kinds, get_column_letter(corrected_col), lists)
    _accept_validation(ws, acceptable, get_column_letter(accept_col))
    last = get_column_letter(len(COLUMNS))
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{last}{n}"
    printed = get_column_letter(sum(1 for c in COLUMNS if not c.technical))
    ws.print_area = f"A1:{printed}{n}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddHeader.left.text = _header_text(f"{ws.title}: {rule.message if rule else ''}")
    ws.oddFooter.center.text = "Page &P of &N"
    return n - 1


def lines_needed(text, width: float) -> int:
    """About how many lines `text` takes wrapped in a column `width` characters wide."""
    if text is None:
        return 1
    per_line = max(1, int(width * 1.15) - 1)
    return sum(max(1, -(-len(part) // per_line)) for part in str(text).split("\n"))


def row_height(columns, values) -> float:
    """Row height in points for wrapped cells (spreadsheet programs do not size generated rows)."""
    return 15.0 * max(lines_needed(v, c.width) for c, v in zip(columns, values) if c.wrap)


def _header_text(text: str) -> str:
    """Page header text: '&' starts a header code, and headers hold at most 255 characters."""
    text = text.replace("&", "&&")
    return text if len(text) <= 200 else text[:197] + "..."


def _ranges(rows: list[int], col: str) -> str:
    """Sheet rows as a compact sqref: consecutive rows become one range."""
    parts, start, prev = [], None, None
    for r in rows:
        if start is None:
            start = prev = r
        elif r == prev + 1:
            prev = r
        else:
            parts.append(f"{col}{start}:{col}{prev}" if prev != start else f"{col}{start}")
            start = prev = r
    if start is not None:
        parts.append(f"{col}{start}:{col}{prev}" if prev != start else f"{col}{start}")
    return " ".join(parts)


def _validations(ws, kinds: dict, col: str, lists) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    for kind, rows in kinds.items():
        if kind[0] == "locked":
            dv = DataValidation(type="textLength", operator="equal", formula1="0", allow_blank=True,
                                error="This value is not corrected through the fix sheet: see What to enter.",
                                errorTitle="Not corrected here", errorStyle="stop")
        elif kind[0] == "date":
            dv = DataValidation(type="date", operator="between", formula1="DATE(1900,1,1)",
                                formula2="DATE(2099,12,31)", allow_blank=True, errorStyle="stop",
                                error="Enter a date written dd/mm/yyyy, e.g. 01/04/2025.", errorTitle="Not a date",
                                prompt="A date, dd/mm/yyyy", promptTitle="Date")
        else:
            _, table, field = kind
            dv = DataValidation(type="list", formula1=lists.range_for(table, field), allow_blank=True,
                                errorStyle="warning", errorTitle="Not in the list",
                                error="This is not one of the year's codes for this field. apply-fixes will refuse "
                                      "it unless it is a valid code.",
                                prompt=f"Pick a {field} code from the list.", promptTitle=field)
        dv.showErrorMessage = True
        dv.showInputMessage = kind[0] != "locked"
        dv.sqref = _ranges(rows, col)
        ws.add_data_validation(dv)


def _accept_validation(ws, rows: list[int], col: str) -> None:
    """Accept suggestion: a Yes drop-down on the rows with a suggestion."""
    from openpyxl.worksheet.datavalidation import DataValidation

    if not rows:
        return
    dv = DataValidation(type="list", formula1='"Yes"', allow_blank=True, errorStyle="warning",
                        errorTitle="Accept suggestion", error="Pick Yes to use the suggested value, or leave empty.",
                        prompt="Pick Yes to use the suggested value (a value typed in Corrected value wins).",
                        promptTitle="Accept suggestion")
    dv.showErrorMessage = dv.showInputMessage = True
    dv.sqref = _ranges(rows, col)
    ws.add_data_validation(dv)


class _ListSheet:
    """The hidden sheet of code lists behind the drop-downs (inline lists are limited to 255
    characters and cannot hold the meanings)."""

    def __init__(self, ws, info: SheetInfo):
        self.ws = ws
        from ..years import CollectionYear

        self.year_key = CollectionYear.parse(info.year).key
        self.where: dict[tuple[str, str], str] = {}

    def range_for(self, table: str, field: str) -> str:
        from openpyxl.utils import get_column_letter

        key = (table, field)
        if key not in self.where:
            col = len(self.where) + 1
            letter = get_column_letter(col)
            self.ws.cell(row=1, column=col, value=f"{table}.{field}")
            fspec = load_schema().tables[table].fields[field]
            entries = [code_entry(c.code, c.meaning) for c in fspec.codes if c.valid_in(self.year_key)]
            for i, e in enumerate(entries, start=2):
                self.ws.cell(row=i, column=col, value=e)
            self.where[key] = f"'{LISTS}'!${letter}$2:${letter}${len(entries) + 1}"
        return self.where[key]


def _about_sheet(ws, info: SheetInfo) -> None:
    from openpyxl.styles import Font

    from ..outputs.safety import safe_cell

    rows = [("Fix sheet format", info.format), ("lac-validator version", info.version), ("Written", info.written),
            ("Collection year", info.year), ("Local authority", info.la)]
    rows += [("Return", p) for p in info.current]
    rows += [("Last year's return", p) for p in info.previous]
    rows += [("Provider list", p) for p in info.providers]
    rows += [("Select", ",".join(info.select)), ("Ignore", ",".join(info.ignore))]
    ws.append(["Item", "Value", "SHA-256", "Bytes"])
    ws["A1"].font = ws["B1"].font = Font(bold=True)
    for label, value in rows:
        ws.append([label, safe_cell(m.shown(value))])
    for f in info.files:
        ws.append(["Return file" if f.role == "current" else "Last year's file", safe_cell(m.shown(f.path)), f.sha256,
                   f.size])
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 70
    ws.column_dimensions["C"].width = 66
    ws.sheet_state = "hidden"
    ws.protection.sheet = True  # read by apply-fixes: not for editing


def _how_to(ws, path: Path, info: SheetInfo, report: Report, total: int) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    from ..outputs.safety import safe_cell

    la = report.info.la.describe() if report.info.la else "no LA given"
    command = apply_command(path, info)
    lines = [
        (f"Fix sheet: SSDA903 {info.year} return, {la}", "title"),
        (f"Written {info.written.replace('T', ' ')} from {', '.join(info.current)}. "
         f"{total} value(s) to check on {len(report.records['rule'].unique()) if len(report.records) else 0} "
         "rule sheet(s).", ""),
        ("1. Each 'Rule' sheet lists one rule's errors, one row per value to check: the child, their social "
         "worker, the record, the field and its current value, what to enter and how to fix it.", ""),
        ("2. Type the right value in the yellow Corrected value column. Leave a row empty to change nothing. "
         "Codes: pick from the drop-down list. Dates: dd/mm/yyyy. To empty a cell, type (blank).", ""),
        ("   Where the return itself points to the right value (last year's return, the child's other records, "
         "the next episode...), Suggested value shows it and Evidence says why. To use it, pick Yes in Accept "
         "suggestion; a value typed in Corrected value is used instead. Nothing is changed unless you choose.", ""),
        ("3. Grey Corrected value cells cannot be corrected here (child IDs, last year's return): "
         "What to enter says why and where to correct them.", ""),
        ("4. Do not change the other columns or delete the hidden sheets: the Key column and the About sheet "
         "tell apply-fixes which record each row is about.", ""),
        ("5. Save this file, then run this command (it is right for this sheet; if you move or rename the "
         "sheet, change its path; -o is a new folder for the corrected copy):", ""),
        (command, "command"),
        ("apply-fixes writes a corrected copy of the return and a change log into that folder; the return "
         "itself is never changed. Each correction is checked first: the record must still be there, still "
         "hold the value shown here, and the new value must be valid for the field and year. It then "
         "validates the copy and lists the corrections made and refused (with why), and the errors fixed, "
         "remaining and introduced.", ""),
        ("The same summary is saved in the folder as lac-validator-summary.txt. Exit code: 0 all corrections "
         "made and none introduced an error; 1 some were refused or introduced new errors (the others are in "
         "the copy); 2 nothing was written (a path is wrong, or the return changed since this sheet was "
         "written: validate it again for a new sheet, or add --allow-changed to apply only the rows whose "
         "record and value are unchanged).", ""),
    ]
    ws.column_dimensions["A"].width = 100
    ws.print_area = f"A1:A{len(lines)}"
    for i, (text, style) in enumerate(lines, start=1):
        c = ws.cell(row=i, column=1, value=safe_cell(m.shown(text)))
        c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[i].height = (22 if style == "title" else 15.0) * lines_needed(text, 85 if style == "command" else 95)
        if style == "title":
            c.font = Font(bold=True, size=14)
        elif style == "command":
            c.font = Font(name="Consolas", bold=True)
            c.fill = PatternFill("solid", fgColor=CORRECTED_FILL)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
