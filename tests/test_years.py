"""Collection years as data: specified years, provisional years after them, year ranges, and no
collection-year literal left in the rules' code."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from lac_validator.cli import main
from lac_validator.registry import load_registry
from lac_validator.schema import load_schema
from lac_validator.specfile import load_yaml_text
from lac_validator.years import CollectionYear, YearError, parse_range, specified_keys

ROOT = Path(__file__).resolve().parent.parent
ALERT = "2027-28 validated with the 2026-27 rules: the DfE has not yet published 2027-28 changes to lac-validator"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_specified_years_come_from_fields_yaml():
    raw = load_yaml_text((ROOT / "schemas" / "fields.yaml").read_text(encoding="utf-8"))
    assert specified_keys() == tuple(raw["collection_years"]) == ("2022_23", "2023_24", "2024_25", "2025_26", "2026_27")


def test_the_year_after_the_latest_is_provisional_with_its_own_dates():
    y = CollectionYear.parse("2027-28", today=dt.date(2027, 4, 1))
    assert y.provisional and y.rules_year == CollectionYear.parse("2026-27")
    assert (y.start.date(), y.end.date()) == (dt.date(2027, 4, 1), dt.date(2028, 3, 31))
    assert y.provisional_alert == ALERT
    latest = CollectionYear.parse("2026-27")
    assert not latest.provisional and latest.provisional_alert is None
    # accepted before it starts too (data prepared early, tests), but not years later
    assert CollectionYear.parse("2027-28", today=dt.date(2026, 12, 6)).provisional
    with pytest.raises(YearError, match="has not started yet"):
        CollectionYear.parse("2029-30", today=dt.date(2027, 6, 1))
    assert CollectionYear.parse("2029-30", today=dt.date(2029, 6, 1)).rules_year.key == "2026_27"
    with pytest.raises(YearError, match="not supported"):
        CollectionYear.parse("2021-22")


def test_default_year_after_31_march_2027_is_the_provisional_year_in_progress():
    # Before: clamped to 2026-27, so a 2027-28 extract was silently validated as 2026-27.
    assert CollectionYear.in_progress(dt.date(2027, 3, 31)).key == "2026_27"
    y = CollectionYear.in_progress(dt.date(2027, 4, 1))
    assert y.key == "2027_28" and y.provisional
    assert CollectionYear.in_progress(dt.date(2028, 7, 1)).key == "2028_29"


def test_rule_set_code_lists_and_tables_of_a_provisional_year_are_the_latest_years():
    reg, schema = load_registry(), load_schema()
    y27, y26 = CollectionYear(2027), CollectionYear(2026)
    assert [id(v) for v in reg.for_year(y27)] == [id(v) for v in reg.for_year(y26)]
    assert schema.codes("Episodes", "PLACE", y27) == schema.codes("Episodes", "PLACE", y26)
    assert [t.name for t in schema.tables_for(y27)] == [t.name for t in schema.tables_for(y26)]


@pytest.mark.parametrize("text,first,last", [
    ("from 2024_25", "2024_25", None), ("2022_23 to 2023_24", "2022_23", "2023_24"), ("2023_24", "2023_24", "2023_24"),
])
def test_year_ranges(text, first, last):
    r = parse_range(text)
    assert (r.first, r.last) == (first, last) and r.text == text
    assert ("2030_31" in r) == (last is None)


@pytest.mark.parametrize("text", ["2024-25 onwards", "from 2024", "2023_24 to 2022_23", "2022_23 until 2023_24", ""])
def test_malformed_year_ranges(text):
    with pytest.raises(YearError):
        parse_range(text)


def test_year_ranges_in_the_data_are_open_ended_ranges_not_lists():
    """A new year adds nothing to a version or code still in force: their ranges are open-ended."""
    for part in sorted((ROOT / "rules" / "spec").glob("*.yaml")):
        for e in load_yaml_text(part.read_text(encoding="utf-8")):
            assert isinstance(e["years"], str), (part.name, e["code"])
            parse_range(e["years"])
    in_force = [v for v in load_registry().versions if v.span.last is None]
    assert len(in_force) == len(load_registry().for_year(CollectionYear(2026)))
    raw = (ROOT / "schemas" / "fields.yaml").read_text(encoding="utf-8")
    assert not re.search(r"(?<!\w)years: \[", raw)


LITERALS = re.compile(r"20\d\d[_-]\d\d(?!\d)|(?<!\d)202[2-7](?!\d)|\byears\s*=\s*\[")


def test_no_collection_year_literal_in_the_rules_code():
    """A year's differences live in data (spec params, fields.yaml), never in rules/*.py."""
    found = []
    for path in sorted((ROOT / "rules").glob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if LITERALS.search(line):
                found.append(f"{path.name}:{n}: {line.strip()}")
    assert not found, "\n".join(found)


def test_the_scan_would_catch_year_literals():
    for line in ['@rule("146", years=["2022_23"])', 'if ctx.year.first >= 2025:', 'X = {"2025_26": []}',
                 "pd.Timestamp(2023, 10, 29)"]:
        assert LITERALS.search(line), line
    assert not LITERALS.search('"1/5/2020" is "01/05/2020"')


# The rules that compare with a fixed calendar date (spec params): their meaning does not move with
# the collection year, so a provisional year's results can differ from the latest year's shifted.
FIXED_DATE_RULES = {"217", "217t", "230", "353", "445", "446", "634", "SW01aSTG1", "SW01bSTG1", "SW13STG1"}


def test_fixed_calendar_date_rules_are_the_listed_ones():
    assert {v.code for v in load_registry().versions if v.fixed_dates} == FIXED_DATE_RULES


def _tiny(tmp_path):
    cur = tmp_path / "current"
    cur.mkdir()
    (cur / "header.csv").write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n1,M,01/01/2012,WBRI,,,\n2,X,01/01/2013,WBRI,,,\n")
    (cur / "episodes.csv").write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
        "1,01/05/2027,S,C2,N1,U1,PR1,,,,,,\n2,01/06/2027,S,C2,N1,H5,PR1,,,,,,\n")
    return cur


def test_validate_a_provisional_year_says_so(tmp_path):
    cur = _tiny(tmp_path)
    out = tmp_path / "r.json"
    r = run("validate", cur, "--year", "2027-28", "--select", "101,146,501", "-f", "json", "-o", out)
    assert r.exit_code == 1, r.output
    doc = json.loads(out.read_text())
    assert doc["collection_year"] == "2027-28" and doc["rules_year"] == "2026-27" and doc["provisional"] is True
    assert (doc["collection_start"], doc["collection_end"]) == ("2027-04-01", "2028-03-31")
    assert doc["alerts"][0] == ALERT and ALERT in doc["warnings"]
    # 2026-27's lists: H5 was retired in 2025-26, SEX X is no code; nothing is "after the year end"
    assert sorted((e["rule"], e["child"]) for e in doc["errors"]) == [("101", "2"), ("146", "2")]
    r = run("validate", cur, "--year", "2026-27", "--select", "101,146", "-f", "json", "-o", tmp_path / "s.json")
    doc = json.loads((tmp_path / "s.json").read_text())
    assert doc["provisional"] is False and doc["rules_year"] == "2026-27" and doc["alerts"] == []


def test_default_year_is_provisional_after_31_march_2027(tmp_path, monkeypatch):
    import lac_validator.years as years

    real = years.CollectionYear._today_first
    monkeypatch.setattr(years.CollectionYear, "_today_first", staticmethod(lambda today=None: real(today or dt.date(2027, 4, 2))))
    out = tmp_path / "r.json"
    run("validate", _tiny(tmp_path), "--select", "101", "-f", "json", "-o", out)
    doc = json.loads(out.read_text())
    assert doc["collection_year"] == "2027-28" and doc["provisional"] is True and doc["alerts"][0] == ALERT


def test_every_command_accepts_a_provisional_year(tmp_path):
    cur = _tiny(tmp_path)
    r = run("rules", "--year", "2027-28")
    assert r.exit_code == 0 and "SSDA903 rules for 2027-28" in r.output and ALERT in r.output
    r = run("explain", "146", "--year", "2027-28")
    assert r.exit_code == 0 and ALERT in r.output and "Rule 146 (2025-26 onwards)" in r.output
    assert "The specification covers collection years 2022-23 to 2026-27" in r.output
    r = run("convert", cur, "--to", "csv", "-o", tmp_path / "conv", "--year", "2027-28")
    assert r.exit_code == 0, r.output
    r = run("profile", cur, "--year", "2027-28", "-o", tmp_path / "p.json")
    assert r.exit_code in (0, 1), r.output
    assert json.loads((tmp_path / "p.json").read_text())["collection_year"] == "2027-28"
    r = run("baseline", "create", cur, "--year", "2027-28", "-o", tmp_path / "b.yaml", "--who", "t",
            "--explanation", "test")
    assert r.exit_code in (0, 1), r.output
    region = tmp_path / "region" / "E08000007"
    region.mkdir(parents=True)
    shutil.copytree(cur, region / "current")
    r = run("validate-many", tmp_path / "region", "--year", "2027-28", "-o", tmp_path / "many", "--select", "101")
    assert r.exit_code in (0, 1), r.output
    doc = json.loads(next((tmp_path / "many").glob("*.json")).read_text())
    assert doc["provisional"] is True and doc["alerts"][0] == ALERT


def test_wrong_year_alert_names_the_rules_a_provisional_year_uses():
    """A 2026-27 return validated as 2027-28: both alerts, and the rules named are 2026-27's."""
    from lac_validator.api import validate

    report = validate([ROOT / "example_returns" / "2026-27" / "current"], year="2027-28", select=["101"])
    assert report.alerts[0] == ALERT
    assert "the data looks like 2026-27, not 2027-28" in report.alerts[1]
    assert report.alerts[1].endswith("the errors are against the 2026-27 rules.")
