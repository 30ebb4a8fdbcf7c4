"""One parametrised runner for every rule case in tests/rule_cases/*.yaml."""
from __future__ import annotations

import pytest

from lac_validator.registry import load_registry
from rule_cases import load_cases, read_case_table, run_case

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_case(case):
    ctx, result = run_case(case)
    assert not result.internal_errors, result.internal_errors
    expected_not_run = case.spec.not_run
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
    """A rule without cases (flagging some rows and clearing others, in its years) fails the suite.
    Clearing means leaving unflagged a row of a table the rule flags (in any of its cases): rows of
    the tables it only reads do not count."""
    by_code = {}
    for c in CASES:
        by_code.setdefault(c.code, []).append(c)
    problems = []
    for v in load_registry().versions:
        if not v.implemented:
            continue
        mine = [c for c in by_code.get(v.code, []) if c.year in v.years and not c.spec.not_run]
        flagged_tables = {t for c in mine for t, rows in c.flagged.items() if rows}
        flags = bool(flagged_tables)
        clears = any(_rows(c, t) > len(c.flagged.get(t, [])) for c in mine for t in flagged_tables if t in c.tables)
        if not (flags and clears):
            problems.append(f"{v.code} {list(v.years)}: needs cases that flag rows and cases that clear rows "
                            f"of the tables it flags ({', '.join(sorted(flagged_tables)) or 'none flagged'})")
    assert not problems, "\n".join(problems)


def _rows(case, table: str) -> int:
    """The rows of a case table as the loader reads them (rows with no value left out)."""
    return len(read_case_table(table, case.tables[table]))
