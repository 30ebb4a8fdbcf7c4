"""Episode codes and dates of the 100s: DECOM/DEC validity, code lists, DEC/REC completeness,
open episodes before a later one (rules 141-149, 178)."""
import numpy as np
import pandas as pd

from lac_validator.registry import rule

RNE_CODES = frozenset(["S", "P", "L", "T", "U", "B"])
LS_CODES = frozenset(["C1", "C2", "D1", "E1", "V2", "V3", "V4", "J1", "J2", "J3", "L1", "L2", "L3"])
CIN_CODES = frozenset(["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"])
PLACE_CODES_2022 = frozenset([
    "A3", "A4", "A5", "A6", "H5", "K1", "K2", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1",
    "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1",
])
# 2024_25 added K3 (the older tool spelt it "k3", which never matched upper-cased data).
PLACE_CODES_2024 = PLACE_CODES_2022 | {"K3"}
PLACE_CODES_2025 = frozenset([
    "A3", "A4", "A5", "A6", "K1", "K2", "K3", "P1", "P3", "R1", "R2", "R3", "R5", "S1",
    "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z11", "Z12", "Z13", "Z14",
])
REC_CODES = frozenset([
    "E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E41", "E45", "E46", "E47", "E48", "E5", "E6",
    "E7", "E8", "E9", "E14", "E15", "E16", "E17", "X1",
])
PROVIDER_CODES = frozenset(["PR0", "PR1", "PR2", "PR3", "PR4", "PR5"])
NO_PROVIDER_PLACES_2022 = frozenset(["T0", "T1", "T2", "T3", "T4", "Z1"])
NO_PROVIDER_PLACES_2025 = frozenset(["T0", "T1", "T2", "T3", "Z11", "Z12", "Z13", "Z14"])


def _invalid_date(ctx, name, col):
    return ctx.raw(name)[col].notna() & ctx.table(name)[col].isna()


def _not_in(ctx, col, codes):
    v = ctx.raw("Episodes")[col]
    return v.notna() & ~v.isin(codes)


@rule("141")
def decom_valid(ctx):
    return _invalid_date(ctx, "Episodes", "DECOM")


@rule("142")
def previous_episode_not_ended(ctx):
    t = ctx.table("Episodes")
    decom = t["DECOM"].where(t["DECOM"].ne(pd.Timestamp(1901, 1, 1)))
    frame = pd.DataFrame({
        "CHILD": t["CHILD"], "_nodate": decom.isna(), "DECOM": decom, "_file": np.arange(len(t)),
    }, index=t.index)
    frame = frame[frame["CHILD"].notna()].sort_values(["CHILD", "_nodate", "DECOM", "_file"], kind="mergesort")
    is_last = ~frame["CHILD"].duplicated(keep="last")
    not_last = frame.index[~is_last.to_numpy()]
    lacks_end = t["DEC"].isna() | t["REC"].isna()
    return pd.Series(t.index.isin(not_last), index=t.index) & decom.notna() & lacks_end


@rule("143")
def rne_code(ctx):
    return _not_in(ctx, "RNE", RNE_CODES)


@rule("144")
def ls_code(ctx):
    return _not_in(ctx, "LS", LS_CODES)


@rule("145")
def cin_code(ctx):
    return _not_in(ctx, "CIN", CIN_CODES)


@rule("146", years=["2022_23", "2023_24"])
def place_code_2022(ctx):
    return _not_in(ctx, "PLACE", PLACE_CODES_2022)


@rule("146", years=["2024_25"])
def place_code_2024(ctx):
    return _not_in(ctx, "PLACE", PLACE_CODES_2024)


@rule("146", years=["2025_26", "2026_27"])
def place_code_2025(ctx):
    return _not_in(ctx, "PLACE", PLACE_CODES_2025)


@rule("147")
def dec_valid(ctx):
    return _invalid_date(ctx, "Episodes", "DEC")


@rule("148")
def dec_rec_together(ctx):
    e = ctx.raw("Episodes")
    return e["DEC"].isna() != e["REC"].isna()


@rule("149")
def rec_code(ctx):
    return _not_in(ctx, "REC", REC_CODES)


def _provider(ctx, no_provider_places):
    e = ctx.raw("Episodes")
    pp = e["PLACE_PROVIDER"]
    return pp.notna() & (~pp.isin(PROVIDER_CODES) | e["PLACE"].isin(no_provider_places))


@rule("178", years=["2022_23", "2023_24", "2024_25"])
def place_provider_2022(ctx):
    return _provider(ctx, NO_PROVIDER_PLACES_2022)


@rule("178", years=["2025_26", "2026_27"])
def place_provider_2025(ctx):
    return _provider(ctx, NO_PROVIDER_PLACES_2025)
