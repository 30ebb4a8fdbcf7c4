"""AD1 adoption details against adoptions recorded in the episodes (601, 602)."""
from lac_validator.registry import rule
from lac_validator.toolkit import children, pair_by_child

ADOPTION_FIELDS = ["DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"]


def _adoptions_in_year(ctx):
    e = ctx.table("Episodes")
    return e[e["REC"].isin(["E11", "E12"]) & (e["DEC"] >= ctx.collection_start) & (e["DEC"] <= ctx.collection_end)]


@rule("601")
def adoption_details_missing(ctx):
    a = ctx.raw("AD1")
    adopted = _adoptions_in_year(ctx)[["CHILD"]]
    p = pair_by_child(adopted, a[["CHILD"] + ADOPTION_FIELDS])
    bad = p[p[ADOPTION_FIELDS].isna().any(axis=1)]
    # Divergence (rules/divergences.md): a child adopted in the year with no AD1 row at all has none
    # of the fields completed; the older tool passed it over.
    no_row = adopted.index[(adopted["CHILD"].notna() & ~adopted["CHILD"].isin(children(a["CHILD"]))).to_numpy()]
    return {"Episodes": list(bad["_l"]) + list(no_row), "AD1": bad["_r"]}


@rule("602")
def adoption_details_without_adoption(ctx):
    a = ctx.raw("AD1")
    adopted = children(_adoptions_in_year(ctx)["CHILD"])
    return ~a["CHILD"].isin(adopted) & a[ADOPTION_FIELDS].notna().any(axis=1)
