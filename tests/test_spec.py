"""The rule specification is the one record of each rule: entries are checked strictly when loaded,
the departures list users read is generated from them, and `explain` shows where each rule lives."""
import re
from pathlib import Path

import pytest
import yaml

from lac_validator import divergences, registry
from click.testing import CliRunner

from lac_validator.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_divergences_document_is_generated_from_the_spec():
    on_disk = (ROOT / "rules" / "divergences.md").read_text(encoding="utf-8")
    assert on_disk == divergences.render(), (
        "rules/divergences.md is out of step with the spec entries' `departures` and rules/departures.yaml: "
        "edit those, then run `python -m lac_validator.divergences --write`")


def test_every_departure_names_rules_that_exist():
    reg = registry.load_registry()
    named = {c for t in divergences.tool_departures() for c in t.rules}
    assert not {c for c in named if not reg.versions_of(c)}
    assert sum(len(v.departures) for v in reg.versions) + len(divergences.tool_departures()) > 100


def test_spec_files_are_grouped_by_family():
    for path in (ROOT / "rules" / "spec").glob("*.yaml"):
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
        families = {divergences.family_of(e["code"]) for e in entries}
        assert families == {path.stem}, f"{path.name} holds entries of {sorted(families)}"


def test_conventions_live_in_their_own_document():
    text = (ROOT / "rules" / "conventions.md").read_text(encoding="utf-8")
    assert "A blank CHILD is no child" in text and "strict" in text
    for path in (ROOT / "rules" / "spec").glob("*.yaml"):
        assert "FILE-WIDE CONVENTIONS" not in path.read_text(encoding="utf-8")


def _edit_first_entry(folder: Path, change) -> None:
    path = folder / "spec" / "r100.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(entries[0])
    path.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_a_misspelt_key_is_refused_when_the_spec_loads(year_data):
    _edit_first_entry(year_data, lambda e: e.update(logik=e["logic"]))
    with pytest.raises(RuntimeError, match=r"unknown keys \['logik'\]"):
        registry.load_registry()


def test_a_departure_needs_all_three_fields(year_data):
    _edit_first_entry(year_data, lambda e: e.update(departures=[{"lac_validator": "x", "why_different": "y"}]))
    with pytest.raises(RuntimeError, match="reference_behaviour"):
        registry.load_registry()


def test_a_departure_reaches_explain_and_the_document(year_data):
    dep = {"lac_validator": "Flags SEX X too.", "reference_behaviour": "It did not.", "why_different": "Because."}
    _edit_first_entry(year_data, lambda e: e.update(departures=[dep]))
    assert "**101** (2022_23, 2023_24): Flags SEX X too. *Older tool:* It did not. *Why:* Because." in \
        " ".join(divergences.render().split())
    out = run("explain", "101", "--year", "2023-24").output
    assert "Departs from the older reference validator" in out and "Older tool: It did not." in out


def test_explain_says_where_the_rule_lives():
    out = run("explain", "103").output
    assert re.search(r"Function: lac_validator\.rules\.\w+:ethnic_code", out)
    assert "Header.ETHNIC: ABAN, AIND" in out
    assert "Tests:    tests/rule_cases/103.yaml" in out
    assert (ROOT / "tests" / "rule_cases" / "103.yaml").exists()


def test_explain_shows_departures_shared_with_other_rules():
    out = run("explain", "241").output
    assert "Departures shared with other rules" in out and "Older tool:" in out


def test_every_rule_has_its_case_file():
    for code in registry.load_registry().codes():
        assert (ROOT / "tests" / "rule_cases" / f"{code}.yaml").exists(), code


def test_explain_lists_the_codes_of_the_year_asked_about():
    # how-to-fix hints send people to `explain CODE` for the valid codes, so it must list them
    assert "Header.SEX: 1, 2" in run("explain", "101", "--year", "2023-24").output
    out = run("explain", "101", "--year", "2025-26").output
    assert "Code lists (schemas/fields.yaml, 2025-26):" in out and "Header.SEX: F, M, U" in out


def test_explain_fits_an_80_column_terminal():
    from lac_validator.explain import explain_text

    for code in registry.load_registry().codes():
        text = explain_text(code, None, 80)
        # a long path or function name alone after its label cannot be broken; nothing else overflows
        assert not [line for line in text.splitlines() if len(line) > 80 and len(line.split()) > 2], code


def test_explain_keeps_list_items_apart_when_rewrapping():
    from lac_validator.explain import explain_text

    text = explain_text("104", None, 80)
    assert "\n    Flag a UASC row when either:\n    - DUC is non-blank" in text
