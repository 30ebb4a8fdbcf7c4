"""Guard rails: mistakes a CI job or an analyst makes are reported, not passed over silently."""
from __future__ import annotations

import json

import pytest

from tests.cli_run import run_cli
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
