"""Reason for new episode / reason ceased against the child's previous or next episode (431-437)."""
import pandas as pd

from lac_validator.dates import date_key
from lac_validator.registry import rule
from lac_validator.toolkit import by_child, same_child
from lac_validator.views import neighbour, ordered

CEASED_RECS = ["E2", "E3", "E4A", "E4B", "E5", "E6", "E7", "E8", "E9", "E11", "E12", "E13", "E14", "E15",
               "E16", "E17", "E41", "E45", "E46", "E47", "E48"]
CONTINUATION_RNES = ["P", "L", "T", "U", "B"]
PLACEMENT_FIELDS = ["PLACE", "PL_POST", "URN", "PLACE_PROVIDER"]


def _with_previous(ctx):
    o = ordered(ctx, "Episodes")
    prev = neighbour(ctx, "Episodes", -1)
    return o, prev, prev["_row"].notna()


@rule("431")
def new_start_overlaps_previous(ctx):
    o, prev, has_prev = _with_previous(ctx)
    return has_prev & o["RNE"].eq("S") & (o["DECOM"] <= prev["DEC"])


@rule("432")
def ceased_but_not_new_start(ctx):
    o, prev, has_prev = _with_previous(ctx)
    return has_prev & prev["REC"].isin(CEASED_RECS) & o["RNE"].ne("S")


@rule("433")
def continuation_not_same_day(ctx):
    t = ctx.table("Episodes")
    raw = ctx.raw("Episodes")
    o = pd.DataFrame({
        "CHILD": t["CHILD"], "DECOM": t["DECOM"],
        # Divergence (rules/divergences.md): compared as dates where both are dates ("1/5/2020" is
        # "01/05/2020"), else as text; the older tool compared text only.
        "DEC": t["DEC"], "DECOM_TEXT": date_key(raw["DECOM"], t["DECOM"]),
        "DEC_TEXT": date_key(raw["DEC"], t["DEC"]),
        "RNE": raw["RNE"],
    }, index=t.index)
    o = by_child(o, ["DECOM", "DEC"])  # undated rows last
    prev_dec = o["DEC_TEXT"].shift(1)
    has_prev = same_child(o["CHILD"], o["CHILD"].shift(1))
    differs = prev_dec.isna() | o["DECOM_TEXT"].isna() | prev_dec.ne(o["DECOM_TEXT"])
    return o.index[(has_prev & o["RNE"].isin(CONTINUATION_RNES) & differs).to_numpy()]


@rule("434")
def legal_status_change_not_reflected(ctx):
    o, prev, has_prev = _with_previous(ctx)
    same_ls = o["LS"].eq(prev["LS"])  # a blank never equals anything
    moved = pd.Series(False, index=o.index)
    for col in PLACEMENT_FIELDS:
        moved |= o[col].fillna("").ne(prev[col].fillna(""))
    return has_prev & o["RNE"].eq("L") & (same_ls | moved)


@rule("435")
def placement_change_not_reflected(ctx):
    o, prev, has_prev = _with_previous(ctx)
    ls_changed = ~o["LS"].eq(prev["LS"])  # a blank on either side counts as a change
    unchanged = pd.Series(True, index=o.index)
    for col in PLACEMENT_FIELDS:
        unchanged &= o[col].eq(prev[col])  # a blank never equals anything
    return has_prev & o["RNE"].isin(["P", "T"]) & (ls_changed | unchanged)


@rule("436")
def both_changes_not_reflected(ctx):
    o, prev, has_prev = _with_previous(ctx)
    blank = "\x00"  # blanks count as one value here
    same_ls = o["LS"].fillna(blank).eq(prev["LS"].fillna(blank))
    unchanged = pd.Series(True, index=o.index)
    for col in PLACEMENT_FIELDS:
        unchanged &= o[col].fillna(blank).eq(prev[col].fillna(blank))
    return has_prev & o["RNE"].isin(["U", "B"]) & (same_ls | unchanged)


@rule("437")
def died_or_18_then_further_episodes(ctx):
    o = ordered(ctx, "Episodes")
    nxt = neighbour(ctx, "Episodes", 1)
    return o["DECOM"].notna() & o["REC"].isin(["E2", "E15"]) & nxt["_row"].notna()
