"""UPN completed and unique (442, 444)."""
from lac_validator.registry import rule
from lac_validator.toolkit import children

UNKNOWN_UPNS = ["UN1", "UN2", "UN3", "UN4", "UN5"]


@rule("442")
def upn_missing(ctx):
    e = ctx.raw("Episodes")
    h = ctx.raw("Header")
    looked_after = children(e.loc[~e["LS"].isin(["V3", "V4"]), "CHILD"])
    return {"Header": h["UPN"].isna() & h["CHILD"].isin(looked_after)}


@rule("444")
def upn_duplicated(ctx):
    h = ctx.raw("Header")
    real = h[h["UPN"].notna() & ~h["UPN"].isin(UNKNOWN_UPNS)]
    return real.index[real["UPN"].duplicated(keep=False).to_numpy()]
