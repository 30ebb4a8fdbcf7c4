"""Near-miss identifiers: a CHILD in one table that is not in Header but is one keystroke away
from exactly one child who is, and a social worker ID that is one keystroke away from exactly one
ID used elsewhere (or is one of them without its SW prefix)."""
from __future__ import annotations

import pandas as pd

from . import candidates, suggester
from .values import SW_ID, describe_difference, fmt_date, near_misses

CHILD_TABLES = ("Episodes", "Reviews", "UASC", "OC2", "OC3", "AD1", "PlacedAdoption", "PrevPerm", "Missing",
                "SWEpisodes", "DoLo")


def _child_near_miss(table: str):
    def func(ctx, rows):
        if not ctx.has("Header"):
            return None
        header = ctx.raw("Header")
        known = set(header["CHILD"].dropna().tolist())
        here = ctx.raw(table).loc[rows, "CHILD"].dropna()
        here = here[~here.isin(known)]
        if here.empty:
            return None
        if ctx.has("Header_last"):  # a child of last year's return is a real child, not a typing slip
            here = here[~here.isin(ctx.raw("Header_last")["CHILD"])]
        close = near_misses(sorted(set(here.tolist())), known)
        # the child it would become must have records of its own beyond Header, or be in last
        # year's return: otherwise the Header's CHILD may be the mistyped one
        found = {c for v in close.values() if len(v) == 1 for c in v}
        established = set()
        if ctx.has("Header_last") and found:
            col = ctx.raw("Header_last")["CHILD"]
            established |= set(col[col.isin(found)].tolist())
        for t in CHILD_TABLES:
            if ctx.has(t) and found:
                col = ctx.raw(t)["CHILD"]
                established |= set(col[col.isin(found)].tolist())
        dob_here = ctx.table(table)["DOB"] if "DOB" in ctx.table(table).columns else None
        hdob = ctx.table("Header").drop_duplicates("CHILD").set_index("CHILD")["DOB"]
        out = []
        for row, value in here.items():
            near = close.get(value, [])
            if len(near) != 1:
                continue
            cand = near[0]
            if cand not in established:
                continue
            evidence = f"CHILD {cand} is in Header and {describe_difference(value, cand)}; no other child is that close"
            if dob_here is not None and pd.notna(dob_here.at[row]):
                if pd.isna(hdob.get(cand)) or dob_here.at[row] != hdob.get(cand):
                    continue  # a different date of birth: perhaps another child altogether
                evidence += f", and both have DOB {fmt_date(dob_here.at[row])}"
            out.append((row, cand, evidence))
        if not out:
            return None
        r, v, e = zip(*out)
        return candidates(r, "CHILD", v, e)
    func.__doc__ = f"{table}: a CHILD not in Header, one keystroke from exactly one child who is"
    return func


for _t in CHILD_TABLES:
    suggester("identifiers:CHILD", _t, ["CHILD"])(_child_near_miss(_t))


@suggester("identifiers:SW_ID", "SWEpisodes", ["SW_ID"])
def social_worker_near_miss(ctx, rows):
    """An SW_ID not in the ID format: the one well-formed ID in this or last year's social worker
    episodes that is one keystroke away, or that is this ID with its SW prefix."""
    sw = ctx.raw("SWEpisodes")
    ids = sw["SW_ID"].dropna()
    here = sw.loc[rows, "SW_ID"].dropna()
    here = here[[not SW_ID.match(v) for v in here.tolist()]]
    if here.empty:
        return None
    known = set(pd.unique(ids.to_numpy(dtype=object)).tolist())
    if ctx.has("SWEpisodes_last"):
        known |= set(pd.unique(ctx.raw("SWEpisodes_last")["SW_ID"].dropna().to_numpy(dtype=object)).tolist())
    known = {k for k in known if SW_ID.match(k)}
    values = sorted(set(here.tolist()))
    close = near_misses(values, known)
    out = []
    for row, value in here.items():
        found = set(close.get(value, []))
        prefixed = "SW" + value
        if prefixed in known:
            found.add(prefixed)
        if len(found) != 1:
            continue
        cand = found.pop()
        how = ("is this ID with its SW prefix" if cand == prefixed
               else f"{describe_difference(value, cand)}")
        out.append((row, cand, f"{cand} is a social worker ID elsewhere in the return and {how}; "
                               "no other ID is that close"))
    if not out:
        return None
    r, v, e = zip(*out)
    return candidates(r, "SW_ID", v, e)
