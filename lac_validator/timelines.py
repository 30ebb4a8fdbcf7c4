"""Each child's care journey (episodes this year and last) for the HTML report's timelines.

Computed from the loaded tables once, before a report is pseudonymised, so a pseudonymised report
keeps its timelines under the pseudonyms (the writer itself never needs the tables).
"""
from __future__ import annotations

import pandas as pd

from .context import Context


def child_timelines(ctx: Context, children) -> dict:
    """{child: [{start, end, ls, place, year, row}, ...]} for the given children (ISO dates)."""
    wanted = set(c for c in children if c is not None)
    out: dict = {}
    if not wanted:
        return out
    for name, label in (("Episodes_last", "last year"), ("Episodes", "this year")):
        if not ctx.has(name):
            continue
        t = ctx.table(name)
        raw = ctx.raw(name)
        sel = t["CHILD"].isin(wanted).to_numpy()
        if not sel.any():
            continue
        start = t["DECOM"][sel].dt.strftime("%Y-%m-%d").astype(object)
        end = t["DEC"][sel].dt.strftime("%Y-%m-%d").astype(object)
        for row, child, s, e, ls, place in zip(t.index[sel], t["CHILD"][sel], start, end,
                                                raw["LS"][sel], raw["PLACE"][sel]):
            out.setdefault(child, []).append({
                "start": None if pd.isna(s) else s, "end": None if pd.isna(e) else e,
                "ls": None if pd.isna(ls) else ls, "place": None if pd.isna(place) else place,
                "year": label, "row": int(row)})
    return out
