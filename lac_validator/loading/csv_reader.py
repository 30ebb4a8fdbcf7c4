"""Reading one CSV file (or CSV bytes) into a grid of text cells: encoding, separator, ragged and
blank lines, and files of another format given a .csv name."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..tables import Source
from .recognise import table_of_header_row
from .sheet import CONTROL, OLE_MAGIC, ZIP_MAGIC, RawSheet

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
    if data.startswith(ZIP_MAGIC):
        raise InputError(f"{path}: is an Excel workbook (XLSX) or another zip file with a .csv name: "
                         "rename it to .xlsx, or open it in Excel and save it as CSV UTF-8.")
    if data.startswith(OLE_MAGIC):
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
    controls = len(CONTROL.findall(text[:65536]))
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
        second = table_of_header_row(next(csv.reader([line_text], delimiter=delim), []))
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
