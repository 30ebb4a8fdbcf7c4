"""Header compared with last year's Header (rules 202, 203, 204, 207, 208).

Every rule matches a current Header row with the Header_last row(s) of the same CHILD (a blank
CHILD is no child and matches none; the entries' older tool matched two blanks) and flags the
current row when any match disagrees. Header_last rows are never flagged.
"""
import pandas as pd

from lac_validator.registry import rule
from lac_validator.toolkit import child_in, differs, pair_by_child, true

UN_CODES = ["UN1", "UN2", "UN3", "UN4", "UN5"]


def _pairs(now: pd.DataFrame, last: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Current rows (label in `_row`) joined to last year's rows of the same CHILD (inner)."""
    p = pair_by_child(now[["CHILD"] + cols], last[["CHILD"] + cols], suffixes=("", "_last"))
    return p.rename(columns={"_l": "_row"})



# The DfE recoded sex from 1/2 to M/F (fields.yaml SEX): a child recorded 1 last year and M this year
# has the same sex, so the codes are compared by meaning (see rules/divergences.md).
_SEX_MEANING = {"1": "M", "2": "F"}


@rule("202")
def sex_changed(ctx):
    p = _pairs(ctx.raw("Header"), ctx.raw("Header_last"), ["SEX"])
    now = p["SEX"].replace(_SEX_MEANING)
    last = p["SEX_last"].replace(_SEX_MEANING)
    return p.loc[differs(now, last), "_row"]


@rule("203")
def dob_changed(ctx):
    p = _pairs(ctx.table("Header"), ctx.table("Header_last"), ["DOB"])
    return p.loc[differs(p["DOB"], p["DOB_last"]), "_row"]


@rule("204")
def ethnic_changed(ctx):
    p = _pairs(ctx.raw("Header"), ctx.raw("Header_last"), ["ETHNIC"])
    return p.loc[differs(p["ETHNIC"], p["ETHNIC_last"]), "_row"]


@rule("207")
def mother_changed(ctx):
    has_episodes = child_in(ctx.raw("Header")["CHILD"], ctx.raw("Episodes")["CHILD"])
    now = ctx.raw("Header")[has_episodes]
    p = _pairs(now, ctx.raw("Header_last"), ["MOTHER"])
    was_mother = true(p["MOTHER_last"].eq("1"))
    changed = ~true(p["MOTHER"].eq("1"))
    return {"Header": p.loc[was_mother & changed, "_row"]}


@rule("208")
def upn_changed(ctx):
    p = _pairs(ctx.raw("Header"), ctx.raw("Header_last"), ["UPN"])
    now, last = p["UPN"], p["UPN_last"]
    changed = differs(now, last)
    last_blank, now_blank = last.isna(), now.isna()
    last_un, now_un = last.isin(UN_CODES), now.isin(UN_CODES)
    allowed = ((true(last.eq("UN1")) | last_blank) & now.isin(["UN2", "UN3", "UN4", "UN5"])) | (
        (last_un | last_blank) & ~now_blank & ~now_un)
    return p.loc[changed & ~allowed, "_row"]
