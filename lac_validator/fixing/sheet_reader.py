"""Reading a filled-in fix sheet: its About sheet and its rows, by header names."""
from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from . import model as m
from .model import FileStamp, SheetInfo, SheetRow
from .sheet_writer import ABOUT

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def unsafe(text):
    """Undo the formula-injection apostrophe the sheet added to a value from the return."""
    if isinstance(text, str) and text.startswith("'") and text[1:2] in _TRIGGERS:
        return text[1:]
    return text


def read_fix_sheet(path: Path) -> tuple[SheetInfo, list[SheetRow]]:
    import openpyxl

    path = Path(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the user's file problem
        raise InputError(f"{path}: cannot be opened as a fix sheet ({type(exc).__name__}): give the .xlsx "
                         "written by validate --fix-sheet (saved as an Excel workbook).") from None
    try:
        if ABOUT not in wb.sheetnames:
            raise InputError(f"{path}: has no About sheet, so it is not a fix sheet written by this version of "
                             "lac-validator (or the sheet was deleted): write a new one with validate --fix-sheet.")
        info = _about(wb[ABOUT], path)
        rows: list[SheetRow] = []
        for ws in wb.worksheets:
            if ws.title == ABOUT:
                continue
            it = ws.iter_rows(values_only=True)
            header = next(it, None)
            if not header or m.CORRECTED not in header:
                if ws.title.startswith("Rule ") and ws.sheet_state == "visible":
                    raise InputError(f"{path}: sheet '{ws.title}' has no '{m.CORRECTED}' heading in its first row: "
                                     "put the heading row back as the fix sheet was written.")
                continue
            col = {str(name).strip(): i for i, name in enumerate(header) if name is not None}
            missing = [c for c in m.REQUIRED_COLUMNS if c not in col]
            if missing:
                raise InputError(f"{path}: sheet '{ws.title}' lacks column(s) {', '.join(missing)}: keep the "
                                 "columns as the fix sheet was written (they can be moved, not removed).")
            for number, values in enumerate(it, start=2):
                cells = {name: (values[i] if i < len(values) else None) for name, i in col.items()}
                if all(v is None for v in cells.values()):
                    continue
                rows.append(_row(ws.title, number, cells))
    finally:
        wb.close()
    return info, rows


def _text(value) -> str | None:
    if value is None:
        return None
    from ..loading.xlsx_reader import cell_text

    return unsafe(cell_text(value))


def _row(sheet: str, number: int, cells: dict) -> SheetRow:
    line = cells.get(m.LINE)
    try:
        line = int(line) if line is not None else None
    except (TypeError, ValueError):
        line = None
    field = _text(cells.get(m.FIELD)) or ""
    return SheetRow(sheet=sheet, row=number, key=_text(cells.get(m.KEY)) or "", rule=_text(cells.get(m.RULE)) or "",
                    field=field.split(" (", 1)[0].strip(), current=_text(cells.get(m.CURRENT)),
                    corrected=cells.get(m.CORRECTED), child=_text(cells.get(m.CHILD)), line=line, cells=cells,
                    suggested=_text(cells.get(m.SUGGESTED)), accept=cells.get(m.ACCEPT))


def _about(ws, path: Path) -> SheetInfo:
    info = SheetInfo(year="")
    for values in ws.iter_rows(min_row=2, values_only=True):
        label, value = (values + (None, None))[:2]
        value = "" if value is None else str(unsafe(value))
        if label == "Fix sheet format":
            info.format = value
        elif label == "lac-validator version":
            info.version = value
        elif label == "Written":
            info.written = value
        elif label == "Collection year":
            info.year = value
        elif label == "Local authority":
            info.la = value
        elif label == "Return":
            info.current.append(value)
        elif label == "Last year's return":
            info.previous.append(value)
        elif label == "Provider list":
            info.providers.append(value)
        elif label in ("Select", "Ignore"):
            getattr(info, label.lower()).extend(c for c in value.split(",") if c)
        elif label in ("Return file", "Last year's file"):
            sha, size = (values + (None, None, None, None))[2:4]
            info.files.append(FileStamp("current" if label == "Return file" else "previous", value, str(sha or ""),
                                        int(size or 0)))
    if info.format != m.FORMAT or not info.year or not info.current:
        raise InputError(f"{path}: its About sheet is not one this version of lac-validator wrote (format "
                         f"'{info.format}'): write a new fix sheet with validate --fix-sheet.")
    return info
