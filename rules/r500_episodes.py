"""Episode consistency: overlapping episodes, CIN continuity, E45/E46 placements and placement
providers (rules 501, 504, 516, 526, 527-531, 550)."""
import pandas as pd

from lac_validator.registry import rule
from lac_validator.toolkit import is_code, true
from lac_validator.views import neighbour, ordered

U_PLACEMENTS = ["U1", "U2", "U3", "U4", "U5", "U6"]
NOT_BY_PUBLIC_ORGS = ["A3", "A4", "A5", "A6", "K1", "K2", "P1", "U1", "U2", "U3", "U4", "U5", "U6"]


@rule("501")
def starts_before_previous_ended(ctx):
    o = ordered(ctx, "Episodes")
    prev = neighbour(ctx, "Episodes", -1)
    return o["DECOM"] < prev["DEC"]


@rule("504")
def cin_changes_on_placement_change(ctx):
    # An episode continues the period of care when the child's previous episode (DECOM order)
    # ended X1 on its DECOM. Each continuing episode is compared with the CIN at the start of that
    # run, as the message says ("reported at start of current period"); the older tool compared
    # with the previous episode only, so a changed CIN carried on into a third episode was missed.
    o = ordered(ctx, "Episodes")
    prev = neighbour(ctx, "Episodes", -1)
    cont = is_code(prev["REC"], "X1") & true(prev["DEC"] == o["DECOM"])
    run = (~cont).cumsum()
    starts = pd.Series(o.loc[~cont, "CIN"].astype(object).to_numpy(), index=run[~cont].to_numpy())
    start_cin = run.map(starts)
    # a blank CIN differs from anything, another blank included
    same_cin = true(o["CIN"].astype(object) == start_cin.astype(object))
    return o.index[(cont & ~same_cin).to_numpy()]


@rule("516")
def former_foster_carer_placement(ctx):
    e = ctx.raw("Episodes")
    return is_code(e["REC"], "E45", "E46") & ~is_code(e["PLACE"], *U_PLACEMENTS)


@rule("526")
def provider_missing(ctx, no_provider_places):
    e = ctx.raw("Episodes")
    return e["PLACE_PROVIDER"].isna() & ~is_code(e["PLACE"], *no_provider_places)


def _provider_with(ctx, provider, places):
    e = ctx.raw("Episodes")
    return is_code(e["PLACE_PROVIDER"], provider) & is_code(e["PLACE"], *places)


@rule("527")
def pr1_placements(ctx):
    return _provider_with(ctx, "PR1", ["P1", "R2", "R5"])


@rule("528")
def pr2_placements(ctx):
    return _provider_with(ctx, "PR2", ["P1", "R2", "R5"])


@rule("529")
def pr3_placements(ctx):
    return _provider_with(ctx, "PR3", NOT_BY_PUBLIC_ORGS)


@rule("530")
def pr4_placements(ctx):
    return _provider_with(ctx, "PR4", ["P1"])


@rule("531")
def pr5_placements(ctx):
    return _provider_with(ctx, "PR5", ["P1"])


@rule("550")
def pr0_placements(ctx):
    e = ctx.raw("Episodes")
    return is_code(e["PLACE_PROVIDER"], "PR0") & ~is_code(e["PLACE"], "P1")
