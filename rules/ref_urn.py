"""URN and placement-LA rules: the Ofsted provider list (needs: provider_info) and the placement LA
derived from PL_POST (needs: postcodes, la_code): 1008, 218, 219, 221, 224, 227, 228, 229, 230, 241,
243, 1015.

Provider rows come from views.provider_matches: every Episodes row with a URN other than blank and
XXXXXXX, joined with every provider-list row of the same URN (`_matched` False when none).
"""
import pandas as pd

from lac_validator.postcodes import normalise
from lac_validator.registry import rule
from lac_validator.views import (REAL_URN_EXCLUDED, as_set, codes_contain, placement_geo, provider_matches,
                                 submitting_la_area)


SHORT_BREAKS = ["V3", "V4"]
# Placement lists that changed over the years are the spec entries' params (rules/spec).
# Districts outside the UK nations' lookups: Channel Islands, Isle of Man (not in England).
CROWN_DEPENDENCY_LAUA = ["L99999999", "M99999999"]


def _real_urn(e: pd.DataFrame) -> pd.Series:
    return e["URN"].notna() & e["URN"].ne(REAL_URN_EXCLUDED)


def _flag_rows(ctx, labels) -> pd.Series:
    idx = ctx.table("Episodes").index
    return pd.Series(idx.isin(pd.Index(labels).dropna().astype("int64")), index=idx)


def _any_failing(ctx, m: pd.DataFrame, fails: pd.Series) -> pd.Series:
    """Episodes rows where any of their provider matches fails."""
    return _flag_rows(ctx, m.loc[fails.to_numpy(), "_row"])


# ---------------------------------------------------------------- 1008: URN must be in the list

@rule("1008", requires=["Episodes"])
def urn_not_in_list(ctx):
    e = ctx.raw("Episodes")
    known = as_set(ctx.reference.providers.frame["URN"].dropna())
    return _real_urn(e) & ~e["URN"].isin(known)


# ---------------------------------------------------------------- 218: URN required

@rule("218")
def urn_required(ctx, exempt_places, outside_england_codes=None):
    """`outside_england_codes` None: outside England is a PL_LA starting N, W, S or C, and a blank
    PL_LA (blank/unknown PL_POST) is exempt too; a list: PL_LA one of those codes, or a crown dependency."""
    e, t = ctx.raw("Episodes"), ctx.table("Episodes")
    geo = placement_geo(ctx, "Episodes")
    in_year = (t["DEC"] >= ctx.collection_start) | e["DEC"].isna()
    needs_urn = ~e["PLACE"].isin(exempt_places)
    if outside_england_codes is None:
        outside = geo["PL_LA"].isna() | geo["PL_LA"].astype(str).str[:1].isin(["N", "W", "S", "C"])
    else:
        outside = geo["PL_LA"].isin(outside_england_codes) | geo["PL_LAUA"].isin(CROWN_DEPENDENCY_LAUA)
    return in_year & e["URN"].isna() & needs_urn & ~outside


# ---------------------------------------------------------------- 219 / 224: codes the URN may offer

@rule("219", requires=["Episodes"])
def urn_place_mismatch(ctx):
    m = provider_matches(ctx, "Episodes")
    fails = ~m["_matched"] | ~codes_contain(m["P_PLACE_CODES"], m["PLACE"])
    return _any_failing(ctx, m, fails)


@rule("224", requires=["Episodes"])
def urn_provider_mismatch(ctx):
    m = provider_matches(ctx, "Episodes")
    fails = ~m["_matched"] | ~codes_contain(m["P_PROVIDER_CODES"], m["PLACE_PROVIDER"])
    return _any_failing(ctx, m, fails)


# ---------------------------------------------------------------- 221: postcode of the URN

@rule("221", requires=["Episodes"])
def urn_postcode_mismatch(ctx, checked_places):
    m = provider_matches(ctx, "Episodes")
    m = m[~m["LS"].isin(SHORT_BREAKS) & m["PLACE"].isin(checked_places) & m["PL_POST"].notna()]
    pl_post = normalise(m["PL_POST"])
    fails = ~m["_matched"] | m["P_POSTCODE"].isna() | pl_post.ne(m["P_POSTCODE"]) | pl_post.isna()
    return _any_failing(ctx, m, fails)


# ---------------------------------------------------------------- 227 / 228: registration dates

def _typed(ctx, m: pd.DataFrame, column: str) -> pd.Series:
    return pd.Series(ctx.table("Episodes")[column].reindex(m["_row"].to_numpy()).to_numpy(), index=m.index)


@rule("227", requires=["Episodes"])
def urn_closed_before_start(ctx):
    m = provider_matches(ctx, "Episodes")
    decom = _typed(ctx, m, "DECOM")
    fails = m["_matched"] & m["P_REG_END"].notna() & (decom >= m["P_REG_END"])
    return _any_failing(ctx, m, fails)


@rule("228", requires=["Episodes"])
def urn_closed_before_end(ctx):
    m = provider_matches(ctx, "Episodes")
    dec = _typed(ctx, m, "DEC")
    ended = m["P_REG_END"]
    fails = m["_matched"] & ended.notna() & (
        (dec.notna() & (dec > ended)) | (dec.isna() & (ctx.collection_end > ended)))
    return _any_failing(ctx, m, fails)


# ---------------------------------------------------------------- 229: own / other LA provision vs provider's LA

@rule("229", requires=["Episodes"])
def provider_la_mismatch(ctx, skipped_places):
    m = provider_matches(ctx, "Episodes")
    m = m[~m["PLACE"].isin(skipped_places)]
    own = m["P_LA_CODE_INFERRED"].isin(submitting_la_area(ctx))  # unknown provider LA: not own
    fails = (m["PLACE_PROVIDER"].eq("PR1") & ~own) | (m["PLACE_PROVIDER"].eq("PR2") & own)
    return _any_failing(ctx, m, fails)


# ---------------------------------------------------------------- 230: English H5 placements need a URN

@rule("230")
def h5_urn_required(ctx, open_on):
    # `open_on` is a fixed calendar date (when H5 placements came under the URN requirement).
    e, t = ctx.raw("Episodes"), ctx.table("Episodes")
    geo = placement_geo(ctx, "Episodes")
    open_after = (t["DEC"] >= pd.Timestamp(open_on)) | t["DEC"].isna()
    no_urn = e["URN"].isna() | e["URN"].eq(REAL_URN_EXCLUDED)
    # Not England: PL_LA starting N, W or S; a blank PL_LA (blank or unknown PL_POST) is not tested.
    outside = geo["PL_LA"].isna() | geo["PL_LA"].astype(str).str[:1].isin(["N", "W", "S"])
    return e["PLACE"].eq("H5") & open_after & no_urn & ~outside


# ---------------------------------------------------------------- 241 / 243 / 1015: placement LA

@rule("241")
def k3_outside_provider_area(ctx):
    """The DfE message: the placement's LA must be one where the provider has premises. The older
    tool compared with the submitting LA instead (rules/divergences.md), which flags every supported
    accommodation placed out of area, however legitimate."""
    m = provider_matches(ctx, "Episodes")  # the spec's needs: provider_info, so the list is there
    m = m[m["PLACE"].eq("K3") & m["_matched"]]
    geo = placement_geo(ctx, "Episodes")
    pl_la = geo["PL_LA"].reindex(m["_row"].to_numpy()).to_numpy()
    same = pd.Series(m["P_LA_CODE_INFERRED"].to_numpy() == pl_la, index=m.index) & m["P_LA_CODE_INFERRED"].notna()
    known = pd.Series(pd.notna(pl_la), index=m.index)
    premises_here = same.groupby(m["_row"]).any()
    placed_known = known.groupby(m["_row"]).any()
    rows = premises_here.index[~premises_here & placed_known]
    return pd.Index(rows.astype("int64"))


@rule("243")
def urn_outside_england(ctx, outside_england_codes):
    e = ctx.raw("Episodes")
    geo = placement_geo(ctx, "Episodes")
    return geo["PL_LA"].isin(outside_england_codes) & e["URN"].notna()


@rule("1015")
def own_provision_outside_la(ctx, exempt_places):
    e = ctx.raw("Episodes")
    geo = placement_geo(ctx, "Episodes")
    exempt = exempt_places
    return (e["PLACE_PROVIDER"].eq("PR1")
            & e["PLACE"].notna() & ~e["PLACE"].isin(exempt)
            & e["LS"].notna() & ~e["LS"].isin(SHORT_BREAKS)
            & ~geo["PL_LA"].isin(submitting_la_area(ctx)))
