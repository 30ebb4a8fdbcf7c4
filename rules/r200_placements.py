"""Placement type against provider, location, URN and RNE (rules 213, 214, 217, 217t, 222, 242)."""
import pandas as pd

from lac_validator.registry import rule

TEMPORARY = ["T0", "T1", "T2", "T3", "T4"]
TEMPORARY_2025 = TEMPORARY + ["Z11", "Z12", "Z13", "Z14"]
NO_URN_2022 = ["H5", "P1", "P2", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z1"]
NO_URN_2023 = ["P1", "P2", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z1"]
NO_URN_2024 = ["P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z1"]
NO_URN_2025 = ["P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z11", "Z12", "Z13", "Z14"]
ADOPTION_PLACEMENTS = ["A3", "A4", "A5", "A6", "U1", "U2", "U3", "U4", "U5", "U6"]
P2_END = pd.Timestamp(2023, 10, 28)
A3A5_FROM = pd.Timestamp(2015, 4, 1)


@rule("213", years=["2022_23", "2023_24", "2024_25"])
def provider_for_temporary(ctx):
    e = ctx.raw("Episodes")
    return e["PLACE"].isin(TEMPORARY) & e["PLACE_PROVIDER"].notna()


@rule("213", years=["2025_26", "2026_27"])
def provider_for_temporary_2025(ctx):
    e = ctx.raw("Episodes")
    return e["PLACE"].isin(TEMPORARY_2025) & e["PLACE_PROVIDER"].notna()


@rule("214")
def location_for_short_break(ctx):
    e = ctx.raw("Episodes")
    return e["LS"].isin(["V3", "V4"]) & (e["PL_POST"].notna() | e["URN"].notna())


@rule("217")
def adoption_by_carers_rne(ctx):
    e = ctx.table("Episodes")
    return e["PLACE"].isin(["A3", "A5"]) & (e["DECOM"] >= A3A5_FROM) & ~e["RNE"].isin(["S", "T", "U"])


@rule("217t")
def p2_after_october_2023(ctx):
    e = ctx.table("Episodes")
    return e["PLACE"].eq("P2").fillna(False).astype(bool) & ((e["DEC"] > P2_END) | e["DEC"].isna())


def _urn_not_expected(ctx, places):
    e = ctx.raw("Episodes")
    return e["PLACE"].isin(places) & e["URN"].notna() & e["URN"].ne("XXXXXXX")


@rule("222", years=["2022_23"])
def urn_not_expected_2022(ctx):
    return _urn_not_expected(ctx, NO_URN_2022)


@rule("222", years=["2023_24"])
def urn_not_expected_2023(ctx):
    return _urn_not_expected(ctx, NO_URN_2023)


@rule("222", years=["2024_25"])
def urn_not_expected_2024(ctx):
    return _urn_not_expected(ctx, NO_URN_2024)


@rule("222", years=["2025_26", "2026_27"])
def urn_not_expected_2025(ctx):
    return _urn_not_expected(ctx, NO_URN_2025)


@rule("242")
def xxxxxxx_only_for_adoption(ctx):
    e = ctx.raw("Episodes")
    return e["URN"].eq("XXXXXXX").fillna(False).astype(bool) & ~e["PLACE"].isin(ADOPTION_PLACEMENTS)
