"""This year's first episode against last year's episodes (rules 502, 503A-503F, 562).

Children are paired by exact CHILD text; rows with a blank CHILD belong to no child. A child with
no dated episode in a table is left out of that table's first/last pick (the reference raised an
error and reported nothing for the whole rule then; see rules/divergences.md).
"""
import pandas as pd

from lac_validator.registry import rule
from lac_validator.toolkit import differs, true
from lac_validator.views import first_episode, last_episode, ordered, shared


@shared
def first_vs_last_year(ctx) -> pd.DataFrame:
    """This year's first episode of each child paired with last year's last episode (rules 503*).

    One row per child present in both: index = label of this year's first episode (earliest
    DECOM, see `first_episode`); the this-year columns as they are, last year's columns with the
    suffix `_last` (typed) and `_row_last` (its label in Episodes_last). Children without a dated
    episode in either table are left out.
    """
    first = first_episode(ctx, "Episodes")
    last = last_episode(ctx, "Episodes_last")
    right = last.add_suffix("_last").assign(_row_last=last.index)
    paired = first.assign(_row=first.index).merge(right, left_on="CHILD", right_on="CHILD_last", how="inner")
    return paired.set_index("_row", drop=True).rename_axis(None)


@rule("502")
def first_start_matches_open_episode(ctx):
    first = first_episode(ctx, "Episodes")
    last = ctx.table("Episodes_last")
    open_last = last.loc[ctx.raw("Episodes_last")["DEC"].isna() & last["CHILD"].notna(), ["CHILD", "DECOM"]]
    pairs = (first[["CHILD", "DECOM"]].assign(_row=first.index)
             .merge(open_last, on="CHILD", suffixes=("", "_last")))
    same = true(pairs["DECOM"] == pairs["DECOM_last"])
    return pairs.loc[~same.to_numpy(), "_row"]


def _first_differs_from_open_last(ctx, field: str, exempt: frozenset = frozenset()) -> pd.Index:
    p = first_vs_last_year(ctx)
    is_open = p["DEC_last"].isna()
    changed = differs(p[field], p[field + "_last"])
    if exempt:
        pair = pd.Series(list(zip(p[field + "_last"].to_numpy(dtype=object), p[field].to_numpy(dtype=object))),
                         index=p.index, dtype=object)
        changed &= ~pair.isin(exempt)
    return p.index[(is_open & changed).to_numpy()]


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
    before = o[true(o["DECOM"] < ctx.collection_start) & o["CHILD"].notna()]
    first = before[~before["CHILD"].duplicated(keep="first")]
    last = last_episode(ctx, "Episodes_last")
    pairs = (first[["CHILD", "DECOM"]].assign(_row=first.index)
             .merge(last[["CHILD", "DECOM"]], on="CHILD", how="left", suffixes=("", "_last")))
    same = true(pairs["DECOM"] == pairs["DECOM_last"])
    return pairs.loc[~same.to_numpy(), "_row"]
