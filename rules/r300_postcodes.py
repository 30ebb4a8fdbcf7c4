"""Postcode presence and consistency checks (rules 392b, 392d, 398)."""
from __future__ import annotations

import pandas as pd

from lac_validator.registry import rule
from lac_validator.views import uasc_this_or_last_year

RESPITE = ["V3", "V4"]


@rule("392b", requires=["Episodes"])
def postcodes_missing(ctx):
    e = ctx.raw("Episodes")
    excluded, _ = uasc_this_or_last_year(ctx)  # without UASC information nobody is excluded
    keep = ~e["CHILD"].isin(list(excluded)) if excluded else pd.Series(True, index=e.index)
    return keep & ~e["LS"].isin(RESPITE) & (e["HOME_POST"].isna() | e["PL_POST"].isna())


@rule("392d")
def same_home_and_placement_postcode(ctx):
    e = ctx.raw("Episodes")
    return e["PLACE"].ne("P1") & e["HOME_POST"].notna() & e["HOME_POST"].eq(e["PL_POST"])


@rule("398")
def postcodes_for_respite(ctx):
    e = ctx.raw("Episodes")
    return e["LS"].isin(RESPITE) & (e["HOME_POST"].notna() | e["PL_POST"].notna())
