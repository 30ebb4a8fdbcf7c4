"""One parametrised runner for every rule case in tests/rule_cases/*.yaml."""
from __future__ import annotations

import pytest

from lac_validator.registry import load_registry
from rule_cases import load_cases, run_case

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_case(case):
    ctx, result = run_case(case)
    assert not result.internal_errors, result.internal_errors
    expected_not_run = case.options.get("not_run")
    if expected_not_run:
        assert result.not_run, "rule ran but the case expects it not to"
        assert expected_not_run in result.not_run[0][1], result.not_run
        return
    assert not result.not_run, result.not_run
    got = {}
    for f in result.findings:
        got.setdefault(f.table, []).extend(int(r) for r in f.rows)
    got = {k: sorted(v) for k, v in got.items()}
    assert got == case.flagged


def test_every_implemented_rule_version_has_cases():
    """A rule without cases (flagging some rows and clearing others, in its years) fails the suite."""
    by_code = {}
    for c in CASES:
        by_code.setdefault(c.code, []).append(c)
    problems = []
    for v in load_registry().versions:
        if not v.implemented:
            continue
        mine = [c for c in by_code.get(v.code, []) if c.year in v.years and not c.options.get("not_run")]
        flags = any(c.flagged for c in mine)
        clears = any(_rows(c) > sum(len(r) for r in c.flagged.values()) for c in mine)
        if not (flags and clears):
            problems.append(f"{v.code} {list(v.years)}: needs cases that flag rows and cases that clear rows")
    assert not problems, "\n".join(problems)


def _rows(case) -> int:
    total = 0
    for value in case.tables.values():
        if isinstance(value, str):
            total += max(0, len([l for l in value.strip().splitlines() if l.strip()]) - 1)
        else:
            total += len(value)
    return total
