"""Legal status codes that contradict the placement, the dates or each other (408, 426, 445, 446, 451)."""
import pandas as pd

from lac_validator.registry import rule



@rule("408")
def adoption_placement_without_order(ctx):
    e = ctx.raw("Episodes")
    return e["PLACE"].isin(["A5", "A6"]) & e["LS"].ne("E1")


@rule("426")
def v3_and_v4(ctx):
    e = ctx.raw("Episodes")
    short = e[e["LS"].isin(["V3", "V4"]) & e["CHILD"].notna()]
    kinds = short.groupby("CHILD")["LS"].transform("nunique")
    return short.index[kinds.ge(2).to_numpy()]


# 445 and 446 compare with fixed calendar dates (spec params), when the legal statuses changed.
@rule("445")
def d1_after_cutoff(ctx, last_day):
    e = ctx.table("Episodes")
    return e["LS"].eq("D1") & (e["DECOM"] > pd.Timestamp(last_day))


@rule("446")
def e1_before_cutoff(ctx, first_day):
    e = ctx.table("Episodes")
    return e["LS"].eq("E1") & (e["DECOM"] < pd.Timestamp(first_day))


@rule("451")
def still_freed_for_adoption(ctx):
    e = ctx.raw("Episodes")
    return e["LS"].eq("D1") & e["DEC"].isna() & e["REC"].isna()
