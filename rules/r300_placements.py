"""Placement checks: temporary placements and their length (rules 375-377, 379-381, 383)."""
from __future__ import annotations

import pandas as pd

from lac_validator.registry import rule
from lac_validator.toolkit import by_child
from lac_validator.views import lenient_dates

TEMPORARY = ["T0", "T1", "T2", "T3", "T4"]


def _too_long(place: str, days: int):
    def check(ctx):
        # Divergence (rules/divergences.md): the child need not have a Header row with a
        # valid DOB, which the test does not use; Header is not required.
        e = ctx.table("Episodes")
        return e["PLACE"].eq(place) & (e["DEC"] > e["DECOM"] + pd.Timedelta(days=days))
    check.__name__ = f"{place.lower()}_over_{days}_days"
    return check


rule("375", requires=["Episodes"])(_too_long("T1", 42))
rule("376", requires=["Episodes"])(_too_long("T3", 21))
rule("379", requires=["Episodes"])(_too_long("T4", 7))


@rule("377")
def more_than_two_t3(ctx):
    e = ctx.raw("Episodes")
    t3 = e[e["PLACE"].eq("T3") & e["CHILD"].notna()]
    count = t3.groupby("CHILD")["CHILD"].transform("size")
    return t3.index[(count > 2).to_numpy()]


@rule("380")
def starts_with_temporary(ctx):
    e = ctx.raw("Episodes")
    return e["PLACE"].isin(TEMPORARY) & ~e["RNE"].isin(["P", "B"])


@rule("381")
def ends_with_temporary(ctx):
    e = ctx.raw("Episodes")
    return e["PLACE"].isin(TEMPORARY) & e["REC"].notna() & e["REC"].ne("X1")


def _after_temporary(ctx, postcode: bool):
    e = ctx.raw("Episodes")
    decom = lenient_dates(ctx, "Episodes", "DECOM")
    t = by_child(e.assign(_d=decom), ["_d"])  # undated rows last
    m = t.shift(1)
    b = t.shift(2)
    same = t["CHILD"].eq(m["CHILD"]) & t["CHILD"].eq(b["CHILD"])

    def differs(col):  # blank never equals blank here
        return ~(t[col].eq(b[col]) & t[col].notna())

    bad = t["RNE"].ne("P") | differs("PLACE")
    if postcode:
        bad = bad | differs("PL_POST")
    hit = same & m["PLACE"].isin(TEMPORARY) & bad
    return t.index[hit.to_numpy()]


@rule("383")
def returns_to_placement(ctx, compare_postcode: bool):
    return _after_temporary(ctx, postcode=compare_postcode)
