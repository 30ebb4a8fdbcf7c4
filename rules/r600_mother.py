"""Motherhood details: MOTHER and MC_DOB against sex, ages, episodes and last year (607-628)."""
import pandas as pd

from lac_validator.dates import add_years, date_key
from lac_validator.registry import rule
from lac_validator.toolkit import children, pair_by_child
from lac_validator.views import numbers, oc3_has_data


def _ceased_girls_without_mother(ctx, female):
    e = ctx.table("Episodes")
    h = ctx.raw("Header")
    ceased = e[(e["DEC"] >= ctx.collection_start) & (e["DEC"] <= ctx.collection_end)
               & e["REC"].notna() & e["REC"].ne("X1") & ~e["LS"].isin(["V3", "V4"])]
    girls = h[h["SEX"].eq(female) & h["MOTHER"].isna()]
    p = pair_by_child(ceased[["CHILD"]], girls[["CHILD"]])
    return {"Episodes": p["_l"], "Header": p["_r"]}


@rule("607")
def mother_missing(ctx, female):
    return _ceased_girls_without_mother(ctx, female)


@rule("611")
def mother_without_child_dob(ctx):
    h = ctx.raw("Header")
    return h["MOTHER"].eq("1") & h["MC_DOB"].isna()


def _child_dob_but_not_mother(ctx, female):
    h = ctx.raw("Header")
    return h["MC_DOB"].notna() & h["SEX"].eq(female) & (h["MOTHER"].eq("0") | h["MOTHER"].isna())


@rule("612")
def child_dob_not_mother(ctx, female):
    return _child_dob_but_not_mother(ctx, female)


@rule("620")
def mother_under_11(ctx):
    h = ctx.table("Header")
    return h["MOTHER"].eq("1") & (add_years(h["DOB"], 11) > ctx.collection_start)


@rule("621")
def mother_younger_than_child(ctx):
    # Divergence (rules/divergences.md): a missing or invalid DOB shows nothing about the mother's age
    # (rule 102 reports it); the older tool flagged every valid MC_DOB with such a DOB.
    h = ctx.table("Header")
    return h["MC_DOB"] <= h["DOB"]


@rule("624")
def child_dob_changed(ctx):
    # Divergences (rules/divergences.md): the same date written differently ("1/6/2020" and
    # "01/06/2020") is the same date of birth; other values are compared as text. A blank this
    # year contradicts nothing (611/612/628 say when it must or must not be given).
    h = ctx.raw("Header")
    last = ctx.raw("Header_last")
    now = h[["CHILD"]].assign(MC_DOB=date_key(h["MC_DOB"], ctx.table("Header")["MC_DOB"]))
    before = last[["CHILD"]].assign(MC_DOB=date_key(last["MC_DOB"], ctx.table("Header_last")["MC_DOB"]))
    p = pair_by_child(now[now["MC_DOB"].notna()], before[before["MC_DOB"].notna()])
    return p.loc[p["MC_DOB"].ne(p["MC_DOB_r"]), "_l"]


@rule("625")
def child_born_after_care_ended(ctx):
    e = ctx.table("Episodes")
    raw = ctx.raw("Episodes")
    h = ctx.table("Header")
    # An open episode (blank DEC) is still going at the end of the year.
    end = e["DEC"].where(raw["DEC"].notna(), ctx.collection_end)
    eps = pd.DataFrame({"CHILD": e["CHILD"], "END": end}, index=e.index)
    eps = eps[eps["END"].notna() & eps["CHILD"].notna()]
    latest = eps[eps["END"].eq(eps.groupby("CHILD")["END"].transform("max"))]
    latest = latest[~latest["CHILD"].duplicated(keep="first")]
    p = pair_by_child(latest, h.loc[h["MC_DOB"].notna(), ["CHILD", "MC_DOB"]])
    bad = p[(p["MC_DOB"] > ctx.collection_end) | (p["MC_DOB"] > p["END"])]
    return {"Episodes": bad["_l"], "Header": bad["_r"]}


@rule("626")
def new_mother_with_older_child(ctx):
    h = ctx.table("Header")
    this = pd.DataFrame({"CHILD": h["CHILD"], "MOTHER": numbers(ctx, "Header", "MOTHER"), "MC_DOB": h["MC_DOB"]})
    this = this[this["MC_DOB"].notna()]
    last = pd.DataFrame({"CHILD": ctx.raw("Header_last")["CHILD"], "MOTHER": numbers(ctx, "Header_last", "MOTHER")})
    p = pair_by_child(this, last)
    bad = p["MOTHER"].eq(1) & p["MOTHER_r"].eq(0) & (p["MC_DOB"] < ctx.collection_start)
    return p.loc[bad, "_l"]


@rule("628")
def care_leaver_motherhood(ctx):
    e = ctx.raw("Episodes")
    h = ctx.raw("Header")
    oc3 = ctx.raw("OC3")
    leavers = children(oc3.loc[oc3_has_data(ctx), "CHILD"])
    with_episodes = children(e["CHILD"])
    return {"Header": h["MOTHER"].notna() & h["CHILD"].isin(leavers) & ~h["CHILD"].isin(with_episodes)}
