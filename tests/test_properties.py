"""Property-based: random but schema-shaped returns through every rule of every year.

No rule may raise, the run always completes, and every error record points at a real row.
"""
from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lac_validator.context import Context
from lac_validator.engine import run_rules, select_rules
from lac_validator.loader import _derive_uasc
from lac_validator.report import build_records
from lac_validator.schema import load_schema
from lac_validator.tables import Return, table_from_records
from lac_validator.years import SUPPORTED, CollectionYear

CHILDREN = ["1", "2", "3", "", " 1", "A10"]
JUNK = ["", " ", "X", "NA", "0", "1", "99", "??", "=1+1", "2025-04-01", "31/06/2025", "01/01/9999", "1/1/25",
        "00/00/0000", "SW", "XX12", "E11", "PN1"]


def _value(field, year_key):
    choices = [st.sampled_from(JUNK)]
    if field.codes:
        choices.append(st.sampled_from([c.code for c in field.codes if year_key in c.years] or [""]))
    if field.is_date:
        choices.append(st.dates(min_value=pd.Timestamp(1995, 1, 1).date(), max_value=pd.Timestamp(2028, 12, 31).date())
                       .map(lambda d: d.strftime("%d/%m/%Y")))
    return st.one_of(*choices)


@st.composite
def returns(draw, year_key):
    schema = load_schema()
    year = CollectionYear.from_key(year_key)
    tables = {}
    for spec in schema.tables_for(year):
        if draw(st.booleans()) and draw(st.booleans()) is False:
            continue  # about a quarter of the tables are absent
        n = draw(st.integers(min_value=0, max_value=5))
        rows = []
        for _ in range(n):
            row = {}
            for col in spec.csv_columns:
                row[col] = draw(st.sampled_from(CHILDREN)) if col == "CHILD" else draw(_value(spec.fields[col], year_key))
            rows.append(row)
        tables[spec.name] = rows
    return tables


def _ret(label, tables):
    ret = Return(label)
    for name, rows in tables.items():
        ret.tables[name] = table_from_records(name, rows)
    if "Header" in ret.tables:
        _derive_uasc(ret)
    return ret


def _check(year_key, current, previous):
    year = CollectionYear.from_key(year_key)
    ctx = Context(year=year, current=_ret("current", current), previous=_ret("previous", previous) if previous is not None else None)
    result = run_rules(ctx, select_rules(year))
    assert not result.internal_errors, result.internal_errors
    recs = build_records(ctx, result)
    for r in recs.itertuples(index=False):
        table = ctx.source(r.table + ("_last" if r.year == "previous" else ""))
        assert 0 <= r.row < len(table)
        expected = table.raw.at[r.row, "CHILD"]
        assert (pd.isna(r.child) and pd.isna(expected)) or r.child == expected


def _make_test(year_key):
    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=st.data())
    def test(data):
        current = data.draw(returns(year_key))
        previous = data.draw(st.one_of(st.none(), returns(year_key)))
        _check(year_key, current, previous)
    return test


for _key in SUPPORTED:
    globals()[f"test_random_returns_never_break_a_rule_{_key}"] = _make_test(_key)
