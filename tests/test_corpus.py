"""The malformed-input corpus (tests/corpus/cases.yaml) through the real command-line entry point.

Every case asserts its exit code, that no traceback is printed, that the inputs are byte-identical
afterwards, and either the exact DfE errors (rule, child, line) or the fragments of one clear
`error:` message. Builders below make the inputs that cannot be written as text.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import re
import sqlite3
import sys
import warnings
import xml.dom.minidom
import zipfile
from pathlib import Path

import pytest
import yaml

from cli_run import file_hashes, run_cli  # through the installed entry point (lac_validator.cli:run)
from workbooks import workbook_bytes

CASES = yaml.safe_load((Path(__file__).parent / "corpus" / "cases.yaml").read_text(encoding="utf-8"))["cases"]
HEADERS = {
    "H": "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n",
    "E": "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n",
    "SW": "CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\n",
    "DOLO": "CHILD,DOB,DOLO_START,DOLO_END\n",
    "LONG": "W" * 300_000,
}


# ---------------------------------------------------------------- builders

def _xlsx_bytes(sheets: dict, cached: dict | None = None) -> bytes:
    data = workbook_bytes(sheets)
    if cached:  # what Excel does on save: store each formula's result next to it
        data = _rewrite_sheet(data, lambda xml: _add_cached(xml, cached))
    return data


def _add_cached(xml: str, cached: dict) -> str:
    for ref, value in cached.items():
        xml, n = re.subn(rf'<c r="{ref}"( [^>]*)?><f>(.*?)</f><v\s*/>', rf'<c r="{ref}" t="str"><f>\2</f><v>{value}</v>', xml)
        assert n == 1, f"no formula cell {ref} to give a result"
    return xml


def _rewrite_sheet(data: bytes, change) -> bytes:
    return _rewrite_parts(data, lambda name, xml: change(xml) if name == "xl/worksheets/sheet1.xml" else None)


def _header_sheet() -> dict:
    return {"Header": [["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"], ["1", "M", dt.date(2010, 1, 1), "WBRI"]]}


def build(spec: dict) -> bytes:
    kind = spec["build"]
    if kind == "xlsx":
        return _xlsx_bytes(spec["sheets"], spec.get("cached"))
    if kind == "junk":  # deterministic random bytes, with or without zero bytes
        data = bytearray(random.Random(903).randbytes(8192))
        if spec["nul"]:
            return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(data)
        return bytes(b or 1 for b in data)
    if kind == "ole":  # the container of every encrypted (password-protected) Office file
        return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + random.Random(1).randbytes(4096)
    if kind == "truncated_xlsx":
        data = _xlsx_bytes(_header_sheet())
        return data[: len(data) // 2]
    if kind == "hostile_xlsx":
        bomb = ('<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
                '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
        return _rewrite_sheet(_xlsx_bytes(_header_sheet()),
                              lambda xml: bomb + re.sub(r"^<\?xml[^>]*\?>", "", xml).replace("<t>WBRI</t>", "<t>&c;</t>"))
    if kind in HOSTILE_XLSX:
        return HOSTILE_XLSX[kind](spec)
    raise ValueError(f"unknown builder {kind}")


# ---------------------------------------------------------------- hostile workbooks (issue 25)

def _children_sheet(n: int = 3) -> dict:
    rows = [["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]]
    rows += [[str(i), "X", dt.date(2010, 1, 1), "WBRI"] for i in range(1, n + 1)]
    return {"Header": rows}


def _rewrite_parts(data: bytes, change, compression=zipfile.ZIP_DEFLATED, drop=(), add=None) -> bytes:
    """Apply change(name, text) to every XML part (returning None keeps it); `add` maps the names of
    new parts to their text."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as dst:
        for item in src.infolist():
            if item.filename in drop:
                continue
            body = src.read(item.filename)
            if item.filename.endswith((".xml", ".rels")):
                new = change(item.filename, body.decode("utf-8"))
                body = body if new is None else new.encode("utf-8")
            dst.writestr(item.filename, body, compress_type=compression)
        for name, text in (add or {}).items():
            dst.writestr(name, text, compress_type=compression)
    return out.getvalue()


def _stale_dimension(spec):  # Excel-compatible writers that forget to update <dimension>
    data = _xlsx_bytes(_children_sheet(3))
    return _rewrite_parts(data, lambda n, x: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:G2"', x)
                          if n == "xl/worksheets/sheet1.xml" else None)


def _far_cell(spec):  # one cell at the last row and column Excel has
    data = _xlsx_bytes(_children_sheet(1))
    def change(n, x):
        if n != "xl/worksheets/sheet1.xml":
            return None
        x = re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', x)
        return x.replace("</sheetData>", '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')
    return _rewrite_parts(data, change)


def _empty_cells_bomb(spec):  # a few KB that unpack to millions of empty cells
    data = _xlsx_bytes(_children_sheet(1))
    filler = "<c/>" * 16000
    rows = "".join(f'<row r="{r}">{filler}</row>' for r in range(3, 300))
    return _rewrite_parts(data, lambda n, x: x.replace("</sheetData>", rows + "</sheetData>")
                          if n == "xl/worksheets/sheet1.xml" else None)


def _shared_string_bomb(spec):  # one 1 MB text, used by every cell of 300 rows
    data = _xlsx_bytes(_children_sheet(1))
    big = "W" * 1_000_000
    def change(n, x):
        if n == "xl/worksheets/sheet1.xml":
            row = "".join(f'<c t="s"><v>0</v></c>' for _ in range(7))
            return x.replace("</sheetData>", "".join(f'<row r="{r}">{row}</row>' for r in range(3, 303)) + "</sheetData>")
        if n == "[Content_Types].xml":
            return x.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                             'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
        if n == "xl/_rels/workbook.xml.rels":
            return x.replace("</Relationships>", '<Relationship Id="rIdSS" Type="http://schemas.openxmlformats.org/'
                             'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        return None
    return _rewrite_parts(data, change, add={"xl/sharedStrings.xml": '<?xml version="1.0"?><sst xmlns="http://schemas.'
                                             'openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
                                             f'<si><t>{big}</t></si></sst>'})


def _strict(spec):  # Excel's "Strict Open XML Spreadsheet" save format
    data = _xlsx_bytes(_children_sheet(1))
    ns = {"http://schemas.openxmlformats.org/spreadsheetml/2006/main": "http://purl.oclc.org/ooxml/spreadsheetml/main",
          "http://schemas.openxmlformats.org/officeDocument/2006/relationships":
              "http://purl.oclc.org/ooxml/officeDocument/relationships"}
    def change(n, x):
        for old, new in ns.items():
            x = x.replace(old, new)
        return x
    return _rewrite_parts(data, change)


def _date_out_of_range(spec):  # openpyxl warns on stderr quoting the cell's value
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Header"
    for row in _children_sheet(1)["Header"]:
        ws.append(row)
    ws["C2"].value = 99999999
    ws["C2"].number_format = "dd/mm/yyyy"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _wide_csv(spec):  # a header row followed by millions of empty columns
    return ("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB" + "," * spec["columns"] + "\n1,X,01/01/2010,WBRI,,,"
            + "," * spec["columns"] + "\n").encode()


def _very_hidden_copy(spec):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title in ("Header", "Old copy"):
        ws = wb.create_sheet(title)
        for row in _children_sheet(1)["Header"]:
            ws.append(row)
    wb["Old copy"].sheet_state = "veryHidden"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _fix_sheet_bad_line(spec):
    """A real fix sheet of the case's return (cur/, written first), with a correction filled in and
    its Line typed over with text."""
    import openpyxl

    from lac_validator.api import validate_run
    from lac_validator.fixes import sheet_info, write_fix_sheet

    root = spec["_root"]
    run = validate_run([root / "cur"], None, "2025-26", select=["101"])
    path = root / "fixes.tmp.xlsx"
    write_fix_sheet(run, path, sheet_info(run.report, [root / "cur"], []))
    wb = openpyxl.load_workbook(path)
    path.unlink()
    for ws in wb.worksheets:
        header = [c.value for c in ws[1]]
        if "Line" in header and "Corrected value" in header and ws.max_row >= 2:
            ws.cell(2, header.index("Line") + 1).value = "two"
            ws.cell(2, header.index("Corrected value") + 1).value = "M"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


HOSTILE_XLSX = {"stale_dimension_xlsx": _stale_dimension, "far_cell_xlsx": _far_cell,
                "empty_cells_bomb_xlsx": _empty_cells_bomb, "shared_string_bomb_xlsx": _shared_string_bomb,
                "strict_xlsx": _strict, "date_out_of_range_xlsx": _date_out_of_range, "wide_csv": _wide_csv, "very_hidden_copy_xlsx": _very_hidden_copy,
                "fix_sheet_bad_line": _fix_sheet_bad_line}


def _sqlite(path: Path, spec: dict) -> None:
    con = sqlite3.connect(path)
    con.executescript(spec["sql"])
    con.commit()
    con.close()


def write_inputs(root: Path, files: dict) -> None:
    for rel, spec in files.items():
        path = root / rel.replace("{xff}", "\udcff").replace("{long}", "n" * 300)  # undecodable byte; too long a name
        path.parent.mkdir(parents=True, exist_ok=True)
        if "fifo" in spec:
            os.mkfifo(path)
        elif "folder" in spec:
            path.mkdir()
        elif "symlink" in spec:
            path.symlink_to(spec["symlink"])
        elif "hardlink" in spec:
            os.link(root / spec["hardlink"], path)
        elif "sqlite" in spec:
            _sqlite(path, spec)
        elif "many" in spec:  # {many: N}: N small files named rel with {i} replaced
            path.parent.mkdir(parents=True, exist_ok=True)
            for i in range(spec["many"]):
                (root / rel.replace("{i}", str(i))).write_bytes(b"x")
        elif "build" in spec:
            path.write_bytes(build({**spec, "_root": root}))
        else:
            text = spec["text"]
            for key, value in HEADERS.items():
                text = text.replace("{" + key + "}", value)
            path.write_bytes(text.encode(spec.get("encoding", "utf-8")))




# ---------------------------------------------------------------- running

def _warning_to_stderr(message, category, filename, lineno, file=None, line=None):
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def _readable(path: Path) -> None:
    """An output must open in what its users open it with (a half-written file must not pass)."""
    if path.suffix == ".xlsx":
        import openpyxl

        openpyxl.load_workbook(path).close()
    elif path.suffix == ".json":
        json.loads(path.read_text(encoding="utf-8"))
    elif path.suffix in (".xml", ".html"):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".xml":
            xml.dom.minidom.parseString(text)



def test_corpus_is_large_and_ids_unique():
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 40
    for c in CASES:  # every case asserts an outcome
        assert "exit" in c and ({"errors", "message", "stdout", "outputs", "well_formed"} & set(c)), c["id"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_corpus_case(case, tmp_path, capsys, monkeypatch):
    if case.get("not_as_root") and hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("permissions do not bind the root user")
    inputs = tmp_path / "in"
    inputs.mkdir()
    outputs = tmp_path / "out"  # {o}: a place for outputs outside the inputs
    outputs.mkdir()
    write_inputs(inputs, case["files"])
    before = file_hashes(inputs)
    args = [a.replace("{d}", str(inputs)).replace("{o}", str(outputs)).replace("{xff}", "\udcff")
            .replace("{long}", "n" * 300) for a in case["args"]]
    report = tmp_path / "report.json"
    own_format = "-f" in args or "--format" in args
    if args[0] == "validate" and case["exit"] != 2 and not own_format:
        args += ["-f", "json", "-o", str(report)]
    for rel, mode in case.get("chmod", {}).items():
        os.chmod(inputs / rel, mode)
    monkeypatch.setattr("lac_validator.history.BUSY_TIMEOUT", 0.2, raising=False)
    lock = None
    if "lock" in case:  # another run holding the history database mid-write
        lock = sqlite3.connect(inputs / case["lock"], isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")
    try:
        with warnings.catch_warnings():  # as in a real run: library warnings would print on stderr
            warnings.simplefilter("default")
            warnings.showwarning = _warning_to_stderr
            code, out, err = run_cli(args, capsys, monkeypatch)
    finally:
        if lock is not None:
            lock.close()
        for rel in case.get("chmod", {}):
            os.chmod(inputs / rel, 0o755)

    assert "Traceback" not in out + err
    assert code == case["exit"], f"exit {code}\nstdout: {out[-2000:]}\nstderr: {err[-2000:]}"
    assert {k: v for k, v in file_hashes(inputs).items() if k in before} == before, "an input file changed"
    for fragment in case.get("absent", []):
        assert fragment not in err, f"stderr repeats a value from the return: {fragment!r}"
    for fragment in case.get("absent_out", []):  # e.g. a raw escape sequence reaching the terminal
        assert fragment not in out + err, f"{fragment!r} reached the terminal"
    for rel in case.get("well_formed", []):
        xml.dom.minidom.parse(str(outputs / rel))  # raises on XML that is not well-formed
    for rel in case.get("outputs", []):
        assert (outputs / rel).is_file(), f"{rel} was not written: {sorted(p.name for p in outputs.rglob('*'))}"
        _readable(outputs / rel)
    if case.get("no_outputs"):
        assert not any(outputs.iterdir()), "a refused command left output behind"

    if case["exit"] == 2:
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), err
        for fragment in case["message"]:
            assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"
        return
    for fragment in case.get("stderr", []):  # warnings a command prints on stderr by design (convert)
        assert fragment in err, f"{fragment!r} not on stderr: {err!r}"
    if "stderr" not in case:
        assert err == "", err
    for fragment in case.get("stdout", []):
        assert fragment in out
    for rel, expected in case.get("files_after", {}).items():
        assert (inputs / rel).read_text(encoding="utf-8").replace("\r\n", "\n") == expected[0]
    if args[0] != "validate" or own_format:
        return
    doc = json.loads(report.read_text(encoding="utf-8"))
    found = sorted([e["rule"], e["child"], e["line"]] for e in doc["errors"])
    assert found == sorted(case["errors"])
    for fragment in case.get("warnings", []):
        assert any(fragment in w for w in doc["warnings"]), f"{fragment!r} in no warning: {doc['warnings']}"
    for fragment in case.get("no_warnings", []):
        assert not any(fragment in w for w in doc["warnings"]), doc["warnings"]
