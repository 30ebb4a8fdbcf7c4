"""Child details in Header that need checking (rules 231, 232)."""
import pandas as pd

from lac_validator.dates import add_years
from lac_validator.registry import NotApplicable, rule
from lac_validator.toolkit import true
from lac_validator.views import uasc_indicator


@rule("231")
def uasc_under_11(ctx):
    """UASC_STATUS in the DfE text is the Header's UASC indicator (derived from the UASC table on
    CSV input); without it the rule cannot tell who is UASC and says so rather than look clean."""
    indicator = uasc_indicator(ctx, "Header")
    if indicator is None:
        raise NotApplicable("this year's UASC indicator is unknown: supply this year's UASC table with Header "
                            "(CSV) or an XML return")
    h = ctx.table("Header")
    cutoff = add_years(pd.Series([ctx.collection_end]), -11).iloc[0]
    return true(indicator.eq("1")) & (h["DOB"] > cutoff)


@rule("232")
def sex_unknown(ctx):
    return true(ctx.raw("Header")["SEX"].eq("U"))
