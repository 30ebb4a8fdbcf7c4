"""The workbook for people: Summary, Errors, By child, By social worker, About this run.

Every sheet has a frozen header row, filters and sensible widths; every text cell that came from
the input is neutralised against formula injection.
"""
from __future__ import annotations

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from ..report import Report
from .safety import safe_cell

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")


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
    return ws


def write_xlsx(report: Report, path) -> None:
    wb = Workbook(write_only=True)
    by_rule = report.by_rule()
    _sheet(wb, "Summary", ["Rule", "Message", "Category", "Errors", "Children"],
           by_rule[["rule", "message", "category", "errors", "children"]].itertuples(index=False, name=None),
           {"Message": 90, "Category": 14})
    recs = report.records
    _sheet(wb, "Errors",
           ["Rule", "Message", "Category", "Child", "Social worker", "Table", "Year", "Where", "File", "Line",
            "Row", "Fields", "Values"],
           ((r["rule"], r["message"], r["category"], r["child"], r["social_worker"], r["table"], r["year"],
             r["locator"], r["file"], int(r["line"]), int(r["row"]), ", ".join(r["fields"]),
             "; ".join(f"{k}={'' if v is None else v}" for k, v in r["values"].items()))
            for r in recs.to_dict("records")),
           {"Message": 70, "File": 30, "Values": 40, "Where": 22, "Social worker": 16})
    _sheet(wb, "By child", ["Child", "Social worker", "Errors", "Rules"],
           report.by_child().itertuples(index=False, name=None), {"Rules": 60, "Social worker": 16})
    _sheet(wb, "By social worker", ["Social worker", "Children", "Errors"],
           report.by_social_worker().itertuples(index=False, name=None), {"Social worker": 20})
    ctx, res = report.ctx, report.result
    about = [("Collection year", ctx.year.label),
             ("Local authority", ctx.la.describe() if ctx.la else "not given (--la)"),
             ("This year's files", "; ".join(ctx.current.inputs)),
             ("Last year's files", "; ".join(ctx.previous.inputs) if ctx.previous else "not given (--previous)"),
             ("Rules run", len(res.rules_run)),
             ("Errors", report.error_count)]
    about += [(f"Not run: {code}", why) for code, why in res.not_run]
    about += [(f"Internal error: {code}", err) for code, err in res.internal_errors]
    about += [("Warning", w) for w in report.warnings]
    _sheet(wb, "About this run", ["Item", "Value"], about, {"Item": 28, "Value": 100})
    wb.save(path)


