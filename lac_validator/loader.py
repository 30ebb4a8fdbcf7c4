"""Reading a return from folders and files (CSV, XLSX) into typed tables.

A table is recognised by its header set (case- and whitespace-insensitive, any column order);
file names are not used. Unknown extra columns are kept out of the rules and reported.
Input files are only ever opened for reading.
"""
from __future__ import annotations

import csv
import datetime as _dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError
from .schema import TableSpec, load_schema
from .tables import Return, Source, make_table
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


def _norm_header(name) -> str:
    text = "" if name is None else str(name)
    return "".join(text.replace("\ufeff", "").split()).upper()


# ---------------------------------------------------------------- files and folders

def expand_paths(paths: list[str | Path], label: str) -> tuple[list[Path], list[str]]:
    """Folders become the CSV/XLSX/XML files directly inside them."""
    files: list[Path] = []
    warnings: list[str] = []
    for p in paths:
        path = Path(p)
        if not path.exists():
            raise InputError(f"The {label} return path '{path}' does not exist: give a folder or file that holds the 903 tables.")
        if path.is_dir():
            # hidden files, Excel lock files and lac-validator's own logs are not part of a return
            found = sorted(f for f in path.iterdir()
                           if f.is_file() and not f.name.startswith((".", "~$", "lac-validator-")))
            usable = [f for f in found if f.suffix.lower() in CSV_SUFFIXES | XLSX_SUFFIXES | XML_SUFFIXES]
            for f in found:
                if f not in usable:
                    warnings.append(f"{f}: ignored (not a .csv, .xlsx or .xml file).")
            if not usable:
                raise InputError(f"The folder '{path}' holds no .csv, .xlsx or .xml files: point at the folder with this {label} return's tables.")
            files.extend(usable)
        else:
            if path.suffix.lower() not in CSV_SUFFIXES | XLSX_SUFFIXES | XML_SUFFIXES:
                raise InputError(f"{path}: unsupported file type '{path.suffix or '(none)'}': give CSV (.csv), Excel (.xlsx) or DfE XML (.xml) files.")
            files.append(path)
    return files, warnings


# ---------------------------------------------------------------- CSV

def decode_bytes(data: bytes, path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Excel 'Unicode text'), else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
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


def read_csv(path: Path) -> RawSheet:
    data = path.read_bytes()
    text = decode_bytes(data, path)
    source = Source(path=str(path), kind="csv")
    if not text.strip():
        raise InputError(f"{path}: the file is empty: it should start with a header row such as CHILD,DECOM,RNE,... .")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, header=None, keep_default_na=False,
                            na_filter=False, skip_blank_lines=False, engine="c")
    except pd.errors.ParserError as exc:
        raise InputError(f"{path}: cannot be read as CSV ({_parser_reason(exc)}): check that every row has the same number of comma-separated fields as the header and quotes are closed.") from None
    except (ValueError, OverflowError, MemoryError) as exc:
        raise InputError(f"{path}: cannot be read as CSV ({exc}): export it again as CSV (UTF-8).") from None
    frame = frame.fillna("")
    header = [str(v) for v in frame.iloc[0].tolist()]
    body = frame.iloc[1:].reset_index(drop=True)
    body.columns = range(body.shape[1])
    lines = _csv_lines(text, body)
    return RawSheet(source, header, body, lines)


def _parser_reason(exc: Exception) -> str:
    msg = str(exc).strip().splitlines()[-1] if str(exc).strip() else "parse error"
    return msg.replace("Error tokenizing data. C error: ", "")


def _csv_lines(text: str, body: pd.DataFrame) -> np.ndarray:
    """The file line of each data row: row + 2 unless a quoted cell holds line breaks."""
    n = len(body)
    if n == 0:
        return np.zeros(0, dtype=int)
    if text.count("\n") <= n + 1 and "\r" not in text.replace("\r\n", ""):
        return np.arange(n) + 2
    reader = csv.reader(io.StringIO(text))
    starts = []
    prev_end = 0
    for i, _ in enumerate(reader):
        starts.append(prev_end + 1)
        prev_end = reader.line_num
        if i > n:
            break
    starts = starts[1:n + 1]
    if len(starts) != n:  # cannot happen when pandas and csv agree; fall back to positions
        return np.arange(n) + 2
    return np.asarray(starts)


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


def read_xlsx(path: Path) -> list[RawSheet]:
    import openpyxl  # imported here: CSV-only runs start faster

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise InputError(f"{path}: cannot be opened as an Excel workbook ({type(exc).__name__}); it may be corrupt or password-protected: save an unprotected copy as .xlsx or export CSV.") from None
    except Exception as exc:  # openpyxl raises assorted errors on damaged files
        raise InputError(f"{path}: cannot be opened as an Excel workbook ({type(exc).__name__}): save it again as .xlsx or export CSV.") from None
    sheets: list[RawSheet] = []
    try:
        for ws in wb.worksheets:
            rows = []
            lines = []
            header = None
            for line, row in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = [_cell_text(v) for v in row]
                if header is None:
                    if any(c.strip() for c in cells):
                        header = cells
                    continue
                if not any(c != "" for c in cells):
                    continue
                rows.append(cells)
                lines.append(line)
            if header is None:
                continue
            width = len(header)
            while width and header[width - 1].strip() == "":
                width -= 1
            header = header[:width]
            body = pd.DataFrame([(r + [""] * width)[:width] for r in rows], columns=range(width), dtype=object) \
                if rows else pd.DataFrame(columns=range(width), dtype=object)
            sheets.append(RawSheet(Source(str(path), "xlsx", ws.title), header, body, np.asarray(lines, dtype=int)))
    finally:
        wb.close()
    return sheets


# ---------------------------------------------------------------- recognition

def recognise(sheet: RawSheet, specs: list[TableSpec]) -> tuple[TableSpec | None, list[str], list[str]]:
    """Return (table, extra columns, missing columns) for a header row.

    The table chosen is the one with the most of its columns present; ties favour the table
    with fewer columns missing.
    """
    cols = [_norm_header(h) for h in sheet.header]
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


def _to_table(sheet: RawSheet, spec: TableSpec, extra: list[str], upper: bool = True):
    cols = [_norm_header(h) for h in sheet.header]
    seen = {}
    for i, c in enumerate(cols):
        if c in spec.csv_columns:
            if c in seen:
                raise InputError(f"{sheet.source.describe()}: column {c} appears twice in the header: keep one.")
            seen[c] = i
    frame = pd.DataFrame({c: sheet.rows[seen[c]] if c in seen else pd.Series("", index=sheet.rows.index, dtype=object)
                          for c in spec.csv_columns}, index=sheet.rows.index)
    # Drop rows with no value at all (blank lines); line numbers keep pointing at the file.
    keep = (frame != "").any(axis=1).to_numpy() if len(frame) else np.zeros(0, dtype=bool)
    return make_table(spec, frame[keep], sheet.source, sheet.lines[keep], extra, upper)


def load_return(paths: list[str | Path], year: CollectionYear, label: str, upper: bool = True) -> Return:
    """Load one year's return (label 'current' or 'previous') for `year`'s layout.

    `upper=False` keeps values' case as given (for format conversion, not validation)."""
    schema = load_schema()
    specs = list(schema.tables.values())
    files, warnings = expand_paths(paths, label)
    ret = Return(label=label, warnings=warnings, inputs=[str(f) for f in files])
    where: dict[str, str] = {}
    kinds = set()
    for path in files:
        suffix = path.suffix.lower()
        if suffix in XML_SUFFIXES:
            from .xml_input import read_xml  # noqa: PLC0415 - optional reader
            xml_tables, xml_warnings = read_xml(path, year, upper)
            kinds.add("xml")
            warnings.extend(xml_warnings)
            for name, table in xml_tables.items():
                _add(ret, where, name, table, table.source.describe(), year, warnings)
            continue
        try:
            sheets = read_csv(path) if suffix in CSV_SUFFIXES else read_xlsx(path)
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
            if spec is None:
                if len(sheets) > 1:
                    warnings.append(f"{what}: ignored (its headers match no 903 table).")
                    continue
                raise InputError(
                    f"{what}: the header row ({', '.join(h for h in sheet.header[:8] if h)}{', ...' if len(sheet.header) > 8 else ''}) "
                    "matches no 903 table: the first row must hold the DfE column names, e.g. "
                    "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB for Header."
                )
            if missing:
                raise InputError(
                    f"{what}: looks like the {spec.name} table but lacks column(s) {', '.join(missing)}: "
                    f"add them (they may be empty); {spec.name} needs {','.join(spec.csv_columns)}."
                )
            matched_any = True
            if extra:
                warnings.append(f"{what}: column(s) {', '.join(extra)} are not part of {spec.name} and were ignored.")
            table = _to_table(sheet, spec, extra, upper)
            _add(ret, where, spec.name, table, what, year, warnings)
        if not matched_any and sheets:
            raise InputError(f"{path}: no sheet's header row matches a 903 table: row 1 of each sheet must hold the DfE column names.")
    ret.file_format = "xml" if kinds == {"xml"} else ("csv" if "xml" not in kinds else "mixed")
    if "Header" in ret.tables:
        _derive_uasc(ret)
    return ret


def _add(ret: Return, where: dict, name: str, table, what: str, year: CollectionYear, warnings: list[str]):
    spec = load_schema().tables[name]
    if not spec.in_year(year):
        warnings.append(f"{what}: the {name} table is not part of the {year.label} return and was ignored.")
        return
    if name in ret.tables:
        raise InputError(f"The {ret.label} return has the {name} table twice: in {where[name]} and in {what}. Keep one of them.")
    where[name] = what
    ret.tables[name] = table


def _derive_uasc(ret: Return) -> None:
    """CSV returns carry no UASC column in Header: it is 1 when the child has a UASC row."""
    header = ret.tables["Header"]
    if "UASC" in header.raw.columns:
        return
    if "UASC" in ret.tables:
        # isin matches a blank CHILD to a blank CHILD, as the reference's join did
        flag = header.raw["CHILD"].isin(ret.tables["UASC"].raw["CHILD"]).map({True: "1", False: "0"}).astype("str")
    else:
        flag = pd.Series(np.nan, index=header.raw.index, dtype="str")
    header.raw["UASC"] = flag
    header.data["UASC"] = flag


def table_from_csv_text(name: str, text: str, source: str | None = None):
    """A typed table from CSV text, read exactly as a CSV file would be (used by rule tests)."""
    spec = load_schema().tables[name]
    frame = pd.read_csv(io.StringIO(text), dtype=str, header=None, keep_default_na=False,
                        na_filter=False, skip_blank_lines=True).fillna("")
    header = [str(v) for v in frame.iloc[0].tolist()]
    body = frame.iloc[1:].reset_index(drop=True)
    body.columns = range(body.shape[1])
    cols = [_norm_header(h) for h in header]
    unknown = [h for h, c in zip(header, cols) if c not in spec.csv_columns]
    if unknown:
        raise KeyError(f"{name} has no column(s) {unknown}")
    sheet = RawSheet(Source(source or f"<{name}>", "csv"), header, body, np.arange(len(body)) + 2)
    return _to_table(sheet, spec, [])
