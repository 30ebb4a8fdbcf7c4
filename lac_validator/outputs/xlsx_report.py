"""The workbook for people: Summary (with a chart, run alerts first), Errors, By child, By social
worker, one worker list per social worker (plus Unassigned; see worker_lists.py), and About this run.

Every sheet has a frozen header row, filters and sensible widths; every text cell that came from
the input is neutralised against formula injection.
"""
from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import replace

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from ..fixhints import how_to_fix
from ..report import UNASSIGNED, Report
from ..suggestions import describe
from .printing import print_as_table
from .safety import safe_cell
from .worker_lists import add_worker_sheet, sheet_title, write_split_by_worker  # noqa: F401 - split-by lives there

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
ERROR_COLUMNS = ["Rule", "Message", "How to fix", "Category", "Child", "Social worker", "Table", "Year", "Where",
                 "File", "Line", "Row", "Fields", "Values", "Suggested correction"]
ERROR_WIDTHS = {"Message": 60, "How to fix": 60, "File": 30, "Values": 40, "Where": 22, "Social worker": 16,
                "Suggested correction": 60}


ALERT_FONT = Font(bold=True, color="9C0006")
ALERT_FILL = PatternFill("solid", fgColor="FFC7CE")


def _sheet(wb: Workbook, title: str, header: list[str], rows, widths: dict[str, int] | None = None,
           preamble: list[str] | None = None):
    """A sheet with one table; `preamble` lines (alerts) come above its header row, in red."""
    ws = wb.create_sheet(title)
    top = len(preamble or []) + 1  # the header row
    ws.freeze_panes = f"A{top + 1}"
    widths = widths or {}
    for i, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(name, max(10, min(40, len(name) + 4)))
    print_as_table(ws, top, sum(ws.column_dimensions[get_column_letter(i)].width for i in range(1, len(header) + 1)))
    for line in preamble or []:
        row = [WriteOnlyCell(ws, value=safe_cell(line) if line else None)]
        if line:  # the band spans the table; the text runs over the empty cells after the first
            row += [WriteOnlyCell(ws) for _ in header[1:]]
            for c in row:
                c.font, c.fill = ALERT_FONT, ALERT_FILL
        ws.append(row)
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
    ws.auto_filter.ref = f"A{top}:{get_column_letter(len(header))}{top + n}"
    return ws, n


def _alert_lines(alerts: list[str]) -> list[str]:
    """Run alerts above the Summary table, one per row: the first thing the workbook shows."""
    if not alerts:
        return []
    lines = [f"Check before using this report ({len(alerts)} alert{'s' if len(alerts) != 1 else ''}):"]
    for a in alerts:  # long alerts on several rows, so they read without scrolling sideways
        lines += textwrap.wrap(a, 130, subsequent_indent="   ") or [a]
    return lines + [""]


def _hints(report: Report) -> dict[str, str]:
    return {r.code: how_to_fix(r, report.info.year.label) for r in report.result.rules_run}


def _error_rows(recs, hints, report: Report):
    for r in recs.to_dict("records"):
        sw = report.worker_label(r["social_worker"])
        yield (r["rule"], r["message"], hints.get(r["rule"], ""), r["category"], r["child"], sw, r["table"],
               r["year"], r["locator"], r["file"], int(r["line"]), int(r["row"]), ", ".join(r["fields"]),
               "; ".join(f"{k}={'' if v is None else v}" for k, v in r["values"].items()),
               describe(r.get("suggestion")))


def write_xlsx(report: Report, path, workers: dict | None = None, per_worker_sheets: bool = True,
               contact: str | None = None) -> None:
    if workers:  # the names may also come with the call
        report = replace(report, workers={**report.workers, **workers})
    wb = Workbook(write_only=True)
    hints = _hints(report)
    by_rule = report.by_rule()
    preamble = _alert_lines(report.alerts)
    head = len(preamble) + 1  # the Summary's header row
    summary, n_rules = _sheet(wb, "Summary", ["Rule", "Message", "How to fix", "Category", "Errors", "Children"],
                              ((r.rule, r.message, hints.get(r.rule, ""), r.category, r.errors, r.children)
                               for r in by_rule.itertuples(index=False)),
                              {"Message": 70, "How to fix": 60, "Category": 14}, preamble)
    if n_rules:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "Errors per rule (top 15)"
        chart.y_axis.title = "errors"
        top = min(15, n_rules)
        chart.add_data(Reference(summary, min_col=5, min_row=head, max_row=head + top), titles_from_data=True)
        chart.set_categories(Reference(summary, min_col=1, min_row=head + 1, max_row=head + top))
        chart.height, chart.width = 10, 18
        summary.add_chart(chart, f"H{head + 1}")
    recs = report.records
    _sheet(wb, "Errors", ERROR_COLUMNS, _error_rows(recs, hints, report), ERROR_WIDTHS)
    _sheet(wb, "By child", ["Child", "Social worker", "Errors", "Rules"],
           ((r.child, report.worker_label(r.social_worker), r.errors, r.rules)
            for r in report.by_child().itertuples(index=False)), {"Rules": 60, "Social worker": 28})
    by_sw = report.by_social_worker()
    sw_sheet, n_sw = _sheet(wb, "By social worker", ["Social worker", "Name", "Team", "Email", "Children", "Errors"],
                            ((r.social_worker, *(_who(report.workers, r.social_worker)), r.children, r.errors)
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
        # One worker list per social worker, laid out to be printed or sent (worker_lists.py).
        used = {t.lower() for t in ("summary", "errors", "by child", "by social worker", "about this run")}
        produced = dt.datetime.now()
        groups = dict(tuple(recs.groupby("social_worker", sort=True)))
        for sw in [s for s in groups if s != UNASSIGNED] + ([UNASSIGNED] if UNASSIGNED in groups else []):
            label = UNASSIGNED if sw == UNASSIGNED else report.worker_label(sw)
            add_worker_sheet(wb, sheet_title(label, used), report, sw, groups[sw], hints, produced, contact)
    _about(wb, report)
    wb.save(path)


def _who(workers, sw):
    w = workers.get(str(sw).strip().upper()) if workers else None
    return (w.name, w.team, w.email) if w else ("", "", "")


def _about(wb, report: Report) -> None:
    meta, res = report.info, report.result
    about = [("Collection year", meta.year.label),
             ("Local authority", meta.la.describe() if meta.la else "not given (--la)"),
             ("This year's files", "; ".join(report.input_files("current"))),
             ("Last year's files", "; ".join(report.input_files("previous")) if report.inputs.get("previous") is not None
              else "not given (--previous)"),
             ("Rules run", len(res.rules_run)),
             ("Errors", report.error_count)]
    if report.accepted is not None and len(report.accepted):
        about.append(("Accepted (baseline)", len(report.accepted)))
    about += [(f"Not run: {code}", why) for code, why in res.not_run]
    about += [(f"Internal error: {code}", err) for code, err in res.internal_errors]
    about += [("Alert", a) for a in report.alerts]
    about += [("Warning", w) for w in report.notes if w not in report.alerts]
    _sheet(wb, "About this run", ["Item", "Value"], about, {"Item": 28, "Value": 100})
