"""The trend workbook: errors per run and category (or rule), with a line chart."""
from __future__ import annotations

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference

from .safety import safe_cell


def write_trend_xlsx(runs, table, by: str, path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Trend"
    ws.append(["run", "date", "label", "total"] + ([str(k) for k in table.index] if table is not None else []))
    for i, r in enumerate(runs.itertuples(index=False)):
        values = [int(table.iloc[:, i].loc[k]) for k in table.index] if table is not None else []
        ws.append([int(r.id), r.started_at[:10], safe_cell(r.label or ""), int(r.errors)] + values)
    ws.freeze_panes = "A2"
    chart = LineChart()
    chart.title = f"Errors per {by}"
    chart.y_axis.title = "errors"
    chart.x_axis.title = "run"
    n = len(runs)
    data = Reference(ws, min_col=4, max_col=ws.max_column, min_row=1, max_row=n + 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=n + 1))
    ws.add_chart(chart, f"B{n + 4}")
    wb.save(path)
