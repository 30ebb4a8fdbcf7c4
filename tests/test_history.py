"""Year-round checking: accepted errors, run history, diffs and trends with real files."""
from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from lac_validator import history as hist
from lac_validator.cli import main

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "ret"
    d.mkdir()
    return d


def write_header(folder, sexes):
    (folder / "header.csv").write_text(HEADER + "".join(f"{i},{s},01/01/2010,WBRI,,,\n" for i, s in sexes))


def test_three_runs_new_fixed_persisting(tmp_path, folder):
    db = tmp_path / "h.sqlite"
    common = ["--year", "2025-26", "--select", "101", "--history", db, "-q"]
    write_header(folder, [(1, "X"), (2, "Y"), (3, "M")])            # errors: 1, 2
    assert run("validate", folder, *common, "--label", "first").exit_code == 1
    write_header(folder, [(1, "M"), (2, "Y"), (3, "Z"), (4, "Q")])  # fixed 1; new 3, 4; persisting 2
    assert run("validate", folder, *common).exit_code == 1
    write_header(folder, [(1, "M"), (2, "F"), (3, "Z"), (4, "F")])  # fixed 2, 4; persisting 3
    assert run("validate", folder, *common).exit_code == 1
    runs = hist.runs(db)
    assert list(runs["errors"]) == [2, 3, 1] and runs["label"][0] == "first"
    r = run("diff", "1", "2", "--history", db, "-f", "json")
    assert json.loads(r.output)["counts"] == {"new": 2, "fixed": 1, "persisting": 1}
    r = run("diff", "2", "3", "--history", db, "-f", "json")
    doc = json.loads(r.output)
    assert doc["counts"] == {"new": 0, "fixed": 2, "persisting": 1}
    assert doc["by_rule"] == [{"rule": "101", "new": 0, "fixed": 2, "persisting": 1}]
    r = run("trend", "--history", db, "-o", tmp_path / "t.xlsx")
    assert r.exit_code == 0 and "invalid_code" in r.output and (tmp_path / "t.xlsx").exists()
    r = run("diff", "1", "9", "--history", db)
    assert r.exit_code == 2 and "no run 9" in r.output


def test_diff_of_json_reports(tmp_path, folder):
    write_header(folder, [(1, "X"), (2, "Y")])
    run("validate", folder, "--year", "2025-26", "--select", "101", "-f", "json", "-o", tmp_path / "a.json")
    write_header(folder, [(1, "X"), (2, "M"), (3, "Q")])
    run("validate", folder, "--year", "2025-26", "--select", "101", "-f", "json", "-o", tmp_path / "b.json")
    r = run("diff", tmp_path / "a.json", tmp_path / "b.json")
    assert r.exit_code == 0 and "1 new, 1 fixed, 1 persisting" in r.output


def test_baseline_accepts_exact_occurrences_and_reports_stale(tmp_path, folder):
    write_header(folder, [(1, "X"), (2, "Y")])
    base = tmp_path / "b.yaml"
    r = run("baseline", "create", folder, "--year", "2025-26", "--select", "101", "-o", base, "--who", "AB")
    assert r.exit_code == 0 and "2 entries" in r.output
    text = base.read_text()
    assert "who: AB" in text and "child: '1'" in text
    # keep only child 1's entry, add one that matches nothing
    (tmp_path / "keep.yaml").write_text(
        "accepted:\n  - {rule: '101', child: '1', explanation: DfE agreed, who: AB, date: 2026-01-01}\n"
        "  - {rule: '101', child: '7', explanation: old}\n")
    out = tmp_path / "r.json"
    r = run("validate", folder, "--year", "2025-26", "--select", "101", "--baseline", tmp_path / "keep.yaml",
            "-f", "json", "-o", out)
    doc = json.loads(out.read_text())
    assert [e["child"] for e in doc["errors"]] == ["2"]
    assert [(e["child"], e["explanation"]) for e in doc["accepted"]] == [("1", "DfE agreed")]
    assert [e["child"] for e in doc["stale_baseline"]] == ["7"]
    assert r.exit_code == 1
    # accepting everything makes the run pass
    r = run("validate", folder, "--year", "2025-26", "--select", "101", "--baseline", base, "-q")
    assert r.exit_code == 0


def test_bad_baseline_is_a_clear_input_error(tmp_path, folder):
    write_header(folder, [(1, "X")])
    (tmp_path / "b.yaml").write_text("accepted:\n  - {explanation: no rule}\n")
    r = run("validate", folder, "--year", "2025-26", "--baseline", tmp_path / "b.yaml")
    assert r.exit_code == 2 and "needs at least 'rule' and 'child'" in r.output


def test_history_written_by_older_layout_still_opens(tmp_path):
    db = tmp_path / "old.sqlite"
    con = sqlite3.connect(db)
    for sql in hist.MIGRATIONS[1]:
        con.execute(sql)
    con.execute("PRAGMA user_version = 1")
    con.execute("INSERT INTO runs (started_at, collection_year, errors) VALUES ('2025-10-01T10:00:00', '2025-26', 1)")
    con.execute("INSERT INTO errors (run_id, key, rule, category, child, social_worker) VALUES (1, 'k', '101', 'invalid_code', '1', 'SW1')")
    con.commit()
    con.close()
    before = db.read_bytes()
    runs = hist.runs(db)
    assert list(runs["id"]) == [1] and runs["label"].isna().all() and runs["settings"].isna().all()
    assert list(hist.run_errors(db, 1)["key"]) == ["k"]   # severity of old rows reads as 'error'
    # reading (trend, diff, history list) never upgrades or otherwise changes the file...
    assert db.read_bytes() == before
    # ...recording a run does
    hist.open_history(db).close()
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == hist.SCHEMA_VERSION


def test_not_a_history_file(tmp_path):
    bad = tmp_path / "x.sqlite"
    bad.write_text("hello, not sqlite")
    from lac_validator.errors import InputError
    with pytest.raises(InputError):
        hist.runs(bad)


def test_three_runs_on_modified_example_returns(tmp_path):
    """The bundled example, then with one deliberate error fixed and a new one made, then all reverted."""
    import shutil
    from pathlib import Path

    src = Path(__file__).resolve().parent.parent / "example_returns" / "2025-26"
    cur = tmp_path / "current"
    shutil.copytree(src / "current", cur)
    db = tmp_path / "h.sqlite"
    common = ["--previous", src / "previous", "--year", "2025-26", "--la", "E08000007", "--history", db, "-q"]
    header = cur / "header.csv"
    original = header.read_text()
    assert run("validate", cur, *common).exit_code == 1
    first = hist.run_errors(db, 1)
    bad_sex = first[first["rule"] == "101"]
    assert len(bad_sex) == 1
    child = bad_sex["child"].iloc[0]
    lines = original.splitlines()
    i = next(i for i, l in enumerate(lines) if l.split(",")[0] == child)
    fixed = lines[i].split(",")
    fixed[1] = "M"                                   # fix the invalid SEX
    j = next(k for k in range(1, len(lines)) if k != i and lines[k].split(",")[4] != "")
    broken = lines[j].split(",")
    broken[3] = "XXXX"                               # make an invalid ETHNIC elsewhere
    lines[i], lines[j] = ",".join(fixed), ",".join(broken)
    header.write_text("\n".join(lines) + "\n")
    run("validate", cur, *common)
    # the new ETHNIC is invalid (103) and differs from last year's (204); the fixed SEX was invalid
    # (101) and differed from last year's (202)
    d = hist.diff_errors(hist.run_errors(db, 1), hist.run_errors(db, 2))
    assert d.counts() == {"new": 2, "fixed": 2, "persisting": len(first) - 2}
    assert sorted(d.new["rule"]) == ["103", "204"] and sorted(d.fixed["rule"]) == ["101", "202"]
    header.write_text(original)
    run("validate", cur, *common)
    d = hist.diff_errors(hist.run_errors(db, 2), hist.run_errors(db, 3))
    assert d.counts() == {"new": 2, "fixed": 2, "persisting": len(first) - 2}
    assert hist.diff_errors(hist.run_errors(db, 1), hist.run_errors(db, 3)).counts()["persisting"] == len(first)
