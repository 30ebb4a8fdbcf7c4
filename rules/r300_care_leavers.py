"""Care leaver (OC3) checks (rules 344, 345, 347, 348, 391)."""
from __future__ import annotations

from lac_validator.dates import add_years
from lac_validator.registry import rule
from lac_validator.views import oc3_has_data
from lac_validator.toolkit import labels, pair_by_child

FOYER = ["T1", "T2"]


@rule("344")
def died_or_home_but_completed(ctx):
    o = ctx.raw("OC3")
    return o["IN_TOUCH"].isin(["DIED", "RHOM"]) & (o["ACTIV"].ne("0") | o["ACCOM"].ne("0"))


@rule("345")
def in_touch_but_zero(ctx):
    o = ctx.raw("OC3")
    return o["IN_TOUCH"].eq("YES") & (o["ACTIV"].eq("0") | o["ACCOM"].eq("0"))


@rule("347")
def foyer_under_18(ctx):
    # Divergence (rules/divergences.md): Foyer = ACCOM T1/T2 (the reference compared
    # with "T", which is no code), and "under 18" is measured with calendar birthdays.
    o = ctx.table("OC3")
    raw = ctx.raw("OC3")
    return raw["ACCOM"].isin(FOYER) & (add_years(o["DOB"], 18) > ctx.collection_start)


@rule("348")
def previously_died(ctx):
    cur = ctx.raw("OC3")[["CHILD", "IN_TOUCH"]]
    last = ctx.raw("OC3_last")
    died = last.loc[last["IN_TOUCH"].eq("DIED"), ["CHILD"]]
    p = pair_by_child(cur, died)
    hit = p["IN_TOUCH"].ne("DIED")
    return labels(p, hit, "_l")


@rule("391")
def too_young_for_care_leaver_items(ctx):
    o = ctx.table("OC3")
    any_item = oc3_has_data(ctx)
    too_young = add_years(o["DOB"], 17) > ctx.collection_end
    # Divergence (rules/divergences.md): the message names 17 to 21, so a young person already 22 on
    # collection_start (never 21 during the year) is flagged too; the older tool checked only the young side.
    too_old = add_years(o["DOB"], 22) <= ctx.collection_start
    return (too_young | too_old) & any_item
