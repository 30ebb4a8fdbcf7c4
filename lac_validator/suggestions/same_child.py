"""The same child's other records this year: the date of birth every table repeats (Header's is
the child's record; another table's differing DOB is a copying slip unless something else agrees
with it), the UASC table's SEX against Header's, and a blank home postcode that the child's other
episodes all give."""
from __future__ import annotations

import pandas as pd

from . import candidates, suggester
from .values import first_of_child, fmt_date, invalid_now

DOB_TABLES = ("Reviews", "UASC", "OC2", "OC3", "AD1", "PlacedAdoption", "PrevPerm", "Missing", "SWEpisodes", "DoLo")


def _dob_rows(ctx, children) -> pd.DataFrame:
    """CHILD, table, row, DOB (typed) of the given children in every DOB-carrying table but Header."""
    parts = []
    for t in DOB_TABLES:
        if not ctx.has(t):
            continue
        d = ctx.table(t)
        d = d.loc[d["CHILD"].isin(children) & d["DOB"].notna(), ["CHILD", "DOB"]]
        parts.append(d.assign(table=t, row=d.index))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["CHILD", "DOB", "table", "row"])


def _dob_from_header(table: str):
    def func(ctx, rows):
        if not ctx.has("Header"):
            return None
        here = ctx.table(table).loc[rows, ["CHILD", "DOB"]]
        here = here[here["CHILD"].notna()]
        header = first_of_child(ctx.table("Header"), "DOB", here["CHILD"])
        here = here[here["CHILD"].isin(header.index)]
        hdob = header.reindex(here["CHILD"]).to_numpy()
        here = here[here["DOB"].isna() | (here["DOB"].to_numpy() != hdob)]
        if here.empty:
            return None
        last = first_of_child(ctx.table("Header_last"), "DOB", here["CHILD"]) if ctx.has("Header_last") \
            else pd.Series(dtype="datetime64[us]")
        rows_ = _dob_rows(ctx, here["CHILD"].unique())
        out = []
        for row, child, dob in zip(here.index, here["CHILD"], here["DOB"]):
            h = header[child]
            others = rows_[(rows_["CHILD"] == child) & ~((rows_["table"] == table) & (rows_["row"] == row))]
            if child in last.index and last[child] != h:
                continue  # last year's Header gives another DOB: which one is right is unclear
            if pd.notna(dob) and (others["DOB"] == dob).any():
                continue  # another record agrees with this one against Header
            backing = int((others["DOB"] == h).sum()) + int(child in last.index)
            if not backing:
                continue  # Header's word against this record's alone
            v = fmt_date(h)
            why = "last year's return agrees" if child in last.index else \
                f"{backing} other record(s) of the child agree"
            out.append((row, v, f"the child's Header DOB is {v}, and {why}"))
        if not out:
            return None
        r, v, e = zip(*out)
        return candidates(r, "DOB", v, e)
    func.__doc__ = f"{table}: DOB as in the child's Header record, when other records back it"
    return func


for _t in DOB_TABLES:
    suggester("same_child:DOB", _t, ["DOB"])(_dob_from_header(_t))


@suggester("same_child:Header.DOB", "Header", ["DOB"])
def header_dob_from_tables(ctx, rows):
    """Header DOB blank or not a date: the DOB the child's other records all give. A valid Header
    DOB that differs from last year's: last year's, when every other record this year gives it
    too (then only Header changed)."""
    header = ctx.table("Header").loc[rows, ["CHILD", "DOB"]]
    header = header[header["CHILD"].notna()]
    if header.empty:
        return None
    bad = invalid_now(ctx, "Header", "DOB", header.index)
    others = _dob_rows(ctx, header["CHILD"].unique())
    if others.empty:
        return None
    agreed = first_of_child(others, "DOB")
    last = first_of_child(ctx.table("Header_last"), "DOB", header["CHILD"]) if ctx.has("Header_last") \
        else pd.Series(dtype="datetime64[us]")
    tables = others.groupby("CHILD")["table"].agg(lambda s: ", ".join(dict.fromkeys(s)))
    out = []
    for row, child, dob in zip(header.index, header["CHILD"], header["DOB"]):
        if child not in agreed.index:
            continue
        v = fmt_date(agreed[child])
        if bad[row]:
            out.append((row, v, f"the child's {tables[child]} record(s) all give DOB {v}"))
        elif child in last.index and last[child] == agreed[child] != dob:
            out.append((row, v, f"last year's return recorded DOB {v} for this child, and the child's "
                                f"{tables[child]} record(s) this year all give it too"))
    if not out:
        return None
    r, v, e = zip(*out)
    return candidates(r, "DOB", v, e)


def _sex_from_other_table(ctx, rows, table: str, other: str, evidence: str):
    """`table`'s SEX blank or invalid: the SEX the child's `other` record gives."""
    if not ctx.has(other):
        return None
    bad = invalid_now(ctx, table, "SEX", rows)
    t = ctx.raw(table).loc[bad[bad].index, ["CHILD"]].dropna()
    sex = first_of_child(ctx.raw(other), "SEX", t["CHILD"])
    t = t[t["CHILD"].isin(sex.index)]
    vals = [sex[c] for c in t["CHILD"]]
    return candidates(t.index, "SEX", vals, [evidence.format(v) for v in vals])


@suggester("same_child:UASC.SEX", "UASC", ["SEX"])
def uasc_sex_from_header(ctx, rows):
    """UASC SEX blank or invalid: the child's Header SEX."""
    return _sex_from_other_table(ctx, rows, "UASC", "Header", "the child's Header SEX is {}")


@suggester("same_child:Header.SEX", "Header", ["SEX"])
def header_sex_from_uasc(ctx, rows):
    """Header SEX blank or invalid: the SEX of the child's UASC record."""
    return _sex_from_other_table(ctx, rows, "Header", "UASC", "the child's UASC record gives SEX {}")


@suggester("same_child:HOME_POST", "Episodes", ["HOME_POST"])
def home_postcode(ctx, rows):
    """HOME_POST blank or invalid: the postcode all the child's other episodes give (this year's,
    and last year's when supplied), when there are some and they agree."""
    bad = invalid_now(ctx, "Episodes", "HOME_POST", rows)
    eps = ctx.raw("Episodes")
    mine = eps.loc[bad[bad].index, ["CHILD"]].dropna()
    if mine.empty:
        return None
    parts = [eps.loc[eps["CHILD"].isin(mine["CHILD"]) & ~eps.index.isin(mine.index), ["CHILD", "HOME_POST"]]]
    if ctx.has("Episodes_last"):
        last = ctx.raw("Episodes_last")
        parts.append(last.loc[last["CHILD"].isin(mine["CHILD"]), ["CHILD", "HOME_POST"]])
    others = pd.concat(parts, ignore_index=True)
    # every other episode must give the same postcode: a blank one among them is not agreement
    blank = others[others["HOME_POST"].isna()]["CHILD"].unique()
    agreed = first_of_child(others[~others["CHILD"].isin(blank)], "HOME_POST")
    n = others.groupby("CHILD").size()
    mine = mine[mine["CHILD"].isin(agreed.index)]
    vals = [agreed[c] for c in mine["CHILD"]]
    return candidates(mine.index, "HOME_POST", vals,
                      [f"the child's other {n[c]} episode(s) all give HOME_POST {v}" if n[c] > 1 else
                       f"the child's other episode gives HOME_POST {v}" for c, v in zip(mine["CHILD"], vals)])
