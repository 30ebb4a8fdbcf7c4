"""UASC status this year against last year (rules 205A, 205B, 205C, 205D).

The UASC indicator of a year: with CSV input, "1" when the child has a row in that year's UASC
table, else "0" (a blank CHILD is no child and has no UASC row); with XML input, the HEADER/UASC element
(Header column UASC). When that year's Header was not supplied (CSV only), a stand-in is built
from the UASC table: one row per UASC row, "1" when SEX or DUC is filled in, else "0"; rows of a
stand-in are never reported against Header.
"""
import numpy as np
import pandas as pd

from lac_validator.dates import add_years
from lac_validator.registry import NotApplicable, rule
from lac_validator.toolkit import child_in, is_code, pair_by_child
from lac_validator.views import shared


def _fmt(ctx, suffix: str) -> str:
    ret = ctx.previous if suffix else ctx.current
    return getattr(ret, "file_format", "csv") or "csv"


def _status(ctx, suffix: str = ""):
    """(frame with CHILD, IND, _hrow, real) or None when no indicator can be had.

    `real` is True when the rows are Header rows (their labels in `_hrow` can be reported)."""
    hname, uname = "Header" + suffix, "UASC" + suffix
    xml = _fmt(ctx, suffix) == "xml"
    if ctx.has(hname):
        h = ctx.raw(hname)
        if xml:
            if "UASC" not in h.columns:
                return None
            ind = h["UASC"]
        elif ctx.has(uname):
            ind = child_in(h["CHILD"], ctx.raw(uname)["CHILD"]).map({True: "1", False: "0"})
        else:
            return None
        return pd.DataFrame({"CHILD": h["CHILD"], "IND": ind, "_hrow": h.index.astype("float64")}), True
    if not xml and ctx.has(uname):
        u = ctx.raw(uname)
        ind = (u["SEX"].notna() | u["DUC"].notna()).map({True: "1", False: "0"})
        return pd.DataFrame({"CHILD": u["CHILD"], "IND": ind, "_hrow": u.index.astype("float64")}), False
    return None


@shared
def uasc_year_combinations(ctx, header_rows_without_uasc: bool = False):
    """Current UASC rows with the child's current indicator (`now`, Header label `_hrow`) and each
    of the child's UASC_last rows (DUC_last, DOB_last) with the child's last-year indicator.
    Shared by 205A-205C, which only read it."""
    if ctx.file_format == "xml" and not (ctx.has("Header") and ctx.has("Header_last")):
        raise NotApplicable("with XML input this rule needs this year's and last year's Header")
    now = _status(ctx, "")
    last = _status(ctx, "_last")
    if now is None or last is None:
        raise NotApplicable("the UASC indicator is not available for both years")
    now_frame, now_real = now
    last_frame, _ = last
    u = ctx.table("UASC")
    cur = pd.DataFrame({"CHILD": u["CHILD"], "DUC": u["DUC"], "DUC_raw": ctx.raw("UASC")["DUC"],
                        "_urow": u.index.astype("float64")})
    now_frame = now_frame.rename(columns={"IND": "now"})
    if not now_real:
        now_frame = now_frame.assign(_hrow=np.nan).drop_duplicates()
    cur = _attach(cur, now_frame)
    if header_rows_without_uasc and now_real:
        extra = now_frame[~child_in(now_frame["CHILD"], u["CHILD"])]
        cur = pd.concat([cur, extra.assign(DUC=pd.NaT, DUC_raw=np.nan, _urow=np.nan)], ignore_index=True)
    ul = ctx.table("UASC_last")
    prev = pd.DataFrame({"CHILD": ul["CHILD"], "DUC_last": ul["DUC"], "DOB_last": ul["DOB"]})
    last_frame = last_frame.rename(columns={"IND": "last"})[["CHILD", "last"]]
    combos = _attach(cur, _attach(prev, last_frame))
    return combos, now_real


def _attach(left, right):
    """Each left row with every right row of its child (none for a blank CHILD), left rows kept."""
    return pair_by_child(left, right, how="left").drop(columns=["_l", "_r"])


def _flags(ctx, combos, fail, now_real):
    out = {"UASC": combos.loc[fail, "_urow"].dropna().astype("int64")}
    if now_real:
        out["Header"] = combos.loc[fail, "_hrow"].dropna().astype("int64")
    return out



@rule("205A", requires=["UASC", "UASC_last"])
def no_longer_uasc(ctx):
    c, real = uasc_year_combinations(ctx, True)
    prev_start = ctx.collection_start - pd.DateOffset(years=1)
    prev_end = ctx.collection_end - pd.DateOffset(years=1)
    in_prev_year = (c["DUC_last"] >= prev_start) & (c["DUC_last"] <= prev_end)
    fail = ~is_code(c["now"], "1") & is_code(c["last"], "1") & (c["DUC_raw"].notna() | ~in_prev_year)
    return _flags(ctx, c, fail, real)


@rule("205B", requires=["UASC", "UASC_last"])
def still_uasc(ctx):
    c, real = uasc_year_combinations(ctx)
    dob18 = add_years(c["DOB_last"], 18)
    last_not_18 = ~(c["DUC_last"] == dob18)
    in_year = (c["DUC"] >= ctx.collection_start) & (c["DUC"] <= ctx.collection_end)
    fail = is_code(c["now"], "1") & is_code(c["last"], "1") & (last_not_18 | (~in_year & ~(c["DUC"] == c["DUC_last"])))
    return _flags(ctx, c, fail, real)


@rule("205C", requires=["UASC", "UASC_last"])
def never_uasc_with_duc(ctx):
    c, real = uasc_year_combinations(ctx)
    fail = ~is_code(c["now"], "1") & ~is_code(c["last"], "1") & (c["DUC"].notna() | c["DUC_last"].notna())
    return _flags(ctx, c, fail, real)


@rule("205D", requires=[])
def newly_uasc(ctx):
    if ctx.previous is None:
        raise NotApplicable("needs last year's return (--previous)")
    now, last = _status(ctx, ""), _status(ctx, "_last")
    if now is None or last is None:
        missing = []
        if not (ctx.has("Header") or ctx.has("UASC")):
            missing.append("this year's Header and UASC tables not supplied")
        if not (ctx.has("Header_last") or ctx.has("UASC_last")):
            missing.append("last year's Header and UASC tables not supplied")
        raise NotApplicable("; ".join(missing) or "the UASC indicator is not available for both years")
    (now_frame, real), (last_frame, _) = now, last
    pairs = pair_by_child(now_frame, last_frame[["CHILD", "IND"]].rename(columns={"IND": "last"}))
    fail = is_code(pairs["IND"], "1") & ~is_code(pairs["last"], "1")
    rows = pairs.loc[fail, "_hrow"].astype("int64")
    return {"Header": rows} if real else {"UASC": rows}
