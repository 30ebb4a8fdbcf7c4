"""Adoption checks: matching, placement for adoption and adoption placements (rules 331,
333-336, 390)."""
from __future__ import annotations

from lac_validator.registry import rule
from lac_validator.toolkit import flag_pairs, pair_by_child
from lac_validator.views import neighbour, ordered

ADOPTED = ["E11", "E12"]
WITH_FOSTER_CARER = ["A3", "A5"]
BEFORE_ADOPTION = ["A3", "A4", "A5", "A6", "U1", "U2", "U3", "U4", "U5", "U6"]


@rule("331")
def matched_after_placement(ctx):
    e = ctx.table("Episodes")
    e = e.loc[e["REC"].isin(ADOPTED), ["CHILD", "DECOM"]]
    a = ctx.table("AD1")[["CHILD", "DATE_MATCH"]]
    p = pair_by_child(e, a)
    hit = p["DATE_MATCH"] > p["DECOM"]
    return flag_pairs(p, hit, "Episodes", "AD1")


@rule("333")
def decision_after_matching(ctx):
    a = ctx.table("AD1")
    return a["DATE_MATCH"].notna() & (a["DATE_INT"].isna() | (a["DATE_INT"] > a["DATE_MATCH"]))


@rule("334")
def decision_before_period_of_care(ctx):
    e = ctx.table("Episodes")
    s = e[e["RNE"].eq("S") & e["DECOM"].notna() & e["CHILD"].notna()]
    latest = s.groupby("CHILD")["DECOM"].transform("max")
    s = s[s["DECOM"].eq(latest)]
    s = s.loc[~s["CHILD"].duplicated(keep="first"), ["CHILD", "DECOM"]]
    a = ctx.table("AD1")[["CHILD", "DATE_INT"]]
    p = pair_by_child(s, a)
    hit = p["DATE_INT"] < p["DECOM"]
    return flag_pairs(p, hit, "Episodes", "AD1")


@rule("335")
def foster_carer_adoption_mismatch(ctx):
    e = ctx.raw("Episodes")[["CHILD", "REC", "PLACE"]]
    a = ctx.raw("AD1")[["CHILD", "FOSTER_CARE"]]
    p = pair_by_child(e, a)
    fc = p["FOSTER_CARE"]
    hit = p["REC"].isin(["E1", "E11", "E12"]) & (
        (p["PLACE"].isin(["A2", "A3", "A5"]) & fc.eq("0"))
        | (p["PLACE"].isin(["A1", "A4", "A6"]) & fc.eq("1")))
    return flag_pairs(p, hit, "Episodes", "AD1")


@rule("336")
def no_foster_placement_before_adoption(ctx):
    o = ordered(ctx, "Episodes")
    prev = neighbour(ctx, "Episodes", -1)
    # Divergence (rules/divergences.md): A3 and A5 are the placements with the current foster carer,
    # as the DfE rule says; the older tool checked A3 and A4.
    hit = o["PLACE"].isin(WITH_FOSTER_CARER) & prev["_row"].notna() & ~prev["PLACE"].isin(BEFORE_ADOPTION)
    return o.index[hit.to_numpy()]


@rule("390")
def adopted_not_placed_for_adoption(ctx):
    e = ctx.raw("Episodes")
    return e["REC"].isin(ADOPTED) & ~e["PLACE"].isin(["A3", "A4", "A5", "A6"])
