"""The workbook for people: Summary (with a chart), Errors, By child, By social worker, one sheet
per social worker (plus Unassigned), and About this run.

Every sheet has a frozen header row, filters and sensible widths; every text cell that came from
the input is neutralised against formula injection.
"""
from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from ..fixhints import how_to_fix
from ..report import UNASSIGNED, Report
from ..suggestions import describe
from .safety import safe_cell

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
ERROR_COLUMNS = ["Rule", "Message", "How to fix", "Category", "Child", "Social worker", "Table", "Year", "Where",
                 "File", "Line", "Row", "Fields", "Values", "Suggested correction"]
ERROR_WIDTHS = {"Message": 60, "How to fix": 60, "File": 30, "Values": 40, "Where": 22, "Social worker": 16,
                "Suggested correction": 60}


def _sheet(wb: Workbook, title: str, header: list[str], rows, widths: dict[str, int] | None = None):
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    widths = widths or {}
    for i, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(name, max(10, min(40, len(name) + 4)))
    cells = []
    for name in header:
        c = WriteOnlyCell(ws, value=name)
        c.font, c.fill = HEADER_FONT, HEADER_FILL
        cells.append(c)
    ws.append(cells)
    n = 0
    for row in rows:
        ws.append([safe_cell(v) for v in row])
        n += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{n + 1}"
    return ws, n


def _hints(report: Report) -> dict[str, str]:
    return {r.code: how_to_fix(r, report.ctx.year.label) for r in report.result.rules_run}


def _error_rows(recs, hints, workers=None):
    for r in recs.to_dict("records"):
        sw = r["social_worker"]
        if workers and sw in workers:
            sw = workers[sw].label()
        yield (r["rule"], r["message"], hints.get(r["rule"], ""), r["category"], r["child"], sw, r["table"],
               r["year"], r["locator"], r["file"], int(r["line"]), int(r["row"]), ", ".join(r["fields"]),
               "; ".join(f"{k}={'' if v is None else v}" for k, v in r["values"].items()),
               describe(r.get("suggestion")))


def sheet_title(name: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", "_", str(name)).strip("'") or "Sheet"
    title = base[:31]
    i = 2
    while title.lower() in used:
        suffix = f" ({i})"
        title = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(title.lower())
    return title


def write_xlsx(report: Report, path, workers: dict | None = None, per_worker_sheets: bool = True) -> None:
    wb = Workbook(write_only=True)
    hints = _hints(report)
    by_rule = report.by_rule()
    summary, n_rules = _sheet(wb, "Summary", ["Rule", "Message", "How to fix", "Category", "Errors", "Children"],
                              ((r.rule, r.message, hints.get(r.rule, ""), r.category, r.errors, r.children)
                               for r in by_rule.itertuples(index=False)),
                              {"Message": 70, "How to fix": 60, "Category": 14})
    if n_rules:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "Errors per rule (top 15)"
        chart.y_axis.title = "errors"
        top = min(15, n_rules)
        chart.add_data(Reference(summary, min_col=5, min_row=1, max_row=top + 1), titles_from_data=True)
        chart.set_categories(Reference(summary, min_col=1, min_row=2, max_row=top + 1))
        chart.height, chart.width = 10, 18
        summary.add_chart(chart, "H2")
    recs = report.with_suggestions()
    _sheet(wb, "Errors", ERROR_COLUMNS, _error_rows(recs, hints, workers), ERROR_WIDTHS)
    _sheet(wb, "By child", ["Child", "Social worker", "Errors", "Rules"],
           report.by_child().itertuples(index=False, name=None), {"Rules": 60, "Social worker": 16})
    by_sw = report.by_social_worker()
    sw_sheet, n_sw = _sheet(wb, "By social worker", ["Social worker", "Name", "Team", "Email", "Children", "Errors"],
                            ((r.social_worker, *(_who(workers, r.social_worker)), r.children, r.errors)
                             for r in by_sw.itertuples(index=False)), {"Social worker": 20, "Name": 24, "Email": 30})
    if n_sw:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "Errors per social worker (top 15)"
        top = min(15, n_sw)
        chart.add_data(Reference(sw_sheet, min_col=6, min_row=1, max_row=top + 1), titles_from_data=True)
        chart.set_categories(Reference(sw_sheet, min_col=1, min_row=2, max_row=top + 1))
        chart.height, chart.width = 10, 18
        sw_sheet.add_chart(chart, "H2")
    if per_worker_sheets and not recs.empty:
        used = {t.lower() for t in ("summary", "errors", "by child", "by social worker", "about this run")}
        for sw, grp in recs.groupby("social_worker", sort=True):
            if sw == UNASSIGNED:
                continue
            label = workers[sw].label() if workers and sw in workers else sw
            _sheet(wb, sheet_title(label, used), ERROR_COLUMNS,
                   _error_rows(grp.sort_values(["child", "rule"], kind="mergesort"), hints, workers), ERROR_WIDTHS)
        unassigned = recs[recs["social_worker"] == UNASSIGNED]
        if len(unassigned):
            _sheet(wb, sheet_title(UNASSIGNED, used), ERROR_COLUMNS,
                   _error_rows(unassigned.sort_values(["child", "rule"], kind="mergesort"), hints, workers), ERROR_WIDTHS)
    _about(wb, report)
    wb.save(path)


def _who(workers, sw):
    w = workers.get(sw) if workers else None
    return (w.name, w.team, w.email) if w else ("", "", "")


def _about(wb, report: Report) -> None:
    ctx, res = report.ctx, report.result
    about = [("Collection year", ctx.year.label),
             ("Local authority", ctx.la.describe() if ctx.la else "not given (--la)"),
             ("This year's files", "; ".join(ctx.current.inputs)),
             ("Last year's files", "; ".join(ctx.previous.inputs) if ctx.previous else "not given (--previous)"),
             ("Rules run", len(res.rules_run)),
             ("Errors", report.error_count)]
    if report.accepted is not None and len(report.accepted):
        about.append(("Accepted (baseline)", len(report.accepted)))
    about += [(f"Not run: {code}", why) for code, why in res.not_run]
    about += [(f"Internal error: {code}", err) for code, err in res.internal_errors]
    about += [("Warning", w) for w in report.warnings]
    _sheet(wb, "About this run", ["Item", "Value"], about, {"Item": 28, "Value": 100})


def write_split_by_worker(report: Report, folder: Path, workers: dict | None = None) -> list[Path]:
    """One workbook per social worker (and one for Unassigned), holding only their children's errors."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    hints = _hints(report)
    written = []
    used: set[str] = set()
    for sw, grp in report.with_suggestions().groupby("social_worker", sort=True):
        label = workers[sw].label() if workers and sw in workers else sw
        name = re.sub(r"[^A-Za-z0-9 ._()-]", "_", label).strip() or "worker"
        stem = name
        i = 2
        while stem.lower() in used:
            stem = f"{name} ({i})"
            i += 1
        used.add(stem.lower())
        wb = Workbook(write_only=True)
        _sheet(wb, "Errors", ERROR_COLUMNS,
               _error_rows(grp.sort_values(["child", "rule"], kind="mergesort"), hints, workers), ERROR_WIDTHS)
        _sheet(wb, "Children", ["Child", "Errors", "Rules"],
               ((c, len(g), ", ".join(sorted(set(g["rule"])))) for c, g in grp.groupby("child", sort=True)),
               {"Rules": 60})
        path = folder / f"{stem}.xlsx"
        wb.save(path)
        written.append(path)
    return written
