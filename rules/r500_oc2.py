"""OC2 (children looked after continuously for 12 months): convictions and health promotion by
age at 31 March (rules 542-547). Ages use the DOB held in the OC2 table."""
from lac_validator.registry import rule
from lac_validator.views import birthday, oc2_looked_after

HEALTH_ITEMS = ["IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE"]


@rule("542")
def conviction_under_10(ctx):
    oc2 = ctx.raw("OC2")
    return (birthday(ctx, "OC2", 10) > ctx.collection_end).fillna(False) & oc2["CONVICTED"].notna()


@rule("543")
def conviction_missing_10_plus(ctx):
    oc2 = ctx.raw("OC2")
    return {"OC2": (ctx.collection_end > birthday(ctx, "OC2", 10)).fillna(False) & oc2_looked_after(ctx) & oc2["CONVICTED"].isna()}


@rule("544")
def convicted_health_items(ctx):
    oc2 = ctx.raw("OC2")
    # "conviction information completed": any CONVICTED value, 0 included (the older tool: only 1)
    return oc2["CONVICTED"].notna() & oc2[HEALTH_ITEMS].isna().any(axis=1)


@rule("545")
def health_check_missing_under_5(ctx):
    oc2 = ctx.raw("OC2")
    return {"OC2": (ctx.collection_end < birthday(ctx, "OC2", 5)).fillna(False) & oc2_looked_after(ctx) & oc2["HEALTH_CHECK"].isna()}


@rule("546", requires=["OC2"])
def health_check_5_plus(ctx):
    # The message applies to every child aged 5 or over at 31 March, so Episodes (continuous care)
    # are not consulted; the older tool checked only continuously looked after children.
    oc2 = ctx.raw("OC2")
    return {"OC2": (ctx.collection_end >= birthday(ctx, "OC2", 5)).fillna(False) & oc2["HEALTH_CHECK"].notna()}


@rule("547")
def health_check_items(ctx):
    oc2 = ctx.raw("OC2")
    # "health promotion information completed": any HEALTH_CHECK value, 0 included (older tool: only 1)
    return oc2["HEALTH_CHECK"].notna() & oc2[HEALTH_ITEMS].isna().any(axis=1)
