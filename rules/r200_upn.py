"""Unknown-UPN codes that do not fit the child's age or time in care (rules 209, 210)."""
import pandas as pd

from lac_validator.dates import add_years
from lac_validator.registry import rule
from lac_validator.toolkit import true


@rule("209")
def un1_school_age(ctx):
    h = ctx.table("Header")
    ref = pd.Timestamp(ctx.collection_start.year - 1, 8, 31)
    return true(h["UPN"].eq("UN1")) & (add_years(h["DOB"], 4) <= ref)


@rule("210")
def un4_looked_after_over_a_week(ctx):
    """UN4 ("UPN not yet obtained") is only acceptable for a child whose current period of care began in
    the last week before 31 March. Flags, for UN4 children looked after at collection_end whose period of
    care started before 24 March, the episode open at collection_end and the child's Header row(s).

    The episode is open at collection_end when DECOM <= collection_end and DEC is blank or after
    collection_end. Its period of care starts at the latest DECOM of the child's RNE = S episodes on or
    before its own DECOM, or, without such an episode, at the child's earliest DECOM. Rows with a blank
    CHILD belong to no child and are not examined.
    """
    h = ctx.raw("Header")
    e = ctx.table("Episodes")
    e_raw = ctx.raw("Episodes")
    un4 = h[true(h["UPN"].eq("UN4")) & h["CHILD"].notna()]
    end = ctx.collection_end
    mine = e[e["CHILD"].isin(un4["CHILD"]) & e["CHILD"].notna()]
    if mine.empty:
        return {}
    open_now = (mine["DECOM"] <= end) & (e_raw.loc[mine.index, "DEC"].isna() | (mine["DEC"] > end))
    cur = mine.loc[open_now, ["CHILD", "DECOM"]].assign(_row=mine.index[open_now])
    starts = mine.loc[true(mine["RNE"].eq("S")) & mine["DECOM"].notna(), ["CHILD", "DECOM"]]
    pairs = cur.merge(starts.rename(columns={"DECOM": "S_DECOM"}), on="CHILD", how="left")
    pairs = pairs[pairs["S_DECOM"].isna() | (pairs["S_DECOM"] <= pairs["DECOM"])]
    period_start = pairs.groupby("_row")["S_DECOM"].max()
    earliest = mine.groupby("CHILD")["DECOM"].min()
    fallback = cur["CHILD"].map(earliest)
    fallback.index = cur["_row"].to_numpy()
    period_start = period_start.reindex(fallback.index).fillna(fallback)
    cutoff = pd.Timestamp(end.year, 3, 24)
    over_a_week = period_start < cutoff
    ep_rows = over_a_week.index[over_a_week.to_numpy()]
    children = e.loc[ep_rows, "CHILD"]
    return {"Episodes": ep_rows, "Header": un4.index[un4["CHILD"].isin(children)]}
