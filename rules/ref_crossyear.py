"""This year's first episode against last year's last, open episode, on the postcode-derived
placement values: 452, 453 (same RNE), 503G, 503H, 503J.

First episode = the child's earliest DECOM this year, last episode = latest DECOM last year (ties:
first in file; rows without a DECOM date ignored: views.first_episode / last_episode). Only the
first episode is flagged.
"""
import pandas as pd

from lac_validator.registry import rule
from lac_validator.toolkit import differs
from lac_validator.views import first_episode, last_episode, placement_geo, shared


@shared
def first_vs_last_placement(ctx) -> pd.DataFrame:
    """One row per child in both years: this year's first episode (index = its label) with its raw
    and derived values, and last year's last episode's values suffixed `_last`. Shared by the five
    rules of this module (the rules only read it)."""
    cur = first_episode(ctx, "Episodes")
    pre = last_episode(ctx, "Episodes_last")
    raw_cur = ctx.raw("Episodes").loc[cur.index, ["CHILD", "RNE"]]
    geo_cur = placement_geo(ctx, "Episodes").loc[cur.index]
    left = pd.concat([raw_cur, geo_cur], axis=1).assign(_row=cur.index)
    raw_pre = ctx.raw("Episodes_last").loc[pre.index, ["CHILD", "RNE", "DEC"]]
    geo_pre = placement_geo(ctx, "Episodes_last").loc[pre.index]
    right = pd.concat([raw_pre.rename(columns={"DEC": "DEC_RAW"}), geo_pre], axis=1)
    right["DEC_DATE"] = ctx.table("Episodes_last").loc[pre.index, "DEC"].to_numpy()
    right = right.add_suffix("_last").rename(columns={"CHILD_last": "CHILD"})
    pairs = left.merge(right, on="CHILD", how="inner")
    return pairs.set_index("_row")



def _distance_changed(cur: pd.Series, pre: pd.Series) -> pd.Series:
    # |cur - pre| >= 0.2 in double arithmetic on the rounded values (so 1.3 vs 1.1 is not flagged),
    # or a distance appears where last year had none.
    both = cur.notna() & pre.notna()
    diff = (cur.astype("float64") - pre.astype("float64")).abs()
    return (both & (diff >= 0.2)) | (pre.isna() & cur.notna())


def _same_rne(p: pd.DataFrame) -> pd.Series:
    return p["RNE"].notna() & p["RNE"].eq(p["RNE_last"])


@rule("452")
def placement_la_changed_same_rne(ctx):
    p = first_vs_last_placement(ctx)
    return p.index[_same_rne(p) & p["DEC_RAW_last"].isna() & differs(p["PL_LA"], p["PL_LA_last"])]


@rule("453")
def distance_changed_same_rne(ctx):
    # Divergence (rules/divergences.md): a distance last year and none this year is a contradiction
    # too; the older tool tested the opposite case twice and so never reported this one.
    p = first_vs_last_placement(ctx)
    cur, pre = p["PL_DISTANCE"], p["PL_DISTANCE_last"]
    changed = _distance_changed(cur, pre) | (cur.isna() & pre.notna())
    return p.index[_same_rne(p) & p["DEC_DATE_last"].isna() & changed]


@rule("503G")
def distance_changed(ctx):
    p = first_vs_last_placement(ctx)
    return p.index[p["DEC_DATE_last"].isna() & _distance_changed(p["PL_DISTANCE"], p["PL_DISTANCE_last"])]


@rule("503H")
def placement_la_changed(ctx):
    p = first_vs_last_placement(ctx)
    return p.index[p["DEC_DATE_last"].isna() & differs(p["PL_LA"], p["PL_LA_last"])]


@rule("503J")
def placement_location_changed(ctx):
    p = first_vs_last_placement(ctx)
    return p.index[p["DEC_DATE_last"].isna() & differs(p["PL_LOCATION"], p["PL_LOCATION_last"])]


