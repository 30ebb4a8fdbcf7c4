"""Oracles: checks whose right answer is known without knowing each rule.

- A return generated with no deliberate errors (lac_validator.devtools.synth, error rate 0) is valid: every
  rule of every year finds nothing in it.
- The order of rows within a table is not data: shuffling it changes no error (compared by key).
- The same return as CSV files and as DfE XML (lac_validator.convert) gives the same errors.

Every return goes through the production path: files written, read by `api.validate`.
"""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from lac_validator.api import validate
from lac_validator.convert import convert
from lac_validator.loading import load_return
from lac_validator.devtools.synth import generate, write_providers, write_return
from lac_validator.years import CollectionYear, specified_keys

LA = "E08000007"
# XML holds one HEADER per child, so the CSV tables' own copies of SEX and DOB (checked by these
# rules against Header) cannot disagree with it in XML (see tests/test_xml.py).
HEADER_COPY_CHECKS = {"INT11", "INT12", "INT13", "INT14", "INT15", "INT16", "INT17", "INT18", "INT21"}


def _validate(folder, cur, prev, year: str, providers=None):
    write_return(cur, folder / "current")
    write_return(prev, folder / "previous")
    providers = providers or write_providers([cur, prev], folder / "providers.xlsx")
    return validate([folder / "current"], [folder / "previous"], year, LA, [str(providers)])


def _keys(report, leave_out=frozenset()) -> Counter:
    assert not report.result.internal_errors, report.result.internal_errors
    return Counter(k for r, k in report.records[["rule", "key"]].itertuples(index=False, name=None)
                   if r not in leave_out)


@pytest.mark.parametrize("year", specified_keys())
def test_a_return_generated_without_errors_has_none(year, tmp_path):
    # Seed 903 once gave 361 (a 4-day police protection), 624 (a care leaver's blank MC_DOB), 1001
    # (too little care visible) and 197B (17th birthday on 1 April): see rules/divergences.md and synth.
    cur, prev = generate(300, year, seed=903, error_rate=0.0, la_ons=LA)
    report = _validate(tmp_path, cur, prev, year)
    assert report.result.rules_run
    errors = report.records.groupby("rule").size().to_dict() if len(report.records) else {}
    assert errors == {}


def _shuffled(tables: dict, rng: np.random.Generator) -> dict:
    return {name: df.iloc[rng.permutation(len(df))].reset_index(drop=True) for name, df in tables.items()}


def test_the_order_of_rows_changes_no_error(tmp_path):
    year = "2025_26"
    cur, prev = generate(150, year, seed=41, error_rate=0.3, la_ons=LA)
    first = _validate(tmp_path / "as_generated", cur, prev, year)
    rng = np.random.default_rng(41)
    providers = tmp_path / "as_generated" / "providers.xlsx"
    again = _validate(tmp_path / "shuffled", _shuffled(cur, rng), _shuffled(prev, rng), year, providers)
    assert len(first.records) > 50  # the deliberate errors are there to be moved
    assert _keys(again) == _keys(first)


def test_the_same_return_as_csv_and_as_xml_gives_the_same_errors(tmp_path):
    year = "2023_24"
    cur, prev = generate(150, year, seed=42, error_rate=0.3, la_ons=LA)
    as_csv = _validate(tmp_path, cur, prev, year)
    for label in ("current", "previous"):
        ret = load_return([tmp_path / label], CollectionYear.from_key(year), label, upper=False)
        convert(ret, "xml", tmp_path / f"{label}.xml")
    as_xml = validate([tmp_path / "current.xml"], [tmp_path / "previous.xml"], year, LA,
                      [str(tmp_path / "providers.xlsx")])
    assert len(as_csv.records) > 50
    assert "105" in {r.code for r in as_xml.result.rules_run}
    assert _keys(as_xml, HEADER_COPY_CHECKS) == _keys(as_csv, HEADER_COPY_CHECKS)
