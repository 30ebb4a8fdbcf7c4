"""Postcode presence and consistency checks (rules 392b, 392d, 398)."""
from __future__ import annotations

import pandas as pd

from lac_validator.registry import rule
from lac_validator.toolkit import children

RESPITE = ["V3", "V4"]


def _uasc_from(ctx, header: str, uasc: str) -> set:
    """Children UASC in one year: Header's UASC indicator when Header was supplied, otherwise
    every UASC row with SEX, DOB or DUC given."""
    if ctx.has(header):
        h = ctx.raw(header)
        if "UASC" not in h.columns:
            return set()
        return children(h.loc[h["UASC"].eq("1"), "CHILD"])  # a blank CHILD is no child: excludes nobody
    if ctx.has(uasc):
        u = ctx.raw(uasc)
        cols = [c for c in ("SEX", "DOB", "DUC") if c in u.columns]
        return children(u.loc[u[cols].notna().any(axis=1), "CHILD"]) if cols else set()
    return set()


def uasc_now_or_last_year(ctx) -> set:
    """Children UASC this year or last year (the 392a/392b former-UASC exclusion)."""
    return _uasc_from(ctx, "Header", "UASC") | _uasc_from(ctx, "Header_last", "UASC_last")


@rule("392b", requires=["Episodes"])
def postcodes_missing(ctx):
    e = ctx.raw("Episodes")
    excluded = uasc_now_or_last_year(ctx)
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
