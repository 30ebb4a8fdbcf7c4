"""Neighbouring episodes of the same child. REC X1 says a new episode begins the day this one
ends, so an episode ending with X1 ends on the next episode's start date: an overlap or gap is
fixed by the next episode's DECOM, and a start date that is not a date is the end date of the one
X1 episode no other episode continues."""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import candidates, suggester
from .values import fmt_date, invalid_now
from ..toolkit import true


def _episodes_of(ctx, rows) -> pd.DataFrame:
    """The flagged rows' children's episodes this year, in order of start date (undated last)."""
    eps = ctx.table("Episodes")
    children = eps.loc[rows, "CHILD"].dropna().unique()
    mine = eps[eps["CHILD"].isin(children)]
    return mine.assign(_row=mine.index).sort_values(["CHILD", "DECOM", "_row"], kind="mergesort", na_position="last")


@suggester("neighbours:DEC", "Episodes", ["DEC"], answers=["REC"])
def end_from_next_start(ctx, rows):
    """An X1 episode whose DEC is not the next episode's DECOM: that DECOM."""
    rows = rows[true(ctx.raw("Episodes")["REC"].reindex(rows).eq("X1")).to_numpy()]
    if not len(rows):
        return None
    o = _episodes_of(ctx, rows)
    if o.empty:
        return None
    raw = ctx.raw("Episodes")
    nxt = o.groupby("CHILD", sort=False)["DECOM"].shift(-1)
    nxt_end = o.groupby("CHILD", sort=False)["DEC"].shift(-1)
    # a child with an undated episode: its place in the order is unknown, so "next" is unsure
    undated = o["CHILD"].isin(o.loc[o["DECOM"].isna(), "CHILD"])
    pick = (o["_row"].isin(rows) & true(raw["REC"].reindex(o.index).eq("X1"))
            & o["DECOM"].notna() & nxt.notna() & (nxt > o["DECOM"]) & ~undated
            & ~true(nxt_end < nxt)  # a next episode ending before it starts: its DECOM is suspect
            & (o["DEC"].isna() | o["DEC"].ne(nxt)))
    # two episodes starting on the next start date: which one follows is unclear
    starts = o.groupby(["CHILD", "DECOM"]).size()
    hits, nx = o[pick], nxt[pick]
    keep = np.array([starts.get((c, d), 0) == 1 for c, d in zip(hits["CHILD"], nx)], dtype=bool)
    hits, nx = hits[keep], nx[keep]
    vals = [fmt_date(d) for d in nx]
    return candidates(hits.index, "DEC", vals,
                      [f"the next episode starts {v} and REC X1 says a new episode begins the day this one ends"
                       for v in vals])


@suggester("neighbours:DECOM", "Episodes", ["DECOM"])
def start_from_previous_end(ctx, rows):
    """A DECOM that is not a date (or blank), the child's only one: the DEC of the child's one X1
    episode that no other episode continues."""
    rows = rows[ctx.table("Episodes")["DECOM"].reindex(rows).isna().to_numpy()]
    if not len(rows):
        return None
    o = _episodes_of(ctx, rows)
    if o.empty:
        return None
    raw = ctx.raw("Episodes")
    undated = o[o["DECOM"].isna()]
    n_undated = undated.groupby("CHILD").size()
    targets = undated[undated.index.isin(rows) & undated["CHILD"].map(n_undated).eq(1)]
    if targets.empty:
        return None
    x1 = o[true(raw["REC"].reindex(o.index).eq("X1")) & o["DEC"].notna() & o["DECOM"].notna()]
    dated = o[o["DECOM"].notna()]
    starts = set(zip(dated["CHILD"], dated["DECOM"]))
    last_start: dict = {}
    for child, d in starts:
        last_start[child] = max(d, last_start.get(child, d))
    ends: dict = {}
    for child, dec in zip(x1["CHILD"], x1["DEC"]):
        if (child, dec) not in starts:  # an X1 episode that no other episode continues
            ends.setdefault(child, []).append(dec)
    # one such episode, and the undated one must come after it: no dated episode starts after its end
    end = pd.Series({c: d[0] for c, d in ends.items() if len(d) == 1 and d[0] >= last_start[c]}, dtype=object)
    targets = targets[targets["CHILD"].isin(end.index)]
    vals = [fmt_date(end[c]) for c in targets["CHILD"]]
    return candidates(targets.index, "DECOM", vals,
                      [f"the child's previous episode ends {v} with REC X1 (a new episode begins that day), "
                       "and no other episode starts then" for v in vals])


def _previous_x1(ctx, rows) -> pd.DataFrame:
    """For each given episode with a DECOM, the child's one episode ending that day with REC X1
    (the episode it continues): columns row, prev (its label). Episodes with none, or with two, are
    left out."""
    eps = ctx.table("Episodes")
    mine = eps.loc[rows]
    mine = mine[mine["DECOM"].notna() & mine["CHILD"].notna()]
    if mine.empty:
        return pd.DataFrame(columns=["row", "prev"])
    raw = ctx.raw("Episodes")
    cand = eps[eps["CHILD"].isin(mine["CHILD"].unique()) & eps["DEC"].notna()
               & true(raw["REC"].eq("X1")).to_numpy()]
    ends: dict = {}
    for label, child, dec in zip(cand.index, cand["CHILD"], cand["DEC"]):
        ends.setdefault((child, dec), []).append(label)
    pairs = [(row, ends[(c, d)][0]) for row, c, d in zip(mine.index, mine["CHILD"], mine["DECOM"])
             if len(ends.get((c, d), ())) == 1 and ends[(c, d)][0] != row]
    return pd.DataFrame(pairs, columns=["row", "prev"])


# What RNE says did not change from the previous episode (the DfE's reasons for a new episode).
UNCHANGED_BY_RNE = {"P": ("LS",), "T": ("LS",), "L": ("PLACE", "PLACE_PROVIDER", "PL_POST", "URN")}
RNE_WORDS = {"P": "only the placement and carers changed", "T": "only the placement changed, with the same carers",
             "L": "only the legal status changed"}


@suggester("neighbours:unchanged", "Episodes", ["LS", "PLACE", "PLACE_PROVIDER", "PL_POST", "URN"])
def unchanged_from_previous(ctx, rows):
    """A blank or invalid LS, placement, provider, placement postcode or URN that the episode's RNE
    says did not change: the previous episode's (the one ending with REC X1 the day it starts)."""
    raw = ctx.raw("Episodes")
    rne = raw["RNE"].reindex(rows)
    rows = rows[rne.isin(list(UNCHANGED_BY_RNE)).to_numpy()]
    if not len(rows):
        return None
    pairs = _previous_x1(ctx, rows)
    out = []
    for row, prev in zip(pairs["row"], pairs["prev"]):
        code = raw.at[row, "RNE"]
        for field in UNCHANGED_BY_RNE[code]:
            if not invalid_now(ctx, "Episodes", field, pd.Index([row])).iloc[0]:
                continue
            value = raw.at[prev, field]
            if isinstance(value, str):
                out.append((row, field, value, f"the previous episode, which ends the day this one starts with REC "
                                               f"X1, has {field} {value}, and RNE {code} says {RNE_WORDS[code]}"))
    if not out:
        return None
    r, f, v, e = zip(*out)
    return candidates(r, list(f), v, e)


@suggester("neighbours:REC", "Episodes", ["REC"])
def x1_when_next_starts_that_day(ctx, rows):
    """A blank or invalid REC on an episode whose DEC is the day the child's next episode starts:
    X1 (a new episode begins the same day)."""
    bad = invalid_now(ctx, "Episodes", "REC", rows)
    eps = ctx.table("Episodes")
    mine = eps.loc[bad[bad].index]
    mine = mine[mine["DEC"].notna() & mine["CHILD"].notna()]
    if mine.empty:
        return None
    others = eps[eps["CHILD"].isin(mine["CHILD"].unique()) & eps["DECOM"].notna()]
    starts: dict = {}
    for label, child, d in zip(others.index, others["CHILD"], others["DECOM"]):
        starts.setdefault((child, d), []).append(label)
    hit = [(row, fmt_date(dec)) for row, child, dec in zip(mine.index, mine["CHILD"], mine["DEC"])
           if [x for x in starts.get((child, dec), []) if x != row]]
    if not hit:
        return None
    r, d = zip(*hit)
    return candidates(r, "REC", ["X1"] * len(r),
                      [f"the child's next episode starts {x}, the day this one ends: REC X1 means a new episode "
                       "begins the same day" for x in d])
