"""Child details in Header that need checking (rules 231, 232)."""
import pandas as pd

from lac_validator.dates import add_years
from lac_validator.registry import rule
from lac_validator.toolkit import true


@rule("231")
def uasc_under_11(ctx):
    """UASC_STATUS in the DfE text is the Header's UASC indicator (derived from the UASC table on
    CSV input; blank when that table was not supplied, so nothing is flagged then)."""
    h = ctx.table("Header")
    if "UASC" not in h.columns:
        return None
    cutoff = add_years(pd.Series([ctx.collection_end]), -11).iloc[0]
    return true(h["UASC"].eq("1")) & (h["DOB"] > cutoff)


@rule("232")
def sex_unknown(ctx):
    return true(ctx.raw("Header")["SEX"].eq("U"))
