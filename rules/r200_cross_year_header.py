"""Header compared with last year's Header (rules 202, 203, 204, 207, 208).

Every rule matches a current Header row with the Header_last row(s) of the same CHILD (a blank
CHILD matches a blank CHILD, as the entries say) and flags the current row when any match
disagrees. Header_last rows are never flagged.
"""
import pandas as pd

from lac_validator.registry import rule

UN_CODES = ["UN1", "UN2", "UN3", "UN4", "UN5"]


def _pairs(now: pd.DataFrame, last: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Current rows (label in `_row`) joined to last year's rows of the same CHILD (inner)."""
    left = now[["CHILD"] + cols].assign(_row=now.index)
    right = last[["CHILD"] + cols]
    return left.merge(right, on="CHILD", how="inner", suffixes=("", "_last"))


def _differs(a: pd.Series, b: pd.Series) -> pd.Series:
    """Text/date inequality where two blanks (or two no-dates) are equal."""
    both_missing = a.isna() & b.isna()
    equal = (a == b).fillna(False).astype(bool)
    return ~(equal | both_missing)


# The DfE recoded sex from 1/2 to M/F (fields.yaml SEX): a child recorded 1 last year and M this year
# has the same sex, so the codes are compared by meaning (see rules/divergences.md).
_SEX_MEANING = {"1": "M", "2": "F"}


@rule("202")
def sex_changed(ctx):
    p = _pairs(ctx.raw("Header"), ctx.raw("Header_last"), ["SEX"])
    now = p["SEX"].replace(_SEX_MEANING)
    last = p["SEX_last"].replace(_SEX_MEANING)
    return p.loc[_differs(now, last), "_row"]


@rule("203")
def dob_changed(ctx):
    p = _pairs(ctx.table("Header"), ctx.table("Header_last"), ["DOB"])
    return p.loc[_differs(p["DOB"], p["DOB_last"]), "_row"]


@rule("204")
def ethnic_changed(ctx):
    p = _pairs(ctx.raw("Header"), ctx.raw("Header_last"), ["ETHNIC"])
    return p.loc[_differs(p["ETHNIC"], p["ETHNIC_last"]), "_row"]


@rule("207")
def mother_changed(ctx):
    has_episodes = ctx.raw("Header")["CHILD"].isin(ctx.raw("Episodes")["CHILD"])
    now = ctx.raw("Header")[has_episodes]
    p = _pairs(now, ctx.raw("Header_last"), ["MOTHER"])
    was_mother = p["MOTHER_last"].eq("1").fillna(False).astype(bool)
    changed = ~p["MOTHER"].eq("1").fillna(False).astype(bool)
    return {"Header": p.loc[was_mother & changed, "_row"]}


@rule("208")
def upn_changed(ctx):
    p = _pairs(ctx.raw("Header"), ctx.raw("Header_last"), ["UPN"])
    now, last = p["UPN"], p["UPN_last"]
    differs = _differs(now, last)
    last_blank, now_blank = last.isna(), now.isna()
    last_un, now_un = last.isin(UN_CODES), now.isin(UN_CODES)
    allowed = ((last.eq("UN1").fillna(False).astype(bool) | last_blank) & now.isin(["UN2", "UN3", "UN4", "UN5"])) | (
        (last_un | last_blank) & ~now_blank & ~now_un)
    return p.loc[differs & ~allowed, "_row"]
