"""Worker lists ready to send, social worker names everywhere, run alerts at the top."""
from __future__ import annotations

import json
import re
import zipfile

import openpyxl
import pytest
from cli_run import run_cli

COLUMNS = ["Child", "Record", "What is wrong", "How to fix", "Value now", "Suggested correction", "Rule"]
MANIFEST = "lac-validator-split.txt"
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPIS = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
SW = "CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\n"


@pytest.fixture
def ret(tmp_path):
    cur = tmp_path / "current"
    cur.mkdir()
    (cur / "header.csv").write_text(HEADER + "1,X,01/01/2010,WBRI,,,\n2,X,01/01/2011,WBRI,,,\n3,X,01/01/2012,WBRI,,,\n")
    (cur / "episodes.csv").write_text(
        EPIS + "1,01/04/2025,S,C2,N1,U1,PR1,01/06/2025,X1,,,,\n1,01/05/2025,P,C2,N1,U1,PR1,,,,,,\n")
    (cur / "sw.csv").write_text(SW + "1,01/01/2010,SW001,01/03/2025,30/04/2025,\n1,01/01/2010,SW002,01/05/2025,,\n"
                                "2,01/01/2011,SW003,01/03/2025,,\n")
    (tmp_path / "workers.csv").write_text(
        "SW_ID,Name,Team,Email\nSW002,Zoë O'Brien,North,zoe@example.org\nSW003,Ann Example,South,\n"
        "SW001,Con Smith,West,\n", encoding="utf-8")
    return tmp_path


def validate(ret, *extra, capsys, monkeypatch):
    return run_cli(["validate", ret / "current", "--year", "2025-26", "--la", "E08000007", "--select", "101,501",
                    *extra], capsys, monkeypatch)


def _worker_sheet(ws):
    """(cover {label: text}, header, rows as dicts) of a worker list sheet."""
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    head = next(i for i, r in enumerate(cells) if r[0] == "Child")
    cover = {r[0]: r[1] for r in cells[1:head] if r and r[0]}
    header = cells[head][:len(COLUMNS)]
    rows = [dict(zip(header, r)) for r in cells[head + 1:]]
    return cover, header, rows, head + 1


# ---------------------------------------------------------------- --split-by folders

def test_split_folder_is_replaced_not_added_to(ret, capsys, monkeypatch):
    folder = ret / "split"
    code, out, err = validate(ret, "-f", "xlsx", "-o", folder, "--split-by", "social-worker",
                              "--social-workers", ret / "workers.csv", capsys=capsys, monkeypatch=monkeypatch)
    assert code == 1, err
    first = sorted(p.name for p in folder.glob("*.xlsx"))
    assert first == ["Ann Example (SW003).xlsx", "Unassigned.xlsx", "Zoë O'Brien (SW002).xlsx"]
    # the next extract: child 2's error is fixed, and no names are given this time
    (ret / "current" / "header.csv").write_text(HEADER + "1,X,01/01/2010,WBRI,,,\n2,M,01/01/2011,WBRI,,,\n"
                                                "3,X,01/01/2012,WBRI,,,\n")
    code, out, err = validate(ret, "-f", "xlsx", "-o", folder, "--split-by", "social-worker",
                              capsys=capsys, monkeypatch=monkeypatch)
    assert code == 1, err
    assert sorted(p.name for p in folder.iterdir()) == ["SW002.xlsx", "Unassigned.xlsx", MANIFEST]


def test_split_refuses_a_folder_holding_other_files(ret, capsys, monkeypatch):
    folder = ret / "Documents"
    folder.mkdir()
    (folder / "my notes.docx").write_text("mine")
    code, out, err = validate(ret, "-f", "xlsx", "-o", folder, "--split-by", "social-worker",
                              capsys=capsys, monkeypatch=monkeypatch)
    assert code == 2
    assert err.startswith("error: ") and "my notes.docx" in err and "Traceback" not in err
    assert sorted(p.name for p in folder.iterdir()) == ["my notes.docx"]


def test_split_manifest_cannot_point_outside_the_folder(ret, capsys, monkeypatch):
    folder = ret / "split"
    folder.mkdir()
    victim = ret / "precious.xlsx"
    victim.write_text("keep me")
    (folder / MANIFEST).write_text("../precious.xlsx\n" + str(victim) + "\n")
    code, _, err = validate(ret, "-f", "xlsx", "-o", folder, "--split-by", "social-worker",
                            capsys=capsys, monkeypatch=monkeypatch)
    assert code == 1, err
    assert victim.read_text() == "keep me"


@pytest.mark.parametrize("label,stem", [
    ("Zoë O'Brien (SW12)", "Zoë O'Brien (SW12)"),
    ("Siobhán Ní Bhriain", "Siobhán Ní Bhriain"),
    ("Jo <Smith>: team/north?", "Jo _Smith__ team_north_"),
    ("CON", "CON_"), ("nul.txt", "nul.txt_"), ("com1", "com1_"),
    ("Ann Example. ", "Ann Example"), ("\u0007", "_"), ("", "worker"), ("..", "worker"),
])
def test_file_names_keep_letters_and_avoid_what_file_systems_refuse(label, stem):
    from lac_validator.outputs.worker_lists import file_stem

    assert file_stem(label) == stem


# ---------------------------------------------------------------- what a worker list holds

def test_worker_list_is_ready_to_send(ret, capsys, monkeypatch):
    folder = ret / "split"
    code, _, err = validate(ret, "-f", "xlsx", "-o", folder, "--split-by", "social-worker",
                            "--social-workers", ret / "workers.csv", "--contact", "Performance team, 0161 000 0000",
                            capsys=capsys, monkeypatch=monkeypatch)
    assert code == 1, err
    book = folder / "Zoë O'Brien (SW002).xlsx"
    wb = openpyxl.load_workbook(book)
    assert len(wb.worksheets) == 1
    ws = wb.worksheets[0]
    cover, header, rows, head = _worker_sheet(ws)
    assert "Zoë O'Brien (SW002)" in cover["For"] and "North" in cover["For"]
    assert "2025-26" in cover["Return"] and "Stockport" in cover["Return"]
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d by lac-validator .*", cover["Produced"])
    assert cover["To check"] == "2 errors for 1 child"
    assert cover["Questions to"] == "Performance team, 0161 000 0000"
    assert header == COLUMNS
    assert {(r["Child"], r["Record"], r["Rule"]) for r in rows} == {
        ("1", "child details", "101"), ("1", "episode starting 01/05/2025", "501")}
    r501 = next(r for r in rows if r["Rule"] == "501")
    assert r501["What is wrong"].startswith("A new episode has started before the end date")
    assert r501["How to fix"] and r501["Value now"] == "episode end date: (blank); episode start date: 01/05/2025"
    # nothing technical: no paths, table or year codes, row numbers
    text = " ".join(str(v) for r in rows for v in r.values())
    assert str(ret) not in text and "Episodes" not in text and "current" not in text
    # printing: landscape, one page wide, header row repeated, header/footer with LA, year, date, pages
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == f"${head}:${head}"
    assert ws.freeze_panes == f"A{head + 1}"
    assert ws.oddHeader.left.text == "Stockport" and "2025-26" in ws.oddHeader.center.text
    assert re.search(r"\d\d/\d\d/\d{4}", ws.oddHeader.right.text)
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    assert all(c.alignment.wrap_text for c in ws[head + 1])
    assert ws.column_dimensions["C"].width >= 40


def test_per_worker_sheets_of_the_report_are_worker_lists(ret, capsys, monkeypatch):
    out = ret / "r.xlsx"
    code, _, err = validate(ret, "-f", "xlsx", "-o", out, "--social-workers", ret / "workers.csv",
                            capsys=capsys, monkeypatch=monkeypatch)
    assert code == 1, err
    wb = openpyxl.load_workbook(out)
    assert {"Zoë O'Brien (SW002)", "Ann Example (SW003)", "Unassigned"} <= set(wb.sheetnames)
    cover, header, rows, _ = _worker_sheet(wb["Unassigned"])
    assert "no social worker" in cover["For"]
    assert [(r["Child"], r["Record"]) for r in rows] == [("3", "child details")]
    # names in By child and Errors
    by_child = {r[0].value: r[1].value for r in wb["By child"].iter_rows(min_row=2)}
    assert by_child["1"] == "Zoë O'Brien (SW002)" and by_child["2"] == "Ann Example (SW003)" and by_child["3"] == "Unassigned"
    errors = [dict(zip([c.value for c in wb["Errors"][1]], [c.value for c in r])) for r in wb["Errors"].iter_rows(min_row=2)]
    assert {e["Social worker"] for e in errors} == {"Zoë O'Brien (SW002)", "Ann Example (SW003)", "Unassigned"}


def test_record_in_words():
    from lac_validator.outputs.worker_lists import record_in_words

    assert record_in_words("Episodes", "current", "DECOM 01/04/2025") == "episode starting 01/04/2025"
    assert record_in_words("Episodes", "current", "DECOM (blank)") == "episode with no start date"
    assert record_in_words("Reviews", "previous", "REVIEW 12/05/2024") == "last year's review on 12/05/2024"
    assert record_in_words("Header", "current", None) == "child details"
    assert record_in_words("Missing", "current", "MIS_START 02/02/2026") == "missing or away period starting 02/02/2026"


# ---------------------------------------------------------------- the --social-workers list

def test_a_worker_list_that_fits_few_of_the_return_is_reported(ret, capsys, monkeypatch):
    (ret / "other_la.csv").write_text("SW_ID,Name\nXX1,Someone Else\nXX2,Another Person\n")
    out = ret / "r.json"
    code, stdout, err = validate(ret, "-f", "json", "-o", out, "--social-workers", ret / "other_la.csv",
                                 capsys=capsys, monkeypatch=monkeypatch)
    assert code == 1, err
    alerts = json.loads(out.read_text())["alerts"]
    assert any("other_la.csv" in a and "only 0 of the 3 social workers" in a for a in alerts), alerts
    # a list naming all of them says nothing
    code, _, err = validate(ret, "-f", "json", "-o", out, "--social-workers", ret / "workers.csv",
                            capsys=capsys, monkeypatch=monkeypatch)
    assert not [a for a in json.loads(out.read_text())["alerts"] if "social-workers" in a]


# ---------------------------------------------------------------- names and alerts everywhere

def test_names_in_the_terminal_summary(ret, capsys, monkeypatch):
    code, out, err = validate(ret, "--social-workers", ret / "workers.csv", capsys=capsys, monkeypatch=monkeypatch)
    assert code == 1, err
    assert "Zoë O'Brien (SW002)" in out and "Ann Example (SW003)" in out


def test_names_in_the_html_report(ret, capsys, monkeypatch):
    out = ret / "r.html"
    code, _, err = validate(ret, "-f", "html", "-o", out, "--social-workers", ret / "workers.csv",
                            capsys=capsys, monkeypatch=monkeypatch)
    assert code == 1, err
    text = out.read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="report-data">(.*?)</script>', text, re.S).group(1))
    assert data["workers"] == {"SW002": "Zoë O'Brien (SW002)", "SW003": "Ann Example (SW003)", "Unassigned": "Unassigned"}


def test_alerts_at_the_top_of_the_summary_sheet_html_and_worker_lists(ret, capsys, monkeypatch):
    (ret / "other_la.csv").write_text("SW_ID,Name\nXX1,Someone Else\n")
    xlsx, html, folder = ret / "r.xlsx", ret / "r.html", ret / "split"
    for args in (["-f", "xlsx", "-o", xlsx], ["-f", "html", "-o", html],
                 ["-f", "xlsx", "-o", folder, "--split-by", "social-worker"]):
        code, _, err = validate(ret, *args, "--social-workers", ret / "other_la.csv", capsys=capsys, monkeypatch=monkeypatch)
        assert code == 1, err
    summary = openpyxl.load_workbook(xlsx)["Summary"]
    assert summary["A1"].value.startswith("Check before using this report (1 alert)")
    column_a = [c.value for c in summary["A"]]
    head = column_a.index("Rule") + 1
    assert "only 0 of the 3 social workers" in " ".join(v for v in column_a[1:head - 2])
    assert column_a[head - 2] is None and summary.freeze_panes == f"A{head + 1}"
    assert summary["B2"].fill.fgColor.rgb.endswith("FFC7CE")   # a red band across the table
    page = html.read_text(encoding="utf-8")
    alerts_at = page.index('class="alerts"')
    assert alerts_at < page.index('class="cards"') and "only 0 of the 3 social workers" in page[alerts_at:alerts_at + 2000]
    cover, *_ = _worker_sheet(openpyxl.load_workbook(folder / "SW002.xlsx").worksheets[0])
    assert "only 0 of the 3 social workers" in cover["Please note"]


def test_worker_workbooks_are_neutralised(ret, capsys, monkeypatch):
    (ret / "hostile.csv").write_text("SW_ID,Name,Team\nSW002,=HYPERLINK(\"x\"),+North\n")
    folder = ret / "split"
    code, _, err = validate(ret, "-f", "xlsx", "-o", folder, "--split-by", "social-worker",
                            "--social-workers", ret / "hostile.csv", "--contact", "=cmd()", capsys=capsys,
                            monkeypatch=monkeypatch)
    assert code == 1, err
    for book in folder.glob("*.xlsx"):
        with zipfile.ZipFile(book) as z:
            sheet = z.read("xl/worksheets/sheet1.xml").decode()
        assert "<f>" not in sheet
        for ws in openpyxl.load_workbook(book).worksheets:
            for row in ws.iter_rows():
                for c in row:
                    assert not (isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@"))), (book.name, c.value)


def test_worker_lists_show_the_suggested_correction(tmp_path, capsys, monkeypatch):
    from pathlib import Path

    example = Path(__file__).resolve().parent.parent / "example_returns" / "2025-26"
    folder = tmp_path / "split"
    code, _, err = run_cli(["validate", example / "current", "--previous", example / "previous", "--year", "2025-26",
                            "--select", "101", "-f", "xlsx", "-o", folder, "--split-by", "social-worker"],
                           capsys, monkeypatch)
    assert code == 1, err
    shown = [r["Suggested correction"] for book in folder.glob("*.xlsx")
             for r in _worker_sheet(openpyxl.load_workbook(book).worksheets[0])[2]]
    assert "sex: M (last year's return recorded SEX M for this child)" in shown
