"""Reason for placement change against the episodes around it (rules 225, 226, 233, 234)."""
import pandas as pd

from lac_validator.dates import add_years
from lac_validator.registry import rule
from lac_validator.toolkit import flag_pairs, pair_by_child, true
from lac_validator.views import lenient_dates, neighbour, ordered

TEMPORARY = ["T0", "T1", "T2", "T3", "T4"]



@rule("225")
def reason_missing(ctx):
    o = ordered(ctx, "Episodes")
    nxt = neighbour(ctx, "Episodes", 1)
    has_next = nxt["_row"].notna()
    return (has_next & true(o["REC"].eq("X1")) & o["REASON_PLACE_CHANGE"].isna() & ~o["PLACE"].isin(TEMPORARY)
            & nxt["RNE"].isin(["P", "B", "T", "U"]) & ~nxt["PLACE"].isin(TEMPORARY))


@rule("226")
def reason_for_temporary(ctx):
    o = ordered(ctx, "Episodes")
    prev = neighbour(ctx, "Episodes", -1)
    return o["PLACE"].isin(TEMPORARY) & (o["REASON_PLACE_CHANGE"].notna() | prev["REASON_PLACE_CHANGE"].notna())


@rule("233")
def reason_for_open_episode(ctx):
    e = ctx.raw("Episodes")
    return e["DEC"].isna() & e["REASON_PLACE_CHANGE"].notna()


@rule("234")
def custody_under_10(ctx):
    """The reason for placement change on an episode says why the child left that placement, so the age
    that matters is the age at the change: the episode's DEC, else the DECOM of the child's next episode
    (the DfE text's "previous episode" view), else (no later date known) its own DECOM. The older tool always used the episode's own DECOM, so
    a child who turned 10 during that placement was flagged (rules/divergences.md). Dates are read
    leniently, as the spec says for this rule."""
    e = ctx.raw("Episodes")
    decom = lenient_dates(ctx, "Episodes", "DECOM")
    dec = lenient_dates(ctx, "Episodes", "DEC") if "DEC" in e else pd.Series(pd.NaT, index=e.index)
    custod = e.index[true(e["REASON_PLACE_CHANGE"].eq("CUSTOD")).to_numpy()]
    left = pd.DataFrame({"CHILD": e.loc[custod, "CHILD"], "DECOM": decom[custod], "DEC": dec[custod],
                         "_erow": custod})
    # Next episode of the same child: the earliest DECOM after this one (a blank CHILD is no child).
    named = left[left["CHILD"].notna()]
    others = pd.DataFrame({"CHILD": e["CHILD"], "NEXT": decom}).dropna()
    later = named.merge(others, on="CHILD", how="inner")
    later = later[later["NEXT"] > later["DECOM"]]
    next_start = later.groupby("_erow")["NEXT"].min()
    change = left["DEC"].fillna(next_start.reindex(left["_erow"]).set_axis(left.index)).fillna(left["DECOM"])
    left = left.assign(CHANGE=change)
    h = ctx.raw("Header")
    p = pair_by_child(left, pd.DataFrame({"CHILD": h["CHILD"], "DOB": lenient_dates(ctx, "Header", "DOB")}))
    return flag_pairs(p, add_years(p["DOB"], 10) > p["CHANGE"], "Episodes", "Header")
