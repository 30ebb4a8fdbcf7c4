"""Header code and date checks (rules 101-103)."""
from lac_validator.registry import rule


@rule("101")
def sex_code(ctx):
    h = ctx.raw("Header")
    return ~h["SEX"].isin(ctx.codes("Header", "SEX"))
