"""Social worker episodes against care episodes: looked-after children must have social worker
episodes covering their care (SW01STG1, SW12STG2)."""
import numpy as np
import pandas as pd

from lac_validator.dates import add_years
from lac_validator.registry import rule
from lac_validator.toolkit import child_in, labels, pair_by_child

SHORT_BREAKS = ["V3", "V4"]


@rule("SW01STG1")
def looked_after_without_sw_information(ctx):
    e = ctx.raw("Episodes")
    sw = ctx.raw("SWEpisodes")
    qualifying = e["DEC"].isna() & ~e["LS"].isin(SHORT_BREAKS)
    incomplete = sw[["SW_ID", "SW_DECOM", "SW_REASON"]].isna().any(axis=1)
    fails = ~child_in(e["CHILD"], sw["CHILD"]) | child_in(e["CHILD"], sw.loc[incomplete, "CHILD"])
    # The reference returned these Episodes positions under SWEpisodes; they are Episodes rows.
    return {"Episodes": qualifying & fails}


def _uncovered_episodes(ctx, qualifying: pd.Series) -> np.ndarray:
    e = ctx.table("Episodes")
    raw_dec = ctx.raw("Episodes")["DEC"]
    sw = ctx.table("SWEpisodes")
    q = e[qualifying]
    left = pd.DataFrame({
        "CHILD": q["CHILD"], "DECOM": q["DECOM"], "DEC": q["DEC"],
        "_open": raw_dec[q.index].isna(), "_not_x1": q["REC"].ne("X1"), "_s": q["RNE"].eq("S"),
    })
    pairs = pair_by_child(left, sw[["CHILD", "SW_DECOM"]])
    # An open care episode has not ended: a social worker episode starting by collection_end
    # started before it ended.
    ended_after_sw = np.where(pairs["_open"], pairs["SW_DECOM"] <= ctx.collection_end,
                              pairs["SW_DECOM"] <= pairs["DEC"])
    passes = (ended_after_sw & pairs["_not_x1"]) | ((pairs["SW_DECOM"] >= pairs["DECOM"]) & pairs["_s"])
    no_sw = left.index[~child_in(left["CHILD"], sw["CHILD"]).to_numpy()]
    return np.union1d(labels(pairs, ~passes, "_l"), no_sw).astype(np.int64)


def _qualifying(e: pd.DataFrame) -> pd.Series:
    return ~e["LS"].isin(SHORT_BREAKS) & (e["RNE"].eq("S") | e["REC"].ne("X1"))


@rule("SW12STG2", variant="every episode")
def sw_episodes_do_not_cover_care(ctx):
    e = ctx.table("Episodes")
    return {"Episodes": _uncovered_episodes(ctx, _qualifying(e))}


@rule("SW12STG2")
def sw_episodes_do_not_cover_recent_care(ctx):
    e = ctx.table("Episodes")
    lower = add_years(pd.Series([ctx.collection_start]), -1).iloc[0]
    recent = e["DEC"].isna() | ((e["DEC"] >= lower) & (e["DEC"] <= ctx.collection_end))
    return {"Episodes": _uncovered_episodes(ctx, recent & _qualifying(e))}
