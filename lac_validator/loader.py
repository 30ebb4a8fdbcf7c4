"""Reading a return from folders and files (CSV, XLSX) into typed tables.

A table is recognised by its header set (case- and whitespace-insensitive, any column order);
file names are not used. Unknown extra columns are kept out of the rules and reported.
Input files are only ever opened for reading.
"""
from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import difflib
import io
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError
from .io_safety import stat_or_none
from .schema import TableSpec, load_schema
from .tables import Return, Source, Table, make_table, normalise_text
from .years import CollectionYear

CSV_SUFFIXES = {".csv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
XML_SUFFIXES = {".xml"}


@dataclass
class RawSheet:
    """A grid of text cells as read from one CSV file or one worksheet."""

    source: Source
    header: list[str]
    rows: pd.DataFrame  # text cells, columns numbered 0..n-1
    lines: np.ndarray   # the line/row number of each data row
    file_rows: np.ndarray | None = None  # each data row's 0-based position below the header, counting
                                         # blank rows (default: 0..n-1, no blank row was left out)
    state: str = "visible"  # a worksheet's visibility: visible, hidden or veryHidden


def norm_header(name) -> str:
    text = "" if name is None else str(name)
    return "".join(text.replace("\ufeff", "").split()).upper()


# ---------------------------------------------------------------- files and folders

def expand_paths(paths: list[str | Path], label: str) -> tuple[list[Path], list[str]]:
    """Folders become the CSV/XLSX/XML files directly inside them. Only regular files are read: a
    pipe or device would block or never end, so one given by name is refused and one in a folder
    is skipped with a warning, as are folders and broken links named like a table file."""
    from .io_safety import kind_of

    files: list[Path] = []
    warnings: list[str] = []
    table_suffixes = CSV_SUFFIXES | XLSX_SUFFIXES | XML_SUFFIXES
    for p in paths:
        path = Path(p)
        st = stat_or_none(path)
        if st is None:
            if os.path.lexists(path):
                raise InputError(f"The {label} return path '{path}' is a broken link: point at the folder or file itself.")
            raise InputError(f"The {label} return path '{path}' does not exist: give a folder or file that holds the 903 tables.")
        if stat.S_ISDIR(st.st_mode):
            try:
                entries = sorted(path.iterdir())
            except OSError as exc:
                raise InputError(f"The folder '{path}' cannot be listed ({exc.strerror or exc}): check its permissions, "
                                 "or copy the return to a folder you can read.") from None
            usable, ignored = [], []
            for f in entries:
                # hidden files, Excel lock files and lac-validator's own logs are not part of a return
                if f.name.startswith((".", "~$", "lac-validator-")):
                    continue
                fst = stat_or_none(f)
                if f.suffix.lower() not in table_suffixes:
                    if fst is not None and stat.S_ISREG(fst.st_mode):
                        ignored.append(f)
                    continue
                if fst is None:
                    warnings.append(f"{f}: skipped (a broken link: its target does not exist).")
                elif not stat.S_ISREG(fst.st_mode):
                    warnings.append(f"{f}: skipped ({kind_of(fst)}, not a file, although named like one).")
                else:
                    usable.append(f)
            warnings.extend(_ignored_summary(ignored))
            if not usable:
                raise InputError(f"The folder '{path}' holds no .csv, .xlsx or .xml files: point at the folder with this {label} return's tables.")
            files.extend(usable)
        else:
            if path.suffix.lower() not in table_suffixes:
                raise InputError(f"{path}: unsupported file type '{path.suffix or '(none)'}': give CSV (.csv), Excel (.xlsx) or DfE XML (.xml) files.")
            if not stat.S_ISREG(st.st_mode):
                raise InputError(f"{path}: is {kind_of(st)}, not a file: give the path of a saved CSV, XLSX or XML file.")
            files.append(path)
    return files, warnings


_IGNORED_LISTED = 5  # more ignored files than this are summarised in one warning


def _ignored_summary(ignored: list[Path]) -> list[str]:
    if len(ignored) <= _IGNORED_LISTED:
        return [f"{f}: ignored (not a .csv, .xlsx or .xml file)." for f in ignored]
    names = ", ".join(f.name for f in ignored[:3])
    return [f"{ignored[0].parent}: {len(ignored)} files ignored (not .csv, .xlsx or .xml), e.g. {names}."]


# ---------------------------------------------------------------- CSV

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and every password-protected Office file
# Limits on a workbook, checked from its zip directory and one streaming pass over the sheets'
# XML before openpyxl reads anything. All of England's children looked after (~85 000, ~3 million
# cells) fit well inside them; a file beyond them is damaged or made to exhaust the machine.
_MAX_UNPACKED = 1 * 2**30          # bytes of XML in all parts together
_MAX_SHARED_STRINGS = 64 * 2**20   # bytes of the shared-strings part (every distinct text once)
_MAX_RATIO = 200                   # unpacked:packed, for parts over _RATIO_FLOOR (real sheets: ~5-20)
_RATIO_FLOOR = 16 * 2**20
_MAX_CELLS = 5_000_000             # cells written in the sheets, empty ones included
_MAX_TEXT = 128_000_000            # characters of cell text read (a shared string counts each time used)
_ZIP_MAGIC = b"PK\x03\x04"
# C0 control characters other than tab, LF and CR: text files hardly ever hold them, binary files always do.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when the bytes look like UTF-16 text with no BOM, else None."""
    sample = data[:4096]
    half = len(sample) // 2
    if half < 4:
        return None
    for codec, zeros in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        if zeros.count(0) >= 0.7 * half:
            return codec
    return None


def decode_bytes(data: bytes, path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16 with or without BOM (Excel 'Unicode text'), else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    codec = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else _utf16_without_bom(data) if b"\x00" in data[:4096] else None
    if codec:
        try:
            return data.decode(codec)
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: starts like UTF-16 text but cannot be decoded ({exc.reason}): re-save it as CSV UTF-8.") from None
    if b"\x00" in data[:4096]:
        raise InputError(f"{path}: is not a text CSV file (it contains binary data): export the table as CSV (UTF-8) or XLSX.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Excel's "CSV" export on Windows; cp1252 leaves five bytes undefined, latin-1 maps all.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def sniff_delimiter(text: str) -> str:
    """Comma, unless the header line is plainly tab- or semicolon-separated (Excel 'Unicode text',
    European 'CSV'). Column names never contain any of the three, so the most frequent one wins."""
    first = _LINE_BREAK.split(text.lstrip("\ufeff"), maxsplit=1)[0]
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])  # ties keep the comma (first in DELIMITERS)
    return best if counts[best] else ","


# Bytes that str.strip() removes, for the ASCII range (a tab is one, so a line of tabs is blank).
_ASCII_SPACE = np.zeros(256, dtype=bool)
_ASCII_SPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True


def _records(text: str, delim: str) -> tuple[np.ndarray, np.ndarray]:
    """(first file line, number of fields) of every record; a blank line is a record of 0 fields.

    Quoted cells may hold line breaks, so the csv module reads quoted files; files without a quote
    (most extracts) are measured line by line with numpy over the text's bytes."""
    if '"' in text:
        starts: list[int] = []
        widths: list[int] = []
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
        line = 1
        for rec in reader:
            starts.append(line)
            widths.append(0 if not any(c.strip() for c in rec) else len(rec))
            line = reader.line_num + 1
        return np.asarray(starts, dtype=int), np.asarray(widths, dtype=int)
    return _unquoted_records(text, delim)


def _unquoted_records(text: str, delim: str) -> tuple[np.ndarray, np.ndarray]:
    """The same as splitting on \r\n, \r or \n and counting delimiters per line, without a
    Python loop over the lines."""
    b = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    lf, cr = b == 10, b == 13
    breaks = lf.copy()
    breaks[:-1] |= cr[:-1] & ~lf[1:]   # a CR not followed by LF ends a line (CRLF ends at its LF)
    if len(b):
        breaks[-1] |= cr[-1]
    n_lines = int(breaks.sum()) + (1 if len(b) and not breaks[-1] else 0)  # a last line without a break
    line_of = np.cumsum(breaks) - breaks
    delims = np.bincount(line_of[b == ord(delim)], minlength=n_lines)[:n_lines]
    visible = ~_ASCII_SPACE[b]
    filled = np.bincount(line_of[visible], minlength=n_lines)[:n_lines]
    widths = np.where(filled > 0, delims + 1, 0)
    # Lines whose only visible bytes are non-ASCII may be Unicode spaces (blank to str.strip()).
    ascii_filled = np.bincount(line_of[visible & (b < 128)], minlength=n_lines)[:n_lines]
    doubtful = np.flatnonzero((ascii_filled == 0) & (filled > 0))
    if len(doubtful):
        lines = _LINE_BREAK.split(text)
        for i in doubtful:
            if not lines[i].strip():
                widths[i] = 0
    return np.arange(1, n_lines + 1), widths


def _check_not_other_format(data: bytes, path: Path) -> None:
    if data.startswith(_ZIP_MAGIC):
        raise InputError(f"{path}: is an Excel workbook (XLSX) or another zip file with a .csv name: "
                         "rename it to .xlsx, or open it in Excel and save it as CSV UTF-8.")
    if data.startswith(_OLE_MAGIC):
        raise InputError(f"{path}: is an old-style Excel (.xls) or password-protected workbook with a .csv name: "
                         "open it in Excel and save it as CSV UTF-8 (or as an unprotected .xlsx).")


def read_csv(path: Path, data: bytes | None = None) -> RawSheet:
    """One CSV file as a grid of text cells; `data`: its bytes when they are already in memory
    (rule cases are read from bytes, through the same steps as a file)."""
    data = path.read_bytes() if data is None else data
    _check_not_other_format(data, path)
    # Old DOS tools end text files with Ctrl-Z; it is not a row.
    text = decode_bytes(data, path).rstrip("\x1a")
    source = Source(path=str(path), kind="csv")
    if not text.strip():
        raise InputError(f"{path}: the file is empty: it should start with a header row such as CHILD,DECOM,RNE,... .")
    controls = len(_CONTROL.findall(text[:65536]))
    if controls > max(2, len(text[:65536]) // 200):
        raise InputError(f"{path}: is not a text CSV file (it contains binary data): export the table as CSV (UTF-8) or XLSX.")
    text, delim, offset = _excel_sep_line(text, path)
    fields = _LINE_BREAK.split(text, maxsplit=1)[0].count(delim) + 1
    if fields > _MAX_COLUMNS:  # e.g. millions of trailing separators: parsing them would take minutes
        raise InputError(f"{path}: the header row has {fields:,} {DELIMITERS[delim]}-separated fields, more than the "
                         f"{_MAX_COLUMNS:,} a table can have (903 tables have at most a few dozen): delete the empty "
                         "columns at its end, or export the table again.")
    # The csv module (used for quoted files) refuses cells over 128 KB by default; pandas has no
    # such limit, and a very long cell is reported by the rules, not refused.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    lines = None  # the usual extract (no quotes, no blank or ragged line): record n is on line n
    if '"' in text or not _all_lines_full(text, delim):
        starts, widths = _records(text, delim)
        _refuse_ragged(path, text, delim, starts, widths, offset)
        lines = starts[1:] + offset
    frame = _parse_csv(text, delim, path)
    # Cells are text ("" when empty: na_filter is off); missing values are not expected, but any
    # are read as empty by the typing step.
    header = ["" if v is None or v != v else str(v) for v in frame.iloc[0].tolist()]
    body = frame.iloc[1:].reset_index(drop=True)
    body.columns = range(body.shape[1])
    lines = lines[:len(body)] if lines is not None and len(lines) >= len(body) else np.arange(len(body)) + 2 + offset
    return RawSheet(source, header, body, np.asarray(lines, dtype=int))


_MAX_COLUMNS = 16_384  # Excel's own limit
_EXCEL_SEP = re.compile(r"\A\s*sep=(.)[ \t]*(?:\r\n|\r|\n)", re.IGNORECASE)


def _excel_sep_line(text: str, path: Path) -> tuple[str, str, int]:
    """(text, delimiter, lines removed). Excel writes and honours a first line `sep=;` naming the
    separator: it is a directive, not the header row, so it is taken and removed."""
    m = _EXCEL_SEP.match(text)
    if not m:
        return text, sniff_delimiter(text), 0
    if m.group(1) not in DELIMITERS:
        raise InputError(f"{path}: line 1 says `sep={m.group(1)}`, a separator lac-validator does not read: "
                         "save the table as CSV UTF-8 (comma-separated).")
    return text[m.end():], m.group(1), text[:m.end()].count("\n") or 1


_KEEP = {ord(d): bytes(b for b in range(256) if b not in (ord(d), 10, 13)) for d in DELIMITERS}


def _all_lines_full(text: str, delim: str) -> bool:
    """True when every line has exactly the header's number of delimiters (so no line is blank
    or ragged). Checked on the text reduced to its delimiters and line breaks, in C."""
    data = text.encode("utf-8", "surrogatepass")
    skeleton = data.translate(None, _KEEP[ord(delim)]).replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if not skeleton.endswith(b"\n"):
        skeleton += b"\n"
    first = skeleton[:skeleton.find(b"\n") + 1]
    return len(first) > 1 and skeleton == first * (len(skeleton) // len(first))


def _refuse_ragged(path: Path, text: str, delim: str, starts: np.ndarray, widths: np.ndarray, offset: int = 0) -> None:
    width = int(widths[0]) if len(widths) else 0
    bad = np.flatnonzero((widths[1:] != width) & (widths[1:] != 0))
    if len(bad):
        i = bad[0] + 1
        line_text = _LINE_BREAK.split(text)[starts[i] - 1]
        second = _table_of_header_row(next(csv.reader([line_text], delimiter=delim), []))
        if second is not None:
            raise InputError(f"{path}: line {starts[i] + offset} is a second header row (the {second} table's column "
                             "names) below the first table: put each table in its own file or sheet, then validate again.")
        raise InputError(
            f"{path}: line {starts[i] + offset} has {widths[i]} {DELIMITERS[delim]}-separated fields but the header row has {width}: "
            f"every row needs one value (possibly empty) per column; check that line for a missing or extra "
            f"{DELIMITERS[delim]} or an unclosed quote.",
            detail=f"line {starts[i] + offset}: " + _LINE_BREAK.split(text)[starts[i] - 1][:500])


def _parse_csv(text: str, delim: str, path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(io.StringIO(text), sep=delim, dtype=object, header=None, keep_default_na=False,
                           na_filter=False, skip_blank_lines=False, engine="c", quoting=csv.QUOTE_MINIMAL)
    except pd.errors.ParserError as exc:
        raise InputError(f"{path}: cannot be read as CSV ({_parser_reason(exc)}): check that every row has the same number of {DELIMITERS[delim]}-separated fields as the header and quotes are closed.",
                         detail=str(exc)) from None
    except (ValueError, OverflowError, MemoryError) as exc:
        raise InputError(f"{path}: cannot be read as CSV ({type(exc).__name__}): export it again as CSV (UTF-8).",
                         detail=str(exc)) from None


def _parser_reason(exc: Exception) -> str:
    msg = str(exc).strip().splitlines()[-1] if str(exc).strip() else "parse error"
    return msg.replace("Error tokenizing data. C error: ", "")


# ---------------------------------------------------------------- XLSX

def _cell_text(value) -> str:
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
    if head.startswith(_OLE_MAGIC):
        raise InputError(f"{path}: is password-protected (encrypted) or an old-style .xls workbook, which cannot be read: "
                         "in Excel remove the password (File > Info > Protect Workbook) and save it as .xlsx, or save the tables as CSV UTF-8.")
    if not head:
        raise InputError(f"{path}: the file is empty: export the workbook again.")
    if not head.startswith(_ZIP_MAGIC):
        text_like = b"\x00" not in head and not _CONTROL.search(head.decode("latin-1"))
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
        cells = [_cell_text(v) for v in row]
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
        cells = [_cell_text(v) for v in row]
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


# ---------------------------------------------------------------- recognition

def recognise(sheet: RawSheet, specs: list[TableSpec]) -> tuple[TableSpec | None, list[str], list[str]]:
    """Return (table, extra columns, missing columns) for a header row.

    The table chosen is the one with the most of its columns present; ties favour the table
    with fewer columns missing.
    """
    cols = [norm_header(h) for h in sheet.header]
    present = set(cols)
    # A column shared by many tables (CHILD, DOB) says little; one found in a single table
    # (ETHNIC, DECOM) says a lot. Complete matches win; then the most telling overlap.
    counts: dict[str, int] = {}
    for spec in specs:
        for c in spec.csv_columns:
            counts[c] = counts.get(c, 0) + 1
    best, best_key = None, None
    for spec in specs:
        have = present & set(spec.csv_columns)
        complete = len(have) == len(spec.csv_columns)
        weight = sum(1.0 / counts[c] for c in have)
        key = (complete, len(have) if complete else weight)
        if best_key is None or key > best_key:
            best, best_key = spec, key
    if best is None:
        return None, [], []
    missing = [c for c in best.csv_columns if c not in present]
    extra = [h for h, c in zip(sheet.header, cols) if c not in best.csv_columns]
    # Require most of the table's identity to be there before we call it that table.
    if len(best.csv_columns) - len(missing) < max(2, (len(best.csv_columns) + 1) // 2):
        return None, extra, missing
    return best, extra, missing


def _table_of_header_row(cells: list[str]) -> str | None:
    """The 903 table whose column names a row mostly holds (a header row), or None."""
    specs = list(load_schema().tables.values())
    spec, _, missing = recognise(RawSheet(Source("", "csv"), [str(c) for c in cells], pd.DataFrame(), np.zeros(0)), specs)
    if spec is not None and len(missing) <= len(spec.csv_columns) // 2:
        return spec.name
    return None


def _refuse_second_table(sheet: RawSheet, specs: list[TableSpec], what: str) -> None:
    """A second table pasted below the first (its own header row, then its rows) would be read as
    records of the first: find such a header row and say where it is. Every 903 table starts with
    CHILD, so only the first column and the first table's CHILD column are looked at (cheap on a
    large table); a candidate row must then be mostly one table's column names."""
    rows = sheet.rows
    if rows.empty:
        return
    cols = {0} | {i for i, h in enumerate(sheet.header) if norm_header(h) == "CHILD"}
    hit = np.zeros(len(rows), dtype=bool)
    for col in cols:
        if col in rows.columns:
            hit |= rows[col].isin(_CHILD_SPELLINGS).to_numpy()
    for i in np.flatnonzero(hit):
        second = _table_of_header_row(rows.iloc[i].tolist())
        if second is not None:
            raise InputError(f"{what}: line {int(sheet.lines[i])} is a second header row (the {second} table's column "
                             "names) below the first table: put each table in its own file or sheet, then validate again.")


_CHILD_SPELLINGS = ["CHILD", "Child", "child", " CHILD", "CHILD "]


def table_from_sheet(sheet: RawSheet, spec: TableSpec, extra: list[str], upper: bool = True,
                     warnings: list[str] | None = None):
    """The typed table of a recognised sheet: the spec's columns (missing ones blank), rows with no
    value left out (their neighbours keep their file lines and file rows)."""
    cols = [norm_header(h) for h in sheet.header]
    seen = {}
    for i, c in enumerate(cols):
        if c in spec.csv_columns:
            if c in seen:
                raise InputError(f"{sheet.source.describe()}: column {c} appears twice in the header: keep one.")
            seen[c] = i
    frame = normalise_text(pd.DataFrame(
        {c: sheet.rows[seen[c]] if c in seen else pd.Series("", index=sheet.rows.index, dtype=object)
         for c in spec.csv_columns}, index=sheet.rows.index), upper)
    # Drop rows with no value at all: Excel exports often end with ",,,,," lines. Those at the end
    # are dropped silently; empty rows between records are mentioned, as a record may be lost there.
    keep = frame.notna().any(axis=1).to_numpy() if len(frame) else np.zeros(0, dtype=bool)
    if warnings is not None and keep.any():
        gaps = np.flatnonzero(~keep[:np.flatnonzero(keep)[-1]])
        if len(gaps):
            warnings.append(f"{sheet.source.describe()}: {len(gaps)} empty row(s) between records were skipped "
                            f"(first at line {sheet.lines[gaps[0]]}).")
    if not keep.all():
        frame = frame[keep]
    file_rows = np.arange(len(sheet.rows)) if sheet.file_rows is None else sheet.file_rows
    return make_table(spec, frame, sheet.source, sheet.lines[keep], extra, upper, normalised=True,
                      file_rows=file_rows[keep])


# Characters that make a header differ from the DfE name without showing on screen. NBSP and a
# BOM are removed by _norm_header (they are read as the name); the others keep a column unknown.
_INVISIBLE = {"\u200b": "a zero-width space", "\u200c": "a zero-width non-joiner", "\u200d": "a zero-width joiner",
              "\u2060": "a word joiner", "\ufeff": "a byte order mark (BOM)", "\xa0": "a non-breaking space",
              "\xad": "a soft hyphen", "\u200e": "a left-to-right mark", "\u200f": "a right-to-left mark"}


def _shown(header: str) -> str:
    """A header as text a person can read: invisible characters as <U+200B>."""
    return "".join(f"<U+{ord(ch):04X}>" if ch in _INVISIBLE or not ch.isprintable() else ch for ch in header)


def column_hint(wanted: str, unknown: list[str]) -> str | None:
    """Why an unrecognised header is probably the missing column `wanted`, or None."""
    best, best_score = None, 0.0
    for h in unknown:
        hidden = sorted({_INVISIBLE[ch] for ch in h if ch in _INVISIBLE})
        visible = "".join(ch for ch in h.replace("\xa0", " ") if ch not in _INVISIBLE).strip().upper()
        underscored = re.sub(r"[\s\-.]+", "_", visible)
        if visible.replace(" ", "") == wanted or underscored == wanted:
            reasons = [f"contains {' and '.join(hidden)}"] if hidden else []
            if underscored == wanted and visible != wanted:
                reasons.append("has a space or hyphen where the DfE name has an underscore")
            if not reasons:
                continue
            return f'the header "{_shown(h)}" {" and ".join(reasons)}'
        score = difflib.SequenceMatcher(None, underscored, wanted).ratio()
        if score > best_score:
            best, best_score = h, score
    if best is not None and best_score >= 0.7:
        return f'the header has "{_shown(best)}": did you mean {wanted}?'
    return None


def _described_missing(missing: list[str], unknown: list[str]) -> str:
    out = []
    for c in missing:
        hint = column_hint(c, unknown)
        out.append(f"{c} ({hint})" if hint else c)
    return ", ".join(out)


def _header_summary(header: list[str], specs: list[TableSpec]) -> str:
    """Describe an unrecognised first row without echoing its cells: when it is a data row they
    are a child's details, which must not reach logs."""
    known = sorted({c for spec in specs for c in spec.csv_columns})
    names = [norm_header(h) for h in header if norm_header(h)]
    ours = [n for n in names if n in known]
    if not ours:
        return f"the first row ({len(names)} non-empty cell(s)) holds no 903 column name and matches no 903 table"
    return (f"the first row holds only {len(ours)} 903 column name(s) ({', '.join(ours[:8])}) among {len(names)} "
            "cells and matches no 903 table")


# Non-DfE date writings, each with its likely cause; dd/mm/yyyy is the only accepted form.
_DATE_SHAPES = [
    ("ISO dates (yyyy-mm-dd)", re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}\s*$"),
     "the column was exported in ISO format: format it as dd/mm/yyyy before saving"),
    ("dates with a time", re.compile(r"^\s*(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{1,2}-\d{1,2})[ T]\d{1,2}:\d{2}"),
     "the export added times: format the column as dd/mm/yyyy without the time"),
    ("Excel serial numbers", re.compile(r"^\s*\d{5}(\.\d+)?\s*$"),
     "the column was saved as numbers: format it as a date (dd/mm/yyyy) before saving"),
    ("US dates (mm/dd/yyyy)", re.compile(r"^\s*(0?[1-9]|1[0-2])/(1[3-9]|2\d|3[01])/\d{4}\s*$"),
     "the export used month/day/year: other dates in the column that look valid may have day and month "
     "swapped; export with the UK date format"),
    ("dates with - or . separators", re.compile(r"^\s*\d{1,2}[-.]\d{1,2}[-.]\d{4}\s*$"),
     "use / between day, month and year (`lac-validator fix` can correct these on a copy)"),
    ("dates with a two-digit year", re.compile(r"^\s*\d{1,2}/\d{1,2}/\d{2}\s*$"),
     "write the year with four digits"),
]


def date_format_warnings(table, what: str) -> list[str]:
    """Explain invalid dates whose form points at an export setting. The values stay invalid (the
    DfE reads dd/mm/yyyy only) and the rules report them; the warning names the likely cause."""
    out = []
    spec = load_schema().tables[table.name]
    for col in spec.date_columns:
        raw = table.raw[col]
        bad = raw.notna() & table.data[col].isna()
        if not bad.any():
            continue
        texts = raw[bad].astype(str)
        for label, pattern, advice in _DATE_SHAPES:
            hit = texts.str.match(pattern)
            if hit.any():
                first = int(table.lines[np.flatnonzero(bad.to_numpy())[np.flatnonzero(hit.to_numpy())[0]]])
                out.append(f"{what}: {int(hit.sum())} {col} value(s) are written as {label} (first at line {first}); "
                           f"the DfE format is dd/mm/yyyy, so they are reported as invalid: {advice}.")
    return out


def load_return(paths: list[str | Path], year: CollectionYear, label: str, upper: bool = True) -> Return:
    """Load one year's return (label 'current' or 'previous') for `year`'s layout.

    `upper=False` keeps values' case as given (for format conversion, not validation)."""
    schema = load_schema()
    specs = list(schema.tables.values())
    files, warnings = expand_paths(paths, label)
    read: list[tuple[str, Table, str]] = []
    kinds = set()
    for path in files:
        suffix = path.suffix.lower()
        if suffix in XML_SUFFIXES:
            from .xml_input import read_xml  # noqa: PLC0415 - optional reader
            xml_tables, xml_warnings = read_xml(path, year, upper)
            kinds.add("xml")
            warnings.extend(xml_warnings)
            for name, table in xml_tables.items():
                warnings.extend(date_format_warnings(table, table.source.describe()))
                read.append((name, table, table.source.describe()))
            continue
        try:
            sheets = read_csv(path) if suffix in CSV_SUFFIXES else read_xlsx(path, warnings)
        except InputError:
            raise
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
        sheets = sheets if isinstance(sheets, list) else [sheets]
        kinds.add("xlsx" if suffix in XLSX_SUFFIXES else "csv")
        if not sheets:
            raise InputError(f"{path}: the workbook has no sheet with a header row: each sheet should hold one 903 table with its column names in row 1.")
        matched_any = False
        for sheet in sheets:
            spec, extra, missing = recognise(sheet, specs)
            what = sheet.source.describe()
            if sheet.state == "veryHidden":
                what += " (a very hidden sheet, which Excel does not list even under Unhide)"
            if spec is None:
                if len(sheets) > 1:
                    warnings.append(f"{what}: ignored (its headers match no 903 table).")
                    continue
                raise InputError(f"{what}: {_header_summary(sheet.header, specs)}: the first row must hold the DfE "
                                 "column names of one 903 table, e.g. CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB for Header; "
                                 "add or correct that row.",
                                 detail="first row: " + " | ".join(sheet.header[:20]))
            if missing:
                raise InputError(
                    f"{what}: looks like the {spec.name} table but lacks column(s) {_described_missing(missing, extra)}: "
                    f"add them (they may be empty); {spec.name} needs {','.join(spec.csv_columns)}."
                )
            _refuse_second_table(sheet, specs, what)
            matched_any = True
            if extra:
                warnings.append(f"{what}: column(s) {', '.join(extra)} are not part of {spec.name} and were ignored.")
            table = table_from_sheet(sheet, spec, extra, upper, warnings)
            warnings.extend(date_format_warnings(table, what))
            read.append((spec.name, table, what))
        if not matched_any and sheets:
            raise InputError(f"{path}: no sheet's header row matches a 903 table: row 1 of each sheet must hold the DfE column names.")
    return assemble_return(label, read, year, kinds, warnings, [str(f) for f in files])


def assemble_return(label: str, tables: list[tuple[str, Table, str]], year: CollectionYear, kinds: set[str],
                    warnings: list[str] | None = None, inputs: list[str] | None = None) -> Return:
    """One year's return from the tables read for it: (table name, typed table, where it was read).
    Each table once, only the year's tables (others are ignored with a warning), the file format
    from the `kinds` of readers used ("csv", "xlsx", "xml"), and the UASC indicator CSV lacks."""
    warnings = [] if warnings is None else warnings
    ret = Return(label=label, warnings=warnings, inputs=list(inputs or []))
    where: dict[str, str] = {}
    for name, table, what in tables:
        spec = load_schema().tables[name]
        if not spec.in_year(year):
            warnings.append(f"{what}: the {name} table is not part of the {year.label} return and was ignored.")
            continue
        if name in ret.tables:
            raise InputError(f"The {ret.label} return has the {name} table twice: in {where[name]} and in {what}. Keep one of them.")
        where[name] = what
        ret.tables[name] = table
    ret.file_format = "xml" if kinds == {"xml"} else ("csv" if "xml" not in kinds else "mixed")
    if "Header" in ret.tables:
        _derive_uasc(ret)
    return ret


def _derive_uasc(ret: Return) -> None:
    """CSV returns carry no UASC column in Header: it is 1 when the child has a UASC row."""
    header = ret.tables["Header"]
    if "UASC" in header.raw.columns:
        return
    if "UASC" in ret.tables:
        # A blank CHILD is no child: it has no UASC row even beside a blank-CHILD UASC row.
        from .toolkit import child_in
        flag = child_in(header.raw["CHILD"], ret.tables["UASC"].raw["CHILD"]).map({True: "1", False: "0"}).astype("str")
    else:
        flag = pd.Series(np.nan, index=header.raw.index, dtype="str")
    header.raw["UASC"] = flag
    header.data["UASC"] = flag
