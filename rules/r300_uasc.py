"""UASC checks (rules 303, 304)."""
from __future__ import annotations

from lac_validator.dates import add_years
from lac_validator.registry import rule
from lac_validator.rules.r300_common import labels, pair
from lac_validator.views import numbers


@rule("303")
def duc_needs_uasc_1(ctx):
    h = ctx.raw("Header")
    if "UASC" not in h.columns:
        return {}
    hh = h[["CHILD"]].assign(_uasc=numbers(ctx, "Header", "UASC"))
    u = ctx.raw("UASC")[["CHILD", "DUC"]]
    p = pair(hh, u)
    hit = p["DUC"].notna() & ~p["_uasc"].eq(1)
    return {"Header": labels(p, hit, "_l"), "UASC": labels(p, hit, "_r")}


@rule("304")
def duc_after_18th_birthday(ctx):
    u = ctx.table("UASC")
    return u["DUC"] > add_years(u["DOB"], 18)
