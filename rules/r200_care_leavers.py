"""Care-leaver (OC3) data alongside 12-month (OC2) data (rule 215)."""
import pandas as pd

from lac_validator.registry import rule
from lac_validator.views import oc3_has_data

OC2_ITEMS = ["CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT",
             "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"]


@rule("215")
def care_leaver_with_oc2_data(ctx):
    oc3, oc2 = ctx.raw("OC3"), ctx.raw("OC2")
    left = oc3.loc[oc3_has_data(ctx), ["CHILD"]]
    left = left.assign(_r3=left.index)
    right = oc2.loc[oc2[OC2_ITEMS].notna().any(axis=1), ["CHILD"]]
    right = right.assign(_r2=right.index)
    p = left.merge(right, on="CHILD", how="inner")
    return {"OC3": p["_r3"], "OC2": p["_r2"]}
