"""Date checks on Header and Episodes (rules 301, 302, 351, 353-357, 385, 388)."""
from __future__ import annotations

import pandas as pd

from lac_validator.dates import add_years, date_key
from lac_validator.registry import rule
from lac_validator.toolkit import by_child, flag_pairs, pair_by_child, same_child
from lac_validator.views import first_episode

NO_DECOM = pd.Timestamp(1901, 1, 1)


@rule("301")
def dob_after_year_end(ctx):
    h = ctx.table("Header")
    return h["DOB"] > ctx.collection_end


@rule("302")
def first_episode_before_birth(ctx):
    first = first_episode(ctx, "Episodes")[["CHILD", "DECOM"]]
    h = ctx.table("Header")[["CHILD", "DOB"]]
    p = pair_by_child(first, h)
    hit = p["DOB"] > p["DECOM"]
    return flag_pairs(p, hit, "Episodes", "Header")


@rule("351")
def over_25_at_year_start(ctx):
    h = ctx.table("Header")
    return ctx.collection_start > add_years(h["DOB"], 25)


@rule("353")
def decom_before_earliest(ctx, earliest):
    # `earliest` (spec params) is a fixed calendar date: the start of the Children Act 1989 regime.
    e = ctx.table("Episodes")
    return e["DECOM"] < pd.Timestamp(earliest)


@rule("354")
def decom_after_year_end(ctx):
    e = ctx.table("Episodes")
    return e["DECOM"] > ctx.collection_end


@rule("355")
def same_day_episode(ctx):
    # Divergence (rules/divergences.md): the same date written differently ("1/5/2020" and
    # "01/05/2020") counts as the same day; two blanks are no dates at all and are not flagged.
    r, t = ctx.raw("Episodes"), ctx.table("Episodes")
    start = date_key(r["DECOM"], t["DECOM"])
    end = date_key(r["DEC"], t["DEC"])
    return start.notna() & start.eq(end)


@rule("356")
def dec_before_decom(ctx):
    e = ctx.table("Episodes")
    return e["DEC"] < e["DECOM"]


@rule("357")
def first_episode_not_s(ctx):
    first = first_episode(ctx, "Episodes")
    hit = (first["DECOM"] >= ctx.collection_start) & first["RNE"].ne("S")
    return first.index[hit.to_numpy()]


@rule("385")
def dec_after_year_end(ctx):
    e = ctx.table("Episodes")
    return e["DEC"] > ctx.collection_end


@rule("388")
def x1_without_continuation(ctx):
    e = ctx.table("Episodes")
    t = e.assign(_decom=e["DECOM"].fillna(NO_DECOM))
    t = by_child(t[t["CHILD"].notna()], ["_decom"])
    nxt_decom = t["_decom"].shift(-1)
    last = ~same_child(t["CHILD"], t["CHILD"].shift(-1))
    dec_ok = t["DEC"].notna()
    x1 = t["REC"].eq("X1")
    case1 = ~last & x1 & dec_ok & t["DEC"].ne(nxt_decom)
    case2 = ~last & t["REC"].notna() & ~x1 & dec_ok & t["DEC"].eq(nxt_decom)
    case3 = last & x1 & dec_ok
    return t.index[(case1 | case2 | case3).to_numpy()]
