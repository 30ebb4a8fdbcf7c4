"""Ages that contradict a reason episode ceased or a review participation code (407, 440, 441, 460)."""

from lac_validator.dates import add_years
from lac_validator.registry import rule
from lac_validator.toolkit import pair_by_child

SGO_RECS = ["E45", "E46", "E47", "E48"]
UNDER_4_CODES = ["PN0"]
FOUR_PLUS_CODES = ["PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"]


def _episodes_with_dob(ctx, recs):
    e = ctx.table("Episodes")
    h = ctx.table("Header")
    p = pair_by_child(e.loc[e["REC"].isin(recs), ["CHILD", "DEC"]], h[["CHILD", "DOB"]])
    p["AGE18"] = add_years(p["DOB"], 18)
    return p


@rule("407")
def sgo_after_18(ctx):
    # Divergence (rules/divergences.md): ending on the 18th birthday is flagged too: the child "has
    # reached age 18" that day (as rule 386 reads the same words); the older tool required DEC after it.
    p = _episodes_with_dob(ctx, SGO_RECS)
    bad = p[p["AGE18"] <= p["DEC"]]
    return {"Episodes": bad["_l"], "Header": bad["_r"]}


@rule("460")
def stayed_put_under_18(ctx):
    # Every Header row of the child is used (the older tool raised when a child had two).
    p = _episodes_with_dob(ctx, ["E17"])
    return p.loc[p["AGE18"] > p["DEC"], "_l"]


@rule("440")
def pn0_aged_4_or_over(ctx):
    # Divergence (rules/divergences.md): a review on the 4th birthday is flagged: the child is then
    # "4 years old or over"; the older tool required a review after it, so neither 440 nor 441 fired.
    r = ctx.table("Reviews")
    return r["REVIEW_CODE"].isin(UNDER_4_CODES) & (r["REVIEW"] >= add_years(r["DOB"], 4))


@rule("441")
def pn1_7_under_4(ctx):
    r = ctx.table("Reviews")
    return r["REVIEW_CODE"].isin(FOUR_PLUS_CODES) & (r["REVIEW"] < add_years(r["DOB"], 4))
