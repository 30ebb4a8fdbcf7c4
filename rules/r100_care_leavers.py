"""Care leaver (OC3) checks of the 100s, and OC3/AD1 data that the child's status rules out
(rules 131-134, 153, 187)."""
from lac_validator.registry import rule
from lac_validator.toolkit import child_in, not_code
from lac_validator.views import OC3_ITEMS as OC3_FIELDS, continuously_looked_after, oc3_has_data

AD1_FIELDS = ["DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"]


@rule("131")
def in_touch_code(ctx):
    return not_code(ctx, "OC3", "IN_TOUCH", blank_ok=False)


@rule("132")
def activ_code(ctx):
    return not_code(ctx, "OC3", "ACTIV", blank_ok=False)


@rule("133")
def accom_code(ctx):
    # "If reporting on a child's accommodation": a blank ACCOM is not judged here (153 reports a
    # partly filled row); rules/divergences.md.
    return not_code(ctx, "OC3", "ACCOM")


@rule("134")
def adoption_data_for_care_leaver(ctx):
    ad1 = ctx.raw("AD1")
    oc3 = ctx.raw("OC3")
    return ad1[AD1_FIELDS].notna().any(axis=1) & child_in(ad1["CHILD"], oc3.loc[oc3_has_data(ctx), "CHILD"])


@rule("153")
def oc3_all_or_nothing(ctx):
    blank = ctx.raw("OC3")[OC3_FIELDS].isna()
    return blank.any(axis=1) & ~blank.all(axis=1)


@rule("187")
def cla_with_adoption_or_leaver_data(ctx):
    cla = continuously_looked_after(ctx)
    oc3 = ctx.raw("OC3")
    ad1 = ctx.raw("AD1")
    return {
        "OC3": oc3["CHILD"].isin(cla) & oc3_has_data(ctx),
        "AD1": ad1["CHILD"].isin(cla) & ad1[AD1_FIELDS].notna().any(axis=1),
    }
