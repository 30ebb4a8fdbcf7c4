"""Header code and date checks (rules 101-103)."""
from lac_validator.registry import rule


@rule("101")
def sex_code(ctx):
    h = ctx.raw("Header")
    return ~h["SEX"].isin(ctx.codes("Header", "SEX"))


@rule("102")
def dob_valid(ctx):
    # Blank is an error here: every DOB must be a strict dd/mm/yyyy date.
    return ctx.table("Header")["DOB"].isna()


@rule("103")
def ethnic_code(ctx):
    return ~ctx.raw("Header")["ETHNIC"].isin(ctx.codes("Header", "ETHNIC"))
