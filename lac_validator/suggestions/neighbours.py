"""Neighbouring episodes of the same child. REC X1 says a new episode begins the day this one
ends, so an episode ending with X1 ends on the next episode's start date: an overlap or gap is
fixed by the next episode's DECOM, and a start date that is not a date is the end date of the one
X1 episode no other episode continues."""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import candidates, suggester
from .values import fmt_date


def _episodes_of(ctx, rows) -> pd.DataFrame:
    """The flagged rows' children's episodes this year, in order of start date (undated last)."""
    eps = ctx.table("Episodes")
    children = eps.loc[rows, "CHILD"].dropna().unique()
    mine = eps[eps["CHILD"].isin(children)]
    return mine.assign(_row=mine.index).sort_values(["CHILD", "DECOM", "_row"], kind="mergesort", na_position="last")


@suggester("neighbours:DEC", "Episodes", ["DEC"], answers=["REC"])
def end_from_next_start(ctx, rows):
    """An X1 episode whose DEC is not the next episode's DECOM: that DECOM."""
    rows = rows[ctx.raw("Episodes")["REC"].reindex(rows).eq("X1").fillna(False).to_numpy(dtype=bool)]
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
    pick = (o["_row"].isin(rows) & raw["REC"].reindex(o.index).eq("X1").fillna(False).astype(bool)
            & o["DECOM"].notna() & nxt.notna() & (nxt > o["DECOM"]) & ~undated
            & ~(nxt_end < nxt).fillna(False)  # a next episode ending before it starts: its DECOM is suspect
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
    x1 = o[raw["REC"].reindex(o.index).eq("X1").fillna(False).astype(bool) & o["DEC"].notna() & o["DECOM"].notna()]
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
