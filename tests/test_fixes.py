"""Batch fixes: fix sheets, applying them to a copy, mechanical fixes; inputs never change."""
from __future__ import annotations

import hashlib

import openpyxl
from click.testing import CliRunner

from lac_validator.cli import main

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPIS = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_fix_sheet_round_trip(tmp_path):
    cur = tmp_path / "cur"
    cur.mkdir()
    (cur / "header.csv").write_text(HEADER + "1,X,01/01/2010,WBRI,,,\n2,Y,01/01/2011,WBRI,,,\n3,M,01/01/2012,WBRI,,,\n")
    before = digest(cur)
    sheet = tmp_path / "fix.xlsx"
    r = run("validate", cur, "--year", "2025-26", "--select", "101", "--fix-sheet", sheet, "-q")
    assert r.exit_code == 1 and sheet.exists()
    wb = openpyxl.load_workbook(sheet)
    ws = wb["Rule 101"]
    header = [c.value for c in ws[1]]
    rows = list(ws.iter_rows(min_row=2))
    assert [r[header.index("Child")].value for r in rows] == ["1", "2"]
    assert [r[header.index("Current value")].value for r in rows] == ["X", "Y"]
    rows[0][header.index("Corrected value")].value = "M"   # fix child 1 only
    wb.save(sheet)
    out = tmp_path / "fixed"
    r = run("apply-fixes", sheet, "--to", cur, "-o", out, "--who", "Tester", "--year", "2025-26")
    assert r.exit_code == 0, r.output
    assert "Made 1 of 1 corrections" in r.output and "errors remain" in r.output
    assert (out / "header.csv").read_text().splitlines()[1] == "1,M,01/01/2010,WBRI,,,"
    log = (out / "lac-validator-changes.log").read_text().splitlines()
    assert log[0].startswith("when,who,file,line") and ",Tester," in log[1] and ",SEX,X,M," in log[1]
    assert digest(cur) == before


def test_mechanical_fixes_on_a_copy(tmp_path):
    cur = tmp_path / "cur"
    cur.mkdir()
    (cur / "header.csv").write_text(HEADER + "1, m ,01-01-2010,wbri,,,\n2,F,2011-02-03,WBRI,,,\n")
    (cur / "episodes.csv").write_text(EPIS + "1,01/04/2025,S,c2,N1,U1,PR1,,,,sk11aa,SK1  1AA,\n")
    before = digest(cur)
    r = run("fix", cur, "-o", tmp_path / "dry", "--year", "2025-26", "--dry-run")
    assert r.exit_code == 0 and "nothing written" in r.output and not (tmp_path / "dry").exists()
    out = tmp_path / "fixed"
    r = run("fix", cur, "-o", out, "--year", "2025-26")
    assert r.exit_code == 0, r.output
    h = (out / "header.csv").read_text().splitlines()
    assert h[1] == "1,M,01/01/2010,WBRI,,," and h[2] == "2,F,03/02/2011,WBRI,,,"
    e = (out / "episodes.csv").read_text().splitlines()[1]
    assert ",C2," in e and ",SK1 1AA,SK1 1AA," in e
    assert digest(cur) == before


def test_apply_fixes_refuses_the_input_folder(tmp_path):
    cur = tmp_path / "cur"
    cur.mkdir()
    (cur / "header.csv").write_text(HEADER + "1,X,01/01/2010,WBRI,,,\n")
    sheet = tmp_path / "fix.xlsx"
    run("validate", cur, "--year", "2025-26", "--select", "101", "--fix-sheet", sheet, "-q")
    r = run("apply-fixes", sheet, "--to", cur, "-o", cur)
    assert r.exit_code == 2
