"""Previous permanence (PrevPerm) details: completeness, codes, dates and consistency (630-635)."""
import pandas as pd

from lac_validator.dates import parse_strict
from lac_validator.registry import rule
from lac_validator.toolkit import children, pair_by_child
from lac_validator.views import as_set, first_episode

PREV_PERM_CODES = ["P1", "P2", "P3", "P4", "Z1"]
LA_CODES = frozenset("""
201 202 203 204 205 206 207 208 209 210 211 212 213 301 302 303 304 305 306 307 308 309 310 311 312 313 314
315 316 317 318 319 320 330 331 332 333 334 335 336 340 341 342 343 344 350 351 352 353 354 355 356 357 358
359 370 371 372 373 380 381 382 383 384 390 391 392 393 394 420 800 801 802 803 805 806 807 808 810 811 812
813 815 816 821 822 823 825 826 830 831 835 836 837 840 841 845 846 850 851 852 855 856 857 860 861 865 866
867 868 869 870 871 872 873 874 876 877 878 879 880 881 882 883 884 885 886 887 888 889 890 891 892 893 894
895 896 908 909 916 919 921 925 926 928 929 931 933 935 936 937 938 999 WAL SCO NUK NIR
""".split())
PERM_FIELDS = ["PREV_PERM", "DATE_PERM", "LA_PERM"]


@rule("630")
def prev_perm_missing(ctx):
    e = ctx.table("Episodes")
    pp = ctx.raw("PrevPerm")
    cand = e["RNE"].eq("S") & (e["DECOM"] >= ctx.collection_start)
    row_bad = pp["PREV_PERM"].isna() | (pp["PREV_PERM"].ne("Z1") & (pp["LA_PERM"].isna() | pp["DATE_PERM"].isna()))
    has_row = children(pp["CHILD"])
    bad_children = children(pp.loc[row_bad, "CHILD"])
    return cand & (~e["CHILD"].isin(has_row) | e["CHILD"].isin(bad_children))


@rule("631")
def prev_perm_code(ctx):
    pp = ctx.raw("PrevPerm")
    return pp["PREV_PERM"].notna() & ~pp["PREV_PERM"].isin(PREV_PERM_CODES)


def read_date_perm(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """DATE_PERM with ZZ/ZZZZ for unknown parts: (date, invalid) where invalid marks non-blank
    values that cannot be read."""
    text = text.astype(object)
    parts = text.str.split("/", expand=True) if len(text) else pd.DataFrame(index=text.index)
    parts = parts.reindex(columns=range(3)).astype(object)
    three = text.notna() & text.str.count("/").eq(2)
    day, month, year = parts[0], parts[1], parts[2]
    day_zz, month_zz = day.eq("ZZ"), month.eq("ZZ")
    broken = year.eq("ZZ") | day.eq("ZZZZ") | month.eq("ZZZZ")
    rebuilt = (day.mask(day_zz, "01") + "/" + month.mask(month_zz, "01") + "/" + year.mask(year.eq("ZZZZ"), "2000"))
    base = parse_strict(rebuilt.where(three & ~broken))
    out = base.copy()
    out = out.mask(day_zz & ~month_zz, base + pd.offsets.MonthEnd(0))
    out = out.mask(month_zz, base + pd.DateOffset(years=1) - pd.Timedelta(days=1))
    out = out.where(three & ~broken)
    invalid = text.notna() & out.isna()
    return out, invalid


@rule("632")
def prev_perm_date(ctx):
    first = first_episode(ctx, "Episodes")
    pp = ctx.raw("PrevPerm")
    when, invalid = read_date_perm(pp["DATE_PERM"])
    perm = pd.DataFrame({"CHILD": pp["CHILD"], "WHEN": when, "INVALID": invalid}, index=pp.index)
    p = pair_by_child(first[["CHILD", "DECOM"]], perm)
    bad = p[(p["WHEN"] >= p["DECOM"]) | p["INVALID"]]
    return {"Episodes": bad["_l"], "PrevPerm": bad["_r"]}


@rule("633")
def prev_perm_la(ctx):
    pp = ctx.raw("PrevPerm")
    return pp["LA_PERM"].notna() & ~pp["LA_PERM"].isin(LA_CODES)


@rule("634")
def prev_perm_for_care_before_scheme(ctx, scheme_start):
    # scheme_start (spec params) is a fixed calendar date: when previous permanence was first collected.
    e = ctx.table("Episodes")
    pp = ctx.raw("PrevPerm")
    last_decom = e[e["CHILD"].notna()].groupby("CHILD")["DECOM"].max()
    old = set(last_decom.index[(last_decom < pd.Timestamp(scheme_start)).to_numpy()])
    bad = pp[PERM_FIELDS].notna().any(axis=1) & pp["CHILD"].isin(old)
    children = as_set(pp.loc[bad, "CHILD"])
    return {"PrevPerm": bad, "Episodes": e["CHILD"].isin(children)}


@rule("635")
def z1_with_order_details(ctx):
    pp = ctx.raw("PrevPerm")
    return pp["PREV_PERM"].eq("Z1") & (pp["LA_PERM"].notna() | pp["DATE_PERM"].notna())
