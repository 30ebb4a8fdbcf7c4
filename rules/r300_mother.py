"""Mother and review fields against short-break legal status (rules 393, 399)."""
from __future__ import annotations

from lac_validator.registry import rule
from lac_validator.views import as_set

RESPITE = ["V3", "V4"]


def _mother_missing(ctx, female: str):
    h = ctx.raw("Header")
    e = ctx.raw("Episodes")
    looked_after = e.loc[~e["LS"].isin(RESPITE), "CHILD"].dropna().unique()  # a blank CHILD is no child
    return h["SEX"].eq(female) & h["CHILD"].isin(looked_after) & h["MOTHER"].isna()


@rule("393")
def mother_missing_for_girl(ctx, female):
    return _mother_missing(ctx, female)


@rule("399")
def short_breaks_with_mother_or_reviews(ctx):
    e = ctx.raw("Episodes")
    h = ctx.raw("Header")
    r = ctx.raw("Reviews")
    named = e[e["CHILD"].notna()]
    all_respite = named["LS"].isin(RESPITE).groupby(named["CHILD"]).all()
    qualifying = set(all_respite.index[all_respite.to_numpy()])
    h_q = h[h["CHILD"].isin(qualifying)]
    r_q = r[r["CHILD"].isin(qualifying)]
    mother = h_q["MOTHER"].notna()
    review = r_q["REVIEW"].notna() | r_q["REVIEW_CODE"].notna()
    with_mother = as_set(h_q.loc[mother, "CHILD"])
    with_review = as_set(r_q.loc[review, "CHILD"])
    flagged_children = with_mother | with_review
    return {
        "Episodes": e["CHILD"].isin(flagged_children) & e["CHILD"].notna(),
        "Header": h_q.index[(mother | h_q["CHILD"].isin(with_review)).to_numpy()],
        "Reviews": r_q.index[(review | r_q["CHILD"].isin(with_mother)).to_numpy()],
    }
