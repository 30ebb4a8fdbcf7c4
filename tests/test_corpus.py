"""The malformed-input corpus (tests/corpus/cases.yaml) through the real command-line entry point.

Every case asserts its exit code, that no traceback is printed, that the inputs are byte-identical
afterwards, and either the exact DfE errors (rule, child, line) or the fragments of one clear
`error:` message. Builders below make the inputs that cannot be written as text.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import random
import re
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
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = change(body.decode("utf-8")).encode("utf-8")
            dst.writestr(item, body)
    return out.getvalue()


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
    raise ValueError(f"unknown builder {kind}")


def write_inputs(root: Path, files: dict) -> None:
    for rel, spec in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if "build" in spec:
            path.write_bytes(build(spec))
        else:
            text = spec["text"]
            for key, value in HEADERS.items():
                text = text.replace("{" + key + "}", value)
            path.write_bytes(text.encode(spec.get("encoding", "utf-8")))




# ---------------------------------------------------------------- running



def test_corpus_is_large_and_ids_unique():
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 40
    for c in CASES:  # every case asserts an outcome
        assert "exit" in c and ({"errors", "message", "stdout"} & set(c)), c["id"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_corpus_case(case, tmp_path, capsys, monkeypatch):
    inputs = tmp_path / "in"
    inputs.mkdir()
    write_inputs(inputs, case["files"])
    before = file_hashes(inputs)
    args = [a.replace("{d}", str(inputs)) for a in case["args"]]
    report = tmp_path / "report.json"
    if args[0] == "validate" and case["exit"] != 2:
        args += ["-f", "json", "-o", str(report)]
    code, out, err = run_cli(args, capsys, monkeypatch)

    assert "Traceback" not in out + err
    assert code == case["exit"], f"exit {code}\nstdout: {out[-2000:]}\nstderr: {err[-2000:]}"
    assert {k: v for k, v in file_hashes(inputs).items() if k in before} == before, "an input file changed"
    for fragment in case.get("absent", []):
        assert fragment not in err, f"stderr repeats a value from the return: {fragment!r}"

    if case["exit"] == 2:
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), err
        for fragment in case["message"]:
            assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"
        return
    assert err == "", err
    for fragment in case.get("stdout", []):
        assert fragment in out
    for rel, expected in case.get("files_after", {}).items():
        assert (inputs / rel).read_text(encoding="utf-8").replace("\r\n", "\n") == expected[0]
    if args[0] != "validate":
        return
    doc = json.loads(report.read_text(encoding="utf-8"))
    found = sorted([e["rule"], e["child"], e["line"]] for e in doc["errors"])
    assert found == sorted(case["errors"])
    for fragment in case.get("warnings", []):
        assert any(fragment in w for w in doc["warnings"]), f"{fragment!r} in no warning: {doc['warnings']}"
    for fragment in case.get("no_warnings", []):
        assert not any(fragment in w for w in doc["warnings"]), doc["warnings"]
