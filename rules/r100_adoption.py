"""Adoption checks of the 100s: AD1 and PlacedAdoption codes and dates, decisions against the
episodes, and episodes after an adoption (rules 112-120, 151, 175-177, 184, 199)."""
import pandas as pd

from lac_validator.registry import rule
from lac_validator.toolkit import by_child, first_by_child, invalid_date, not_code

AD1_FIELDS = ["DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"]
ADOPTED = ["E11", "E12"]




@rule("112")
def date_int_valid(ctx):
    return invalid_date(ctx, "AD1", "DATE_INT")


@rule("113")
def date_match_valid(ctx):
    return invalid_date(ctx, "AD1", "DATE_MATCH")


@rule("114")
def foster_care_code(ctx):
    return not_code(ctx, "AD1", "FOSTER_CARE")


@rule("115")
def date_placed_valid(ctx):
    return invalid_date(ctx, "PlacedAdoption", "DATE_PLACED")


@rule("116")
def date_placed_ceased_valid(ctx):
    return invalid_date(ctx, "PlacedAdoption", "DATE_PLACED_CEASED")


def _pair_with_episode(ctx, ref: pd.DataFrame, pa: pd.DataFrame) -> pd.DataFrame:
    """Each PlacedAdoption row joined to its child's reference episode (`_e` = episode label,
    `_p` = PlacedAdoption label); children without a reference episode drop out."""
    left = pd.DataFrame({"CHILD": pa["CHILD"], "_p": pa.index,
                         "DP": pa["DATE_PLACED"], "DPC": pa["DATE_PLACED_CEASED"]})
    right = pd.DataFrame({"CHILD": ref["CHILD"], "_e": ref.index, "DECOM": ref["DECOM"], "DEC": ref["DEC"]})
    return left.merge(right, on="CHILD", how="inner")


def _flags(pairs: pd.DataFrame, err: pd.Series) -> dict:
    bad = pairs[err]
    return {"PlacedAdoption": bad["_p"].astype("int64"), "Episodes": bad["_e"].astype("int64")}


@rule("117")
def placed_decision_after_year_or_care(ctx):
    e = ctx.table("Episodes")
    cand = e[e["DECOM"].notna() & e["REC"].ne("X1") & e["CHILD"].notna()]
    ref = first_by_child(cand, ["DECOM"], ascending=False)  # latest DECOM, ties: first in the file
    pa = ctx.table("PlacedAdoption")
    pairs = _pair_with_episode(ctx, ref, pa[pa["CHILD"].notna()])
    end = ctx.collection_end
    err = (pairs["DP"] > end) | (pairs["DP"] > pairs["DEC"]) | (pairs["DPC"] > end) | (pairs["DPC"] > pairs["DEC"])
    out = _flags(pairs, err)
    # A decision dated after the year end is wrong whatever the episodes say; the older tool skipped
    # children without a reference episode (rules/divergences.md).
    alone = ~pa["CHILD"].isin(ref["CHILD"]) | pa["CHILD"].isna()
    beyond = alone & ((pa["DATE_PLACED"] > end) | (pa["DATE_PLACED_CEASED"] > end))
    out["PlacedAdoption"] = pd.Index(out["PlacedAdoption"]).union(pa.index[beyond.to_numpy()])
    return out


@rule("118")
def ceased_decision_before_year_or_care(ctx):
    e = ctx.table("Episodes")
    cand = e[~e["LS"].isin(["V3", "V4"]) & e["DECOM"].notna() & e["CHILD"].notna()]
    ref = first_by_child(cand, ["DECOM"])
    pa = ctx.table("PlacedAdoption")
    pa = pa[pa["DATE_PLACED_CEASED"].notna()]
    pairs = _pair_with_episode(ctx, ref, pa[pa["CHILD"].notna()])
    err = (pairs["DPC"] < pairs["DECOM"]) | (pairs["DPC"] < ctx.collection_start)
    out = _flags(pairs, err)
    # A decision dated before the year start is wrong whatever the episodes say; the older tool skipped
    # children without a reference episode (rules/divergences.md).
    alone = ~pa["CHILD"].isin(ref["CHILD"]) | pa["CHILD"].isna()
    before = alone & (pa["DATE_PLACED_CEASED"] < ctx.collection_start)
    out["PlacedAdoption"] = pd.Index(out["PlacedAdoption"]).union(pa.index[before.to_numpy()])
    return out


@rule("119")
def ceased_date_and_reason_together(ctx):
    p = ctx.raw("PlacedAdoption")
    return p["DATE_PLACED_CEASED"].isna() != p["REASON_PLACED_CEASED"].isna()


@rule("120")
def reason_placed_ceased_code(ctx):
    return not_code(ctx, "PlacedAdoption", "REASON_PLACED_CEASED")


@rule("151")
def ad1_all_or_nothing(ctx):
    blank = ctx.raw("AD1")[AD1_FIELDS].isna()
    return blank.any(axis=1) & ~blank.all(axis=1)


@rule("175")
def nb_adoptr_code(ctx):
    return not_code(ctx, "AD1", "NB_ADOPTR")


@rule("176")
def sex_adoptr_code(ctx):
    return not_code(ctx, "AD1", "SEX_ADOPTR")


@rule("177")
def ls_adoptr_code(ctx):
    return not_code(ctx, "AD1", "LS_ADOPTR")


@rule("184")
def placed_before_birth(ctx):
    p = ctx.table("PlacedAdoption")
    # Both dates must be known to say the decision came before the birth.
    return {"PlacedAdoption": p["DATE_PLACED"] < p["DOB"]}


@rule("199", requires=["Episodes"])
def episode_after_adoption(ctx):
    cur = ctx.table("Episodes")
    parts = [pd.DataFrame({"CHILD": cur["CHILD"], "DECOM": cur["DECOM"], "REC": cur["REC"],
                           "_row": cur.index, "_current": True})]
    if ctx.has("Episodes_last"):
        last = ctx.table("Episodes_last")
        parts.append(pd.DataFrame({"CHILD": last["CHILD"], "DECOM": last["DECOM"], "REC": last["REC"],
                                   "_row": last.index, "_current": False}))
    pool = pd.concat(parts, ignore_index=True)
    pool = pool[pool["DECOM"].notna() & pool["CHILD"].notna()]
    pool = by_child(pool, ["DECOM"])  # ties keep pool order
    adoption = pool["REC"].isin(ADOPTED)
    seen = adoption.astype("int64").groupby(pool["CHILD"]).cumsum()
    err = (adoption & (seen >= 2)) | (~adoption & (seen >= 1))
    return pool.loc[err & pool["_current"], "_row"].astype("int64")
