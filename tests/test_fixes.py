"""Batch fixes: fix sheets filled in the way a person does, applied to a copy; mechanical fixes.

The sheets are filled with openpyxl by header name, as a person would in Excel (right values, wrong
codes, lower case, stray spaces, a value in the wrong row or column, rows inserted or deleted), and
every test checks exactly what reaches the copy, the change log and the summary."""
from __future__ import annotations

import datetime as dt
import hashlib
import shlex

import openpyxl
from click.testing import CliRunner

from lac_validator.cli import main

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPIS = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
SWEP = "CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\n"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def make_return(tmp_path, header_rows, episodes=None, name="cur", sw=None):
    cur = tmp_path / name
    cur.mkdir()
    (cur / "header.csv").write_text(HEADER + "".join(r + "\n" for r in header_rows))
    if episodes is not None:
        (cur / "episodes.csv").write_text(EPIS + "".join(r + "\n" for r in episodes))
    if sw is not None:
        (cur / "sw_episodes.csv").write_text(SWEP + "".join(r + "\n" for r in sw))
    return cur


def fix_sheet(tmp_path, cur, select, year="2025-26", *extra):
    sheet = tmp_path / "fix.xlsx"
    r = run("validate", cur, "--year", year, "--select", select, "--fix-sheet", sheet, "-q", *extra)
    assert r.exit_code == 1 and sheet.exists(), r.output
    return sheet


def rows_of(ws):
    """The sheet's rows as dicts by header (cells, so a test can fill them in)."""
    header = [c.value for c in ws[1]]
    return [dict(zip(header, row)) for row in ws.iter_rows(min_row=2)]


def fill(sheet, sheet_name, values, column="Corrected value"):
    """Type `values` ({child: value} or {(child, field): value}) into one column, like a person."""
    wb = openpyxl.load_workbook(sheet)
    ws = wb[sheet_name]
    for row in rows_of(ws):
        child, field = row["Child"].value, str(row["Field"].value).split(" (")[0]
        for k, v in values.items():
            if k == child or k == (child, field):
                row[column].value = v
    wb.save(sheet)


def apply(sheet, cur, out, *extra):
    return run("apply-fixes", sheet, "--to", cur, "-o", out, "--who", "Tester", *extra)


def line(folder, name, n):
    return (folder / name).read_text().splitlines()[n]


# ---------------------------------------------------------------- the round trip

def test_fix_sheet_round_trip(tmp_path):
    cur = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,", "2,Y,01/01/2011,WBRI,,,", "3,M,01/01/2012,WBRI,,,"])
    before = digest(cur)
    sheet = fix_sheet(tmp_path, cur, "101")
    ws = openpyxl.load_workbook(sheet)["Rule 101"]
    rows = rows_of(ws)
    assert [r["Child"].value for r in rows] == ["1", "2"]
    assert [r["Current value"].value for r in rows] == ["X", "Y"]
    fill(sheet, "Rule 101", {"1": "M"})   # fix child 1 only
    out = tmp_path / "fixed"
    r = apply(sheet, cur, out)
    assert r.exit_code == 0, r.output
    assert "Corrections made: 1" in r.output and "Refused: 0." in r.output
    assert "Errors fixed: 1. Errors remaining: 1. Errors the corrections introduced: 0." in r.output
    assert line(out, "header.csv", 1) == "1,M,01/01/2010,WBRI,,,"
    assert line(out, "header.csv", 2) == "2,Y,01/01/2011,WBRI,,,"
    log = (out / "lac-validator-changes.log").read_text().splitlines()
    assert log[0].startswith("run,who,source,file,line") and len(log) == 2
    assert ",Tester," in log[1] and ",SEX,X,M," in log[1] and log[1].endswith(",applied")
    assert digest(cur) == before
    assert (out / "lac-validator-summary.txt").read_text().startswith("Fix sheet for the 2025-26 return")


def test_corrections_are_trimmed_and_upper_cased(tmp_path):
    """Observed: a correction with a trailing space was written as is."""
    cur = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,", "2,Y,01/01/2011,WBRI,,,"])
    sheet = fix_sheet(tmp_path, cur, "101")
    fill(sheet, "Rule 101", {"1": "M ", "2": " f"})
    out = tmp_path / "fixed"
    r = apply(sheet, cur, out)
    assert r.exit_code == 0, r.output
    assert line(out, "header.csv", 1) == "1,M,01/01/2010,WBRI,,,"
    assert line(out, "header.csv", 2) == "2,F,01/01/2011,WBRI,,,"


def test_a_rerun_writes_one_log_block(tmp_path):
    """Observed: a re-run appended duplicate change-log lines."""
    cur = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,"])
    sheet = fix_sheet(tmp_path, cur, "101")
    fill(sheet, "Rule 101", {"1": "M"})
    out = tmp_path / "fixed"
    assert apply(sheet, cur, out).exit_code == 0
    assert apply(sheet, cur, out).exit_code == 0   # the earlier copy is replaced, not added to
    log = (out / "lac-validator-changes.log").read_text().splitlines()
    assert len(log) == 2 and ",SEX,X,M," in log[1]
    assert line(out, "header.csv", 1) == "1,M,01/01/2010,WBRI,,,"


def test_a_copy_of_a_copy_keeps_the_history_once(tmp_path):
    cur = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,", "2,F,01/01/2011,W BR,,,"])
    sheet = fix_sheet(tmp_path, cur, "101")
    fill(sheet, "Rule 101", {"1": "M"})
    first = tmp_path / "fixed1"
    assert apply(sheet, cur, first).exit_code == 0
    sheet2 = tmp_path / "fix2.xlsx"
    assert run("validate", first, "--year", "2025-26", "--select", "103", "--fix-sheet", sheet2, "-q").exit_code == 1
    fill(sheet2, "Rule 103", {"2": "WBRI"})
    second = tmp_path / "fixed2"
    assert apply(sheet2, first, second).exit_code == 0
    log = (second / "lac-validator-changes.log").read_text().splitlines()
    assert len(log) == 3 and ",SEX,X,M," in log[1] and ",ETHNIC,W BR,WBRI," in log[2]


# ---------------------------------------------------------------- what may be corrected

def test_child_id_is_never_written_through_a_rule_row(tmp_path):
    """Observed: a row offered the field CHILD, a value typed there was written into the copy."""
    cur = make_return(tmp_path, ["1,M,01/01/2010,WBRI,,,"],
                      ["1,01/04/2025,S,C2,N1,U1,PR1,,,,,,", "9,01/04/2025,S,C2,N1,U1,PR1,,,,,,"])
    before = (cur / "episodes.csv").read_text()
    sheet = fix_sheet(tmp_path, cur, "INT03")
    fill(sheet, "Rule INT03", {"9": "1"})
    out = tmp_path / "fixed"
    r = apply(sheet, cur, out)
    assert (out / "episodes.csv").read_text() == before
    assert r.exit_code == 1
    assert "Refused: 1" in r.output and "child ID links every table" in r.output
    row = rows_of(openpyxl.load_workbook(sheet)["Rule INT03"])[0]
    assert row["Field"].value.startswith("CHILD") and "Not corrected here" in row["What to enter"].value
    assert row["Corrected value"].fill.fgColor.rgb.endswith("D9D9D9")   # greyed out


def test_a_field_typed_over_in_the_sheet_is_refused(tmp_path):
    """Editing the Field cell cannot redirect a rule's row to another column (CHILD or DOB)."""
    cur = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,", "2,Y,01/01/2011,WBRI,,,"])
    sheet = fix_sheet(tmp_path, cur, "101")
    wb = openpyxl.load_workbook(sheet)
    rows = rows_of(wb["Rule 101"])
    rows[0]["Field"].value, rows[0]["Current value"].value, rows[0]["Corrected value"].value = "CHILD", "1", "7"
    rows[1]["Field"].value, rows[1]["Current value"].value, rows[1]["Corrected value"].value = \
        "DOB", "01/01/2011", "01/01/2012"
    wb.save(sheet)
    out = tmp_path / "fixed"
    r = apply(sheet, cur, out)
    assert r.exit_code == 1 and "Refused: 2" in r.output
    assert r.output.count("cannot be corrected through a rule 101 row (it corrects SEX)") == 2
    assert (out / "header.csv").read_text() == (cur / "header.csv").read_text()


def test_invalid_corrections_are_refused_and_listed(tmp_path):
    cur = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,", "2,Y,01/01/2011,WBRI,,,", "3,Z,01/01/2012,WBRI,,,",
                                 "4,Q,01/01/2013,WBRI,,,"])
    sheet = fix_sheet(tmp_path, cur, "101")
    fill(sheet, "Rule 101", {"1": "Q", "2": "01/04/2025", "3": "m", "4": "Male"})
    out = tmp_path / "fixed"
    r = apply(sheet, cur, out)
    assert r.exit_code == 1
    assert "Corrections made: 1" in r.output and "Refused: 3" in r.output
    assert "'Q' is not a 2025-26 code for SEX (F, M, U)" in r.output
    assert "'01/04/2025' is not a 2025-26 code for SEX" in r.output and "'Male' is not" in r.output
    lines = (out / "header.csv").read_text().splitlines()
    assert [x.split(",")[1] for x in lines[1:]] == ["X", "Y", "M", "Q"]
    log = (out / "lac-validator-changes.log").read_text()
    assert log.count("refused: the corrected value is not valid") == 3


def test_dates_postcodes_and_blanks_are_checked_and_normalised(tmp_path):
    cur = make_return(tmp_path, ["1,M,01/01/2010,WBRI,,,"],
                      ["1,01-04-2025,S,C2,N1,U1,PR1,,,,,,", "1,2025/06/01,S,C2,N1,U1,PR1,,,,,,",
                       "1,32/13/2025,S,C2,N1,U1,PR1,,,,,,"])
    sheet = fix_sheet(tmp_path, cur, "141")
    rows = rows_of(openpyxl.load_workbook(sheet)["Rule 141"])
    assert [r["Record"].value for r in rows] == ["Episode starting 01-04-2025", "Episode starting 2025/06/01",
                                                   "Episode starting 32/13/2025"]
    wb = openpyxl.load_workbook(sheet)
    rows = rows_of(wb["Rule 141"])
    rows[0]["Corrected value"].value = "1/4/2025 "                      # typed as text: normalised
    rows[1]["Corrected value"].value = dt.datetime(2025, 6, 1)          # Excel made it a date cell
    rows[2]["Corrected value"].value = "31/02/2025"                     # no such day
    wb.save(sheet)
    out = tmp_path / "fixed"
    r = apply(sheet, cur, out)
    assert r.exit_code == 1 and "Corrections made: 2" in r.output and "'31/02/2025' is not a real date" in r.output
    assert [x.split(",")[1] for x in (out / "episodes.csv").read_text().splitlines()[1:]] == \
        ["01/04/2025", "01/06/2025", "32/13/2025"]


def test_derived_field_errors_point_at_the_postcode(tmp_path):
    cur = make_return(tmp_path, ["1,M,01/01/2010,WBRI,,,"], ["1,01/04/2025,S,C2,N1,U4,PR1,,,,TA1 1AA,XX1 1XX,"])
    sheet = fix_sheet(tmp_path, cur, "169", "2025-26", "--la", "E08000007")
    rows = rows_of(openpyxl.load_workbook(sheet)["Rule 169"])
    assert len(rows) == 1 and rows[0]["Field"].value.startswith("PL_POST")
    assert rows[0]["Current value"].value == "XX1 1XX" and "placement LA is worked out" in rows[0]["What to enter"].value
    fill(sheet, "Rule 169", {"1": "not a postcode"})
    r = apply(sheet, cur, tmp_path / "bad")
    assert r.exit_code == 1 and "'not a postcode' is not a postcode" in r.output
    fill(sheet, "Rule 169", {"1": "ta11aa"})
    out = tmp_path / "fixed"
    r = apply(sheet, cur, out)
    assert r.exit_code == 0, r.output
    assert line(out, "episodes.csv", 1).endswith(",TA1 1AA,TA1 1AA,")
    assert "Errors fixed: 1." in r.output


def test_a_blank_is_asked_for_with_the_word_blank(tmp_path):
    cur = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,"])
    sheet = fix_sheet(tmp_path, cur, "101")
    fill(sheet, "Rule 101", {"1": "(blank)"})
    out = tmp_path / "fixed"
    assert apply(sheet, cur, out).exit_code in (0, 1)
    assert line(out, "header.csv", 1) == "1,,01/01/2010,WBRI,,,"


def test_a_drop_down_entry_is_read_as_its_code(tmp_path):
    cur = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,"])
    sheet = fix_sheet(tmp_path, cur, "101")
    wb = openpyxl.load_workbook(sheet)
    ws = wb["Rule 101"]
    header = [c.value for c in ws[1]]
    col = openpyxl.utils.get_column_letter(header.index("Corrected value") + 1)
    dv = [d for d in ws.data_validations.dataValidation if col + "2" in str(d.sqref)]
    assert len(dv) == 1 and dv[0].type == "list" and dv[0].formula1.startswith("'Code lists'!")
    ref = dv[0].formula1.split("!")[1].replace("$", "")
    entries = [c.value for row in wb["Code lists"][ref] for c in row]
    assert entries == ["M - Male", "F - Female", entries[2]] and entries[2].startswith("U - Unknown")
    assert wb["Code lists"].sheet_state == "hidden" and wb["About"].sheet_state == "hidden"
    ws[col + "2"].value = "F - Female"
    wb.save(sheet)
    out = tmp_path / "fixed"
    assert apply(sheet, cur, out).exit_code == 0
    assert line(out, "header.csv", 1) == "1,F,01/01/2010,WBRI,,,"


# ---------------------------------------------------------------- finding the record

def test_rows_inserted_and_deleted_in_the_sheet(tmp_path):
    """Rows are read by header and found by key: a person's inserted, moved or deleted rows
    do not shift a correction onto another record."""
    cur = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,", "2,Y,01/01/2011,WBRI,,,", "3,Z,01/01/2012,WBRI,,,"])
    sheet = fix_sheet(tmp_path, cur, "101")
    wb = openpyxl.load_workbook(sheet)
    ws = wb["Rule 101"]
    ws.delete_rows(2)                      # child 1's row removed
    ws.insert_rows(2, 2)                   # two empty rows put in, one with a note
    ws.cell(row=3, column=1, value="note: ask Sam")
    header = [c.value for c in ws[1]]
    for r in rows_of(ws):
        if r["Child"].value == "3":
            r["Corrected value"].value = "F"
    ws.move_range(f"A1:{openpyxl.utils.get_column_letter(len(header))}{ws.max_row}", cols=1)  # a column added at the left
    ws.cell(row=1, column=1, value="My notes")
    wb.save(sheet)
    out = tmp_path / "fixed"
    r = apply(sheet, cur, out)
    assert r.exit_code == 0, r.output
    assert [x.split(",")[1] for x in (out / "header.csv").read_text().splitlines()[1:]] == ["X", "Y", "F"]


def test_a_changed_return_is_refused_saying_what_changed(tmp_path):
    cur = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,", "2,Y,01/01/2011,WBRI,,,"])
    sheet = fix_sheet(tmp_path, cur, "101")
    fill(sheet, "Rule 101", {"1": "M", "2": "F"})
    # someone edits the return: a new child before the others, and child 2's sex corrected by hand
    (cur / "header.csv").write_text(HEADER + "0,F,01/01/2009,WBRI,,,\n1,X,01/01/2010,WBRI,,,\n2,U,01/01/2011,WBRI,,,\n")
    out = tmp_path / "fixed"
    r = apply(sheet, cur, out)
    assert r.exit_code == 2 and not out.exists()
    assert "the return changed since the fix sheet was written (header.csv changed" in r.output
    r = apply(sheet, cur, out, "--allow-changed")
    assert r.exit_code == 1
    assert "Corrections made: 1" in r.output
    assert "the record's SEX is now 'U', not 'Y' as the sheet shows" in r.output
    # child 1 moved from line 2 to line 3: found by its key, not by the sheet's line
    assert (out / "header.csv").read_text().splitlines()[1:] == [
        "0,F,01/01/2009,WBRI,,,", "1,M,01/01/2010,WBRI,,,", "2,U,01/01/2011,WBRI,,,"]


def test_a_record_no_longer_there_is_refused(tmp_path):
    cur = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,", "2,Y,01/01/2011,WBRI,,,"])
    sheet = fix_sheet(tmp_path, cur, "101")
    fill(sheet, "Rule 101", {"1": "M", "2": "F"})
    (cur / "header.csv").write_text(HEADER + "2,Y,01/01/2011,WBRI,,,\n")
    out = tmp_path / "fixed"
    r = apply(sheet, cur, out, "--allow-changed")
    assert r.exit_code == 1 and "the record (child 1, Child details) is no longer in the return" in r.output
    assert (out / "header.csv").read_text().splitlines()[1:] == ["2,F,01/01/2011,WBRI,,,"]


def test_a_value_typed_in_the_current_value_column_is_reported(tmp_path):
    cur = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,", "2,Y,01/01/2011,WBRI,,,"])
    sheet = fix_sheet(tmp_path, cur, "101")
    fill(sheet, "Rule 101", {"1": "M"}, column="Current value")
    fill(sheet, "Rule 101", {"2": "F"})
    out = tmp_path / "fixed"
    r = apply(sheet, cur, out)
    assert r.exit_code == 1 and "Current value was edited but Corrected value is empty" in r.output
    assert [x.split(",")[1] for x in (out / "header.csv").read_text().splitlines()[1:]] == ["X", "F"]


def test_rows_asking_different_values_for_one_cell_are_refused(tmp_path):
    """The same cell through two rules: the same value is made once; different values are refused."""
    cur2 = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,"], name="cur2")
    prev = make_return(tmp_path, ["1,F,01/01/2010,WOTH,,,"], name="prev")   # not a copy of the corrected return
    sheet2 = tmp_path / "fix2.xlsx"
    assert run("validate", cur2, "--previous", prev, "--year", "2025-26", "--select", "101,202",
               "--fix-sheet", sheet2, "-q").exit_code == 1
    fill(sheet2, "Rule 101", {"1": "F"})
    fill(sheet2, "Rule 202", {"1": "F"})
    out = tmp_path / "same"
    r = run("apply-fixes", sheet2, "--to", cur2, "-o", out)
    assert r.exit_code == 0, r.output
    assert "Corrections made: 1 (from 2 of 2 filled-in rows)" in r.output
    fill(sheet2, "Rule 202", {"1": "M"})
    r = run("apply-fixes", sheet2, "--to", cur2, "-o", tmp_path / "different")
    assert r.exit_code == 1 and r.output.count("rows give different corrections for the same cell") == 2
    assert line(tmp_path / "different", "header.csv", 1) == "1,X,01/01/2010,WBRI,,,"


def test_errors_introduced_by_a_correction_are_listed(tmp_path):
    cur = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,"])
    sheet = fix_sheet(tmp_path, cur, "101,232")
    fill(sheet, "Rule 101", {"1": "U"})    # valid, but rule 232 flags every U
    r = apply(sheet, cur, tmp_path / "fixed")
    assert r.exit_code == 1
    assert "Errors fixed: 1. Errors remaining: 0. Errors the corrections introduced: 1:" in r.output
    assert "rule 232, child 1, Header: Sex of the child/young person has been reported as unknown." in r.output


# ---------------------------------------------------------------- the sheet knows its run

def test_the_how_to_use_command_is_exactly_right(tmp_path, monkeypatch):
    """Observed: the sheet's command omitted --year, so the copy was re-validated as the wrong year."""
    cur = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,"])
    sheet = fix_sheet(tmp_path, cur, "101", "2023-24")
    wb = openpyxl.load_workbook(sheet)
    command = next(c.value for row in wb["How to use"].iter_rows() for c in row
                   if isinstance(c.value, str) and c.value.startswith("lac-validator apply-fixes"))
    fill(sheet, "Rule 101", {"1": "1"})    # a 2023-24 code (M/F/U came in 2024-25)
    args = shlex.split(command)
    assert args[:2] == ["lac-validator", "apply-fixes"] and "--year" not in args
    monkeypatch.chdir(tmp_path / "..")     # the command works from any folder
    r = run(*args[1:])
    assert r.exit_code == 0, r.output
    assert "Fix sheet for the 2023-24 return." in r.output
    assert "Errors fixed: 1. Errors remaining: 0. Errors the corrections introduced: 0." in r.output
    out = tmp_path / "cur_fixed"
    assert line(out, "header.csv", 1) == "1,1,01/01/2010,WBRI,,,"


def test_the_sheet_records_its_run(tmp_path):
    cur = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,"])
    prev = make_return(tmp_path, ["1,F,01/01/2010,WOTH,,,"], name="prev")   # not a copy of the corrected return
    sheet = fix_sheet(tmp_path, cur, "101,202", "2025-26", "--previous", prev, "--la", "356")
    about = {r[0]: r[1:] for r in openpyxl.load_workbook(sheet)["About"].iter_rows(values_only=True)}
    assert about["Collection year"][0] == "2025-26" and about["Local authority"][0] == "E08000007"
    assert about["Return"][0] == str(cur.resolve()) and about["Last year's return"][0] == str(prev.resolve())
    assert about["Select"][0] == "101,202"
    assert about["Return file"][1] == hashlib.sha256((cur / "header.csv").read_bytes()).hexdigest()
    # --year / --la given anyway must agree with the sheet
    fill(sheet, "Rule 101", {"1": "F"})
    r = run("apply-fixes", sheet, "--to", cur, "-o", tmp_path / "x", "--year", "2024-25")
    assert r.exit_code == 2 and "written for 2025-26" in r.output
    r = run("apply-fixes", sheet, "--to", cur, "-o", tmp_path / "y", "--year", "2025-26", "--la", "E08000007")
    assert r.exit_code == 0, r.output
    assert "Errors fixed: 2" in r.output      # 101 and 202 (against last year's F): last year's return was used


def test_an_old_or_foreign_workbook_is_refused(tmp_path):
    cur = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,"])
    wb = openpyxl.Workbook()
    wb.active.append(["Key", "Field", "Current value", "Corrected value"])
    wb.save(tmp_path / "old.xlsx")
    r = run("apply-fixes", tmp_path / "old.xlsx", "--to", cur, "-o", tmp_path / "out")
    assert r.exit_code == 2 and "has no About sheet" in r.output and not (tmp_path / "out").exists()


# ---------------------------------------------------------------- the output folder

def test_apply_fixes_refuses_the_input_folder_and_foreign_folders(tmp_path):
    cur = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,"])
    before = digest(cur)
    sheet = fix_sheet(tmp_path, cur, "101")
    fill(sheet, "Rule 101", {"1": "M"})
    assert apply(sheet, cur, cur).exit_code == 2
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.docx").write_text("keep me")
    r = apply(sheet, cur, other)
    assert r.exit_code == 2 and "already holds other files" in r.output
    assert [p.name for p in other.iterdir()] == ["notes.docx"]
    r = apply(sheet, cur, tmp_path)         # the folder holding the fix sheet and the return
    assert r.exit_code == 2
    assert digest(cur) == before


def test_nothing_filled_in_writes_nothing(tmp_path):
    cur = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,"])
    sheet = fix_sheet(tmp_path, cur, "101")
    r = apply(sheet, cur, tmp_path / "fixed")
    assert r.exit_code == 0 and "nothing was applied" in r.output and not (tmp_path / "fixed").exists()


# ---------------------------------------------------------------- the sheet a person fills in

def test_the_sheet_layout(tmp_path):
    cur = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,", "2,M,=1+1,WBRI,,,"], sw=["1,01/01/2010,SW9,01/04/2025,,"])
    workers = tmp_path / "workers.csv"
    workers.write_text("SW_ID,Name\nSW9,Sam Smith\n")
    sheet = fix_sheet(tmp_path, cur, "101,102", "2025-26", "--social-workers", workers)
    wb = openpyxl.load_workbook(sheet)
    assert wb.sheetnames[0] == "How to use"
    ws = wb["Rule 101"]
    header = [c.value for c in ws[1]]
    assert header.index("Corrected value") == header.index("Current value") + 1
    assert header[-1] == "Key" and header.index("Key") > header.index("Message")
    corrected = ws.cell(row=1, column=header.index("Corrected value") + 1)
    assert corrected.font.bold and corrected.fill.fgColor.rgb.endswith("FFF2CC")
    row = rows_of(ws)[0]
    assert row["Social worker"].value == "Sam Smith (SW9)"
    assert row["How to fix"].value.startswith("Correct the sex on this record")
    for name in header:   # every header readable in full
        letter = openpyxl.utils.get_column_letter(header.index(name) + 1)
        assert ws.column_dimensions[letter].width >= min(len(name), 12)
    assert ws.cell(row=2, column=header.index("Message") + 1).alignment.wrap_text
    dob = rows_of(wb["Rule 102"])[0]
    assert dob["Current value"].value == "'=1+1"          # formula-injection safe
    assert dob["Corrected value"].number_format == "DD/MM/YYYY"
    dv = [d for d in wb["Rule 102"].data_validations.dataValidation if d.type == "date"]
    assert len(dv) == 1
    # the neutralised value still matches the return when a correction is applied
    fill(sheet, "Rule 102", {"2": "02/02/2012"})
    out = tmp_path / "fixed"
    assert apply(sheet, cur, out).exit_code == 0
    assert line(out, "header.csv", 2) == "2,M,02/02/2012,WBRI,,,"


def test_last_years_records_are_not_corrected(tmp_path):
    cur = make_return(tmp_path, ["1,M,01/01/2010,WBRI,,,"])
    prev = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,"], name="prev")
    sheet = tmp_path / "fix.xlsx"
    r = run("validate", cur, "--previous", prev, "--year", "2025-26", "--select", "202", "--fix-sheet", sheet, "-q")
    assert r.exit_code == 1
    rows = rows_of(openpyxl.load_workbook(sheet)["Rule 202"])
    assert all(r["Year"].value == "current" for r in rows)


# ---------------------------------------------------------------- mechanical fixes

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
    log = (out / "lac-validator-changes.log").read_text().splitlines()
    assert len(log) == 1 + 7 and all(x.endswith(",applied") for x in log[1:])
    r = run("fix", cur, "-o", out, "--year", "2025-26")     # again: the copy is replaced, one block
    assert len((out / "lac-validator-changes.log").read_text().splitlines()) == 8


def test_fix_sheet_needs_an_xlsx_name(tmp_path):
    cur = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,"])
    r = run("validate", cur, "--year", "2025-26", "--fix-sheet", tmp_path / "x.csv", "-q")
    assert r.exit_code == 2 and "ending .xlsx" in r.output


# ---------------------------------------------------------------- other inputs and hostile values

def test_an_xlsx_return_is_corrected_in_its_copy(tmp_path):
    cur = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,", "2,F,01/01/2011,WBRI,,,"])
    book = tmp_path / "book"
    book.mkdir()
    assert run("convert", cur, "--to", "xlsx", "-o", book / "return.xlsx", "--year", "2025-26").exit_code == 0
    before = digest(book)
    sheet = fix_sheet(tmp_path, book, "101")
    fill(sheet, "Rule 101", {"1": "m"})
    out = tmp_path / "fixed"
    r = apply(sheet, book, out)
    assert r.exit_code == 0, r.output
    ws = openpyxl.load_workbook(out / "return.xlsx")["Header"]
    assert [c.value for c in ws["B"]][:3] == ["SEX", "M", "F"]
    assert digest(book) == before


def test_an_xml_return_is_not_corrected_here(tmp_path):
    cur = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,"])
    xml = tmp_path / "xml"
    xml.mkdir()
    assert run("convert", cur, "--to", "xml", "-o", xml / "return.xml", "--year", "2025-26").exit_code == 0
    sheet = fix_sheet(tmp_path, xml, "101")
    row = rows_of(openpyxl.load_workbook(sheet)["Rule 101"])[0]
    assert "convert the XML return first" in row["What to enter"].value
    fill(sheet, "Rule 101", {"1": "M"})
    r = apply(sheet, xml, tmp_path / "fixed")
    assert r.exit_code == 1 and "Refused: 1" in r.output
    assert (tmp_path / "fixed" / "return.xml").read_bytes() == (xml / "return.xml").read_bytes()


def test_a_row_about_last_years_return_is_refused(tmp_path):
    cur = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,"])
    sheet = fix_sheet(tmp_path, cur, "101")
    wb = openpyxl.load_workbook(sheet)
    row = rows_of(wb["Rule 101"])[0]
    row["Key"].value = row["Key"].value.replace("|current|", "|previous|")
    row["Corrected value"].value = "M"
    wb.save(sheet)
    r = apply(sheet, cur, tmp_path / "fixed")
    assert r.exit_code == 1 and "in last year's return, which apply-fixes does not change" in r.output
    assert line(tmp_path / "fixed", "header.csv", 1) == "1,X,01/01/2010,WBRI,,,"


def test_no_escape_sequence_reaches_the_terminal(tmp_path):
    cur = make_return(tmp_path, ["1,\x1b[2J,01/01/2010,WBRI,,,"])
    sheet = fix_sheet(tmp_path, cur, "101")
    fill(sheet, "Rule 101", {"1": "M"})
    r = apply(sheet, cur, tmp_path / "fixed")
    assert r.exit_code == 0, r.output
    assert "\x1b" not in r.output and "SEX '?[2J' -> 'M'" in r.output


def test_numbers_typed_into_a_code_cell_are_read_as_codes(tmp_path):
    cur = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,", "2,Y,01/01/2011,WBRI,,,"])
    sheet = fix_sheet(tmp_path, cur, "101", "2023-24")
    fill(sheet, "Rule 101", {"1": 1, "2": 2.0})   # Excel stores a typed 1 as a number
    out = tmp_path / "fixed"
    r = apply(sheet, cur, out)
    assert r.exit_code == 0, r.output
    assert [x.split(",")[1] for x in (out / "header.csv").read_text().splitlines()[1:]] == ["1", "2"]


def test_a_rule_sheet_without_its_heading_row_is_refused(tmp_path):
    cur = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,"])
    sheet = fix_sheet(tmp_path, cur, "101")
    wb = openpyxl.load_workbook(sheet)
    wb["Rule 101"].delete_rows(1)
    wb.save(sheet)
    r = apply(sheet, cur, tmp_path / "fixed")
    assert r.exit_code == 2 and "has no 'Corrected value' heading" in r.output


def test_two_return_files_with_one_name_are_refused(tmp_path):
    cur = make_return(tmp_path, ["1,X,01/01/2010,WBRI,,,"])
    other = tmp_path / "other"
    other.mkdir()
    (other / "header.csv").write_text(EPIS + "1,01/04/2025,S,C2,N1,U1,PR1,,,,,,\n")
    sheet = tmp_path / "fix.xlsx"
    assert run("validate", cur / "header.csv", other / "header.csv", "--year", "2025-26", "--select", "101",
               "--fix-sheet", sheet, "-q").exit_code == 1
    fill(sheet, "Rule 101", {"1": "M"})
    r = run("apply-fixes", sheet, "--to", cur / "header.csv", "--to", other / "header.csv", "-o", tmp_path / "fixed")
    assert r.exit_code == 2 and "two files named header.csv" in r.output and not (tmp_path / "fixed").exists()
