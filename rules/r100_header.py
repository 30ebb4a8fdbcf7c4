"""Header and UASC checks of the 100s: sex, DOB and ethnicity, UASC dates and indicator, mother
status, UPN, mother's child DOB (rules 101-105, 165, 168, 171, 174)."""
import pandas as pd

from lac_validator.registry import NotApplicable, rule
from lac_validator.toolkit import invalid_date, not_code, true
from lac_validator.views import as_set, numbers, oc3_has_data


@rule("101")
def sex_code(ctx):
    return not_code(ctx, "Header", "SEX", blank_ok=False)


@rule("102")
def dob_valid(ctx):
    # Blank is an error here: every DOB must be a strict dd/mm/yyyy date.
    return ctx.table("Header")["DOB"].isna()


@rule("103")
def ethnic_code(ctx):
    return not_code(ctx, "Header", "ETHNIC", blank_ok=False)


@rule("104")
def duc_valid(ctx):
    u = ctx.table("UASC")
    return invalid_date(ctx, "UASC", "DUC") | (u["DUC"] < ctx.collection_start)


@rule("105")
def uasc_indicator(ctx):
    if ctx.file_format != "xml" and ctx.source("Header").source.kind != "xml":
        raise NotApplicable("checks the UASC element of an XML return; a CSV return has no UASC field")
    h = ctx.raw("Header")
    if "UASC" not in h:
        raise NotApplicable("the Header table has no UASC field")
    return ~numbers(ctx, "Header", "UASC").isin([0, 1])


@rule("165")
def mother_status(ctx, male, female):
    start, end = ctx.collection_start, ctx.collection_end
    e = ctx.table("Episodes")
    eps = e[~e["LS"].isin(["V3", "V4"]) & e["CHILD"].notna()]
    dec = eps["DEC"].fillna(end)
    in_year = (dec >= start) & (eps["DECOM"] <= end)
    examined = as_set(eps["CHILD"])
    eps_in_year = as_set(eps.loc[in_year, "CHILD"])

    h = ctx.raw("Header")
    h = h[h["CHILD"].isin(examined)]
    hh = pd.DataFrame({"CHILD": h["CHILD"], "SEX": h["SEX"], "MOTHER": h["MOTHER"], "_h": h.index,
                       "_bad_mother": not_code(ctx, "Header", "MOTHER")[h.index]})

    o = ctx.raw("OC3")
    o = o[o["CHILD"].notna()]
    oc = pd.DataFrame({"CHILD": o["CHILD"], "_o": o.index,
                       "_has_oc3": oc3_has_data(ctx)[o.index]})

    combos = hh.merge(oc, on="CHILD", how="left")
    has_oc3 = combos["_has_oc3"].eq(True)
    in_year_child = combos["CHILD"].isin(eps_in_year)
    mother, sex = combos["MOTHER"], combos["SEX"]
    err = (
        combos["_bad_mother"]
        | (mother.notna() & sex.eq(male))
        | (mother.isna() & sex.eq(female) & in_year_child)
        | (mother.notna() & sex.eq(female) & ~in_year_child & has_oc3)
    )
    bad = combos[err]
    return {"Header": bad["_h"].astype("int64"), "OC3": bad["_o"].dropna().astype("int64")}


UPN_PATTERN = r"[A-HJ-NP-RT-Z](?:[0-9]{12}|[0-9]{11}[A-Z])|UN[1-5]"


@rule("168")
def upn_format(ctx):
    upn = ctx.raw("Header")["UPN"]
    valid = true(upn.str.fullmatch(UPN_PATTERN))
    return upn.notna() & ~valid


@rule("171")
def mc_dob_valid(ctx):
    return invalid_date(ctx, "Header", "MC_DOB")


@rule("174")
def mc_dob_male(ctx, male):
    h = ctx.raw("Header")
    return h["SEX"].eq(male) & h["MC_DOB"].notna()
