"""Guard rails: mistakes a CI job or an analyst makes are reported, not passed over silently."""
from __future__ import annotations

import json

import pytest

from tests.test_cli import EPIS, HEADER, SW, run, tiny  # noqa: F401  (tiny is a fixture)


# ------------------------------------------------------------------ --select / --ignore

@pytest.mark.parametrize("command", ["validate", "baseline", "profile", "validate-many"])
@pytest.mark.parametrize("option,code,near", [("--select", "5O1", "501"), ("--ignore", "9999", None),
                                              ("--select", "SW02STG1", None)])
def test_unknown_rule_code_is_a_usage_error(tiny, command, option, code, near):
    cur = tiny / "current"
    out = tiny / "out"
    args = {"validate": ["validate", cur],
            "baseline": ["baseline", "create", cur, "-o", tiny / "b.yaml"],
            "profile": ["profile", cur, "-o", tiny / "p.json"],
            "validate-many": ["validate-many", tiny, "-o", out]}[command]
    year = "2022-23" if code == "SW02STG1" else "2025-26"   # social worker rules start in 2023-24
    r = run(*args, "--year", year, option, f"101,{code}")
    assert r.exit_code == 2, r.output
    assert f"{option} {code} matches no rule of {year}" in r.output
    if near:
        assert f"did you mean {near}" in r.output
    assert not (tiny / "b.yaml").exists() and not (tiny / "p.json").exists()


def test_known_prefixes_still_select(tiny):
    r = run("validate", tiny / "current", "--year", "2025-26", "--select", "int,50", "--ignore", "501", "-q")
    assert r.exit_code in (0, 1), r.output


# ------------------------------------------------------------------ counts

@pytest.fixture
def with_warning(tiny):
    """tiny plus a Header child without episodes: DfE rule EPI (a WARNING rule) flags it."""
    (tiny / "current" / "header.csv").write_text(HEADER + "1,M,01/01/2010,WBRI,,,\n2,X,01/01/2011,WBRI,,,\n"
                                                 "4,M,01/01/2012,WBRI,,,\n")
    return tiny


def test_json_summary_counts_dfe_errors_warnings_and_notes_apart(with_warning):
    out = with_warning / "r.json"
    r = run("validate", with_warning / "current", "--year", "2025-26", "--select", "101,EPI", "-f", "json", "-o", out)
    assert r.exit_code == 1
    doc = json.loads(out.read_text())
    s = doc["summary"]
    assert (s["errors"], s["warnings"], s["notes"]) == (1, 2, len(doc["warnings"]))  # EPI: children 2 and 4
    assert s["children_with_errors"] == 1 and s["children_with_warnings"] == 2
    assert len(doc["errors"]) == 3  # the records still list both, each with its severity


def test_terminal_validate_many_profile_and_history_count_the_same(with_warning):
    sel = ["--year", "2025-26", "--select", "101,EPI"]
    r = run("validate", with_warning / "current", *sel, "--history", with_warning / "h.sqlite")
    assert "1 error for 1 child from 2 rules run" in r.output
    assert "2 warnings (DfE rules whose message starts WARNING" in r.output
    r = run("validate-many", with_warning, *sel, "-o", with_warning / "many", "--jobs", "1")
    assert "1 errors, 2 warnings, " in r.output
    r = run("profile", with_warning / "current", *sel, "-o", with_warning / "p.json")
    prof = json.loads((with_warning / "p.json").read_text())
    assert prof["errors"] == "<5" and prof["rules"]["EPI"]["severity"] == "warning"
    from lac_validator.history import runs
    assert list(runs(with_warning / "h.sqlite")["errors"]) == [1]


def test_fail_on_error_passes_when_only_warning_rules_flag(with_warning):
    cur = with_warning / "current"
    assert run("validate", cur, "--year", "2025-26", "--select", "EPI").exit_code == 0
    assert run("validate", cur, "--year", "2025-26", "--select", "EPI", "--fail-on", "any").exit_code == 1


# ------------------------------------------------------------------ baselines

def test_unexplained_baseline_is_reported_and_can_fail_ci(tiny):
    cur, base, out = tiny / "current", tiny / "b.yaml", tiny / "r.json"
    sel = ["--year", "2025-26", "--select", "101"]
    assert run("baseline", "create", cur, *sel, "-o", base).exit_code == 0   # entries say "TODO: ..."
    r = run("validate", cur, *sel, "--baseline", base)
    assert r.exit_code == 0 and "1 entry has no real explanation" in r.output
    assert run("validate", cur, *sel, "--baseline", base, "--fail-on", "unexplained").exit_code == 1
    run("validate", cur, *sel, "--baseline", base, "-f", "json", "-o", out)
    doc = json.loads(out.read_text())
    assert [e["rule"] for e in doc["unexplained_baseline"]] == ["101"] and doc["accepted"][0]["explained"] is False
    assert any("no real explanation" in w for w in doc["warnings"])
    base.write_text(base.read_text().replace("TODO: why", "Agreed with the DfE: why"))
    r = run("validate", cur, *sel, "--baseline", base, "--fail-on", "unexplained")
    assert r.exit_code == 0 and "no real explanation" not in r.output
    base.write_text("accepted:\n- {rule: '101', child: '2', explanation: ''}\n")
    assert run("validate", cur, *sel, "--baseline", base, "--fail-on", "unexplained").exit_code == 1


def test_baseline_entry_for_a_rule_the_year_lacks_is_named_not_stale(tiny):
    base, out = tiny / "b.yaml", tiny / "r.json"
    base.write_text("accepted:\n- {rule: '5O1', child: '1', explanation: Agreed}\n"
                    "- {rule: '501', child: '9', explanation: Agreed}\n")
    r = run("validate", tiny / "current", "--year", "2025-26", "--select", "501", "--baseline", base, "-f", "json", "-o", out)
    assert r.exit_code == 1  # 501 still flags child 1: the 5O1 entry accepts nothing
    doc = json.loads(out.read_text())
    assert [e["rule"] for e in doc["unknown_rule_baseline"]] == ["5O1"]
    assert [e["rule"] for e in doc["stale_baseline"]] == ["501"]
    assert any("rule 5O1, child 1 names no rule of 2025-26" in w for w in doc["warnings"])


# ------------------------------------------------------------------ wrong --year

def _dated_return(root, first: int):
    """A small return whose episodes, reviews and social worker episodes fall in first-(first+1)."""
    cur = root / f"ret{first}"
    cur.mkdir()
    y, z = first, first + 1
    (cur / "header.csv").write_text(HEADER + "1,M,01/01/2010,WBRI,,,\n2,M,01/01/2011,WBRI,,,\n")
    (cur / "episodes.csv").write_text(EPIS + f"1,01/05/{y},S,C2,N1,U1,PR1,01/09/{y},X1,,,,\n"
                                             f"1,01/09/{y},P,C2,N1,U1,PR1,,,,,,\n2,10/10/{y},S,C2,N1,U1,PR1,,,,,,\n")
    (cur / "reviews.csv").write_text("CHILD,DOB,REVIEW,REVIEW_CODE\n" + "".join(
        f"{c},01/01/2010,{d},PN1\n" for c, d in ((1, f"01/06/{y}"), (1, f"01/12/{y}"), (2, f"01/02/{z}"))))
    (cur / "sw.csv").write_text(SW + f"1,01/01/2010,SW1,01/05/{y},,\n2,01/01/2011,SW1,10/10/{y},,\n")
    return cur


def test_wrong_year_is_named_first_and_last(tmp_path, monkeypatch):
    cur = _dated_return(tmp_path, 2025)
    r = run("validate", cur, "--year", "2024-25", "--select", "101", "--all-errors")
    text = " ".join(r.output.split())
    alert = "ALERT: the data looks like 2025-26, not 2024-25 (--year 2024-25)"
    assert text.startswith(alert) and text.count(alert) == 2
    assert "Check --year (e.g. --year 2025-26)" in text[-400:]  # last, after every error
    out = tmp_path / "r.json"
    run("validate", cur, "--year", "2024-25", "--select", "101", "-f", "json", "-o", out)
    alerts = json.loads(out.read_text())["alerts"]
    assert len(alerts) == 1 and "the data looks like 2025-26" in alerts[0] and "Check --year" in alerts[0]
    assert run("validate", cur, "--year", "2025-26", "--select", "101", "-f", "json", "-o", out).exit_code == 0
    assert json.loads(out.read_text())["alerts"] == []


def test_wrong_default_year_and_unsupported_years_are_named(tmp_path, monkeypatch):
    from lac_validator.years import CollectionYear

    monkeypatch.setattr(CollectionYear, "in_progress", classmethod(lambda cls, today=None: cls(2026)))
    r = run("validate", _dated_return(tmp_path, 2025), "--select", "101")
    assert "ALERT: the data looks like 2025-26, not 2026-27 (no --year given, so 2026-27" in " ".join(r.output.split())
    r = run("validate", _dated_return(tmp_path, 2031), "--year", "2025-26", "--select", "101")
    assert "ALERT: the data looks like 2031-32" in r.output


def test_previous_of_the_wrong_year_is_named(tmp_path):
    cur, prev = _dated_return(tmp_path, 2025), _dated_return(tmp_path, 2022)
    out = tmp_path / "r.json"
    run("validate", cur, "--previous", prev, "--year", "2025-26", "--select", "101", "-f", "json", "-o", out)
    alerts = json.loads(out.read_text())["alerts"]
    assert len(alerts) == 1 and alerts[0].startswith("last year's return (--previous) looks like 2022-23, not 2024-25")


# ------------------------------------------------------------------ wrong or missing --la

EXAMPLE = __import__("pathlib").Path(__file__).resolve().parents[1] / "example_returns" / "2025-26" / "current"


def _alerts(tmp_path, *la):
    out = tmp_path / "r.json"
    run("validate", EXAMPLE, "--year", "2025-26", "--select", "101", *la, "-f", "json", "-o", out)
    return json.loads(out.read_text())


def test_home_postcodes_in_another_la_are_named(tmp_path):
    doc = _alerts(tmp_path, "--la", "Birmingham")
    assert doc["la"]["ons_code"] == "E08000025"
    assert len(doc["alerts"]) == 1 and doc["alerts"][0].startswith("--la Birmingham (E08000025), but the home postcodes of")
    assert "lie in Stockport (E08000007, DfE 356): check --la (e.g. --la 356)" in doc["alerts"][0]
    assert _alerts(tmp_path, "--la", "356")["alerts"] == []
    missing = _alerts(tmp_path)["alerts"]
    assert len(missing) == 1 and missing[0].startswith("no --la given") and "give --la 356" in missing[0]


@pytest.mark.parametrize("text,ons", [("Birmingham", "E08000025"), ("birm", "E08000025"), ("STOCKPORT", "E08000007"),
                                      ("city of bristol", "E06000023"), ("north yorkshire", "E06000065")])
def test_la_by_name(tiny, text, ons):
    out = tiny / "o.json"
    r = run("validate", tiny / "current", "--year", "2025-26", "--la", text, "--select", "101", "-f", "json", "-o", out)
    assert r.exit_code == 1, r.output
    assert json.loads(out.read_text())["la"]["ons_code"] == ons


def test_ambiguous_la_name_is_a_usage_error_listing_candidates(tiny):
    r = run("validate", tiny / "current", "--year", "2025-26", "--la", "stock", "--select", "101")
    assert r.exit_code == 2 and "'stock' matches 2 local authorities" in r.output
    assert "Stockport (356)" in r.output and "Stockton-on-Tees (808)" in r.output


def test_validate_many_folder_named_after_an_la(tmp_path):
    region = tmp_path / "region"
    for name in ("Stockport", "north-yorkshire", "Stock"):
        (region / name).mkdir(parents=True)
        __import__("shutil").copytree(EXAMPLE, region / name / "current")
    r = run("validate-many", region, "--year", "2025-26", "--select", "101", "-o", tmp_path / "out", "--jobs", "1")
    assert r.exit_code == 1, r.output
    las = {n: json.loads((tmp_path / "out" / f"{n}.json").read_text())["la"] for n in ("Stockport", "north-yorkshire", "Stock")}
    assert las["Stockport"]["dfe_code"] == "356" and las["north-yorkshire"]["dfe_code"] == "815"
    assert las["Stock"] is None  # folder names must be a whole name: a part is too easily a coincidence


# ------------------------------------------------------------------ column typos

@pytest.mark.parametrize("header,expected", [
    ("DECON", 'DECOM (the header has "DECON": did you mean DECOM?)'),
    ("DE\u200bCOM", 'DECOM (the header "DE<U+200B>COM" contains a zero-width space)'),
    ("DECOM\u2060", 'DECOM (the header "DECOM<U+2060>" contains a word joiner)'),
])
def test_missing_column_names_the_header_that_resembles_it(tiny, header, expected):
    (tiny / "current" / "episodes.csv").write_text(EPIS.replace("DECOM", header) + "1,01/04/2025,S,C2,N1,U1,PR1,,,,,,\n",
                                                   encoding="utf-8")
    r = run("validate", tiny / "current", "--year", "2025-26", "--select", "101")
    assert r.exit_code == 2 and f"lacks column(s) {expected}" in r.output, r.output


def test_spaces_for_underscores_are_named(tiny):
    (tiny / "current" / "sw.csv").write_text("CHILD,DOB,SW ID,SW_DECOM,SW_DEC,SW\u00a0REASON\n1,01/01/2010,S1,01/05/2025,,\n",
                                             encoding="utf-8")
    r = run("validate", tiny / "current", "--year", "2025-26", "--select", "101")
    text = " ".join(r.output.split())
    assert r.exit_code == 2
    assert 'SW_ID (the header "SW ID" has a space or hyphen where the DfE name has an underscore)' in text
    assert ('SW_REASON (the header "SW<U+00A0>REASON" contains a non-breaking space and has a space or hyphen '
            'where the DfE name has an underscore)') in text


def test_nbsp_and_bom_around_a_name_are_still_read_as_the_name(tiny):
    (tiny / "current" / "episodes.csv").write_text(EPIS.replace("DECOM", "DECOM\u00a0").replace("RNE", "\ufeffRNE")
                                                   + "1,01/04/2025,S,C2,N1,U1,PR1,,,,,,\n", encoding="utf-8")
    assert run("validate", tiny / "current", "--year", "2025-26", "--select", "101").exit_code == 1


# ------------------------------------------------------------------ --previous = this year

def test_previous_pointing_at_this_years_files_is_refused(tiny):
    import shutil

    cur = tiny / "current"
    copy = tiny / "copy"
    shutil.copytree(cur, copy)
    for prev in (cur, cur / "header.csv", tiny / "current" / ".." / "current"):
        r = run("validate", cur, "--previous", prev, "--year", "2025-26", "--select", "101")
        assert r.exit_code == 2, (prev, r.output)
        assert "give last year's return" in r.output
    out = tiny / "r.json"
    assert run("validate", cur, "--previous", copy, "--year", "2025-26", "--select", "101", "-f", "json", "-o", out).exit_code == 1
    alerts = json.loads(out.read_text())["alerts"]
    assert any(a.startswith("every file of --previous has the same content as one of this year's") for a in alerts)
    (copy / "header.csv").write_text(HEADER + "1,M,01/01/2010,WBRI,,,\n")   # last year really differs
    run("validate", cur, "--previous", copy, "--year", "2025-26", "--select", "101", "-f", "json", "-o", out)
    assert not any("same content" in a for a in json.loads(out.read_text())["alerts"])
    r = run("validate-many", tiny, "--year", "2025-26", "--select", "101", "-o", tiny / "out")
    assert r.exit_code == 1  # tiny has current/ and no previous/


# ------------------------------------------------------------------ compare-profiles

def test_compare_profiles_says_when_we_are_worse_on_no_rule(tmp_path):
    from tests.test_profiles import _profile

    ours = _profile("2025-26", {"101": ("101:a", 0, 0.0), "102": ("102:a", 5, 5.0)})
    peer = _profile("2025-26", {"101": ("101:a", 0, 0.0), "102": ("102:a", 8, 8.0)})
    paths = []
    for name, doc in (("ours", ours), ("peer", peer)):
        paths.append(tmp_path / f"{name}.json")
        paths[-1].write_text(json.dumps(doc))
    r = run("compare-profiles", *paths, "-o", tmp_path / "c.xlsx")
    text = " ".join(r.output.split())
    assert r.exit_code == 0 and "we are not worse than the other councils on any of the 2 rules compared" in text
    assert "Rules where we do worse" not in text and "101" not in text
    about = [row[1].value for row in __import__("openpyxl").load_workbook(tmp_path / "c.xlsx")["About"].iter_rows()]
    assert any("not worse" in str(v) for v in about)
    peer["rules"]["102"]["rate_per_100"] = 1.0
    paths[1].write_text(json.dumps(peer))
    r = run("compare-profiles", *paths)
    assert "Rules where we do worse" in r.output and "102" in r.output and "not worse" not in r.output


# ------------------------------------------------------------------ history

def _runs(tmp_path):
    """Four runs: two alike, one without --previous, one with another selection."""
    from tests.test_history import write_header

    ret, prev = tmp_path / "ret", tmp_path / "prev"
    ret.mkdir()
    prev.mkdir()
    write_header(prev, [(1, "M"), (2, "F"), (3, "M"), (9, "M")])
    db = tmp_path / "lac-validator-history.sqlite"
    common = ["--year", "2025-26", "--history", db, "-q"]
    write_header(ret, [(1, "X"), (2, "Y"), (3, "M")])
    run("validate", ret, "--previous", prev, "--select", "101,202", *common, "--label", "Sept")
    write_header(ret, [(1, "M"), (2, "Y"), (3, "Z")])
    run("validate", ret, "--previous", prev, "--select", "101,202", *common, "--label", "Oct")
    run("validate", ret, "--select", "101,202", *common)
    run("validate", ret, "--select", "101", *common)
    return db


def test_diff_without_arguments_compares_the_last_two_runs_and_lists_changes(tmp_path, monkeypatch):
    db = _runs(tmp_path)
    monkeypatch.chdir(tmp_path)            # the default history is in the current folder
    r = run("diff", "--list")
    text = " ".join(r.output.split())
    assert r.exit_code == 0, r.output
    assert "comparing the last two runs of lac-validator-history.sqlite: 3 and 4" in text
    assert "runs 3 and 4 were made with different settings" in text and "--select 101,202" in text
    r = run("diff", "1", "2", "--history", db, "--list")
    text = " ".join(r.output.split())
    assert "2 new, 2 fixed, 2 persisting errors" in text  # 101 and 202 (sex differs from last year)
    assert "New and fixed errors" in text
    rows = [" ".join(line.replace("│", " ").replace("|", " ").split()) for line in r.output.splitlines()]
    assert "fixed 1 101 Header Unassigned" in rows and "new 3 202 Header Unassigned" in rows
    assert rows.index("fixed 1 101 Header Unassigned") < rows.index("fixed 1 202 Header Unassigned")
    assert "different settings" not in text
    assert run("diff", "1").exit_code == 2


def test_trend_marks_runs_made_with_different_settings(tmp_path):
    db = _runs(tmp_path)
    r = run("trend", "--history", db)
    text = " ".join(r.output.split())
    assert "1 (A)" in text and "2 (A)" in text and "3 (B)" in text and "4 (C)" in text
    assert "(A) 2025-26, no --la, with --previous, --select 101,202" in text
    assert "(B) 2025-26, no --la, WITHOUT --previous, --select 101,202" in text
    assert "3 different settings" in text


def test_history_list_and_delete(tmp_path):
    import sqlite3

    db = _runs(tmp_path)
    r = run("history", "list", "--history", db)
    assert r.exit_code == 0 and "Sept" in r.output and "WITHOUT --previous" in r.output
    assert run("history", "delete", "1", "3", "--history", db).exit_code == 0
    from lac_validator.history import runs
    assert list(runs(db)["id"]) == [2, 4]
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT COUNT(*) FROM errors WHERE run_id IN (1, 3)").fetchone()[0] == 0
    r = run("history", "delete", "7", "--history", db)
    assert r.exit_code == 2 and "no run 7" in r.output


def test_history_written_before_settings_is_upgraded(tmp_path):
    import sqlite3

    from lac_validator import history as hist

    db = tmp_path / "old.sqlite"
    with sqlite3.connect(db) as con:               # the layout of version 2, with one run
        for step in (1, 2):
            for sql in hist.MIGRATIONS[step]:
                con.execute(sql)
        con.execute("PRAGMA user_version = 2")
        con.execute("INSERT INTO runs (started_at, collection_year, la, inputs, tool_version, errors, label) "
                    "VALUES ('2025-10-01T10:00:00', '2025-26', NULL, '[]', '0.1', 1, 'old')")
        con.execute("INSERT INTO errors (run_id, key, rule, category, child, social_worker) "
                    "VALUES (1, '101|Header|current|1|', '101', 'invalid_code', '1', 'Unassigned')")
    con.close()
    r = run("history", "list", "--history", db)
    assert r.exit_code == 0 and "old" in r.output
    old = hist.runs(db)
    assert old["settings"].isna().all() and hist.describe_settings(old["settings"][0]).startswith("settings not recorded")
    with sqlite3.connect(db) as con:               # read as it is: listing never upgrades the file
        assert con.execute("PRAGMA user_version").fetchone()[0] == 2
    con.close()
    hist.open_history(db).close()                  # recording a run upgrades it
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == hist.SCHEMA_VERSION
    con.close()


# ------------------------------------------------------------------ convert --to xml

def test_convert_to_xml_says_what_xml_cannot_carry(tiny):
    cur = tiny / "current"
    (cur / "header.csv").write_text(HEADER + "1,M,01/01/2010,WBRI,,,\n1,M,01/01/2010,WBRI,,,\n2,F,01/01/2011,WBRI,,,\n")
    (cur / "episodes.csv").write_text(EPIS + "1,01/04/2025,S,C2,N1,U1,PR1,,,,,,\n5,01/04/2025,S,C2,N1,U1,PR1,,,,,,\n")
    (cur / "reviews.csv").write_text("CHILD,DOB,REVIEW,REVIEW_CODE\n1,02/02/2010,01/06/2025,PN1\n2,01/01/2011,01/06/2025,PN1\n")
    r = run("convert", cur, "--to", "xml", "-o", tiny / "r.xml", "--year", "2025-26")
    text = " ".join(r.output.split())
    assert r.exit_code == 0 and (tiny / "r.xml").exists()
    assert "warning: XML: 1 child(ren) have rows (Episodes 1) but no Header row" in text
    assert "warning: XML: Reviews.DOB differs from the Header's for 1 child(ren)" in text
    assert "warning: XML: Header has 1 extra row(s)" in text
    assert "exactly" not in run("convert", "--help").output
    r = run("convert", EXAMPLE, "--to", "xml", "-o", tiny / "e.xml", "--year", "2025-26")
    assert r.exit_code == 0 and "warning: XML" not in r.output
    r = run("convert", cur, "--to", "csv", "-o", tiny / "csv", "--year", "2025-26")
    assert "warning: XML" not in r.output  # CSV keeps every value
