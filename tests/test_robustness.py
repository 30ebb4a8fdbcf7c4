"""Robustness under hostile and odd input (issue 25), for what the corpus (tests/corpus) cannot
express as one command: concurrent runs, a writer that fails for one return of many, limits too
large to build in a test, and the guards' own units."""
from __future__ import annotations

import errno
import multiprocessing
import os
import sqlite3
from pathlib import Path

import pytest

from cli_run import run_cli
from lac_validator import history
from lac_validator.loading import xlsx_reader
from lac_validator.errors import InputError, as_input_error
from lac_validator.io_safety import Output, Reads, check_paths

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"


def _open_at_once(path: str, barrier, results) -> None:
    barrier.wait()
    try:
        con = history.open_history(Path(path))
        results.put(con.execute("PRAGMA user_version").fetchone()[0])
        con.close()
    except Exception as exc:  # noqa: BLE001 - reported to the test
        results.put(repr(exc))


def test_concurrent_first_runs_create_the_history_once(tmp_path):
    """Runs started together on a new history file: each sees the complete layout, none fails."""
    ctx = multiprocessing.get_context("fork")
    n = 6
    for attempt in range(5):  # the race is not lost every time: try several new files
        path = tmp_path / f"h{attempt}.sqlite"
        barrier, results = ctx.Barrier(n), ctx.Queue()
        procs = [ctx.Process(target=_open_at_once, args=(str(path), barrier, results)) for _ in range(n)]
        for p in procs:
            p.start()
        outcomes = [results.get(timeout=60) for _ in procs]
        for p in procs:
            p.join()
        assert outcomes == [history.SCHEMA_VERSION] * n
        tables = sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
        assert sorted(t[0] for t in tables) == ["errors", "runs"]


def test_one_return_whose_writer_fails_does_not_stop_the_others(tmp_path, capsys, monkeypatch):
    from lac_validator.app import writers

    for la in ("E08000007", "E08000008"):
        folder = tmp_path / "region" / la / "current"
        folder.mkdir(parents=True)
        (folder / "header.csv").write_text(HEADER + "1,X,01/01/2010,WBRI,,,\n")
    real = writers.write_report

    def failing(report, fmt, out, *args, **kw):
        if "E08000007" in str(out):
            Path(out).write_text("half a report")
            raise RuntimeError("a writer bug")
        return real(report, fmt, out, *args, **kw)

    monkeypatch.setattr(writers, "write_report", failing)
    code, out, err = run_cli(["validate-many", tmp_path / "region", "--year", "2025-26", "--select", "101",
                              "-o", tmp_path / "reports", "--jobs", "1"], capsys, monkeypatch)
    assert code == 2
    assert (tmp_path / "reports" / "E08000008.json").is_file()
    assert not (tmp_path / "reports" / "E08000007.json").exists(), "a half-written report was left behind"
    assert "E08000007: not validated: lac-validator stopped unexpectedly on this return (RuntimeError)" in err
    assert "E08000008: 1 errors" in out


def test_workbook_cell_limit_is_checked_before_reading(tmp_path, monkeypatch):
    import openpyxl

    wb = openpyxl.Workbook()
    for i in range(50):
        wb.active.append(["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"] if i == 0 else [str(i), "M"])
    wb.save(tmp_path / "r.xlsx")
    monkeypatch.setattr(xlsx_reader, "_MAX_CELLS", 40)
    monkeypatch.setattr(xlsx_reader, "_read_sheet", lambda *a: pytest.fail("the sheet was read before the limit was checked"))
    with pytest.raises(InputError, match=r"more than 40 cells .* the limit for a workbook"):
        xlsx_reader.read_xlsx(tmp_path / "r.xlsx")


@pytest.mark.parametrize("code,fragment", [(errno.ENOSPC, "the disk is full"), (errno.EACCES, "permission denied"),
                                           (errno.ENAMETOOLONG, "too long"), (errno.EROFS, "read-only")])
def test_os_errors_become_one_sentence_naming_the_file(code, fragment):
    err = as_input_error(OSError(code, os.strerror(code), "/x/report.xlsx"))
    assert isinstance(err, InputError)
    assert str(err).startswith("/x/report.xlsx: ") and fragment in str(err)


def test_a_symbolic_link_to_an_input_is_the_input(tmp_path):
    (tmp_path / "cur").mkdir()
    (tmp_path / "cur" / "header.csv").write_text(HEADER)
    (tmp_path / "alias.csv").symlink_to(tmp_path / "cur" / "header.csv")
    with pytest.raises(InputError, match="is the same file as"):
        check_paths(Reads([tmp_path / "cur"]), [Output(tmp_path / "alias.csv", "--output")])
    # an output folder that directly holds a file of the return (given by name) is refused; one
    # further up is not (commands write directly into their output folder)
    with pytest.raises(InputError, match="holds .*alias.csv, which this command reads"):
        check_paths(Reads([tmp_path / "alias.csv"]), [Output(tmp_path / "cur", "--output", "folder")])
    assert check_paths(Reads([tmp_path / "cur" / "header.csv"]), [Output(tmp_path, "--output", "folder")]) == []
