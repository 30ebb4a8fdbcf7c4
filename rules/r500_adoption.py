"""Adoption: adopters' details (AD1), decisions to place for adoption (PlacedAdoption) and their
consistency with episodes and last year's decisions (rules 511-525, 551-561, 563, 579, 582-584).

Rows are matched on exact CHILD text; a blank CHILD is not a child and matches nothing (the
older tool's plain joins matched a blank CHILD to a blank CHILD; see rules/divergences.md), so a
blank-CHILD row is never paired and counts as having no row in the other table.
"""
import pandas as pd

from lac_validator.dates import date_key
from lac_validator.registry import rule
from lac_validator.toolkit import by_child, children, first_by_child, flag_pairs, is_code, labels, pair_by_child, same_child, true

ADOPTION_PLACEMENTS = ["A3", "A4", "A5", "A6"]
AD1_ITEMS = ["DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"]




def _date_key(ctx, table: str, column: str) -> pd.Series:
    """`column` of `table` for same-date tests (see dates.date_key)."""
    return date_key(ctx.raw(table)[column], ctx.table(table)[column])


# ---------------------------------------------------------------- adopters (AD1)

@rule("511")
def two_adopters_single_code(ctx):
    # "the code should only be MM, FF or MF": any other value (blank and invalid codes included)
    # is reported; the older tool reported only M1/F1
    a = ctx.raw("AD1")
    return is_code(a["NB_ADOPTR"], "2") & ~is_code(a["SEX_ADOPTR"], "MM", "FF", "MF")


def _status_needs(ctx, status: str, allowed: list[str]):
    a = ctx.raw("AD1")
    return is_code(a["LS_ADOPTR"], status) & ~is_code(a["SEX_ADOPTR"], *allowed)


@rule("514")
def single_adopter_status(ctx):
    return _status_needs(ctx, "L0", ["M1", "F1"])


@rule("517")
def l3_needs_mf(ctx):
    return _status_needs(ctx, "L3", ["MF"])


@rule("518")
def l4_needs_same_sex(ctx):
    return _status_needs(ctx, "L4", ["MM", "FF"])


@rule("519")
def l2_needs_couple(ctx):
    return _status_needs(ctx, "L2", ["MM", "FF", "MF"])


@rule("520")
def l11_needs_mf(ctx):
    return _status_needs(ctx, "L11", ["MF"])


@rule("524")
def l12_needs_same_sex(ctx):
    return _status_needs(ctx, "L12", ["MM", "FF"])


@rule("521")
def interest_decision_before_placement(ctx):
    e = ctx.table("Episodes")
    eps = e.loc[is_code(e["PLACE"], *ADOPTION_PLACEMENTS), ["CHILD", "DECOM"]]
    pairs = pair_by_child(eps, ctx.table("AD1")[["CHILD", "DATE_INT"]])
    return flag_pairs(pairs, true(pairs["DATE_INT"] > pairs["DECOM"]), "Episodes", "AD1")


@rule("582")
def matched_on_adoption_day(ctx):
    e = ctx.raw("Episodes")
    adopted = pd.DataFrame({"CHILD": e["CHILD"], "_key": _date_key(ctx, "Episodes", "DEC"), "_erow": e.index})
    adopted = adopted[is_code(e["REC"], "E11", "E12") & e["DEC"].notna() & e["CHILD"].notna()]
    a = ctx.raw("AD1")
    match = pd.DataFrame({"CHILD": a["CHILD"], "_key": _date_key(ctx, "AD1", "DATE_MATCH")})
    match = match[a["DATE_MATCH"].notna()]
    pairs = adopted.merge(match, on=["CHILD", "_key"])
    return {"Episodes": pairs["_erow"]}


# ---------------------------------------------------------------- decisions (PlacedAdoption)

@rule("522")
def ceased_before_decision(ctx):
    p = ctx.table("PlacedAdoption")
    return p["DATE_PLACED_CEASED"] < p["DATE_PLACED"]


@rule("523")
def decision_dates_agree(ctx):
    p = ctx.table("PlacedAdoption")
    a = ctx.table("AD1")
    pairs = pair_by_child(p.loc[p["DATE_PLACED"].notna(), ["CHILD", "DATE_PLACED"]],
                          a.loc[a["DATE_INT"].notna(), ["CHILD", "DATE_INT"]])
    return flag_pairs(pairs, true(pairs["DATE_INT"] != pairs["DATE_PLACED"]), "PlacedAdoption", "AD1")


@rule("525")
def reversed_decision_but_adopted(ctx):
    p = ctx.raw("PlacedAdoption")
    a = ctx.raw("AD1")
    pairs = pair_by_child(p.loc[p["DATE_PLACED_CEASED"].notna(), ["CHILD"]], a.loc[a[AD1_ITEMS].notna().any(axis=1), ["CHILD"]])
    return flag_pairs(pairs, None, "PlacedAdoption", "AD1")


@rule("563")
def ceased_without_decision_date(ctx):
    p = ctx.raw("PlacedAdoption")
    return p["REASON_PLACED_CEASED"].notna() & p["DATE_PLACED_CEASED"].notna() & p["DATE_PLACED"].isna()


@rule("579")
def decisions_overlap(ctx):
    p = ctx.table("PlacedAdoption")
    o = by_child(p[["CHILD", "DATE_PLACED", "DATE_PLACED_CEASED"]], ["DATE_PLACED"])  # undated rows last
    prev = o.shift()
    same = same_child(o["CHILD"], prev["CHILD"]).to_numpy()
    prev_ceased = pd.to_datetime(prev["DATE_PLACED_CEASED"])
    bad = prev_ceased.isna() | true(o["DATE_PLACED"] < prev_ceased).to_numpy()
    return o.index[same & bad.to_numpy()]


@rule("583")
def earlier_decision_not_revoked(ctx):
    p = ctx.table("PlacedAdoption")
    o = p.loc[p["CHILD"].notna(), ["CHILD", "DATE_PLACED"]]
    # most recent decision: latest DATE_PLACED date (rows without a date last), ties first in file
    latest = first_by_child(o, ["DATE_PLACED"], ascending=False).index
    others = o.index.difference(latest)
    open_rows = ctx.raw("PlacedAdoption")["DATE_PLACED_CEASED"].isna()
    return others[open_rows[others].to_numpy()]


# ---------------------------------------------------------------- decisions and episodes

@rule("551")
def adoption_placement_without_decision(ctx):
    e = ctx.raw("Episodes")
    p = ctx.raw("PlacedAdoption")
    no_date = p.loc[p["DATE_PLACED"].isna(), "CHILD"]
    placed = is_code(e["PLACE"], *ADOPTION_PLACEMENTS)
    return placed & (~e["CHILD"].isin(children(p["CHILD"])) | e["CHILD"].isin(children(no_date)))


@rule("552")
def decision_after_adoption_placement(ctx):
    p = ctx.table("PlacedAdoption")
    latest = first_by_child(p.loc[p["DATE_PLACED"].notna(), ["CHILD", "DATE_PLACED"]], ["DATE_PLACED"], ascending=False)
    e = ctx.table("Episodes")
    eps = e.loc[is_code(e["PLACE"], *ADOPTION_PLACEMENTS) & e["DECOM"].notna(), ["CHILD", "DECOM"]]
    pairs = pair_by_child(first_by_child(eps, ["DECOM"]), latest)
    return flag_pairs(pairs, true(pairs["DECOM"] < pairs["DATE_PLACED"]), "Episodes", "PlacedAdoption")


def _order_without_decision(ctx, status: str):
    """Rules 553/555: episodes with legal status `status` of children absent from PlacedAdoption;
    decisions with ceased details of children with an open (blank DEC) episode of that status."""
    e = ctx.raw("Episodes")
    p = ctx.raw("PlacedAdoption")
    with_status = is_code(e["LS"], status)
    # "no date of decision": no decision row of the child gives a DATE_PLACED (a non-blank invalid
    # value counts as given); the older tool only asked whether the child had any row at all
    dated = p.loc[p["DATE_PLACED"].notna(), "CHILD"]
    part1 = with_status & ~e["CHILD"].isin(children(dated))
    open_children = e.loc[with_status & e["DEC"].isna(), "CHILD"]
    ceased = p["DATE_PLACED_CEASED"].notna() | p["REASON_PLACED_CEASED"].notna()
    part2 = ceased & p["CHILD"].isin(children(open_children))
    return {"Episodes": part1, "PlacedAdoption": part2}


@rule("553")
def placement_order_without_decision(ctx):
    return _order_without_decision(ctx, "E1")


@rule("555")
def freeing_order_without_decision(ctx):
    return _order_without_decision(ctx, "D1")


@rule("554")
def decision_after_placement_order(ctx):
    e = ctx.table("Episodes")
    eps = e.loc[is_code(e["LS"], "E1") & e["DECOM"].notna(), ["CHILD", "DECOM"]]
    p = ctx.table("PlacedAdoption")
    pairs = pair_by_child(first_by_child(eps, ["DECOM"]), p[["CHILD", "DATE_PLACED"]])
    return flag_pairs(pairs, true(pairs["DATE_PLACED"] > pairs["DECOM"]), "Episodes", "PlacedAdoption")


@rule("556")
def decision_after_freeing_order(ctx):
    e = ctx.table("Episodes")
    eps = e.loc[is_code(e["LS"], "D1"), ["CHILD", "DECOM"]]
    pairs = pair_by_child(eps, ctx.table("PlacedAdoption")[["CHILD", "DATE_PLACED"]])
    return labels(pairs, true(pairs["DATE_PLACED"] > pairs["DECOM"]), "_l")


def _left_care_not_adopted(ctx, statuses: list[str]):
    e = ctx.raw("Episodes")
    qualifying = ((is_code(e["PLACE"], *ADOPTION_PLACEMENTS) | is_code(e["LS"], *statuses))
                  & e["REC"].notna() & ~is_code(e["REC"], "E11", "E12", "X1"))
    p = ctx.raw("PlacedAdoption")
    incomplete = p["DATE_PLACED_CEASED"].isna() | p["REASON_PLACED_CEASED"].isna()
    no_decision = ~e["CHILD"].isin(children(p["CHILD"]))
    has_incomplete = e["CHILD"].isin(children(p.loc[incomplete, "CHILD"]))
    flagged_eps = qualifying & (no_decision | has_incomplete)
    rows = incomplete & p["CHILD"].isin(children(e.loc[qualifying, "CHILD"]))
    return {"Episodes": flagged_eps, "PlacedAdoption": rows}


@rule("557")
def left_care_decision_not_ceased(ctx, legal_statuses):
    return _left_care_not_adopted(ctx, legal_statuses)


@rule("558")
def adopted_but_decision_ceased(ctx):
    e = ctx.raw("Episodes")
    p = ctx.raw("PlacedAdoption")
    adopted = is_code(e["REC"], "E11", "E12")
    open_decision = p.loc[p["DATE_PLACED_CEASED"].isna(), "CHILD"]
    return adopted & e["CHILD"].isin(children(p["CHILD"])) & ~e["CHILD"].isin(children(open_decision))


# ---------------------------------------------------------------- decisions against last year

@rule("559")
def earlier_decision_missing_last_year(ctx):
    p = ctx.table("PlacedAdoption")
    last = ctx.table("PlacedAdoption_last")
    undated_last = last.loc[last["DATE_PLACED"].isna(), "CHILD"]
    before = true(p["DATE_PLACED"] < ctx.collection_start)
    return before & (~p["CHILD"].isin(children(last["CHILD"])) | p["CHILD"].isin(children(undated_last)))


def _pairs_with_last(ctx) -> pd.DataFrame:
    this = pd.DataFrame({"CHILD": ctx.raw("PlacedAdoption")["CHILD"],
                         "_key": _date_key(ctx, "PlacedAdoption", "DATE_PLACED"),
                         "_date": ctx.table("PlacedAdoption")["DATE_PLACED"],
                         "_row": ctx.raw("PlacedAdoption").index})
    lr = ctx.raw("PlacedAdoption_last")
    last = pd.DataFrame({"CHILD": lr["CHILD"],
                         "_key_last": _date_key(ctx, "PlacedAdoption_last", "DATE_PLACED"),
                         "_date_last": ctx.table("PlacedAdoption_last")["DATE_PLACED"],
                         "_ceased_date": lr["DATE_PLACED_CEASED"].notna(),
                         "_ceased": lr["DATE_PLACED_CEASED"].notna() | lr["REASON_PLACED_CEASED"].notna()})
    return this[this["CHILD"].notna()].merge(last, on="CHILD")


@rule("560")
def open_decision_date_changed(ctx):
    p = _pairs_with_last(ctx)
    open_last = p["_key_last"].notna() & ~p["_ceased_date"]
    same = true(p["_key"] == p["_key_last"]).to_numpy()
    return p.loc[true(open_last).to_numpy() & ~same, "_row"]


@rule("561")
def ceased_decision_date_repeated(ctx):
    p = _pairs_with_last(ctx)
    same = true(p["_key"] == p["_key_last"]).to_numpy() & p["_key"].notna().to_numpy()
    return p.loc[same & true(p["_ceased"]).to_numpy(), "_row"]


@rule("584")
def new_decision_not_after_ceased(ctx):
    p = _pairs_with_last(ctx)
    p = p[true(p["_ceased"]).to_numpy()]
    not_later = true(p["_date"] <= p["_date_last"]).to_numpy()
    blank = ctx.raw("PlacedAdoption")["DATE_PLACED"].isna()
    return p.loc[not_later | blank[p["_row"]].to_numpy(), "_row"]
