"""Decision to place for adoption before the child started to be looked after (rule 1003)."""
import pandas as pd

from lac_validator.registry import rule
from lac_validator.toolkit import first_by_child, true


@rule("1003")
def placed_before_care_started(ctx):
    e = ctx.table("Episodes")
    starts = e[true(e["RNE"].eq("S")) & e["CHILD"].notna() & e["DECOM"].notna()]
    first = first_by_child(starts, ["DECOM"])
    left = pd.DataFrame({"CHILD": first["CHILD"], "DECOM": first["DECOM"], "_erow": first.index})
    pa = ctx.table("PlacedAdoption")
    right = pd.DataFrame({"CHILD": pa["CHILD"], "DATE_PLACED": pa["DATE_PLACED"], "_prow": pa.index})
    p = left.merge(right, on="CHILD", how="inner")
    fail = (p["DATE_PLACED"] < p["DECOM"]).to_numpy()
    return {"Episodes": p.loc[fail, "_erow"], "PlacedAdoption": p.loc[fail, "_prow"]}
