"""Missing-episode dates and type, reason-for-placement-change code (rules 1004, 1005, 1006, 1009)."""
from lac_validator.registry import rule
from lac_validator.toolkit import not_code



@rule("1004")
def missing_start_invalid(ctx):
    return ctx.table("Missing")["MIS_START"].isna()


@rule("1005")
def missing_end_invalid(ctx):
    return ctx.raw("Missing")["MIS_END"].notna() & ctx.table("Missing")["MIS_END"].isna()


@rule("1006")
def missing_type_invalid(ctx):
    return not_code(ctx, "Missing", "MISSING")


@rule("1009")
def reason_place_change_invalid(ctx):
    return not_code(ctx, "Episodes", "REASON_PLACE_CHANGE")
