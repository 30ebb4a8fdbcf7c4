"""Episode codes and dates of the 100s: DECOM/DEC validity, code lists, DEC/REC completeness,
open episodes before a later one (rules 141-149, 178)."""
import pandas as pd

from lac_validator.registry import rule
from lac_validator.toolkit import by_child, invalid_date, not_code

# Code lists are read from schemas/fields.yaml (ctx.codes), per collection year; what varies by year
# besides the lists is in the spec entries' params.



@rule("141")
def decom_valid(ctx):
    return invalid_date(ctx, "Episodes", "DECOM")


@rule("142")
def previous_episode_not_ended(ctx):
    t = ctx.table("Episodes")
    decom = t["DECOM"].where(t["DECOM"].ne(pd.Timestamp(1901, 1, 1)))
    frame = pd.DataFrame({"CHILD": t["CHILD"], "DECOM": decom}, index=t.index)
    frame = by_child(frame[frame["CHILD"].notna()], ["DECOM"])  # undated rows last
    is_last = ~frame["CHILD"].duplicated(keep="last")
    not_last = frame.index[~is_last.to_numpy()]
    lacks_end = t["DEC"].isna() | t["REC"].isna()
    return pd.Series(t.index.isin(not_last), index=t.index) & decom.notna() & lacks_end


@rule("143")
def rne_code(ctx):
    return not_code(ctx, "Episodes", "RNE")


@rule("144")
def ls_code(ctx):
    return not_code(ctx, "Episodes", "LS")


@rule("145")
def cin_code(ctx):
    return not_code(ctx, "Episodes", "CIN")


@rule("146")
def place_code(ctx):
    # The list changes with the years (K3 added, H5/P2/Z1 retired, Z11-Z14 added): fields.yaml.
    return not_code(ctx, "Episodes", "PLACE")


@rule("147")
def dec_valid(ctx):
    return invalid_date(ctx, "Episodes", "DEC")


@rule("148")
def dec_rec_together(ctx):
    e = ctx.raw("Episodes")
    return e["DEC"].isna() != e["REC"].isna()


@rule("149")
def rec_code(ctx):
    return not_code(ctx, "Episodes", "REC")


@rule("178")
def place_provider(ctx, no_provider_places):
    e = ctx.raw("Episodes")
    return not_code(ctx, "Episodes", "PLACE_PROVIDER") | (e["PLACE_PROVIDER"].notna() & e["PLACE"].isin(no_provider_places))
