"""Missing / away from placement without authorisation periods (rules 564-567, 570, 571,
574-578, 580, 581, 586). An open episode (no DEC) stays open here."""
import pandas as pd

from lac_validator.dates import add_years
from lac_validator.registry import rule
from lac_validator.toolkit import by_child, children, first_by_child, labels, pair_by_child, periods_of_care, same_child, true
from lac_validator.views import as_set



@rule("564")
def missing_without_start(ctx):
    m = ctx.raw("Missing")
    return m["MISSING"].isin(["M", "A"]) & m["MIS_START"].isna()


@rule("565")
def start_without_type(ctx):
    m = ctx.raw("Missing")
    return m["MIS_START"].notna() & m["MISSING"].isna()


@rule("566")
def end_without_type(ctx):
    m = ctx.raw("Missing")
    return m["MIS_END"].notna() & m["MISSING"].isna()


@rule("567")
def end_before_start(ctx):
    m = ctx.table("Missing")
    return m["MIS_START"] > m["MIS_END"]


@rule("570")
def start_after_year(ctx):
    m = ctx.table("Missing")
    return m["MIS_START"] > ctx.collection_end


@rule("571")
def end_outside_year(ctx):
    m = ctx.table("Missing")
    return (m["MIS_END"] < ctx.collection_start) | (m["MIS_END"] > ctx.collection_end)


@rule("574")
def periods_overlap(ctx):
    m = ctx.table("Missing")
    o = by_child(m[["CHILD", "MIS_START", "MIS_END"]].assign(_end=m["MIS_END"].fillna(m["MIS_START"])),
                 ["_end", "MIS_START"])
    prev = o.shift()
    same = same_child(o["CHILD"], prev["CHILD"]).to_numpy()
    prev_end = pd.to_datetime(prev["MIS_END"])
    bad = prev_end.isna().to_numpy() | true(o["MIS_START"] < prev_end).to_numpy()
    return o.index[same & bad]


@rule("575")
def open_period_in_ended_episode(ctx):
    m = ctx.table("Missing")
    e = ctx.table("Episodes")
    pairs = pair_by_child(m.loc[ctx.raw("Missing")["MIS_END"].isna(), ["CHILD", "MIS_START"]],
                          e.loc[e["DEC"].notna(), ["CHILD", "DECOM", "DEC"]])
    inside = true((pairs["DECOM"] <= pairs["MIS_START"]) & (pairs["MIS_START"] <= pairs["DEC"]))
    return {"Missing": labels(pairs, inside, "_l")}


@rule("576")
def open_period_last_year_not_continued(ctx):
    m = ctx.table("Missing")
    start = m["MIS_START"].fillna(pd.Timestamp(2099, 1, 1))
    o = pd.DataFrame({"CHILD": m["CHILD"], "_start": start}, index=m.index)
    o = o[o["CHILD"].notna()]
    first = first_by_child(o, ["_start"])
    last = ctx.table("Missing_last")
    open_last = last.loc[ctx.raw("Missing_last")["MIS_END"].isna() & last["MIS_START"].notna(),
                         ["CHILD", "MIS_START"]]
    pairs = first.assign(_row=first.index).merge(open_last, on="CHILD")
    differs = true(pairs["MIS_START"] != pairs["_start"]).to_numpy()
    # The message's own case: an open period last year and nothing at all this year for a child
    # who is in this year's return (Episodes or Header). There is no row of this year to point
    # at, so last year's open period is reported (the reference never flagged it).
    in_return = set()
    for name in ("Episodes", "Header"):
        if ctx.has(name):
            in_return |= children(ctx.raw(name)["CHILD"])
    absent = open_last["CHILD"].isin(in_return) & ~open_last["CHILD"].isin(as_set(o["CHILD"]))
    return {"Missing": pairs.loc[differs, "_row"], "Missing_last": open_last.index[absent.to_numpy()]}


def _outside_every_period(ctx, outside_func) -> pd.Index:
    m = ctx.table("Missing")
    rows = m.loc[m["MIS_START"].notna(), ["CHILD", "MIS_START", "MIS_END"]].assign(_row=lambda d: d.index)
    pairs = rows.merge(periods_of_care(ctx), on="CHILD")
    pairs["_inside"] = ~outside_func(pairs)
    inside_any = pairs.groupby("_row")["_inside"].any()
    return inside_any.index[~inside_any.to_numpy()]


@rule("577")
def period_outside_care(ctx):
    def outside(p):
        no_end = p["MIS_END"].isna()
        return pd.Series(
            (no_end & p["poc_end"].notna()).to_numpy()
            | true(no_end & (p["MIS_START"] < p["poc_start"])).to_numpy()
            | true(p["MIS_END"] > p["poc_end"]).to_numpy()
            | true(p["MIS_END"] < p["poc_start"]).to_numpy(), index=p.index)
    return {"Missing": _outside_every_period(ctx, outside)}


@rule("578")
def start_outside_care(ctx):
    def outside(p):
        return pd.Series(true(p["MIS_START"] < p["poc_start"]).to_numpy()
                         | true(p["poc_end"].notna() & (p["MIS_START"] > p["poc_end"])).to_numpy(), index=p.index)
    return {"Missing": _outside_every_period(ctx, outside)}


@rule("580")
def missing_at_18th_birthday_not_e8(ctx):
    m = ctx.table("Missing")
    ends = pd.DataFrame({"CHILD": m["CHILD"], "_bd18": add_years(m["DOB"], 18), "MIS_END": m["MIS_END"]})
    ends = ends[true(ends["_bd18"] == ends["MIS_END"]).to_numpy()]
    e = ctx.table("Episodes")
    pairs = pair_by_child(e[["CHILD", "DEC", "REC"]], ends)
    bad = true(pairs["DEC"] == pairs["MIS_END"]).to_numpy() & ~true(pairs["REC"].eq("E8")).to_numpy()
    return {"Episodes": labels(pairs, bad, "_l")}


@rule("581")
def start_outside_episodes(ctx):
    m = ctx.table("Missing")
    e = ctx.table("Episodes")
    rows = m.loc[m["CHILD"].isin(children(e["CHILD"])), ["CHILD", "MIS_START"]].assign(_row=lambda d: d.index)
    pairs = rows.merge(e[["CHILD", "DECOM", "DEC"]], on="CHILD")
    inside = true((pairs["MIS_START"] >= pairs["DECOM"])
                   & ((pairs["MIS_START"] <= pairs["DEC"]) | pairs["DEC"].isna())).to_numpy()
    inside_any = pd.Series(inside, index=pairs.index).groupby(pairs["_row"]).any()
    return {"Missing": inside_any.index[~inside_any.to_numpy()]}


@rule("586")
def start_before_birth(ctx):
    m = ctx.table("Missing")
    # "before the date of birth": a period starting on the DOB itself is not flagged (the older
    # tool flagged it too, see rules/divergences.md)
    return m["MIS_START"].notna() & (m["MIS_START"] < m["DOB"])
