"""Care-leaver (OC3) data alongside 12-month (OC2) data (rule 215)."""
from lac_validator.registry import rule
from lac_validator.toolkit import flag_pairs, pair_by_child
from lac_validator.views import oc3_has_data

OC2_ITEMS = ["CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT",
             "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"]


@rule("215")
def care_leaver_with_oc2_data(ctx):
    oc3, oc2 = ctx.raw("OC3"), ctx.raw("OC2")
    p = pair_by_child(oc3.loc[oc3_has_data(ctx), ["CHILD"]], oc2.loc[oc2[OC2_ITEMS].notna().any(axis=1), ["CHILD"]])
    return flag_pairs(p, None, "OC3", "OC2")
