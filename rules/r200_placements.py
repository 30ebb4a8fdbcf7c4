"""Placement type against provider, location, URN and RNE (rules 213, 214, 217, 217t, 222, 242)."""
import pandas as pd

from lac_validator.registry import rule

# Year-specific lists and dates are the spec entries' params (rules/spec), as the DfE sets them.


@rule("213")
def provider_for_temporary(ctx, temporary_places):
    e = ctx.raw("Episodes")
    return e["PLACE"].isin(temporary_places) & e["PLACE_PROVIDER"].notna()


@rule("214")
def location_for_short_break(ctx):
    e = ctx.raw("Episodes")
    return e["LS"].isin(["V3", "V4"]) & (e["PL_POST"].notna() | e["URN"].notna())


@rule("217")
def adoption_by_carers_rne(ctx, checked_from):
    # A fixed calendar date (the DfE's, not the collection year's): episodes starting before it are not checked.
    e = ctx.table("Episodes")
    return e["PLACE"].isin(["A3", "A5"]) & (e["DECOM"] >= pd.Timestamp(checked_from)) & ~e["RNE"].isin(["S", "T", "U"])


@rule("217t")
def p2_after_withdrawal(ctx, last_day):
    # A fixed calendar date: P2 placements could not continue after the DfE withdrew the code.
    e = ctx.table("Episodes")
    return e["PLACE"].eq("P2").fillna(False).astype(bool) & ((e["DEC"] > pd.Timestamp(last_day)) | e["DEC"].isna())


def _urn_not_expected(ctx, places):
    e = ctx.raw("Episodes")
    return e["PLACE"].isin(places) & e["URN"].notna() & e["URN"].ne("XXXXXXX")


@rule("222")
def urn_not_expected(ctx, no_urn_places):
    e = ctx.raw("Episodes")
    return e["PLACE"].isin(no_urn_places) & e["URN"].notna() & e["URN"].ne("XXXXXXX")


@rule("242")
def xxxxxxx_only_for_adoption(ctx, allowed_places):
    # allowed_places is the spec entry's list (A3-A6 and U1-U6), wider than the placed-for-adoption
    # codes A3-A6 that the 500s use; both are data now (rules/spec).
    e = ctx.raw("Episodes")
    return e["URN"].eq("XXXXXXX").fillna(False).astype(bool) & ~e["PLACE"].isin(allowed_places)
