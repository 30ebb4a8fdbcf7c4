"""Social worker episodes in sequence: open episodes, gaps and overlaps between a child's
episodes, the episode open at 31 March, duplicated starts (SW08STG2, SW10STG2, SW10aSTG2,
SW10bSTG2, SW11aSTG2, SW11bSTG2, SW14STG2, SW17STG2, SW19STG2)."""
import numpy as np
import pandas as pd

from lac_validator.dates import date_key
from lac_validator.registry import rule
from lac_validator.views import child_key, lenient_dates, sw_previous

WEEK = pd.Timedelta(days=7)
FIVE_DAYS = pd.Timedelta(days=5)


def _frame(ctx) -> pd.DataFrame:
    t = ctx.table("SWEpisodes")
    return t.assign(_key=child_key(t["CHILD"]), _file=np.arange(len(t)))


# ---------------------------------------------------------------- SW08 / SW14: open episodes

@rule("SW08STG2")
def open_episode_not_last(ctx):
    t = _frame(ctx)
    start = t["SW_DECOM"].mask(t["SW_DECOM"].eq(pd.Timestamp(1901, 1, 1)))
    t = t.assign(_start=start, _nostart=start.isna())
    named = t[t["CHILD"].notna()]
    order = named.sort_values(["CHILD", "_nostart", "_start", "_file"], kind="mergesort", na_position="first")
    last = order.index[~order["CHILD"].duplicated(keep="last").to_numpy()]
    candidate = named["_start"].notna() & named["SW_DEC"].isna()
    return candidate.index[candidate.to_numpy()].difference(last)


@rule("SW14STG2")
def end_blank_not_latest(ctx):
    t = _frame(ctx)
    order = t.sort_values(["_key", "SW_DECOM", "_file"], kind="mergesort", na_position="last")
    latest = order.index[~order["_key"].duplicated(keep="last").to_numpy()]
    return t.index[t["SW_DEC"].isna().to_numpy()].difference(latest)


# ---------------------------------------------------------------- SW10 family: start vs previous end

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
    t = _frame(ctx)
    named = t[t["CHILD"].notna()]
    o = named.sort_values(["CHILD", "SW_DECOM", "_file"], kind="mergesort", na_position="last")
    nxt_same = o["CHILD"].eq(o["CHILD"].shift(-1))
    nxt_start = o["SW_DECOM"].shift(-1).where(nxt_same)
    cutoff = ctx.collection_end - FIVE_DAYS
    ended = o["SW_DEC"] <= cutoff
    followed = (nxt_start >= o["SW_DEC"] - FIVE_DAYS) & (nxt_start <= o["SW_DEC"] + FIVE_DAYS)
    return ended & ~followed


@rule("SW11bSTG2")
def ended_in_last_days_of_year(ctx):
    t = _frame(ctx)
    end = ctx.collection_end
    in_window = (t["SW_DEC"] >= end - FIVE_DAYS) & (t["SW_DEC"] <= end)

    # A. the row after an episode ending in the window has no start date
    asc = t.sort_values(["_key", "SW_DECOM", "_file"], kind="mergesort", na_position="last")
    prev_same = asc["_key"].eq(asc["_key"].shift())
    prev_in_window = in_window.reindex(asc.index).shift().fillna(False).astype(bool) & prev_same
    part_a = prev_in_window & asc["SW_DECOM"].isna()

    # B. a (named) child's only episode ends in the window
    counts = t.groupby("_key")["_key"].transform("size")
    part_b = t["CHILD"].notna() & counts.eq(1) & in_window

    # C. in descending start order, the next (earlier-starting) row started before this one ended
    desc = t.sort_values(["_key", "SW_DECOM", "_file"], ascending=[True, False, True],
                         kind="mergesort", na_position="last")
    next_same = desc["_key"].eq(desc["_key"].shift(-1))
    next_start = desc["SW_DECOM"].shift(-1).where(next_same)
    part_c = in_window.reindex(desc.index) & next_start.notna() & (next_start < desc["SW_DEC"])

    return part_a.reindex(t.index) | part_b | part_c.reindex(t.index)


# ---------------------------------------------------------------- SW17 / SW19

@rule("SW17STG2")
def latest_episode_has_ended(ctx):
    t = _frame(ctx).assign(_start=lenient_dates(ctx, "SWEpisodes", "SW_DECOM"))
    t["_nostart"] = t["_start"].isna()
    order = t.sort_values(["_key", "_nostart", "_start", "_file"], ascending=[True, True, False, True],
                          kind="mergesort", na_position="last")
    latest = order[~order["_key"].duplicated(keep="first")]
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
    keys = pd.DataFrame({"c": child_key(raw["CHILD"]), "d": start})
    return start.notna() & keys.duplicated(keep="first")
