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
