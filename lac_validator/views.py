"""Derived views shared by rules, computed once per run and reused.

Each view is a function of the context (and a table name); `@shared` memoises it in
`ctx.cache`, so however many rules ask for "episodes in order", the sort happens once.
Views return frames indexed by the source table's row labels, so rules can flag rows
directly from them.
"""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from .context import Context
from .dates import age_at, parse_lenient


def shared(func):
    @functools.wraps(func)
    def wrapper(ctx: Context, *args):
        key = (func.__name__, args)
        if key not in ctx.cache:
            ctx.cache[key] = func(ctx, *args)
        return ctx.cache[key]
    return wrapper


# ---------------------------------------------------------------- episodes in order

@shared
def ordered(ctx: Context, name: str = "Episodes") -> pd.DataFrame:
    """Rows ordered by CHILD, then DECOM (no date last), ties in file order.

    Adds `_pos` (0-based position within the child) and `_count` (rows of that child).
    Rows with a blank CHILD are kept but never belong to a child (their `_pos` is 0).
    """
    t = ctx.table(name)
    order = t.assign(_nodate=t["DECOM"].isna() if "DECOM" in t else False, _file=np.arange(len(t)))
    date_col = "DECOM" if "DECOM" in t else None
    keys = ["CHILD", "_nodate"] + ([date_col] if date_col else []) + ["_file"]
    order = order.sort_values(keys, kind="mergesort", na_position="last")
    child = order["CHILD"]
    same = child.eq(child.shift()) & child.notna()
    grp = (~same).cumsum()
    order["_pos"] = order.groupby(grp).cumcount()
    order["_count"] = order.groupby(grp)["_pos"].transform("size")
    order.loc[child.isna(), ["_pos", "_count"]] = [0, 1]
    return order.drop(columns=["_nodate", "_file"])


@shared
def neighbour(ctx: Context, name: str = "Episodes", offset: int = 1) -> pd.DataFrame:
    """For each row of `ordered`, the values of the child's next (offset=1) or previous
    (offset=-1) row; all-missing where there is none. Index = the row's own label, so
    `ordered(...)` and `neighbour(...)` align. Column `_row` holds the neighbour's label."""
    o = ordered(ctx, name)
    shifted = o.shift(-offset)
    shifted["_row"] = pd.Series(o.index, index=o.index).shift(-offset)
    same = o["CHILD"].eq(shifted["CHILD"]) & o["CHILD"].notna()
    return shifted.where(same, other=np.nan) if len(o) else shifted


@shared
def first_episode(ctx: Context, name: str = "Episodes") -> pd.DataFrame:
    """Each child's row with the earliest DECOM date (rows without a date ignored; ties: first
    in file order). Index = row labels."""
    o = ordered(ctx, name)
    dated = o[o["DECOM"].notna() & o["CHILD"].notna()]
    return dated[~dated["CHILD"].duplicated(keep="first")]


@shared
def last_episode(ctx: Context, name: str = "Episodes") -> pd.DataFrame:
    """Each child's row with the latest DECOM date (rows without a date ignored; ties: first in
    file order). Index = row labels."""
    t = ctx.table(name)
    dated = t[t["DECOM"].notna() & t["CHILD"].notna()]
    latest = dated.groupby("CHILD")["DECOM"].transform("max")
    cand = dated[dated["DECOM"].eq(latest)]
    return cand[~cand["CHILD"].duplicated(keep="first")]


# ---------------------------------------------------------------- child-level facts

@shared
def dob_by_child(ctx: Context, name: str = "Header") -> pd.Series:
    """Header DOB per CHILD (first Header row of the child), indexed by CHILD."""
    h = ctx.table(name)
    h = h[h["CHILD"].notna()]
    h = h[~h["CHILD"].duplicated(keep="first")]
    return pd.Series(h["DOB"].to_numpy(), index=h["CHILD"].to_numpy(), name="DOB")


def age_on(dob: pd.Series, when) -> pd.Series:
    """Whole years of age on a date (see dates.age_at)."""
    return age_at(dob, when)


@shared
def lenient_dates(ctx: Context, name: str, column: str) -> pd.Series:
    """A column read with the general day-first date reading (only for rules whose spec says so)."""
    return parse_lenient(ctx.raw(name)[column])


@shared
def numbers(ctx: Context, name: str, column: str) -> pd.Series:
    """A column read as numbers: surrounding spaces, sign, leading zeros, decimals and exponents
    accepted; anything else is NaN."""
    raw = ctx.raw(name)[column]
    return pd.to_numeric(raw.str.strip(), errors="coerce")


@shared
def uasc_children(ctx: Context, name: str = "Header") -> frozenset:
    """Children whose Header UASC indicator is '1' (XML element, or derived from the UASC table)."""
    h = ctx.raw(name)
    if "UASC" not in h:
        return frozenset()
    return frozenset(h.loc[h["UASC"].eq("1"), "CHILD"].dropna())


@shared
def episodes_in_year(ctx: Context, name: str = "Episodes") -> pd.DataFrame:
    """Episodes open at some time in the collection year: DECOM <= end and (DEC >= start or no DEC)."""
    t = ctx.table(name)
    mask = (t["DECOM"] <= ctx.collection_end) & ((t["DEC"] >= ctx.collection_start) | t["DEC"].isna())
    return t[mask]


@shared
def continuously_looked_after(ctx: Context) -> frozenset:
    """Children looked after continuously for at least 12 months at 31 March (the OC2 cohort).

    True when the child has an episode during the year and none of its episodes (a) starts
    the period of care (RNE S) after collection_start, (b) ends with REC other than X1 inside
    the year, or (c) is a V3/V4 short break during the year.
    """
    if not ctx.has("Episodes"):
        return frozenset()
    t = ctx.table("Episodes")
    start, end = ctx.collection_start, ctx.collection_end
    during = (t["DECOM"] <= end) & ((t["DEC"] >= start) | t["DEC"].isna())
    new_start = t["RNE"].eq("S") & (t["DECOM"] > start) & (t["DECOM"] <= end)
    left = t["REC"].ne("X1") & t["REC"].notna() & (t["DEC"] >= start) & (t["DEC"] < end)
    # A blank REC is not X1: spec (b) says "REC not X1"
    left = left | (t["REC"].isna() & (t["DEC"] >= start) & (t["DEC"] < end))
    short_break = t["LS"].isin(["V3", "V4"]) & during
    children_during = set(t.loc[during, "CHILD"].dropna())
    excluded = set(t.loc[new_start | left | short_break, "CHILD"].dropna())
    return frozenset(children_during - excluded)


# ---- views added by part5

def pair_by_child(left: pd.DataFrame, right: pd.DataFrame, lsuffix: str = "", rsuffix: str = "_r") -> pd.DataFrame:
    """Every (left row, right row) pair with the same non-blank CHILD (a blank CHILD is not a
    child and matches nothing). Columns of both frames (clashing names get the suffixes) plus
    `_l` / `_r`: the row labels of the left / right frame, to flag either side."""
    lf = left[left["CHILD"].notna()].assign(_l=lambda f: f.index)
    rf = right[right["CHILD"].notna()].assign(_r=lambda f: f.index)
    return lf.merge(rf, on="CHILD", how="inner", suffixes=(lsuffix, rsuffix))
