"""Reason for placement change against the episodes around it (rules 225, 226, 233, 234)."""
import pandas as pd

from lac_validator.dates import add_years
from lac_validator.registry import rule
from lac_validator.views import lenient_dates, neighbour, ordered

TEMPORARY = ["T0", "T1", "T2", "T3", "T4"]


def _flag(s: pd.Series) -> pd.Series:
    return s.fillna(False).astype(bool)


@rule("225")
def reason_missing(ctx):
    o = ordered(ctx, "Episodes")
    nxt = neighbour(ctx, "Episodes", 1)
    has_next = nxt["_row"].notna()
    return (has_next & _flag(o["REC"].eq("X1")) & o["REASON_PLACE_CHANGE"].isna() & ~o["PLACE"].isin(TEMPORARY)
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
    e = ctx.raw("Episodes")
    custod = e[_flag(e["REASON_PLACE_CHANGE"].eq("CUSTOD"))]
    left = pd.DataFrame({"CHILD": custod["CHILD"], "DECOM": lenient_dates(ctx, "Episodes", "DECOM")[custod.index],
                         "_erow": custod.index})
    h = ctx.raw("Header")
    right = pd.DataFrame({"CHILD": h["CHILD"], "DOB": lenient_dates(ctx, "Header", "DOB"), "_hrow": h.index})
    p = left.merge(right, on="CHILD", how="inner")
    fail = add_years(p["DOB"], 10) > p["DECOM"]
    return {"Episodes": p.loc[fail.to_numpy(), "_erow"], "Header": p.loc[fail.to_numpy(), "_hrow"]}
