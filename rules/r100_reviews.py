"""Review date and participation code (rules 166, 167)."""
from lac_validator.registry import rule

REVIEW_CODES = frozenset(["PN0", "PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"])


@rule("166")
def review_date(ctx):
    # Blank is an error here.
    return ctx.table("Reviews")["REVIEW"].isna()


@rule("167")
def review_code(ctx):
    r = ctx.raw("Reviews")
    ok = (r["REVIEW"].notna() & r["REVIEW_CODE"].isin(REVIEW_CODES)) | (r["REVIEW"].isna() & r["REVIEW_CODE"].isna())
    return ~ok
