"""Care-leaver (OC3) data against the child's episodes and age
(rules 1000, 1001, 1002, 1007, 1010, 1011, 1012, 1014, 1016, 3001)."""
import pandas as pd

from lac_validator.dates import add_years, age_at
from lac_validator.registry import rule
from lac_validator.toolkit import by_child, child_in, children, first_by_child, labels, pair_by_child, true
from lac_validator.views import as_set, episodes_in_year, last_episode, oc3_has_data

OTHER_TABLES_1012 = ["PlacedAdoption", "Missing", "Reviews", "AD1", "PrevPerm", "OC2"]



@rule("1000", requires=["Episodes", "OC3"])
def died_in_care(ctx):
    died = [ctx.raw("Episodes").loc[true(ctx.raw("Episodes")["REC"].eq("E2")), "CHILD"]]
    if ctx.has("Episodes_last"):
        el = ctx.raw("Episodes_last")
        died.append(el.loc[true(el["REC"].eq("E2")), "CHILD"])
    oc3 = ctx.raw("OC3")
    # Only care-leaver information actually completed is reported (the message), and a blank CHILD
    # is not a child who died; rules/divergences.md.
    return {"OC3": child_in(oc3["CHILD"], *died) & oc3_has_data(ctx)}


@rule("1001")
def not_relevant_child(ctx):
    """Care-leaver data only for (former) relevant children: at least 13 weeks (91 days) looked after from
    the 14th birthday, some of it after the 16th, and not adopted. Only children in Header with a valid
    DOB who are under 20 at collection_end are assessed for time in care; blank CHILD belongs to no child."""
    names = ["Episodes", "Episodes_last", "OC3", "Header"]
    if any(len(ctx.raw(n)) == 0 for n in names):
        return None
    # Everything below is per child and only OC3 rows with data can be flagged: only those
    # children's episodes and Header rows are looked at (a small share of a return).
    oc3 = ctx.raw("OC3")
    wanted = oc3.loc[oc3_has_data(ctx), "CHILD"].dropna().unique()
    cols = ["CHILD", "DECOM", "DEC", "LS", "REC"]
    now, last = ctx.table("Episodes"), ctx.table("Episodes_last")
    now = now.loc[now["CHILD"].isin(wanted), cols].assign(_last=0)
    last = last.loc[last["CHILD"].isin(wanted), cols].assign(_last=1)
    e = pd.concat([now, last], ignore_index=True)
    e = e[e["CHILD"].notna()]
    # One row per child and start date: the earliest end (open last), this year's row first.
    e = by_child(e, ["DECOM", "DEC", "_last"])
    e = e[~e.duplicated(["CHILD", "DECOM"], keep="first")]
    # The child's latest episode: an open one counts up to collection_end; E11/E12 there means adopted.
    dated = e[e["DECOM"].notna()]
    latest = dated.groupby("CHILD")["DECOM"].idxmax().to_numpy()
    e.loc[latest, "DEC"] = e.loc[latest, "DEC"].fillna(ctx.collection_end)
    final = e.loc[latest]
    adopted = as_set(final.loc[final["REC"].isin(["E11", "E12"]), "CHILD"])

    h = ctx.table("Header")
    h = h[h["CHILD"].isin(wanted) & h["DOB"].notna()]
    h = h[~h["CHILD"].duplicated(keep="first")]
    h = h[add_years(h["DOB"], 20) > ctx.collection_end]
    assessed = as_set(h["CHILD"])
    # With no assessed child having a counted episode, every assessed child lacks the time in care.
    j = e[~e["LS"].isin(["V3", "V4"])].merge(h[["CHILD", "DOB"]], on="CHILD", how="inner")
    totals = {}
    for age in (14, 16):
        since = add_years(j["DOB"], age)
        start = j["DECOM"].where(j["DECOM"] > since, since)
        days = (j["DEC"] - start).dt.days.clip(lower=0)
        totals[age] = days.groupby(j["CHILD"]).sum(min_count=0)
    valid = (totals[14] >= 91) & (totals[16] >= 1)
    valid_children = set(valid.index[valid.to_numpy()])
    child = oc3["CHILD"]
    flagged = true(child.isin(list(adopted))) | (true(child.isin(list(assessed))) & ~true(child.isin(list(valid_children))))
    return {"OC3": flagged & oc3_has_data(ctx)}


@rule("1002")
def no_episodes_either_year(ctx):
    oc3 = ctx.raw("OC3")
    no_episodes = ~child_in(oc3["CHILD"], ctx.raw("Episodes")["CHILD"], ctx.raw("Episodes_last")["CHILD"])
    return {"OC3": no_episodes & oc3_has_data(ctx)}


@rule("1007")
def looked_after_on_birthday(ctx):
    """An open episode (blank DEC) that started on or before the birthday counts as spanning it."""
    end = ctx.collection_end
    oc3 = ctx.table("OC3")
    o = pd.DataFrame({"CHILD": oc3["CHILD"], "DOB": oc3["DOB"], "_data": oc3_has_data(ctx)})
    o = o[o["_data"] & (add_years(o["DOB"], 17) <= end) & (add_years(o["DOB"], 19) > end)]
    years_to_end = end.year - o["DOB"].dt.year
    bday = add_years(o["DOB"], years_to_end)
    bday = bday.where(bday <= end, add_years(o["DOB"], years_to_end - 1))
    o = o.assign(BDAY=bday)
    e = ctx.table("Episodes")
    eps = pd.DataFrame({"CHILD": e["CHILD"], "DECOM": e["DECOM"], "DEC": e["DEC"],
                        "_open": ctx.raw("Episodes")["DEC"].isna()})
    p = pair_by_child(o, eps)
    fail = (p["DECOM"] <= p["BDAY"]) & ((p["DEC"] > p["BDAY"]) | p["_open"])
    return {"OC3": labels(p, fail, "_l")}


@rule("1010")
def open_last_year_no_episodes_now(ctx):
    el = ctx.table("Episodes_last")
    el = el.assign(_open=ctx.raw("Episodes_last")["DEC"].isna())
    el = el[el["DECOM"].notna()]
    final = pd.concat([first_by_child(el, ["DECOM"], last=True), el[el["CHILD"].isna()]])
    open_last = final.loc[final["_open"], "CHILD"]
    child = ctx.raw("OC3")["CHILD"]
    return {"OC3": ~child_in(child, ctx.raw("Episodes")["CHILD"]) & child_in(child, open_last) & oc3_has_data(ctx)}


@rule("1011")
def transferred_to_other_la(ctx):
    latest = last_episode(ctx, "Episodes")
    e3 = latest.loc[true(latest["REC"].eq("E3")), "CHILD"]
    oc3 = ctx.raw("OC3")
    return {"OC3": true(oc3["CHILD"].isin(e3)) & oc3["CHILD"].notna() & oc3_has_data(ctx)}


@rule("1012", requires=["Episodes", "OC3"])
def data_without_episodes(ctx):
    """Rows of the six tables for OC3 children (a row in OC3) with no episode this year. The older tool
    ignored OC3 and flagged every such row of any child without episodes (rules/divergences.md)."""
    with_episodes = children(ctx.raw("Episodes")["CHILD"])
    oc3_children = list(children(ctx.raw("OC3")["CHILD"]) - with_episodes)
    out = {}
    for name in OTHER_TABLES_1012:
        if ctx.has(name):
            child = ctx.raw(name)["CHILD"]
            out[name] = child.notna() & child.isin(oc3_children)
    return out


@rule("1014")
def uasc_for_care_leavers(ctx):
    """Care leavers = children with OC3 information and no episode in the collection year, whether or not
    older episodes are listed (the older tool required some Episodes row, so the usual care leaver, with
    no episode in this year's return, was never checked; rules/divergences.md)."""
    in_year = children(episodes_in_year(ctx, "Episodes")["CHILD"])
    oc3 = ctx.raw("OC3")
    oc3_data = oc3["CHILD"].notna() & oc3_has_data(ctx)
    uasc = ctx.raw("UASC")
    qualifying = (children(uasc["CHILD"]) & as_set(oc3.loc[oc3_data, "CHILD"])) - in_year
    q = list(qualifying)
    return {"UASC": uasc["CHILD"].isin(q) & uasc["CHILD"].notna(), "OC3": oc3_data & oc3["CHILD"].isin(q)}


@rule("1016")
def ceased_after_birthday(ctx):
    """Episodes that have ended (a DEC date) on or after the 17th (aged 17) or 18th (aged 18) birthday.
    An open episode has not ceased and does not count; an invalid DEC or OC3 DOB is no date. Age is the
    calendar age at collection_end (the older tool's 365.2425-day years missed a child whose birthday
    is 31 March or 1 April; rules/divergences.md)."""
    end = ctx.collection_end
    oc3 = ctx.table("OC3")
    age = age_at(oc3["DOB"], end)
    o = pd.DataFrame({"CHILD": oc3["CHILD"], "DOB": oc3["DOB"], "band17": age.eq(17), "band18": age.eq(18)})
    o = o[oc3_has_data(ctx).to_numpy() & (o["band17"] | o["band18"]).to_numpy()]
    e = ctx.table("Episodes")
    p = pair_by_child(o, e[["CHILD", "DEC"]])
    fail = (p["band17"] & (p["DEC"] >= add_years(p["DOB"], 17))) | (p["band18"] & (p["DEC"] >= add_years(p["DOB"], 18)))
    return {"OC3": labels(p, fail, "_l")}


@rule("3001", requires=["Header", "OC3"])
def former_foster_carers_at_17(ctx):
    oc3 = ctx.raw("OC3")
    h = ctx.table("Header")
    p = pair_by_child(oc3.loc[oc3["ACCOM"].isin(["Z1", "Z2"]), ["CHILD"]], h[["CHILD", "DOB"]])
    dob17 = add_years(p["DOB"], 17)
    fail = (dob17 >= ctx.collection_start) & (dob17 <= ctx.collection_end)
    return {"OC3": labels(p, fail, "_l")}
