"""The engine's plumbing: spec `needs`, shared views, and what the report records about a run."""
from __future__ import annotations

import pandas as pd
import pytest

from lac_validator import registry
from lac_validator.context import Context
from lac_validator.engine import run_rules, why_not_run
from lac_validator.registry import RuleVersion
from lac_validator.report import build_report
from lac_validator.views import ordered, placement_geo, set_placement_geo, shared
from lac_validator.years import CollectionYear
from rule_cases import build_return

Y = CollectionYear.parse("2025-26")


def _ctx(previous: bool = False) -> Context:
    tables = {"Episodes": "CHILD,DECOM,PL_POST\n1,01/04/2025,SK1 1AA\n2,01/05/2025,\n"}
    return Context(year=Y, current=build_return("current", tables, Y),
                   previous=build_return("previous", tables, Y) if previous else None)


# ---------------------------------------------------------------- needs

def test_an_unknown_need_in_the_spec_is_refused_when_the_spec_is_loaded(monkeypatch):
    real = registry.load_package_yaml

    def with_a_typo(package, name, *args, **kwargs):
        entries = [dict(e) for e in real(package, name, *args, **kwargs)]
        entries[0]["needs"] = list(entries[0].get("needs") or []) + ["postcode"]  # "postcodes" misspelt
        return entries

    monkeypatch.setattr(registry, "load_package_yaml", with_a_typo)
    with pytest.raises(RuntimeError, match=r"unknown needs \['postcode'\]"):
        registry.load_registry.__wrapped__()


def test_a_rule_with_an_unknown_need_is_not_run():
    rule = RuleVersion(code="X1", years=("2025_26",), message="m", tables=("Episodes",), fields=(),
                       category="missing", needs=("postcode",), flags="", logic="", notes="",
                       func=lambda ctx: ctx.table("Episodes")["CHILD"].notna(), requires=("Episodes",))
    ctx = _ctx()
    assert "postcode" in why_not_run(rule, ctx)
    result = run_rules(ctx, [rule])
    assert result.findings == [] and result.not_run[0][0] == "X1"


def test_every_need_of_the_shipped_spec_is_known():
    assert {n for v in registry.load_registry().versions for n in v.needs} <= registry.NEEDS


# ---------------------------------------------------------------- shared views

def test_shared_views_are_one_cache_entry_however_the_arguments_are_written():
    calls = []

    @shared
    def rows_of(ctx, name: str = "Episodes", offset: int = 0):
        calls.append((name, offset))
        return len(ctx.table(name)) + offset

    ctx = _ctx()
    assert rows_of(ctx) == rows_of(ctx, "Episodes") == rows_of(ctx, name="Episodes") == rows_of(ctx, "Episodes", 0) == 2
    assert calls == [("Episodes", 0)]
    assert rows_of(ctx, offset=1) == 3 and calls[-1] == ("Episodes", 1)
    assert ordered(ctx) is ordered(ctx, "Episodes") is ordered(ctx, name="Episodes")


def test_derived_values_set_for_a_table_are_what_the_default_call_sees():
    ctx = _ctx()
    set_placement_geo(ctx, "Episodes", pd.DataFrame({"PL_LA": ["E08000007", None]}))
    assert placement_geo(ctx)["PL_LA"].tolist()[0] == "E08000007"


# ---------------------------------------------------------------- the report

def test_the_report_records_the_files_read(tmp_path):
    from lac_validator.api import validate

    for year, child in (("cur", "1"), ("prev", "2")):
        (tmp_path / year).mkdir()
        (tmp_path / year / "header.csv").write_text(f"CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n{child},M,01/01/2010,WBRI,,,\n")
    report = validate([tmp_path / "cur"], [tmp_path / "prev"], "2025-26", select=["101"])
    assert report.inputs == {"current": [str(tmp_path / "cur" / "header.csv")],
                             "previous": [str(tmp_path / "prev" / "header.csv")]}
    alone = validate([tmp_path / "cur" / "header.csv"], None, "2025-26", select=["101"])
    assert alone.inputs == {"current": [str(tmp_path / "cur" / "header.csv")], "previous": None}
    assert build_report(_ctx(previous=True), run_rules(_ctx(), [])).inputs == {"current": [], "previous": []}
