"""Deprivation of liberty orders (DoLo, a table since the year fields.yaml gives): dates, overlaps, continuity and placements (700-710)."""
import pandas as pd

from lac_validator.registry import rule
from lac_validator.toolkit import by_child, pair_by_child, periods_of_care, same_child
from lac_validator.views import as_set, lenient_dates

EXPECTED_PLACES = ["K2", "Z12", "Z13"]
FORBIDDEN_PLACES = ["K1", "P1", "R5", "K3"]


@rule("700")
def start_not_a_date(ctx):
    return ctx.table("DoLo")["DOLO_START"].isna()


@rule("701")
def end_not_a_date(ctx):
    return ctx.raw("DoLo")["DOLO_END"].notna() & ctx.table("DoLo")["DOLO_END"].isna()


@rule("702")
def end_not_after_start(ctx):
    # Divergence (rules/divergences.md): only an end strictly before the start, as the message says.
    d = ctx.table("DoLo")
    return d["DOLO_END"] < d["DOLO_START"]


@rule("703")
def start_after_year(ctx):
    return ctx.table("DoLo")["DOLO_START"] > ctx.collection_end


@rule("704")
def end_outside_year(ctx):
    end = ctx.table("DoLo")["DOLO_END"]
    return (end < ctx.collection_start) | (end > ctx.collection_end)


@rule("705")
def starts_while_previous_open(ctx):
    d = ctx.table("DoLo")
    o = pd.DataFrame({"CHILD": d["CHILD"], "START": d["DOLO_START"], "END": d["DOLO_END"]}, index=d.index)
    o["FILL"] = o["END"].fillna(o["START"])
    o = by_child(o, ["FILL", "START"])  # undated rows last
    has_prev = same_child(o["CHILD"], o["CHILD"].shift(1))
    prev_end = o["END"].shift(1)
    bad = has_prev & (prev_end.isna() | (o["START"] < prev_end))
    return o.index[bad.to_numpy()]


@rule("706")
def last_years_open_dolo_not_continued(ctx):
    # Flags last year's open DoLOs (the older tool put their positions under this year's table).
    d = ctx.raw("DoLo")
    last = ctx.raw("DoLo_last")
    open_last = last[last["DOLO_END"].isna() & last["CHILD"].notna()]
    key = lambda f: f["CHILD"] + "\x00" + f["DOLO_START"].fillna("")
    this_keys = as_set(key(d[d["CHILD"].notna()]))
    return {"DoLo_last": open_last.index[~key(open_last).isin(this_keys).to_numpy()]}


@rule("707")
def dolo_outside_care(ctx):
    d = ctx.table("DoLo")
    # The period ends with its last episode's DEC as it is: an open last episode leaves it open.
    periods = periods_of_care(ctx).rename(columns={"poc_start": "POC_DECOM", "poc_end": "POC_DEC"})
    dolos = d.loc[d["DOLO_START"].notna(), ["CHILD", "DOLO_START", "DOLO_END"]]
    p = pair_by_child(dolos, periods)
    open_end = p["DOLO_END"].isna()
    outside = ((open_end & p["POC_DEC"].notna()) | (open_end & (p["DOLO_START"] < p["POC_DECOM"]))
               | (p["DOLO_END"] > p["POC_DEC"]) | (p["DOLO_END"] < p["POC_DECOM"]))
    inside_any = (~outside).groupby(p["_l"]).any()
    return inside_any.index[~inside_any.to_numpy()]


@rule("708")
def start_before_birth(ctx):
    # Divergence (rules/divergences.md): only a start strictly before birth, as the message says.
    d = ctx.table("DoLo")
    return d["DOLO_START"] < d["DOB"]


def _dolo_placements(ctx):
    """Every (DoLO, episode) pair of a child where the episode overlaps the DoLO; dates read leniently.
    A DoLO with no end date is still in force. An episode that ended the day the DoLO started is not
    under it: that day belongs to the next placement (rules/divergences.md)."""
    d = ctx.raw("DoLo")
    dolo = pd.DataFrame({"CHILD": d["CHILD"], "START": lenient_dates(ctx, "DoLo", "DOLO_START"),
                         "END": lenient_dates(ctx, "DoLo", "DOLO_END"), "END_BLANK": d["DOLO_END"].isna()},
                        index=d.index)
    dolo = dolo[dolo["START"].notna() & (dolo["END"].notna() | dolo["END_BLANK"])]
    e = ctx.raw("Episodes")
    eps = pd.DataFrame({"CHILD": e["CHILD"], "DECOM": lenient_dates(ctx, "Episodes", "DECOM"),
                        "DEC": lenient_dates(ctx, "Episodes", "DEC"), "PLACE": e["PLACE"]}, index=e.index)
    p = pair_by_child(dolo, eps)
    overlap = (((p["START"] < p["DEC"]) | p["DEC"].isna())
               & ((p["END"] >= p["DECOM"]) | (p["END_BLANK"] & p["DECOM"].notna())))
    return p[overlap]


@rule("709")
def unexpected_placement(ctx):
    p = _dolo_placements(ctx)
    bad = p[~p["PLACE"].isin(EXPECTED_PLACES)]
    return {"DoLo": bad["_l"], "Episodes": bad["_r"]}


@rule("710")
def forbidden_placement(ctx):
    p = _dolo_placements(ctx)
    bad = p[p["PLACE"].isin(FORBIDDEN_PLACES)]
    return {"DoLo": bad["_l"], "Episodes": bad["_r"]}
