"""docs/new-year.md, proven: a hypothetical 2027-28 is added from data alone (a copy of the rule
specification and the schema, pointed at with LAC_VALIDATOR_SPEC_DIR) and a return is validated
against it. No Python file changes: one code list changed (ETHNIC: REFU retired, WNEW added), one
message changed (rule 103: a new version), one new rule implemented by an existing function with
parameters (9001, by the function of 370-374), one rule deleted (1009: its range closed).
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lac_validator import registry
from lac_validator.api import validate
from lac_validator.specfile import load_yaml_text
from lac_validator.years import CollectionYear
from tests.conftest import clear_year_caches

ROOT = Path(__file__).resolve().parent.parent
NEW_MESSAGE = "Ethnicity code is missing or not one of the 2027-28 codes."


def _load(path: Path):
    return load_yaml_text(path.read_text(encoding="utf-8"))


def _dump(path: Path, data) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")


def _entries(folder: Path):
    return {p: _load(p) for p in sorted((folder / "spec").glob("*.yaml"))}


def _add_2027_28(folder: Path) -> None:
    """The edits docs/new-year.md describes, made to the data only."""
    fields = _load(folder / "fields.yaml")
    fields["collection_years"].append("2027_28")                      # the year itself
    ethnic = fields["tables"]["Header"]["fields"]["ETHNIC"]["codes"]   # a changed code list
    for c in ethnic:
        if c["code"] == "REFU":
            c["years"] = "2022_23 to 2026_27"                          # retired code: close its range
    ethnic.append({"code": "WNEW", "meaning": "A new code", "years": "from 2027_28"})  # new code
    _dump(folder / "fields.yaml", fields)

    parts = _entries(folder)
    first = next(iter(parts))
    for path, entries in parts.items():
        added = []
        for e in entries:
            if e["code"] == "103" and e["years"] == "from 2022_23":    # changed message: a new version
                e["years"] = "2022_23 to 2026_27"
                added.append({**e, "years": "from 2027_28", "message": NEW_MESSAGE,
                              "notes": "Change from 2026_27: the message."})
            if e["code"] == "1009" and e["years"].startswith("from "):  # deleted rule: close its range
                e["years"] = e["years"][len("from "):] + " to 2026_27"
        entries.extend(added)
        if path == first:                                               # new rule, existing function
            entries.append({
                "code": "9001", "years": "from 2027_28",
                "message": "Child placed in a K1 home is under 12 at the start of the episode.",
                "tables": ["Episodes", "Header"], "fields": ["PLACE", "DECOM", "DOB"],
                "category": "consistency", "needs": [], "implemented_by": "370",
                "params": {"place": "K1", "min_age": 12},
                "flags": "Episodes: K1 episodes starting before the child's 12th birthday.",
                "logic": "As 370, for PLACE K1 and age 12.", "notes": "",
            })
        _dump(path, entries)


def _return(tmp_path: Path) -> Path:
    cur = tmp_path / "current"
    cur.mkdir()
    (cur / "header.csv").write_text(
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
        "1,M,01/01/2012,REFU,,,\n"      # retired from 2027-28
        "2,F,01/01/2018,WNEW,,,\n"      # new in 2027-28
        "3,M,01/01/2010,WBRI,,,\n")
    (cur / "episodes.csv").write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
        "1,01/05/2027,S,C2,N1,U1,PR1,,,,,,\n"
        "2,01/06/2027,S,C2,N1,K1,PR1,,,NOPE,,,\n"     # under 12 in K1 (9001); bad reason code (1009)
        "3,01/06/2027,S,C2,N1,K1,PR1,,,,,,\n")
    return cur


def _errors(report) -> set[tuple[str, str, str]]:
    return set(zip(report.records["rule"], report.records["child"], report.records["message"]))


def test_a_new_year_from_data_alone(year_data, tmp_path):
    _add_2027_28(year_data)
    clear_year_caches()
    cur = _return(tmp_path)
    year = CollectionYear.parse("2027-28")
    assert not year.provisional  # 2027-28 is now a specified year

    codes = {v.code for v in registry.load_registry().for_year(year)}
    assert "9001" in codes and "1009" not in codes  # the new rule, and the deleted one
    report = validate([cur], year=year, select=["103", "1", "9001"])
    assert not any("validated with the" in a for a in report.alerts)
    ran = {r.code for r in report.result.rules_run}
    assert {"103", "9001"} <= ran and "1009" not in ran
    mine = {e for e in _errors(report) if e[0] in ("103", "1009", "9001")}
    assert mine == {
        ("103", "1", NEW_MESSAGE),  # REFU retired, new message; WNEW accepted
        ("9001", "2", "Child placed in a K1 home is under 12 at the start of the episode."),
    }

    # 2026-27 is untouched by the new year's data
    assert "9001" not in {v.code for v in registry.load_registry().for_year(CollectionYear.parse("2026-27"))}
    old = validate([cur], year="2026-27", select=["103", "1009"])
    assert {r.code for r in old.result.rules_run} == {"103", "1009"}
    assert {(rule, child) for rule, child, _ in _errors(old)} == {("103", "2"), ("1009", "2")}


def test_the_shipped_data_has_no_2027_28_yet(year_data, tmp_path):
    """Without the edits the same copy validates 2027-28 provisionally, with the 2026-27 rules."""
    report = validate([_return(tmp_path)], year="2027-28", select=["103", "1009"])
    assert report.alerts[0].startswith("2027-28 validated with the 2026-27 rules")
    assert {r.code for r in report.result.rules_run} == {"103", "1009"}


@pytest.mark.parametrize("change,expected", [
    ({"years": "from 2026_27", "params": {"place": "K1"}}, "params .* do not match"),      # min_age missing
    ({"years": "from 2027_28", "params": {"place": "K1", "min_age": 1}}, "specified collection year"),
    ({"years": "from 2026_27", "params": {}, "implemented_by": "9999"}, "no function registered"),
])
def test_a_data_mistake_is_reported_when_the_data_loads(year_data, change, expected):
    parts = _entries(year_data)
    path, entries = next(iter(parts.items()))
    entries.append({**entries[-1], "code": "9002", "implemented_by": "370", **change})
    _dump(path, entries)
    clear_year_caches()
    with pytest.raises(RuntimeError, match=expected):
        registry.load_registry()
