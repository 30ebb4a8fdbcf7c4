"""The command line end to end on a tiny return written by the test."""
from __future__ import annotations

import json
import subprocess
import sys

import openpyxl
import pytest
from click.testing import CliRunner

from lac_validator.cli import main

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPIS = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
SW = "CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\n"


@pytest.fixture
def tiny(tmp_path):
    cur = tmp_path / "current"
    cur.mkdir()
    (cur / "header.csv").write_text(HEADER + "1,M,01/01/2010,WBRI,,,\n2,X,01/01/2011,WBRI,,,\n=cmd,M,01/01/2012,WBRI,,,\n")
    (cur / "episodes.csv").write_text(
        EPIS + "1,01/04/2025,S,C2,N1,U1,PR1,01/06/2025,X1,,,,\n1,01/05/2025,P,C2,N1,U1,PR1,,,,,,\n")
    (cur / "sw.csv").write_text(SW + "1,01/01/2010,SW001,01/03/2025,30/04/2025,\n1,01/01/2010,SW002,01/05/2025,,\n")
    return tmp_path


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_json_report(tiny):
    out = tiny / "out.json"
    r = run("validate", tiny / "current", "--year", "2025-26", "--select", "101,501", "-f", "json", "-o", out)
    assert r.exit_code == 1, r.output
    doc = json.loads(out.read_text())
    for key in ("collection_year", "la", "inputs", "rules_run", "rules_not_run", "errors"):
        assert key in doc
    assert doc["collection_year"] == "2025-26"
    assert sorted(doc["rules_run"]) == ["101", "501"]
    errs = {(e["rule"], e["child"]): e for e in doc["errors"]}
    assert set(errs) == {("101", "2"), ("501", "1")}
    e = errs[("501", "1")]
    assert e["table"] == "Episodes" and e["row"] == 1 and e["line"] == 3 and e["year"] == "current"
    assert e["fields"] == ["DEC", "DECOM"] and e["values"] == {"DEC": None, "DECOM": "01/05/2025"}
    assert e["social_worker"] == "SW002"  # the worker covering the episode start (01/05/2025)
    s = errs[("101", "2")]
    assert s["values"] == {"SEX": "X"} and s["line"] == 3 and s["social_worker"] == "Unassigned"
    for key in ("rule", "message", "category", "table", "year", "row", "line", "child", "fields", "values", "social_worker"):
        assert key in s
    assert s["message"] == "The child or young person’s reported sex is not valid."


def test_exit_zero_when_clean(tiny):
    r = run("validate", tiny / "current", "--year", "2025-26", "--select", "501", "--ignore", "501")
    assert r.exit_code == 0, r.output


def test_xlsx_report_is_safe_and_complete(tiny):
    out = tiny / "r.xlsx"
    (tiny / "current" / "header.csv").write_text(HEADER + "=cmd,X,01/01/2012,WBRI,,,\n")
    r = run("validate", tiny / "current", "--year", "2025-26", "--select", "101", "-f", "xlsx", "-o", out)
    assert r.exit_code == 1, r.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:4] == ["Summary", "Errors", "By child", "By social worker"]
    errors = wb["Errors"]
    assert errors.freeze_panes == "A2" and errors.auto_filter.ref
    header = [c.value for c in errors[1]]
    row = dict(zip(header, [c.value for c in errors[2]]))
    assert row["Rule"] == "101" and row["Child"] == "'=CMD"  # neutralised, not a formula
    summary = {c.value: c2.value for c, c2 in zip(wb["Summary"][1], wb["Summary"][2])}
    assert summary["Rule"] == "101" and summary["Errors"] == 1 and summary["How to fix"]


def test_csv_report(tiny):
    out = tiny / "r.csv"
    r = run("validate", tiny / "current", "--year", "2025-26", "--select", "101", "-f", "csv", "-o", out)
    assert r.exit_code == 1
    lines = out.read_text().splitlines()
    assert lines[0].startswith("rule,message,category")
    assert len(lines) == 2 and ",2," in lines[1]


def test_text_summary(tiny):
    r = run("validate", tiny / "current", "--year", "2025-26", "--select", "101,501,502")
    assert r.exit_code == 1
    assert "2 errors for 2 children" in r.output
    assert "needs last year's return" in r.output or "not implemented" in r.output


@pytest.mark.parametrize("args,expected", [
    (["validate", "missing-folder"], "does not exist"),
    (["validate", "{cur}", "--year", "2019-20"], "not supported"),
    (["validate", "{cur}", "--la", "E99999999"], "not a known English local authority"),
    (["validate", "{cur}", "-f", "xlsx"], "needs --output"),
])
def test_usage_and_input_errors_exit_2(tiny, args, expected):
    args = [a.replace("{cur}", str(tiny / "current")) for a in args]
    r = run(*args)
    assert r.exit_code == 2
    assert expected in r.output


def test_real_entry_point_no_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("FOO,BAR\n1,2\n")
    p = subprocess.run([sys.executable, "-m", "lac_validator.cli", "validate", str(bad), "--year", "2025-26"],
                       capture_output=True, text=True)
    assert p.returncode == 2
    assert "Traceback" not in p.stderr and "bad.csv" in p.stderr and "matches no 903 table" in p.stderr


def test_output_never_overwrites_input(tiny):
    target = tiny / "current" / "header.csv"
    before = target.read_bytes()
    r = run("validate", tiny / "current", "--year", "2025-26", "--select", "101", "-f", "csv", "-o", target)
    assert r.exit_code == 2 and target.read_bytes() == before


def test_rules_and_explain():
    r = run("rules", "--year", "2025-26")
    assert r.exit_code == 0 and "101" in r.output
    r = run("explain", "101", "--year", "2022-23")
    assert r.exit_code == 0 and "Gender code is not valid." in r.output and "Logic" in r.output
    r = run("explain", "ZZZ")
    assert r.exit_code == 2
    r = run("rules", "--year", "2025-26", "-f", "json")
    codes = [x["code"] for x in json.loads(r.output)]
    assert "101" in codes and "SW02STG1" in codes


def test_la_by_dfe_number(tiny):
    out = tiny / "o.json"
    r = run("validate", tiny / "current", "--year", "2025-26", "--la", "356", "--select", "101", "-f", "json", "-o", out)
    assert r.exit_code == 1
    assert json.loads(out.read_text())["la"]["ons_code"] == "E08000007"


def test_junit_and_fail_on(tiny):
    import xml.etree.ElementTree as ET

    out = tiny / "j.xml"
    r = run("validate", tiny / "current", "--year", "2025-26", "--select", "101,501,502", "-f", "junit", "-o", out)
    assert r.exit_code == 1
    suite = ET.parse(out).getroot().find("testsuite")
    cases = {c.get("name").split(" ")[0]: c for c in suite.findall("testcase")}
    assert cases["101"].find("failure") is not None and "1 error(s)" in cases["101"].find("failure").get("message")
    assert "line 3" in cases["101"].find("failure").text
    assert cases["502"].find("skipped") is not None
    assert suite.get("failures") == "2" and suite.get("skipped") == "1"
    r = run("validate", tiny / "current", "--year", "2025-26", "--select", "101", "--fail-on", "none", "-q")
    assert r.exit_code == 0 and r.output == ""


def test_error_keys_survive_row_moves(tiny):
    out1, out2 = tiny / "a.json", tiny / "b.json"
    run("validate", tiny / "current", "--year", "2025-26", "--select", "501", "-f", "json", "-o", out1)
    epis = tiny / "current" / "episodes.csv"
    lines = epis.read_text().splitlines()
    epis.write_text("\n".join([lines[0], "9,01/04/2025,S,C2,N1,U1,PR1,,,,,,"] + lines[1:]) + "\n")
    run("validate", tiny / "current", "--year", "2025-26", "--select", "501", "-f", "json", "-o", out2)
    a, b = (json.loads(p.read_text())["errors"] for p in (out1, out2))
    assert [e["key"] for e in a] == [e["key"] for e in b] == ["501|Episodes|current|1|01/05/2025"]
    assert a[0]["row"] != b[0]["row"]


def test_per_worker_sheets_split_and_pseudonymise(tiny):
    cur = tiny / "current"
    (cur / "header.csv").write_text(HEADER + "1,X,01/01/2010,WBRI,,,\n2,X,01/01/2011,WBRI,,,\n")
    (tiny / "workers.csv").write_text("SW ID,Name,Team,Email\nSW002,Ann Example,North,ann@example.org\n")
    out = tiny / "r.xlsx"
    r = run("validate", cur, "--year", "2025-26", "--select", "101,501", "-f", "xlsx", "-o", out,
            "--social-workers", tiny / "workers.csv")
    assert r.exit_code == 1, r.output
    wb = openpyxl.load_workbook(out)
    assert "Ann Example (SW002)" in wb.sheetnames and "Unassigned" in wb.sheetnames
    def rows_of(ws):  # a worker list: cover lines, then the table under its "Child" header
        cells = [[c.value for c in row] for row in ws.iter_rows()]
        head = next(i for i, r in enumerate(cells) if r[0] == "Child")
        return [dict(zip(cells[head], r)) for r in cells[head + 1:]]

    rows = rows_of(wb["Ann Example (SW002)"])
    # child 1's errors only: SW002 covers 31 March for Header rows and 01/05/2025 for the episode
    assert {(r["Child"], r["Rule"]) for r in rows} == {("1", "101"), ("1", "501")}
    assert all(r["How to fix"] for r in rows)
    assert [r["Child"] for r in rows_of(wb["Unassigned"])] == ["2"]

    folder = tiny / "split"
    r = run("validate", cur, "--year", "2025-26", "--select", "101,501", "-f", "xlsx", "-o", folder, "--split-by", "social-worker",
            "--social-workers", tiny / "workers.csv")
    assert r.exit_code == 1, r.output
    assert sorted(p.name for p in folder.glob("*.xlsx")) == ["Ann Example (SW002).xlsx", "Unassigned.xlsx"]

    out = tiny / "p.json"
    r = run("validate", cur, "--year", "2025-26", "--select", "101,501", "-f", "json", "-o", out, "--pseudonymise",
            "--salt", "s3cret")
    text = out.read_text()
    doc = json.loads(text)
    assert all(e["child"].startswith("C-") for e in doc["errors"])
    assert "SW002" not in text and '"child": "1"' not in text
    out2 = tiny / "p2.json"
    run("validate", cur, "--year", "2025-26", "--select", "101,501", "-f", "json", "-o", out2, "--pseudonymise", "--salt", "s3cret")
    assert [e["child"] for e in json.loads(out2.read_text())["errors"]] == [e["child"] for e in doc["errors"]]


def test_junit_validates_against_the_junit_schema(tiny):
    from pathlib import Path

    import xmlschema

    out = tiny / "j.xml"
    run("validate", tiny / "current", "--year", "2025-26", "-f", "junit", "-o", out)
    schema = xmlschema.XMLSchema(str(Path(__file__).parent / "data" / "junit.xsd"))
    schema.validate(str(out))  # raises on any departure from the format
    import pytest as _pytest
    bad = tiny / "bad.xml"
    bad.write_text('<testsuites><testsuite tests="x"><testcase/></testsuite></testsuites>')
    with _pytest.raises(xmlschema.XMLSchemaValidationError):
        schema.validate(str(bad))




def test_xlsx_report_prints_as_tables(tiny):
    """Printed, every sheet is landscape with its header row on each page and page numbers; narrow
    tables fit one page wide, the wide Errors table runs on to further pages rather than shrink."""
    out = tiny / "r.xlsx"
    assert run("validate", tiny / "current", "--year", "2025-26", "-f", "xlsx", "-o", out).exit_code in (0, 1)
    wb = openpyxl.load_workbook(out)
    for name in ("Summary", "Errors", "By child", "By social worker"):
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape", name
        assert ws.print_title_rows, name
        assert "&P" in (ws.oddFooter.center.text or ""), name
    assert wb["Summary"].page_setup.fitToWidth == 1 and wb["Summary"].sheet_properties.pageSetUpPr.fitToPage
    pr = wb["Errors"].sheet_properties.pageSetUpPr
    assert not (pr is not None and pr.fitToPage)
