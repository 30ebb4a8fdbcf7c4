"""Building small XLSX workbooks for tests."""
from __future__ import annotations

import io

import openpyxl


def workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    """An .xlsx file's bytes with one sheet per entry (rows as given), in that order."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
