"""Episode codes and dates of the 100s: DECOM/DEC validity, code lists, DEC/REC completeness,
open episodes before a later one (rules 141-149, 178)."""
import numpy as np
import pandas as pd

from lac_validator.registry import rule

# Code lists are read from schemas/fields.yaml (ctx.codes), per collection year; what varies by year
# besides the lists is in the spec entries' params.

def _invalid_date(ctx, name, col):
    return ctx.raw(name)[col].notna() & ctx.table(name)[col].isna()


def _not_in(ctx, col):
    """Non-blank values that are not codes of the field this year (fields.yaml)."""
    v = ctx.raw("Episodes")[col]
    return v.notna() & ~v.isin(ctx.codes("Episodes", col))


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
    return _not_in(ctx, "RNE")


@rule("144")
def ls_code(ctx):
    return _not_in(ctx, "LS")


@rule("145")
def cin_code(ctx):
    return _not_in(ctx, "CIN")


@rule("146")
def place_code(ctx):
    # The list changes with the years (K3 added, H5/P2/Z1 retired, Z11-Z14 added): fields.yaml.
    return _not_in(ctx, "PLACE")


@rule("147")
def dec_valid(ctx):
    return _invalid_date(ctx, "Episodes", "DEC")


@rule("148")
def dec_rec_together(ctx):
    e = ctx.raw("Episodes")
    return e["DEC"].isna() != e["REC"].isna()


@rule("149")
def rec_code(ctx):
    return _not_in(ctx, "REC")


@rule("178")
def place_provider(ctx, no_provider_places):
    e = ctx.raw("Episodes")
    pp = e["PLACE_PROVIDER"]
    return pp.notna() & (~pp.isin(ctx.codes("Episodes", "PLACE_PROVIDER")) | e["PLACE"].isin(no_provider_places))
