"""Rules on the postcode-derived placement values PL_LA, PL_LOCATION and PL_DISTANCE of each
episode (fields.yaml `derived:`): 164, 169, 179, 392a, 392c, 406, 411, 420, 454.

The values come from views.placement_geo (computed once per run from the ONS postcode directory
and schemas/lad_to_utla.csv); the engine runs these rules only when postcode data is available
(needs: postcodes) and, for 411, when --la is given.
"""
from lac_validator.registry import NotApplicable, rule
from lac_validator.views import placement_geo, submitting_la_area, uasc_this_or_last_year


SHORT_BREAKS = ["V3", "V4"]
NO_UASC_INFO = ("no UASC information to tell which children are (or were) UASC: supply Header with the "
                "UASC table (CSV) or an XML return, for this year or last year")


def _uasc(ctx):
    children, informed = uasc_this_or_last_year(ctx)
    if not informed:
        raise NotApplicable(NO_UASC_INFO)
    return children


@rule("164", requires=["Episodes"])
def distance_out_of_range(ctx):
    e = ctx.raw("Episodes")
    geo = placement_geo(ctx, "Episodes")
    d = geo["PL_DISTANCE"]
    not_uasc = ~e["CHILD"].isin(_uasc(ctx))
    return not_uasc & d.notna() & ((d < 0.0) | (d > 999.9))


@rule("169")
def placement_la_missing(ctx):
    e = ctx.raw("Episodes")
    geo = placement_geo(ctx, "Episodes")
    return ~e["LS"].isin(SHORT_BREAKS) & geo["PL_LA"].isna()


@rule("179")
def placement_location_missing(ctx):
    # PL_LOCATION is blank exactly when PL_POST gives no district (blank, not found, or a directory
    # entry without one); whether it is IN or OUT does not matter here, so --la is not needed.
    e = ctx.raw("Episodes")
    geo = placement_geo(ctx, "Episodes")
    return ~e["LS"].isin(SHORT_BREAKS) & geo["PL_LAUA"].isna()


@rule("392a", requires=["Episodes"])
def distance_missing(ctx):
    e = ctx.raw("Episodes")
    geo = placement_geo(ctx, "Episodes")
    not_uasc = ~e["CHILD"].isin(_uasc(ctx))
    return not_uasc & ~e["LS"].isin(SHORT_BREAKS) & geo["PL_DISTANCE"].isna()


@rule("392c")
def postcode_unknown(ctx):
    e = ctx.raw("Episodes")
    geo = placement_geo(ctx, "Episodes")
    return (e["HOME_POST"].notna() & ~geo["HOME_FOUND"]) | (e["PL_POST"].notna() & ~geo["PL_FOUND"])


@rule("406", requires=["Episodes"])
def uasc_distance_given(ctx):
    e = ctx.raw("Episodes")
    geo = placement_geo(ctx, "Episodes")
    return e["CHILD"].isin(_uasc(ctx)) & geo["PL_DISTANCE"].notna()


@rule("411")
def location_disagrees_with_la(ctx):
    # Both values derive from PL_POST, so in lac-validator (as in the reference) this cannot fire;
    # kept as the DfE condition.
    geo = placement_geo(ctx, "Episodes")
    return geo["PL_LOCATION"].eq("IN") & ~geo["PL_LA"].isin(submitting_la_area(ctx))


@rule("420")
def short_break_with_placement_la(ctx):
    e = ctx.raw("Episodes")
    geo = placement_geo(ctx, "Episodes")
    return e["LS"].isin(SHORT_BREAKS) & geo["PL_LA"].notna()


@rule("454")
def distance_over_350(ctx):
    d = placement_geo(ctx, "Episodes")["PL_DISTANCE"]
    return d.notna() & (d > 350) & d.ne(999.9)
