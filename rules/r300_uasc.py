"""UASC checks (rules 303, 304)."""
from __future__ import annotations

from lac_validator.dates import add_years
from lac_validator.registry import rule
from lac_validator.toolkit import flag_pairs, pair_by_child
from lac_validator.views import numbers


@rule("303")
def duc_needs_uasc_1(ctx):
    h = ctx.raw("Header")
    if "UASC" not in h.columns:
        return {}
    hh = h[["CHILD"]].assign(_uasc=numbers(ctx, "Header", "UASC"))
    u = ctx.raw("UASC")[["CHILD", "DUC"]]
    p = pair_by_child(hh, u)
    hit = p["DUC"].notna() & ~p["_uasc"].eq(1)
    return flag_pairs(p, hit, "Header", "UASC")


@rule("304")
def duc_after_18th_birthday(ctx):
    u = ctx.table("UASC")
    return u["DUC"] > add_years(u["DOB"], 18)
