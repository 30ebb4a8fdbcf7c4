"""URN and placement-LA rules: the Ofsted provider list (needs: provider_info) and the placement LA
derived from PL_POST (needs: postcodes, la_code): 1008, 218, 219, 221, 224, 227, 228, 229, 230, 241,
243, 1015.

Provider rows come from views.provider_matches: every Episodes row with a URN other than blank and
XXXXXXX, joined with every provider-list row of the same URN (`_matched` False when none).
"""
import pandas as pd

from lac_validator.postcodes import normalise
from lac_validator.registry import NotApplicable, rule
from lac_validator.views import (REAL_URN_EXCLUDED, as_set, codes_contain, placement_geo, provider_matches,
                                 submitting_la_area)

# Run in one process with the other rules needing the placements' postcode geography (engine._batches).
BATCH = "placement geography"

SHORT_BREAKS = ["V3", "V4"]
TEMPORARY = ["T0", "T1", "T2", "T3", "T4"]
Z_OTHER = ["Z11", "Z12", "Z13", "Z14"]
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

URN_EXEMPT_218 = {
    "2022_23": ["H5", "P1", "P2", "P3", "R1", "R2", "R5", *TEMPORARY, "Z1"],
    "2023_24": ["H5", "P1", "P2", "P3", "R1", "R2", "R5", *TEMPORARY, "Z1"],
    "2024_25": ["P1", "P3", "R1", "R2", "R5", *TEMPORARY, "Z1"],
    "2025_26": ["P1", "P3", "R1", "R2", "R5", *TEMPORARY, *Z_OTHER],
    "2026_27": ["P1", "P3", "R1", "R2", "R5", *TEMPORARY, *Z_OTHER],
}
OUTSIDE_ENGLAND_2025 = ["CON", "NIR", "SCO", "WAL", "NUK"]


@rule("218")
def urn_required(ctx):
    e, t = ctx.raw("Episodes"), ctx.table("Episodes")
    geo = placement_geo(ctx, "Episodes")
    in_year = (t["DEC"] >= ctx.collection_start) | e["DEC"].isna()
    needs_urn = ~e["PLACE"].isin(URN_EXEMPT_218[ctx.year.key])
    crown = geo["PL_LAUA"].isin(CROWN_DEPENDENCY_LAUA)
    if ctx.year.key in ("2022_23", "2023_24", "2024_25"):
        # Outside England: PL_LA starting N, W, S or C; a blank PL_LA (blank/unknown PL_POST) is exempt too.
        outside = geo["PL_LA"].isna() | geo["PL_LA"].astype(str).str[:1].isin(["N", "W", "S", "C"])
    else:
        outside = geo["PL_LA"].isin(OUTSIDE_ENGLAND_2025) | crown
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

POSTCODE_PLACES_221 = {
    "2022_23": ["K1", "K2", "R3", "S1"],
    "2023_24": ["H5", "K1", "K2", "R3", "S1"],
    "2024_25": ["K1", "K2", "K3", "R3", "S1"],
    "2025_26": ["K1", "K2", "K3", "R3", "S1"],
    "2026_27": ["K1", "K2", "K3", "R3", "S1"],
}


@rule("221", requires=["Episodes"])
def urn_postcode_mismatch(ctx):
    m = provider_matches(ctx, "Episodes")
    m = m[~m["LS"].isin(SHORT_BREAKS) & m["PLACE"].isin(POSTCODE_PLACES_221[ctx.year.key]) & m["PL_POST"].notna()]
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

SKIP_229_FROM_2025 = ["K3", "P1", "P3", "R1", "R2", "R5", *TEMPORARY, *Z_OTHER]


@rule("229", requires=["Episodes"])
def provider_la_mismatch(ctx):
    m = provider_matches(ctx, "Episodes")
    if ctx.year.first >= 2025:
        m = m[~m["PLACE"].isin(SKIP_229_FROM_2025)]
    own = m["P_LA_CODE_INFERRED"].isin(submitting_la_area(ctx))  # unknown provider LA: not own
    fails = (m["PLACE_PROVIDER"].eq("PR1") & ~own) | (m["PLACE_PROVIDER"].eq("PR2") & own)
    return _any_failing(ctx, m, fails)


# ---------------------------------------------------------------- 230: English H5 placements need a URN (2023_24)

@rule("230")
def h5_urn_required(ctx):
    e, t = ctx.raw("Episodes"), ctx.table("Episodes")
    geo = placement_geo(ctx, "Episodes")
    open_after = (t["DEC"] >= pd.Timestamp(2023, 10, 29)) | t["DEC"].isna()
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
    if getattr(ctx.reference, "providers", None) is None:
        raise NotApplicable("no Ofsted provider list given (--providers): the provider's premises are needed")
    m = provider_matches(ctx, "Episodes")
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
def urn_outside_england(ctx):
    e = ctx.raw("Episodes")
    geo = placement_geo(ctx, "Episodes")
    return geo["PL_LA"].isin(OUTSIDE_ENGLAND_2025) & e["URN"].notna()


OWN_PROVISION_EXEMPT_1015 = ["A3", "A4", "A5", "A6", "U1", "U2", "U3", "U4", "U5", "U6"]


@rule("1015")
def own_provision_outside_la(ctx):
    e = ctx.raw("Episodes")
    geo = placement_geo(ctx, "Episodes")
    exempt = OWN_PROVISION_EXEMPT_1015 + (["K3"] if ctx.year.first >= 2025 else [])
    return (e["PLACE_PROVIDER"].eq("PR1")
            & e["PLACE"].notna() & ~e["PLACE"].isin(exempt)
            & e["LS"].notna() & ~e["LS"].isin(SHORT_BREAKS)
            & ~geo["PL_LA"].isin(submitting_la_area(ctx)))
