"""OC2 (children looked after for 12 months: health, offending, SDQ) checks of the 100s
(rules 157-159, 180-182, 185, 186, 188-193, 196, 197a, 197B, 198)."""
import pandas as pd

from lac_validator.registry import rule
from lac_validator.toolkit import children, not_code
from lac_validator.views import birthday, continuously_looked_after, first_episode, numbers, oc2_looked_after

CORE = ["IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE"]
OTHER = ["CONVICTED", "HEALTH_CHECK", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"]
ALL_EIGHT = ["CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT",
             "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"]


def _sdq_blank(oc2):
    return oc2["SDQ_SCORE"].isna() & oc2["SDQ_REASON"].isna()


@rule("157")
def sdq1_for_child_aged_4_to_16(ctx):
    o = ctx.raw("OC2")
    aged_4_at_start = birthday(ctx, "OC2", 4) <= ctx.collection_start
    not_17_at_end = birthday(ctx, "OC2", 17) > ctx.collection_end   # 16 or under at the end
    return {"OC2": (oc2_looked_after(ctx) & aged_4_at_start & not_17_at_end
            & o["SDQ_SCORE"].isna() & o["SDQ_REASON"].eq("SDQ1"))}


@rule("158")
def offered_with_received(ctx):
    o = ctx.raw("OC2")
    return o["INTERVENTION_RECEIVED"].eq("1") & o["INTERVENTION_OFFERED"].notna()


@rule("159")
def offered_missing(ctx):
    o = ctx.raw("OC2")
    return (o["SUBSTANCE_MISUSE"].eq("1") & o["INTERVENTION_RECEIVED"].eq("0")
            & o["INTERVENTION_OFFERED"].isna())


@rule("180")
def sdq_score_value(ctx):
    raw = ctx.raw("OC2")["SDQ_SCORE"]
    n = numbers(ctx, "OC2", "SDQ_SCORE")
    whole_0_to_40 = (n >= 0) & (n <= 40) & (n == n.round())
    return raw.notna() & ~whole_0_to_40


@rule("181")
def oc2_items_0_or_1(ctx):
    bad = [not_code(ctx, "OC2", item) for item in ALL_EIGHT]
    return pd.concat(bad, axis=1).any(axis=1)


@rule("182")
def oc2_core_items_complete(ctx):
    o = ctx.raw("OC2")
    # Either all four core items are completed or all eight items are blank.
    return o[CORE].isna().any(axis=1) & o[ALL_EIGHT].notna().any(axis=1)


@rule("185")
def sdq_score_not_cla(ctx):
    o = ctx.raw("OC2")
    return {"OC2": o["SDQ_SCORE"].notna() & ~oc2_looked_after(ctx)}


@rule("186")
def sdq_missing(ctx):
    o = ctx.raw("OC2")
    return {"OC2": ((birthday(ctx, "OC2", 4) <= ctx.collection_start) & (birthday(ctx, "OC2", 17) > ctx.collection_end)
            & oc2_looked_after(ctx) & _sdq_blank(o))}


@rule("188")
def sdq_under_4(ctx):
    o = ctx.raw("OC2")
    return (birthday(ctx, "OC2", 4) > ctx.collection_end) & ~_sdq_blank(o)


@rule("189")
def sdq_17_or_over(ctx):
    o = ctx.raw("OC2")
    return (birthday(ctx, "OC2", 17) < ctx.collection_start) & ~_sdq_blank(o)


@rule("190")
def oc2_items_not_cla(ctx):
    o = ctx.raw("OC2")
    return {"OC2": ~oc2_looked_after(ctx) & o[ALL_EIGHT].notna().any(axis=1)}


@rule("191")
def oc2_items_missing_for_cla(ctx):
    o = ctx.raw("OC2")
    cla = continuously_looked_after(ctx)
    first = first_episode(ctx, "Episodes")
    no_oc2 = first["CHILD"].isin(cla) & ~first["CHILD"].isin(children(o["CHILD"]))
    return {
        "OC2": o["CHILD"].isin(cla) & o[CORE].isna().any(axis=1),
        "Episodes": first.index[no_oc2.to_numpy()],
    }


@rule("192")
def received_missing(ctx):
    o = ctx.raw("OC2")
    return o["SUBSTANCE_MISUSE"].eq("1") & o["INTERVENTION_RECEIVED"].isna()


@rule("193")
def intervention_without_misuse(ctx):
    o = ctx.raw("OC2")
    not_identified = o["SUBSTANCE_MISUSE"].isna() | o["SUBSTANCE_MISUSE"].eq("0")
    return not_identified & o[["INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"]].notna().any(axis=1)


@rule("196")
def sdq_reason_code(ctx):
    return not_code(ctx, "OC2", "SDQ_REASON")


def _in_year(ctx, dates):
    return (dates >= ctx.collection_start) & (dates <= ctx.collection_end)


@rule("197B")
def sdq_missing_turning_4_or_17(ctx):
    o = ctx.raw("OC2")
    turning = _in_year(ctx, birthday(ctx, "OC2", 4)) | _in_year(ctx, birthday(ctx, "OC2", 17))
    return {"OC2": turning & oc2_looked_after(ctx) & _sdq_blank(o)}


@rule("197a")
def score_and_reason(ctx):
    o = ctx.raw("OC2")
    return o["SDQ_SCORE"].notna() & o["SDQ_REASON"].notna()


@rule("198")
def sdq_reason_not_cla(ctx):
    o = ctx.raw("OC2")
    return {"OC2": o["SDQ_REASON"].notna() & ~oc2_looked_after(ctx)}
