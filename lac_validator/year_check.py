"""Which collection year a return's dates point to, to catch a wrong --year (or --previous).

A return's events (episode starts and ends, reviews, missing periods, social worker episodes...)
fall mostly in its own collection year (1 April to 31 March). When most of them fall in another
year, that year is named: validating against the wrong year's rules gives thousands of
misleading errors. Any year is named, supported or not: the dates decide.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .years import CollectionYear

# The dates that record something happening during the year, per table.
EVENT_DATES = {
    "Episodes": ("DECOM", "DEC"),
    "Reviews": ("REVIEW",),
    "Missing": ("MIS_START", "MIS_END"),
    "SWEpisodes": ("SW_DECOM", "SW_DEC"),
    "PlacedAdoption": ("DATE_PLACED", "DATE_PLACED_CEASED"),
    "DoLo": ("DOLO_START", "DOLO_END"),
}
MIN_DATES = 5      # fewer dated events say too little
MAX_SHARE = 0.5    # the chosen year holds less than this share of them ...


def years_of_events(ctx, suffix: str = "") -> pd.Series:
    """Number of event dates per collection year (indexed by its first calendar year)."""
    parts = []
    for table, columns in EVENT_DATES.items():
        if not ctx.has(table + suffix):
            continue
        t = ctx.table(table + suffix)
        for col in columns:
            if col in t.columns:
                months = t[col].to_numpy(dtype="datetime64[M]")
                months = months[~np.isnat(months)].astype(np.int64)  # months since January 1970
                parts.append((months - 3) // 12 + 1970)              # April starts a collection year
    if not parts:
        return pd.Series(dtype="int64")
    years, n = np.unique(np.concatenate(parts), return_counts=True)
    return pd.Series(n, index=years).sort_values(ascending=False, kind="mergesort")


def looks_like(counts: pd.Series, expected: CollectionYear) -> tuple[CollectionYear, float, float] | None:
    """(the year most dates fall in, its share, the expected year's share) when that is not
    `expected` and `expected` holds less than half of the dates; else None."""
    total = int(counts.sum())
    if total < MIN_DATES:
        return None
    ours = counts.get(expected.first, 0) / total
    top = int(counts.idxmax())
    if top == expected.first or ours >= MAX_SHARE:
        return None
    return CollectionYear(top), counts[top] / total, ours


def year_alerts(ctx, year_given: bool = True) -> list[str]:
    out = []
    year = ctx.year
    found = looks_like(years_of_events(ctx), year)
    shifted = found[0].previous if found else None  # when both returns are off by the same year, one alert
    if found:
        seen, share, ours = found
        chosen = (f"--year {year.label}" if year_given
                  else f"no --year given, so {year.label}, the year in progress today")
        out.append(f"the data looks like {seen.label}, not {year.label} ({chosen}): {share:.0%} of the return's "
                   f"dates (episodes, reviews, missing periods, social worker episodes) fall in {seen.label}, "
                   f"{ours:.0%} in {year.label}. Check --year (e.g. --year {seen.label}): the errors are "
                   f"against the {year.rules_year.label} rules.")
    if ctx.previous is not None:
        found = looks_like(years_of_events(ctx, "_last"), year.previous)
        if found and found[0] != shifted:
            seen, share, ours = found
            out.append(f"last year's return (--previous) looks like {seen.label}, not {year.previous.label}: "
                       f"{share:.0%} of its dates fall in {seen.label}: check --previous and --year.")
    return out
