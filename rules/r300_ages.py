"""Age checks on episodes against the child's Header DOB (rules 352, 358, 359, 370-374, 386,
387, 389)."""
from __future__ import annotations

from lac_validator.dates import add_years
from lac_validator.registry import rule
from lac_validator.rules.r300_common import labels, pair


def _with_dob(ctx, how: str = "inner"):
    """Each episode paired with every Header row of the same CHILD (`_l` episode label, `_r`
    Header label, `DOB` typed)."""
    e = ctx.table("Episodes")
    h = ctx.table("Header")[["CHILD", "DOB"]]
    return pair(e, h, how=how)


@rule("352")
def started_aged_18(ctx):
    p = _with_dob(ctx)
    hit = p["RNE"].eq("S") & (p["DECOM"] >= add_years(p["DOB"], 18))
    return labels(p, hit, "_l")


@rule("358")
def youth_justice_under_10(ctx):
    # Divergence (rules/divergences.md): "under 10" = starting before the 10th birthday;
    # the reference also flagged an episode starting on it.
    p = _with_dob(ctx)
    hit = p["LS"].isin(["J1", "J2", "J3"]) & (p["DECOM"] < add_years(p["DOB"], 10))
    return {"Episodes": labels(p, hit, "_l"), "Header": labels(p, hit, "_r")}


@rule("359")
def over_18_not_v2_k2(ctx):
    p = _with_dob(ctx)
    raw_dec = ctx.raw("Episodes")["DEC"]
    open_ = raw_dec.reindex(p["_l"].to_numpy()).isna().to_numpy()
    hit = (add_years(p["DOB"], 18) < ctx.collection_end) & open_ & ~(p["LS"].eq("V2") & p["PLACE"].eq("K2"))
    return labels(p, hit, "_l")


@rule("370")
@rule("371")
@rule("372")
@rule("373")
@rule("374")
def placement_min_age(ctx, place: str, min_age: int):
    """Episodes with PLACE `place` that start before the child is `min_age` (both per spec version)."""
    # Divergence: open episodes are checked too (DEC plays no part in an age test).
    p = _with_dob(ctx)
    hit = p["PLACE"].eq(place) & (p["DECOM"] < add_years(p["DOB"], min_age))
    return labels(p, hit, "_l")




@rule("386")
def adopted_after_18(ctx):
    p = _with_dob(ctx)
    hit = p["REC"].isin(["E11", "E12"]) & (p["DEC"] >= add_years(p["DOB"], 18))
    return labels(p, hit, "_l")


# Divergence (rules/divergences.md) for 387 and 389: flagged only when DEC and the Header DOB are dates
# showing the child under age; the older tool also flagged every episode whose age could not be
# worked out (no DOB, no Header row, and for 389 no DEC), which the messages do not describe.

@rule("387")
def independent_living_under_14(ctx):
    p = _with_dob(ctx)
    hit = p["REC"].isin(["E5", "E6"]) & (p["DEC"] < add_years(p["DOB"], 14))
    return labels(p, hit, "_l")


@rule("389")
def adult_services_under_16(ctx):
    p = _with_dob(ctx)
    hit = p["REC"].eq("E7") & (p["DEC"] < add_years(p["DOB"], 16))
    return labels(p, hit, "_l")
