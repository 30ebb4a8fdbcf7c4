"""Social worker episodes in sequence: open episodes, gaps and overlaps between a child's
episodes, the episode open at 31 March, duplicated starts (SW08STG2, SW10STG2, SW10aSTG2,
SW10bSTG2, SW11aSTG2, SW11bSTG2, SW14STG2, SW17STG2, SW19STG2). A row with a blank CHILD belongs to
no child: it has no previous, next or repeated episode and is never a child's latest."""
import pandas as pd

from lac_validator.dates import date_key
from lac_validator.registry import rule
from lac_validator.toolkit import by_child, same_child, true
from lac_validator.views import lenient_dates, shared

WEEK = pd.Timedelta(days=7)
FIVE_DAYS = pd.Timedelta(days=5)


def _named(ctx) -> pd.DataFrame:
    t = ctx.table("SWEpisodes")
    return t[t["CHILD"].notna()]


# ---------------------------------------------------------------- SW08 / SW14: open episodes

@rule("SW08STG2")
def open_episode_not_last(ctx):
    named = _named(ctx)
    start = named["SW_DECOM"].mask(named["SW_DECOM"].eq(pd.Timestamp(1901, 1, 1)))
    named = named.assign(_start=start, _nostart=start.isna())
    order = by_child(named, ["_nostart", "_start"], na_position="first")
    last = order.index[~order["CHILD"].duplicated(keep="last").to_numpy()]
    candidate = named["_start"].notna() & named["SW_DEC"].isna()
    return candidate.index[candidate.to_numpy()].difference(last)


@rule("SW14STG2")
def end_blank_not_latest(ctx):
    t = _named(ctx)
    order = by_child(t, ["SW_DECOM"])
    latest = order.index[~order["CHILD"].duplicated(keep="last").to_numpy()]
    return t.index[t["SW_DEC"].isna().to_numpy()].difference(latest)


# ---------------------------------------------------------------- SW10 family: start vs previous end

@shared
def sw_previous(ctx, name: str = "SWEpisodes") -> pd.DataFrame:
    """Social worker episodes ordered by CHILD, SW_DECOM, SW_DEC (ascending, no date last in each
    key, ties in file order), with the previous row of the same child (none for a blank CHILD):
    columns CHILD, SW_DECOM, SW_DEC, SW_REASON, `_has_prev`, `_prev_DEC`. Index = row labels."""
    o = by_child(ctx.table(name), ["SW_DECOM", "SW_DEC"])
    o["_has_prev"] = same_child(o["CHILD"], o["CHILD"].shift()).to_numpy()
    o["_prev_DEC"] = o["SW_DEC"].shift().where(o["_has_prev"])
    return o[["CHILD", "SW_DECOM", "SW_DEC", "SW_REASON", "_has_prev", "_prev_DEC"]]


def _not_within_week(p: pd.DataFrame) -> pd.Series:
    within = (p["SW_DECOM"] >= p["_prev_DEC"] - WEEK) & (p["SW_DECOM"] <= p["_prev_DEC"] + WEEK)
    return p["_has_prev"] & ~within


@rule("SW10STG2")
def start_not_near_previous_end(ctx, except_first_contact: bool):
    p = sw_previous(ctx)
    late = _not_within_week(p)
    return late & p["SW_REASON"].ne("FCONTA") if except_first_contact else late


@rule("SW10aSTG2")
def start_not_within_week_of_previous(ctx):
    p = sw_previous(ctx)
    return _not_within_week(p) & p["SW_REASON"].ne("FCONTA")


@rule("SW10bSTG2")
def first_contact_before_previous_ended(ctx):
    p = sw_previous(ctx)
    # Divergence (rules/divergences.md): starting the day the previous episode ended is not "before the
    # previous episode has ended"; the older tool flagged it.
    return p["_has_prev"] & p["SW_REASON"].eq("FCONTA") & (p["SW_DECOM"] < p["_prev_DEC"])


# ---------------------------------------------------------------- SW11: ended before 31 March

@rule("SW11aSTG2")
def ended_before_26_march_without_next(ctx):
    o = by_child(_named(ctx), ["SW_DECOM"])
    nxt_same = same_child(o["CHILD"], o["CHILD"].shift(-1))
    nxt_start = o["SW_DECOM"].shift(-1).where(nxt_same)
    cutoff = ctx.collection_end - FIVE_DAYS
    ended = o["SW_DEC"] <= cutoff
    followed = (nxt_start >= o["SW_DEC"] - FIVE_DAYS) & (nxt_start <= o["SW_DEC"] + FIVE_DAYS)
    return ended & ~followed


@rule("SW11bSTG2")
def ended_in_last_days_of_year(ctx):
    t = ctx.table("SWEpisodes")
    end = ctx.collection_end
    in_window = (t["SW_DEC"] >= end - FIVE_DAYS) & (t["SW_DEC"] <= end)

    # A. the row after an episode ending in the window has no start date
    asc = by_child(t, ["SW_DECOM"])
    prev_same = same_child(asc["CHILD"], asc["CHILD"].shift())
    prev_in_window = true(in_window.reindex(asc.index).shift()) & prev_same
    part_a = prev_in_window & asc["SW_DECOM"].isna()

    # B. a (named) child's only episode ends in the window
    counts = t.groupby("CHILD")["CHILD"].transform("size")
    part_b = t["CHILD"].notna() & counts.eq(1) & in_window

    # C. in descending start order, the next (earlier-starting) row started before this one ended
    desc = by_child(t, ["SW_DECOM"], ascending=False)
    next_same = same_child(desc["CHILD"], desc["CHILD"].shift(-1))
    next_start = desc["SW_DECOM"].shift(-1).where(next_same)
    part_c = in_window.reindex(desc.index) & next_start.notna() & (next_start < desc["SW_DEC"])

    return part_a.reindex(t.index) | part_b | part_c.reindex(t.index)


# ---------------------------------------------------------------- SW17 / SW19

@rule("SW17STG2")
def latest_episode_has_ended(ctx):
    t = _named(ctx)
    t = t.assign(_start=lenient_dates(ctx, "SWEpisodes", "SW_DECOM")[t.index])
    t["_nostart"] = t["_start"].isna()
    order = by_child(t, ["_nostart", "_start"], ascending=[True, False])
    latest = order[~order["CHILD"].duplicated(keep="first")]
    # Divergence (rules/divergences.md): an episode ending after 31 March was open on 31 March.
    end = lenient_dates(ctx, "SWEpisodes", "SW_DEC").loc[latest.index]
    ended = ctx.raw("SWEpisodes").loc[latest.index, "SW_DEC"].notna() & ~(end > ctx.collection_end)
    return latest.index[ended.to_numpy()]


@rule("SW19STG2")
def same_start_twice(ctx):
    # Divergence (rules/divergences.md): start dates are compared as dates where they are dates
    # ("1/5/2020" is "01/05/2020"), else as text; a blank start date is no date and matches nothing.
    raw = ctx.raw("SWEpisodes")
    start = date_key(raw["SW_DECOM"], ctx.table("SWEpisodes")["SW_DECOM"])
    keys = pd.DataFrame({"c": raw["CHILD"], "d": start})
    return start.notna() & raw["CHILD"].notna() & keys.duplicated(keep="first")
