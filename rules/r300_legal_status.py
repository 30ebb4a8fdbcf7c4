"""Legal status checks: time limits on L1/L2/L3/J2, short breaks V3/V4 (rules 361-367, 378,
382, 384)."""
from __future__ import annotations

import pandas as pd

from lac_validator.registry import rule
from lac_validator.toolkit import by_child
from lac_validator.views import neighbour, ordered

TEMPORARY = ["T0", "T1", "T2", "T3", "T4"]
RESPITE = ["V3", "V4"]


def _span_runs(ctx, ls: str, limit_days: int):
    """Rules 361/362: runs of contiguous `ls` episodes (each starting the day the previous one
    ended, consecutive in the child's DECOM order); flag every episode of a run whose span
    (latest DEC, open = collection_end, minus earliest DECOM) exceeds the limit."""
    o = ordered(ctx, "Episodes")
    prev = neighbour(ctx, "Episodes", -1)
    end = ctx.collection_end
    dec = o["DEC"].fillna(end)
    prev_dec = prev["DEC"].fillna(end)
    # Divergence (rules/divergences.md): an episode joins the previous run only when the
    # episode right before it is itself `ls` and ended on its DECOM.
    joins = prev["LS"].eq(ls) & prev_dec.eq(o["DECOM"]) & prev["_row"].notna()
    sel = o["LS"].eq(ls)
    runs = pd.DataFrame({"decom": o["DECOM"], "dec": dec, "new": ~joins})[sel]
    if runs.empty:
        return []
    runs["grp"] = runs["new"].cumsum()
    g = runs.groupby("grp")
    span = (g["dec"].transform("max") - g["decom"].transform("min")).dt.days
    return runs.index[(span > limit_days).to_numpy()]


@rule("361")
def police_protection_over_72h(ctx):
    return _span_runs(ctx, "L1", 3)


@rule("362")
def epo_over_21_days(ctx):
    return _span_runs(ctx, "L2", 21)


def _summed_periods(ctx, ls: str, limit_days: int):
    """Rules 363/364: consecutive `ls` rows of a child whose summed durations exceed the limit."""
    e = ctx.table("Episodes")
    raw_dec = ctx.raw("Episodes")["DEC"]
    t = e[e["LS"].eq(ls) & e["DECOM"].notna()]
    dec = t["DEC"].where(raw_dec.loc[t.index].notna(), ctx.collection_end)
    t = t.assign(_dec=dec)
    # Divergence: rows are taken in each child's DECOM order (the reference meant to sort
    # but its sort had no effect, leaving file order).
    t = by_child(t, ["DECOM"])
    if t.empty:
        return []
    prev_child = t["CHILD"].shift(1)
    prev_dec = t["_dec"].shift(1)
    new = prev_child.isna() | t["CHILD"].isna() | t["CHILD"].ne(prev_child) | (t["DECOM"] > prev_dec)
    grp = new.cumsum()
    duration = (t["_dec"] - t["DECOM"]).dt.days
    total = duration.groupby(grp).transform("sum")
    return t.index[(total > limit_days).to_numpy()]


@rule("363")
def cao_over_7_days(ctx):
    return _summed_periods(ctx, "L3", 7)


@rule("364")
def j2_over_21_days(ctx):
    return _summed_periods(ctx, "J2", 21)


@rule("365")
def respite_over_17_days(ctx):
    e = ctx.table("Episodes")
    raw_dec = ctx.raw("Episodes")["DEC"]
    dec = e["DEC"].where(raw_dec.notna(), ctx.collection_end)
    return e["LS"].eq("V3") & (dec > e["DECOM"] + pd.Timedelta(days=17))


@rule("366")
def respite_not_new_period(ctx):
    e = ctx.raw("Episodes")
    return e["LS"].eq("V3") & e["RNE"].ne("S")


@rule("367")
def respite_over_75_days(ctx):
    e = ctx.table("Episodes")
    raw = ctx.raw("Episodes")
    t = e[e["LS"].eq("V3") & raw["DECOM"].notna()]
    start, end = ctx.collection_start, ctx.collection_end
    raw_dec = raw.loc[t.index, "DEC"]
    dec = t["DEC"].where(~(raw_dec.isna() | (t["DEC"] > end)), end)
    decom = t["DECOM"].where(~(t["DECOM"] < start), start)
    duration = (dec - decom).dt.days
    kept = t[(duration > 0).to_numpy()].assign(_d=duration[duration > 0])
    kept = kept[kept["CHILD"].notna()]
    total = kept.groupby("CHILD")["_d"].transform("sum")
    return kept.index[(total > 75).to_numpy()]


@rule("378")
def placed_with_parents_v2(ctx):
    e = ctx.raw("Episodes")
    return e["PLACE"].eq("P1") & e["LS"].eq("V2")


@rule("382")
def respite_in_temporary(ctx):
    e = ctx.raw("Episodes")
    return e["LS"].isin(RESPITE) & e["PLACE"].isin(TEMPORARY)


@rule("384")
def respite_long_term_foster(ctx):
    e = ctx.raw("Episodes")
    return e["LS"].isin(RESPITE) & e["PLACE"].isin(["U1", "U4"])
