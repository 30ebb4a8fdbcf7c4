"""Decision to place for adoption before the child started to be looked after (rule 1003)."""
from lac_validator.registry import rule
from lac_validator.toolkit import first_by_child, flag_pairs, pair_by_child, true


@rule("1003")
def placed_before_care_started(ctx):
    e = ctx.table("Episodes")
    starts = e.loc[true(e["RNE"].eq("S")) & e["DECOM"].notna(), ["CHILD", "DECOM"]]
    pa = ctx.table("PlacedAdoption")
    p = pair_by_child(first_by_child(starts, ["DECOM"]), pa[["CHILD", "DATE_PLACED"]])
    return flag_pairs(p, p["DATE_PLACED"] < p["DECOM"], "Episodes", "PlacedAdoption")
