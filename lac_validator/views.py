"""Derived views shared by rules, computed once per run and reused.

Each view is a function of the context (and a table name); `@shared` memoises it in
`ctx.cache`, so however many rules ask for "episodes in order", the sort happens once.
Views return frames indexed by the source table's row labels, so rules can flag rows
directly from them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .context import Context
from .dates import parse_lenient
from .memo import Precompute, shared
from .toolkit import as_set, child_in


# ---------------------------------------------------------------- episodes in order

@shared(precompute=Precompute(args=(("Episodes",),)))
def ordered(ctx: Context, name: str = "Episodes") -> pd.DataFrame:
    """Rows ordered by CHILD, then DECOM (no date last), ties in file order.

    Adds `_pos` (0-based position within the child) and `_count` (rows of that child).
    Rows with a blank CHILD are kept but never belong to a child (their `_pos` is 0).
    """
    t = ctx.table(name)
    order = t.assign(_nodate=t["DECOM"].isna() if "DECOM" in t else False, _file=np.arange(len(t)))
    date_col = "DECOM" if "DECOM" in t else None
    keys = ["CHILD", "_nodate"] + ([date_col] if date_col else []) + ["_file"]
    order = order.sort_values(keys, kind="mergesort", na_position="last")
    child = order["CHILD"]
    same = child.eq(child.shift()) & child.notna()
    grp = (~same).cumsum()
    order["_pos"] = order.groupby(grp).cumcount()
    order["_count"] = order.groupby(grp)["_pos"].transform("size")
    order.loc[child.isna(), ["_pos", "_count"]] = [0, 1]
    return order.drop(columns=["_nodate", "_file"])


@shared(precompute=Precompute(args=(("Episodes", 1), ("Episodes", -1))))
def neighbour(ctx: Context, name: str = "Episodes", offset: int = 1) -> pd.DataFrame:
    """For each row of `ordered`, the values of the child's next (offset=1) or previous
    (offset=-1) row; all-missing where there is none. Index = the row's own label, so
    `ordered(...)` and `neighbour(...)` align. Column `_row` holds the neighbour's label."""
    o = ordered(ctx, name)
    shifted = o.shift(-offset)
    shifted["_row"] = pd.Series(o.index, index=o.index).shift(-offset)
    same = o["CHILD"].eq(shifted["CHILD"]) & o["CHILD"].notna()
    return shifted.where(same, other=np.nan) if len(o) else shifted


@shared(precompute=Precompute(args=(("Episodes",),)))
def first_episode(ctx: Context, name: str = "Episodes") -> pd.DataFrame:
    """Each child's row with the earliest DECOM date (rows without a date ignored; ties: first
    in file order). Index = row labels."""
    o = ordered(ctx, name)
    dated = o[o["DECOM"].notna() & o["CHILD"].notna()]
    return dated[~dated["CHILD"].duplicated(keep="first")]


@shared
def last_episode(ctx: Context, name: str = "Episodes") -> pd.DataFrame:
    """Each child's row with the latest DECOM date (rows without a date ignored; ties: first in
    file order). Index = row labels."""
    t = ctx.table(name)
    dated = t[t["DECOM"].notna() & t["CHILD"].notna()]
    latest = dated.groupby("CHILD")["DECOM"].transform("max")
    cand = dated[dated["DECOM"].eq(latest)]
    return cand[~cand["CHILD"].duplicated(keep="first")]


# ---------------------------------------------------------------- child-level facts

@shared
def lenient_dates(ctx: Context, name: str, column: str) -> pd.Series:
    """A column read with the general day-first date reading (only for rules whose spec says so)."""
    return parse_lenient(ctx.raw(name)[column])


@shared
def numbers(ctx: Context, name: str, column: str) -> pd.Series:
    """A column read as numbers: surrounding spaces, sign, leading zeros, decimals and exponents
    accepted; anything else is NaN."""
    raw = ctx.raw(name)[column]
    return pd.to_numeric(raw.str.strip(), errors="coerce")


@shared
def episodes_in_year(ctx: Context, name: str = "Episodes") -> pd.DataFrame:
    """Episodes open at some time in the collection year: DECOM <= end and (DEC >= start or no DEC)."""
    t = ctx.table(name)
    mask = (t["DECOM"] <= ctx.collection_end) & ((t["DEC"] >= ctx.collection_start) | t["DEC"].isna())
    return t[mask]


@shared
def continuously_looked_after(ctx: Context) -> frozenset:
    """Children looked after continuously for at least 12 months at 31 March (the OC2 cohort).

    True when the child has an episode during the year and none of its episodes (a) starts
    the period of care (RNE S) after collection_start, (b) ends with REC other than X1 inside
    the year, or (c) is a V3/V4 short break during the year.
    """
    if not ctx.has("Episodes"):
        return frozenset()
    t = ctx.table("Episodes")
    start, end = ctx.collection_start, ctx.collection_end
    during = (t["DECOM"] <= end) & ((t["DEC"] >= start) | t["DEC"].isna())
    new_start = t["RNE"].eq("S") & (t["DECOM"] > start) & (t["DECOM"] <= end)
    left = t["REC"].ne("X1") & t["REC"].notna() & (t["DEC"] >= start) & (t["DEC"] < end)
    # A blank REC is not X1: spec (b) says "REC not X1"
    left = left | (t["REC"].isna() & (t["DEC"] >= start) & (t["DEC"] < end))
    short_break = t["LS"].isin(["V3", "V4"]) & during
    children_during = as_set(t.loc[during, "CHILD"].dropna())
    excluded = as_set(t.loc[new_start | left | short_break, "CHILD"].dropna())
    return frozenset(children_during - excluded)


@shared
def oc2_looked_after(ctx: Context) -> pd.Series:
    """Per OC2 row: its child is in `continuously_looked_after` (the OC2 cohort); a blank CHILD never."""

    return child_in(ctx.raw("OC2")["CHILD"], continuously_looked_after(ctx))


@shared
def birthday(ctx: Context, name: str, years: int) -> pd.Series:
    """Each row's `years`-th birthday from the table's own DOB (NaT when DOB is blank or invalid)."""
    from .dates import add_years

    return add_years(ctx.table(name)["DOB"], years)


# ---------------------------------------------------------------- placements and reference data
# Postcode-derived placement values (fields.yaml `derived:` PL_LA, PL_LOCATION, PL_DISTANCE), the
# submitting LA's area, joins with the Ofsted provider list, and the UASC-now-or-last-year set used by
# the distance rules. Rules needing them declare `needs: postcodes / la_code / provider_info`, so the
# engine only runs them when ctx.reference / ctx.la provide the data.

GEO_COLUMNS = ["PL_LA", "PL_LOCATION", "PL_DISTANCE", "PL_FOUND", "PL_LAUA", "HOME_FOUND"]


@shared
def postcode_data(ctx: Context, name: str, column: str) -> pd.DataFrame:
    """The postcode directory's data for one postcode column (HOME_POST / PL_POST) of a table, per row:
    `found`, `laua` (district), `easting`, `northing`. Spaces removed and upper-cased before matching."""
    raw = ctx.raw(name)[column]
    return ctx.reference.postcodes.lookup(raw)


@shared
def submitting_la_area(ctx: Context) -> frozenset:
    """Upper-tier codes counted as inside the submitting LA (--la): its own ONS code, plus for an LA
    since replaced (e.g. Cumbria, North Yorkshire or Somerset county before April 2023) the current
    codes of its former area. Empty without --la."""
    from .geography import area_codes

    if ctx.la is None:
        return frozenset()
    return area_codes(getattr(ctx.la, "ons_code", str(ctx.la)))


@shared(precompute=Precompute(args=(("Episodes",),), needs=frozenset({"postcodes"})))
def placement_geo(ctx: Context, name: str = "Episodes") -> pd.DataFrame:
    """Per row of Episodes / Episodes_last (same index), the derived placement values:

    - PL_LA: upper-tier LA of PL_POST's district (current lookup, schemas/lad_to_utla.csv); SCO, NIR or
      WAL for Scottish, Northern Irish and Welsh districts; blank when PL_POST is blank or unknown or its
      district maps to no LA (Channel Islands, Isle of Man).
    - PL_LOCATION: blank when PL_POST gives no district (blank, unknown, or a directory entry without
      one); else IN when PL_LA is the submitting LA (see submitting_la_area), OUT otherwise (SCO/NIR/WAL
      and an unmapped district included). Without --la it is blank everywhere; PL_LAUA tells whether
      a district was found.
    - PL_DISTANCE: miles between HOME_POST and PL_POST, sqrt(dE^2 + dN^2) / 1000 / 1.6093 rounded to 1
      decimal; NaN when either postcode is blank, unknown or has no coordinates.
    - PL_FOUND / HOME_FOUND: the postcode is in the directory; PL_LAUA: PL_POST's district code.
    Use `placement_geo(ctx, "Episodes")` with the name spelt out (the memo key includes it).
    """
    from .geography import utla_for_lad
    from .postcodes import distance_miles

    pl = postcode_data(ctx, name, "PL_POST")
    home = postcode_data(ctx, name, "HOME_POST")
    out = pd.DataFrame(index=ctx.table(name).index)
    out["PL_LA"] = utla_for_lad(pl["laua"]).to_numpy()
    out["PL_LAUA"] = pl["laua"].to_numpy()
    area = submitting_la_area(ctx)
    known = pl["laua"].notna().to_numpy()
    if area:
        loc = np.where(out["PL_LA"].isin(area).to_numpy(), "IN", "OUT").astype(object)
        out["PL_LOCATION"] = np.where(known, loc, np.nan)
    else:
        out["PL_LOCATION"] = np.nan
    out["PL_LOCATION"] = out["PL_LOCATION"].astype("object")
    out["PL_DISTANCE"] = distance_miles(home["easting"], home["northing"], pl["easting"], pl["northing"])
    out["PL_FOUND"] = pl["found"].to_numpy(dtype=bool)
    out["HOME_FOUND"] = home["found"].to_numpy(dtype=bool)
    return out[GEO_COLUMNS]


def set_placement_geo(ctx: Context, name: str, frame: pd.DataFrame) -> None:
    """Use `frame` as the derived placement values of table `name` (tests of a rule's condition on
    derived values the postcode derivation cannot produce). Missing columns are derived as usual."""
    key = placement_geo.cache_key(ctx, name)
    if ctx.reference is not None and getattr(ctx.reference, "postcodes", None):
        base = placement_geo(ctx, name).copy()
    else:
        base = pd.DataFrame(np.nan, index=ctx.table(name).index, columns=GEO_COLUMNS, dtype="object")
    for col in frame.columns:
        base[col] = frame[col].reindex(base.index).to_numpy()
    ctx.cache[key] = base


REAL_URN_EXCLUDED = "XXXXXXX"


@shared
def provider_matches(ctx: Context, name: str = "Episodes") -> pd.DataFrame:
    """Episodes rows with a URN (not blank, not XXXXXXX) joined with every provider-list row of the
    same URN (exact text). Columns: `_row` (the episode's label), `_matched` (a provider row was
    found; False rows carry blank provider columns), the episode's raw columns and the provider
    table's columns prefixed `P_` (P_PLACE_CODES, P_PROVIDER_CODES, P_REG_END, P_POSTCODE,
    P_LA_CODE_INFERRED ...)."""
    e = ctx.raw(name)
    e = e[e["URN"].notna() & e["URN"].ne(REAL_URN_EXCLUDED)]
    prov = ctx.reference.providers.frame.add_prefix("P_")
    left = e.assign(_row=e.index)
    out = left.merge(prov, how="left", left_on="URN", right_on="P_URN", indicator=True)
    out["_matched"] = out["_merge"].eq("both")
    return out.drop(columns="_merge")


def codes_contain(lists: pd.Series, codes: pd.Series) -> pd.Series:
    """Whether each comma-separated code list holds the code on the same row (blank list or code: False)."""
    lst = lists.to_numpy(dtype=object)
    cod = codes.to_numpy(dtype=object)
    ok = pd.notna(lst) & pd.notna(cod)
    out = np.zeros(len(lst), dtype=bool)
    if ok.any():
        # Few distinct (list, code) pairs repeat over many rows: test each pair once.
        which, pairs = pd.MultiIndex.from_arrays([lst[ok], cod[ok]]).factorize()
        answer = np.array([str(code) in str(codes_list).split(",") for codes_list, code in pairs], dtype=bool)
        out[ok] = answer[which]
    return pd.Series(out, index=lists.index)


@shared
def uasc_indicator(ctx: Context, header: str = "Header") -> pd.Series | None:
    """Header's (or Header_last's) UASC indicator per row, or None when the return does not say:
    XML carries it (HEADER/UASC); CSV derives it on loading from the UASC table, so a CSV Header
    without that year's UASC table has no indicator (blank is "unknown", not "not UASC")."""
    if not ctx.has(header):
        return None
    h = ctx.raw(header)
    ret = ctx.previous if header.endswith("_last") else ctx.current
    uasc = "UASC_last" if header.endswith("_last") else "UASC"
    if "UASC" in h and (ret.file_format == "xml" or ctx.has(uasc) or h["UASC"].notna().any()):
        return h["UASC"]
    return None


def uasc_this_or_last_year(ctx: Context) -> tuple[frozenset, bool]:
    """(children UASC this year or last year, whether any source gave UASC information), as rules
    164, 392a, 392b and 406 collect them: per year, Header's UASC indicator ("1") when Header is supplied
    (it has one when the return is XML, or CSV with the UASC table), else the UASC table itself (a row
    with SEX, DOB or DUC given counts as UASC)."""
    children: set = set()
    informed = False
    for header, uasc in (("Header", "UASC"), ("Header_last", "UASC_last")):
        if ctx.has(header):
            indicator = uasc_indicator(ctx, header)
            if indicator is not None:
                informed = True
                children |= as_set(ctx.raw(header).loc[indicator.eq("1"), "CHILD"].dropna())
        elif ctx.has(uasc):
            u = ctx.raw(uasc)
            informed = True
            cols = [c for c in ("SEX", "DOB", "DUC") if c in u]
            given = u[cols].notna().any(axis=1) if cols else pd.Series(False, index=u.index)
            children |= set(u.loc[given, "CHILD"].dropna())
    return frozenset(children), informed


# ---------------------------------------------------------------- care leavers

OC3_ITEMS = ["IN_TOUCH", "ACTIV", "ACCOM"]


@shared
def oc3_has_data(ctx: Context, name: str = "OC3") -> pd.Series:
    """Per OC3 (or OC3_last) row: True when any care-leaver item (IN_TOUCH, ACTIV, ACCOM) is filled in."""
    return ctx.raw(name)[OC3_ITEMS].notna().any(axis=1)
