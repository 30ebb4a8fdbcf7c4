"""Writing a corrected copy: changed cells rewritten in copies of the CSV/XLSX files, a change log
with one block per run, and an output folder that never holds or replaces anything it should not.

The copy is built in a temporary folder beside the output and moved into place at the end, so an
interrupted run leaves no half-written copy, and a re-run replaces its own earlier output whole.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

from ..errors import InputError
from ..loading.csv_reader import decode_bytes, sniff_delimiter
from ..loading.xlsx_reader import cell_text
from .model import Change

CHANGE_LOG = "lac-validator-changes.log"  # CSV text; the "lac-validator-" prefix keeps it out of the return
SUMMARY = "lac-validator-summary.txt"
LOG_COLUMNS = ["run", "who", "source", "file", "line", "child", "table", "field", "old", "new", "reason",
               "status"]


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_output(output: Path, inputs: list[Path], keep: list[Path]) -> None:
    """Refuse an output folder that would write over, into or beside what is read.

    `inputs` are the return's files (the copy gets their names); `keep` are other files read
    (the fix sheet, last year's return). An existing folder is accepted only when empty or when it
    is an earlier output of lac-validator for this return (then it is replaced whole)."""
    out = Path(output).resolve()
    names = [Path(p).name.lower() for p in inputs]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(f"the return has two files named {twice[0]}: the corrected copy keeps file names, so give "
                         "files with different names.")
    for p in [*inputs, *keep]:
        p = Path(p).resolve()
        if out == p or _inside(p, out) or (p.is_file() and out == p.parent):
            raise InputError(f"--output {output} would write over or into what this command reads ({p.name}): "
                             "choose a new folder.")
        if p.is_dir() and _inside(out, p):
            raise InputError(f"--output {output} is inside the folder {p}: choose a folder outside the return.")
    if out.exists() and not out.is_dir():
        raise InputError(f"--output {output} is a file: give a new folder for the corrected copy.")
    if out.exists() and any(out.iterdir()) and not is_own_output(out, inputs):
        raise InputError(f"--output {output} is a folder that already holds other files: give a new or empty "
                         "folder (an earlier corrected copy of this return is replaced).")


def is_own_output(folder: Path, inputs: list[Path]) -> bool:
    """An earlier corrected copy: it has the change log and only files named like the return's."""
    names = {Path(p).name for p in inputs}
    files = list(folder.iterdir())
    return (folder / CHANGE_LOG).is_file() and all(
        f.is_file() and (f.name in names or f.name.startswith("lac-validator-")) for f in files)


def write_copy(inputs: list[Path], changes: list[Change], output: Path, log_rows: list[list],
               earlier_log: Path | None = None, summary: str = "") -> tuple[list[Path], dict[int, str]]:
    """Copy every input file into `output` with `changes` applied; write the change log (earlier
    blocks carried over from `earlier_log`, then `log_rows`, this run's block). Returns the copies
    and, per change index, "applied" or why the file did not take it."""
    output = Path(output)
    tmp = output.with_name(f".{output.name}.lac-validator-tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    status: dict[int, str] = {}
    try:
        by_file: dict[str, list[tuple[int, Change]]] = {}
        for i, c in enumerate(changes):
            by_file.setdefault(_file_of(c), []).append((i, c))
        copies = []
        for src in inputs:
            src = Path(src)
            dest = tmp / src.name
            mine = by_file.pop(str(src.resolve()), [])
            if not mine:
                shutil.copyfile(src, dest)
            elif src.suffix.lower() in (".csv", ".txt"):
                status.update(_apply_csv(src, dest, mine))
            elif src.suffix.lower() in (".xlsx", ".xlsm"):
                status.update(_apply_xlsx(src, dest, mine))
            else:
                shutil.copyfile(src, dest)
                status.update({i: "XML files are not changed (convert the return to CSV first)" for i, _ in mine})
            copies.append(output / src.name)
        for rest in by_file.values():
            status.update({i: "the file is not part of the return given with --to" for i, _ in rest})
        _write_log(tmp / CHANGE_LOG, log_rows, status, earlier_log)
        if summary:
            (tmp / SUMMARY).write_text(summary, encoding="utf-8")
        if output.exists():
            old = output.with_name(f".{output.name}.lac-validator-old")
            if old.exists():
                shutil.rmtree(old)
            output.rename(old)
            tmp.rename(output)
            shutil.rmtree(old)
        else:
            output.parent.mkdir(parents=True, exist_ok=True)
            tmp.rename(output)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return copies, status


def _file_of(c: Change) -> str:
    return str(Path(c.file.split(" (sheet '")[0]).resolve())


def _write_log(path: Path, rows: list[list], status: dict[int, str], earlier: Path | None) -> None:
    from ..outputs.safety import safe_cell

    header = ",".join(LOG_COLUMNS)
    carried = ""
    if earlier is not None and earlier.is_file():
        text = earlier.read_text(encoding="utf-8", errors="replace")
        if text.splitlines()[:1] == [header]:  # an earlier run's log in the same format: keep its blocks
            carried = text.split("\n", 1)[1] if "\n" in text else ""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(header + "\r\n" + carried)
        w = csv.writer(fh, lineterminator="\r\n")  # CRLF: a bare CR in a value gets quoted
        for row in rows:
            change_index, values = row[0], list(row[1:])
            if change_index is not None and status.get(change_index, "applied") != "applied":
                values[-1] = f"refused: {status[change_index]}"
            w.writerow([safe_cell(v) for v in values])


def log_row(run: str, who: str, source: str, c: Change | None, status: str, change_index: int | None = None,
            sheet_row=None) -> list:
    """One change-log row; the first item (not written) is the change's index, so a change the file
    did not take is logged as refused. Refused sheet rows have no Change: their row says what was asked."""
    if c is None:
        r = sheet_row
        return [None, run, who, source, "", r.line or "", r.child or "", "", r.field, r.current or "",
                "" if r.corrected is None else str(r.corrected), f"rule {r.rule} ({r.where})", status]
    return [change_index, run, who, source, c.file, c.line, c.child, c.table, c.field, c.old or "", c.new,
            c.reason, status]


def now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def _apply_csv(src: Path, dest: Path, changes: list[tuple[int, Change]]) -> dict[int, str]:
    data = src.read_bytes()
    text = decode_bytes(data, src)
    delim = sniff_delimiter(text)
    # Keep the file's line endings, unless a cell holds a bare CR: only CRLF rows get that quoted.
    newline = "\r\n" if "\r\n" in text[:10000] or "\r" in text.replace("\r\n", "") else "\n"
    # physical line where each record starts (the reader counts CR, LF and CRLF line breaks alike)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    rows, starts, line = [], [], 1
    for r in reader:
        rows.append(r)
        starts.append(line)
        line = reader.line_num + 1
    header = ["".join(h.replace("\ufeff", "").split()).upper() for h in rows[0]] if rows else []
    at = {s: i for i, s in enumerate(starts)}
    out: dict[int, str] = {}
    for k, c in changes:
        i = at.get(c.line)
        if i is None or i == 0 or c.field not in header:
            out[k] = "the line or column is not in the file"
            continue
        j = header.index(c.field)
        row = rows[i]
        current = row[j] if j < len(row) else ""
        if current != (c.old or ""):  # checked against the loaded return already; the file must agree
            out[k] = "the file's cell differs from the loaded return"
            continue
        while len(row) <= j:
            row.append("")
        row[j] = c.new
        out[k] = "applied"
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline, delimiter=delim).writerows(rows)
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    dest.write_text(buf.getvalue(), encoding=encoding, newline="")
    return out


def _apply_xlsx(src: Path, dest: Path, changes: list[tuple[int, Change]]) -> dict[int, str]:
    import openpyxl

    wb = openpyxl.load_workbook(src)
    out: dict[int, str] = {}
    for k, c in changes:
        sheet = c.file.split(" (sheet '", 1)[1][:-2] if " (sheet '" in c.file else None
        ws = wb[sheet] if sheet in wb.sheetnames else None
        if ws is None:
            out[k] = "the sheet is not in the workbook"
            continue
        header = ["".join(str(v or "").split()).upper() for v in next(ws.iter_rows(min_row=1, max_row=1, values_only=True))]
        if c.field not in header:
            out[k] = "the column is not in the sheet"
            continue
        cell = ws.cell(row=c.line, column=header.index(c.field) + 1)
        if cell_text(cell.value) != (c.old or ""):
            out[k] = "the workbook's cell differs from the loaded return"
            continue
        cell.value = c.new if c.new != "" else None
        if c.new != "":
            cell.data_type = "s"
        out[k] = "applied"
    wb.save(dest)
    return out
