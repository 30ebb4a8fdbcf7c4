"""Reading an XLSX workbook into grids of text cells, one per sheet with a header row, after
checking from its zip directory and one pass over its XML that it is a workbook a 903 return can
be (not encrypted, not .xls, not a zip bomb, not too many cells)."""
from __future__ import annotations

import contextlib
import datetime as _dt
import re
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..tables import Source
from .sheet import CONTROL, OLE_MAGIC, ZIP_MAGIC, RawSheet

# Limits on a workbook, checked from its zip directory and one streaming pass over the sheets'
# XML before openpyxl reads anything. All of England's children looked after (~85 000, ~3 million
# cells) fit well inside them; a file beyond them is damaged or made to exhaust the machine.
_MAX_UNPACKED = 1 * 2**30          # bytes of XML in all parts together
_MAX_SHARED_STRINGS = 64 * 2**20   # bytes of the shared-strings part (every distinct text once)
_MAX_RATIO = 200                   # unpacked:packed, for parts over _RATIO_FLOOR (real sheets: ~5-20)
_RATIO_FLOOR = 16 * 2**20
_MAX_CELLS = 5_000_000             # cells written in the sheets, empty ones included
_MAX_TEXT = 128_000_000            # characters of cell text read (a shared string counts each time used)



def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, _dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _check_workbook_bytes(path: Path) -> None:
    """Name the likely cause when a .xlsx file is not an XLSX zip: encryption, .xls, CSV text."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(OLE_MAGIC):
        raise InputError(f"{path}: is password-protected (encrypted) or an old-style .xls workbook, which cannot be read: "
                         "in Excel remove the password (File > Info > Protect Workbook) and save it as .xlsx, or save the tables as CSV UTF-8.")
    if not head:
        raise InputError(f"{path}: the file is empty: export the workbook again.")
    if not head.startswith(ZIP_MAGIC):
        text_like = b"\x00" not in head and not CONTROL.search(head.decode("latin-1"))
        if text_like:
            raise InputError(f"{path}: holds text, not an Excel workbook: if it is CSV, rename it to .csv; otherwise save it from Excel as .xlsx.")
        raise InputError(f"{path}: is not an Excel workbook (it is neither XLSX nor text): save the tables from Excel as .xlsx or CSV UTF-8.")
    # A "zip bomb": a small file that unpacks to gigabytes would exhaust memory. zipfile stops each
    # part at its declared size (and fails the CRC beyond it), so the declared sizes bound the work.
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            head = zf.open("xl/workbook.xml").read(4096) if "xl/workbook.xml" in zf.namelist() else b""
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        return  # reported by the workbook reader with its own message
    unpacked = sum(info.file_size for info in infos)
    if unpacked > _MAX_UNPACKED:
        raise InputError(f"{path}: unpacks to {unpacked / 2**30:.1f} GiB, more than the {_MAX_UNPACKED // 2**30} GiB "
                         "a 903 workbook can need: it is damaged or not a return; export the tables as CSV UTF-8.")
    for info in infos:
        if info.file_size > _RATIO_FLOOR and info.file_size > _MAX_RATIO * max(info.compress_size, 1):
            raise InputError(f"{path}: its part {info.filename} would unpack {info.file_size // max(info.compress_size, 1)} "
                             f"times larger than stored (limit {_MAX_RATIO}; real sheets are about 10): it is damaged or "
                             "made to exhaust memory (a zip bomb); export the tables as CSV UTF-8.")
        if info.filename.lower().endswith("sharedstrings.xml") and info.file_size > _MAX_SHARED_STRINGS:
            raise InputError(f"{path}: its table of texts (sharedStrings.xml) unpacks to {info.file_size // 2**20} MiB, "
                             f"more than the {_MAX_SHARED_STRINGS // 2**20} MiB limit (a whole national return needs a few): "
                             "it is damaged or not a return; export the tables as CSV UTF-8.")
    if b"purl.oclc.org/ooxml" in head:
        raise InputError(f"{path}: is saved as 'Strict Open XML Spreadsheet', which cannot be read: open it in Excel and "
                         "save it as 'Excel Workbook (*.xlsx)' (the ordinary format), or save the tables as CSV UTF-8.")


_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")


def _scan_sheets(path: Path) -> bool:
    """One streaming pass over the sheets' XML before openpyxl reads them: refuse a workbook with
    more cells than _MAX_CELLS (a far cell or millions of empty ones would take hours), and say
    whether any formula is present (for the uncached-formula warning)."""
    cells, formulas = 0, False
    try:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    continue
                with zf.open(name) as fh:
                    tail = b""
                    while chunk := fh.read(1 << 22):
                        cells += len(_CELL.findall(chunk))  # a tag split between chunks is not worth counting
                        formulas = formulas or bool(_FORMULA.search(tail + chunk))
                        tail = chunk[-8:]
                        if cells > _MAX_CELLS:
                            raise InputError(f"{path}: its sheets hold more than {_MAX_CELLS:,} cells (empty ones included), "
                                             "the limit for a workbook (a whole national 903 return has about 3 million): "
                                             "delete unused rows and columns, or export the tables as CSV UTF-8.")
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, NotImplementedError, EOFError, zlib.error):
        return False  # reported by the workbook reader
    return formulas


def _uncached_formulas(path: Path) -> dict[str, list[str]]:
    """Cells, per sheet, holding a formula with no saved result (workbooks written by programs that
    never calculated them): read with data_only they are blank, which a person would not expect."""
    import openpyxl

    out: dict[str, list[str]] = {}
    values = openpyxl.load_workbook(path, read_only=True, data_only=True)
    formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        for ws_v, ws_f in zip(values.worksheets, formulas.worksheets):
            for row_v, row_f in zip(ws_v.iter_rows(), ws_f.iter_rows()):
                for cv, cf in zip(row_v, row_f):
                    if cv.value is None and isinstance(cf.value, str) and cf.value.startswith("="):
                        out.setdefault(ws_f.title, []).append(cf.coordinate)
    finally:
        values.close()
        formulas.close()
    return out


def _defused(exc: BaseException) -> bool:
    from defusedxml import DefusedXmlException

    while exc is not None:
        if isinstance(exc, DefusedXmlException):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _workbook_error(path: Path, exc: Exception):
    if isinstance(exc, (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError)):
        raise InputError(f"{path}: cannot be opened as an Excel workbook ({type(exc).__name__}); it may be corrupt or password-protected: save an unprotected copy as .xlsx or export CSV.",
                         detail=str(exc)) from None
    # openpyxl raises assorted errors on damaged files
    raise InputError(f"{path}: cannot be opened as an Excel workbook ({type(exc).__name__}): save it again as .xlsx or export CSV.",
                     detail=str(exc)) from None


def read_xlsx(path: Path, warnings: list[str] | None = None) -> list[RawSheet]:
    import openpyxl  # imported here: CSV-only runs start faster

    _check_workbook_bytes(path)
    has_formulas = _scan_sheets(path)
    try:
        with _quiet_library():
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        if _defused(exc):  # openpyxl reads XML through defusedxml, which refuses DTDs and entities
            raise InputError(f"{path}: refused: the workbook's XML declares a DTD or entities, which Excel never writes "
                             "and which can be used to attack the reader: save it again from Excel as .xlsx or export CSV.") from None
        _workbook_error(path, exc)
    sheets: list[RawSheet] = []
    budget = [_MAX_TEXT]
    try:
        with _quiet_library():
            for ws in wb.worksheets:
                sheet = _read_sheet(path, ws, budget)
                if sheet is not None:
                    sheets.append(sheet)
    except InputError:
        raise
    except Exception as exc:  # damage inside a sheet shows only while its rows are read
        if _defused(exc):
            raise InputError(f"{path}: refused: a sheet's XML declares a DTD or entities, which Excel never writes "
                             "and which can be used to attack the reader: save it again from Excel as .xlsx or export CSV.") from None
        raise InputError(f"{path}: a sheet cannot be read ({type(exc).__name__}); the workbook may be corrupt: save it again as .xlsx or export CSV.") from None
    finally:
        wb.close()
    if warnings is not None:
        for sheet in sheets:
            if sheet.state == "veryHidden":
                warnings.append(f"{sheet.source.describe()}: is a very hidden sheet (Excel does not list it, even under "
                                "Unhide; only macros show it) and was read like the others.")
    if warnings is not None and has_formulas:
        try:
            with _quiet_library():
                uncached = _uncached_formulas(path)
        except Exception:  # noqa: BLE001 - the warning is a courtesy; the data was read above
            uncached = {}
        for sheet, cells in uncached.items():
            warnings.append(f"{path} (sheet '{sheet}'): {len(cells)} cell(s) hold a formula with no saved result "
                            f"(first {cells[0]}) and were read as empty: open the workbook in Excel, let it "
                            "calculate and save it, or replace the formulas by their values.")
    return sheets


@contextlib.contextmanager
def _quiet_library():
    """openpyxl warns on the error stream about workbook features it skips, sometimes quoting cell
    values: those warnings are the tool's business, not the user's (the data read is unchanged)."""
    import warnings as _warnings

    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        yield


def _read_sheet(path: Path, ws, budget: list[int]) -> RawSheet | None:
    """One worksheet as text cells. The stored dimension (<dimension ref="A1:G10">) is not trusted:
    a stale one would cut rows off silently, a hostile one (A1:XFD1048576) would make millions of
    empty cells; rows are read as they are in the sheet, up to the header's width."""
    ws.reset_dimensions()
    header, header_line = None, 0
    for line, row in enumerate(ws.iter_rows(values_only=True), start=1):
        if row.count(None) == len(row):
            continue
        cells = [cell_text(v) for v in row]
        if any(c.strip() for c in cells):
            header, header_line = cells, line
            break
    if header is None:
        return None
    width = len(header)
    while width and header[width - 1].strip() == "":
        width -= 1
    header = header[:width]
    rows, lines = [], []
    left = budget[0] - sum(map(len, header))
    for line, row in enumerate(ws.iter_rows(min_row=header_line + 1, max_col=max(width, 1), values_only=True),
                               start=header_line + 1):
        if row.count(None) == len(row):
            continue
        cells = [cell_text(v) for v in row]
        if not any(c != "" for c in cells):
            continue
        left -= sum(map(len, cells))
        if left < 0:
            raise InputError(f"{path} (sheet '{ws.title}'): the workbook's cells hold more than {_MAX_TEXT:,} characters "
                             "of text (the limit; a whole national return has about 30 million): it is damaged or "
                             "made to exhaust memory; export the tables as CSV UTF-8.")
        rows.append(cells)
        lines.append(line)
    budget[0] = left
    body = pd.DataFrame([(r + [""] * width)[:width] for r in rows], columns=range(width), dtype=object) \
        if rows else pd.DataFrame(columns=range(width), dtype=object)
    lines = np.asarray(lines, dtype=int)
    return RawSheet(Source(str(path), "xlsx", ws.title), header, body, lines, file_rows=lines - header_line - 1,
                    state=getattr(ws, "sheet_state", "visible") or "visible")
