"""One parametrised runner for every suggester case in tests/suggestion_cases/*.yaml, and the
rule that every suggester has cases where it suggests and cases where it must not."""
from __future__ import annotations

import pytest

import lac_validator.suggestions as suggestions
from suggestion_cases import load_suggestion_cases, run_suggestion_case

CASES = load_suggestion_cases()


@pytest.fixture(autouse=True)
def strict(monkeypatch):
    monkeypatch.setattr(suggestions, "STRICT", True)  # a failing suggester fails its case


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_suggestion_case(case):
    assert len(case.expect) == len(case.errors), f"{case.file}: one expectation per error"
    _, got = run_suggestion_case(case)
    for error, want, sug in zip(case.errors, case.expect, got):
        if want is None:
            assert sug is None, f"{error}: expected no suggestion, got {sug}"
            continue
        assert sug is not None, f"{error}: expected {want}, got none"
        assert (sug.field, sug.value) == (want["field"], str(want["value"])), (error, sug)
        assert str(want.get("evidence", "")) in sug.evidence, (want, sug.evidence)
        assert case.suggester in sug.by.split("+"), f"made by {sug.by}, not {case.suggester}"


def test_every_suggester_has_cases_that_suggest_and_cases_that_do_not():
    names = {s.name for s in suggestions.all_suggesters()}
    suggests = {c.suggester for c in CASES if any(e is not None for e in c.expect)}
    refrains = {c.suggester for c in CASES if any(e is None for e in c.expect)}
    problems = sorted(n for n in names if n not in suggests or n not in refrains)
    assert not problems, f"suggesters without cases that suggest and cases that do not: {problems}"
    assert {c.suggester for c in CASES} <= names, "cases name a suggester that does not exist"
