"""This year's first episode against last year's episodes (rules 502, 503A-503F, 562).

Children are paired by exact CHILD text; rows with a blank CHILD belong to no child. A child with
no dated episode in a table is left out of that table's first/last pick (the reference raised an
error and reported nothing for the whole rule then; see rules/divergences.md).
"""
import pandas as pd

from lac_validator.registry import rule
from lac_validator.views import first_episode, first_vs_last_year, last_episode, ordered


def _differ(a: pd.Series, b: pd.Series) -> pd.Series:
    """Text comparison where blank equals blank and blank differs from any value."""
    a = a.astype(object)
    b = b.astype(object)
    same = (a == b).fillna(False).astype(bool) | (a.isna() & b.isna())
    return ~same


@rule("502")
def first_start_matches_open_episode(ctx):
    first = first_episode(ctx, "Episodes")
    last = ctx.table("Episodes_last")
    open_last = last.loc[ctx.raw("Episodes_last")["DEC"].isna() & last["CHILD"].notna(), ["CHILD", "DECOM"]]
    pairs = (first[["CHILD", "DECOM"]].assign(_row=first.index)
             .merge(open_last, on="CHILD", suffixes=("", "_last")))
    same = (pairs["DECOM"] == pairs["DECOM_last"]).fillna(False).astype(bool)
    return pairs.loc[~same.to_numpy(), "_row"]


def _first_differs_from_open_last(ctx, field: str, exempt: frozenset = frozenset()) -> pd.Index:
    p = first_vs_last_year(ctx)
    is_open = p["DEC_last"].isna()
    differs = _differ(p[field], p[field + "_last"])
    if exempt:
        pair = pd.Series(list(zip(p[field + "_last"].to_numpy(dtype=object), p[field].to_numpy(dtype=object))),
                         index=p.index, dtype=object)
        differs &= ~pair.isin(exempt)
    return p.index[(is_open & differs).to_numpy()]


@rule("503A")
def rne_matches_open_episode(ctx):
    return _first_differs_from_open_last(ctx, "RNE")


@rule("503B")
def ls_matches_open_episode(ctx):
    return _first_differs_from_open_last(ctx, "LS")


@rule("503C")
def cin_matches_open_episode(ctx):
    return _first_differs_from_open_last(ctx, "CIN")


@rule("503D")
def place_matches_open_episode(ctx, recoded: dict):
    """`recoded`: per collection year (spec params), the [last year's PLACE, this year's PLACE] pairs
    accepted because the DfE recoded the placement that year; a year not listed accepts none."""
    pairs = frozenset(tuple(p) for p in recoded.get(ctx.rules_year.key, []))
    return _first_differs_from_open_last(ctx, "PLACE", pairs)


@rule("503E")
def provider_matches_open_episode(ctx):
    return _first_differs_from_open_last(ctx, "PLACE_PROVIDER")


@rule("503F")
def urn_matches_open_episode(ctx):
    return _first_differs_from_open_last(ctx, "URN")


@rule("562")
def earlier_start_continues_last_year(ctx):
    o = ordered(ctx, "Episodes")
    before = o[(o["DECOM"] < ctx.collection_start).fillna(False).astype(bool) & o["CHILD"].notna()]
    first = before[~before["CHILD"].duplicated(keep="first")]
    last = last_episode(ctx, "Episodes_last")
    pairs = (first[["CHILD", "DECOM"]].assign(_row=first.index)
             .merge(last[["CHILD", "DECOM"]], on="CHILD", how="left", suffixes=("", "_last")))
    same = (pairs["DECOM"] == pairs["DECOM_last"]).fillna(False).astype(bool)
    return pairs.loc[~same.to_numpy(), "_row"]
