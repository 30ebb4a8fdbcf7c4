"""Last year's return for the same child: Header fields, the UASC record, and the episode that was
open at last year's end and continues into this year (an episode's legal status, placement,
postcodes and URN cannot change within it: a change starts a new episode).

Last year's return has been submitted and accepted, so where this year's value is blank or not
valid, last year's value for the same child is good evidence; codes are carried over by meaning
when the code list changed (SEX 1 up to 2023-24 is M from 2024-25)."""
from __future__ import annotations

import pandas as pd

from . import candidates, suggester
from .values import first_of_child, fmt_date, invalid_now, same_meaning_code, valid_for_field

HEADER_FIELDS = ["SEX", "DOB", "ETHNIC", "UPN"]
EPISODE_FIELDS = ["DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "HOME_POST", "PL_POST", "URN"]


def _carry(table: str, field: str, value: str, year) -> tuple[str, str]:
    """Last year's value as written this year, and how the evidence names it."""
    if field in ("SEX",):
        got = same_meaning_code(table, field, value, year)
        if got is not None and got[0] != value:
            return got[0], f"{field} {value} ({got[1]})"
    return value, f"{field} {value}"


def _child_level(table: str, fields: list[str], what: str):
    def func(ctx, rows):
        if not ctx.has(f"{table}_last"):
            return None
        now = ctx.raw(table).loc[rows]
        children = now["CHILD"].dropna()
        last_raw = ctx.raw(f"{table}_last")
        in_last = last_raw["CHILD"].isin(pd.unique(children.to_numpy(dtype=object))).to_numpy()
        if not in_last.any():
            return None
        last_raw = last_raw[in_last]
        last_typed = ctx.table(f"{table}_last")[in_last]
        out = []
        for field in fields:
            if field not in now.columns:
                continue
            bad = invalid_now(ctx, table, field, rows)
            kids = now.loc[bad[bad].index, "CHILD"].dropna()
            if kids.empty:
                continue
            if field == "DOB":  # compare dates, not texts; last year's written dd/mm/yyyy
                ly = first_of_child(last_typed, "DOB").map(fmt_date)
            else:
                ly = first_of_child(last_raw, field)
            if field == "UPN":  # an unknown-UPN code last year says nothing about this year's UPN
                ly = ly[~ly.astype(str).str.startswith("UN")]
            pick = kids[kids.isin(ly.index)]
            for row, child in pick.items():
                value, named = _carry(table, field, ly[child], ctx.year)
                out.append((row, field, value, f"last year's return recorded {named} for this child{what}"))
        if not out:
            return None
        r, f, v, e = zip(*out)
        return candidates(r, list(f), v, e)
    func.__doc__ = f"{table}: a blank or invalid value recorded last year for the same child"
    return func


suggester("last_year:Header", "Header", HEADER_FIELDS)(_child_level("Header", HEADER_FIELDS, ""))
suggester("last_year:UASC", "UASC", ["SEX", "DOB", "DUC"])(
    _child_level("UASC", ["SEX", "DOB", "DUC"], " in the UASC table"))


@suggester("last_year:open_episode", "Episodes", EPISODE_FIELDS)
def continuing_episode(ctx, rows):
    """This year's first episode of a child whose episode was open at the end of last year: the
    episode's start date and codes as last year recorded them."""
    eps = ctx.table("Episodes")
    decom = eps["DECOM"].reindex(rows)
    rows = rows[(decom.isna() | (decom < ctx.collection_start)).to_numpy()]  # only these can continue
    if not len(rows) or not ctx.has("Episodes_last"):
        return None
    children = eps.loc[rows, "CHILD"].dropna().unique()
    last = ctx.table("Episodes_last")
    last = last[last["CHILD"].isin(children) & last["CHILD"].notna()]
    if last.empty:
        return None
    # last year's latest episode per child, open at the end of last year (one per child)
    latest = last[last["DECOM"].notna()].sort_values(["CHILD", "DECOM"], kind="mergesort")
    ties = latest.duplicated(["CHILD", "DECOM"], keep=False)
    latest = latest[~latest["CHILD"].duplicated(keep="last")]
    latest = latest[latest["DEC"].isna() & ~ties.loc[latest.index]]
    if latest.empty:
        return None
    raw_last = ctx.raw("Episodes_last")
    mine = eps[eps["CHILD"].isin(latest["CHILD"])]
    start = ctx.collection_start
    # This year's continuing episode: the one that starts before 1 April, or, when none does, the
    # one whose start date is not a valid date while every other one starts this year.
    before = mine[mine["DECOM"].notna() & (mine["DECOM"] < start)]
    undated = mine[mine["DECOM"].isna()]
    n_before = before.groupby("CHILD").size()
    n_undated = undated.groupby("CHILD").size()
    cont = {}
    for child, rowlabel in zip(before["CHILD"], before.index):
        if n_before.get(child, 0) == 1:
            cont[child] = rowlabel
    for child, rowlabel in zip(undated["CHILD"], undated.index):
        if n_before.get(child, 0) == 0 and n_undated.get(child, 0) == 1:
            cont[child] = rowlabel
    out = []
    raw_now = ctx.raw("Episodes")
    for child, lrow in zip(latest["CHILD"], latest.index):
        row = cont.get(child)
        if row is None or row not in rows:
            continue
        started = fmt_date(latest.at[lrow, "DECOM"])
        same_episode = eps.at[row, "DECOM"] == latest.at[lrow, "DECOM"]
        where = f"last year's return has this child's episode that started {started} still open at 31 March"
        if not same_episode:
            out.append((row, "DECOM", started, where))
            continue  # the other fields only once the start dates agree: it is then the same episode
        for field in EPISODE_FIELDS[1:]:
            value = raw_last.at[lrow, field]
            if isinstance(value, str) and value != raw_now.at[row, field]:
                out.append((row, field, value, f"{where}, with {field} {value}; this is the same episode "
                                               "continuing, so it keeps that value"))
    if not out:
        return None
    r, f, v, e = zip(*out)
    return candidates(r, list(f), v, e)
