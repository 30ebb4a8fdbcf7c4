"""DfE XML returns: structure, line numbers, and hostile documents refused."""
from __future__ import annotations

import pytest

from lac_validator.errors import InputError
from lac_validator.loading import load_return
from lac_validator.years import CollectionYear

Y = CollectionYear.parse("2025-26")

DOC = """<?xml version="1.0" encoding="UTF-8"?>
<EXPSSDA903>
  <CHILD>
    <HEADER>
      <CHILDID>c1</CHILDID>
      <SEX>M</SEX>
      <DOB>01/01/2010</DOB>
      <ETHNIC>WBRI</ETHNIC>
      <UASC>1</UASC>
      <DUC>01/06/2025</DUC>
      <AREVIEW><REVIEW>01/05/2025</REVIEW><REVIEW_CODE>PN1</REVIEW_CODE></AREVIEW>
      <AMISSING><MISSING>M</MISSING><MIS_START>02/05/2025</MIS_START><MIS_END/></AMISSING>
    </HEADER>
    <EPISODE><DECOM>01/04/2025</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U1</PL></EPISODE>
    <EPISODE><DECOM>01/06/2025</DECOM><RNE>P</RNE><LS>C2</LS><CIN>N1</CIN><PL>U2</PL></EPISODE>
    <SW_EPISODE><SW_ID>SW1</SW_ID><SW_DECOM>01/04/2025</SW_DECOM></SW_EPISODE>
  </CHILD>
  <CHILD>
    <HEADER><CHILDID>c2</CHILDID><SEX>F</SEX><DOB>01/01/2005</DOB><UASC>0</UASC><IN_TOUCH>YES</IN_TOUCH></HEADER>
  </CHILD>
</EXPSSDA903>
"""


def test_xml_tables_and_lines(tmp_path):
    (tmp_path / "r.xml").write_text(DOC)
    ret = load_return([tmp_path / "r.xml"], Y, "current")
    assert ret.file_format == "xml"
    t = ret.tables
    assert list(t["Header"].raw["CHILD"]) == ["C1", "C2"]
    assert list(t["Header"].raw["UASC"]) == ["1", "0"]
    assert list(t["Episodes"].raw["PLACE"]) == ["U1", "U2"]
    assert list(t["Episodes"].raw["CHILD"]) == ["C1", "C1"]
    assert list(t["Episodes"].lines) == [14, 15]
    assert t["Reviews"].raw.loc[0, "DOB"] == "01/01/2010"
    assert t["Missing"].raw["MIS_END"].isna().all()
    assert list(t["UASC"].raw["CHILD"]) == ["C1"]   # UASC 1 (or a DUC) makes a UASC row; UASC 0 does not
    assert list(t["OC3"].raw["CHILD"]) == ["C2"]
    assert list(t["SWEpisodes"].raw["SW_ID"]) == ["SW1"]
    assert len(t["AD1"]) == 0  # every table exists in XML, possibly empty


@pytest.mark.parametrize("doc,expected", [
    ('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "x"><!ENTITY b "&a;&a;&a;">]><EXPSSDA903><CHILD><HEADER><CHILDID>&b;</CHILDID></HEADER></CHILD></EXPSSDA903>', "refused"),
    ('<?xml version="1.0"?><!DOCTYPE f [<!ENTITY x SYSTEM "file:///etc/passwd">]><EXPSSDA903><CHILD><HEADER><CHILDID>&x;</CHILDID></HEADER></CHILD></EXPSSDA903>', "refused"),
    ("<EXPSSDA903><CHILD><HEADER>", "not well-formed"),
    ("<OTHER/>", "not a DfE 903 XML return"),
])
def test_hostile_or_broken_xml_refused(tmp_path, doc, expected):
    (tmp_path / "r.xml").write_text(doc)
    with pytest.raises(InputError) as err:
        load_return([tmp_path / "r.xml"], Y, "current")
    assert expected in str(err.value) and "r.xml" in str(err.value)


def _records(ret):
    return {name: t.raw.astype(object).where(t.raw.notna(), None).to_dict("records") for name, t in ret.tables.items()}


def test_round_trip_xml_csv_xml_and_xlsx(tmp_path):
    from click.testing import CliRunner

    from lac_validator.cli import main

    src = tmp_path / "r.xml"
    src.write_text(DOC.replace("<SEX>M</SEX>", "<SEX>m</SEX>").replace("WBRI", "=WBRI"))
    before = src.read_bytes()
    runner = CliRunner()
    r = runner.invoke(main, ["convert", str(src), "--to", "csv", "-o", str(tmp_path / "csv"), "--year", "2025-26"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["convert", str(tmp_path / "csv"), "--to", "xml", "-o", str(tmp_path / "back.xml"), "--year", "2025-26"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["convert", str(tmp_path / "back.xml"), "--to", "xlsx", "-o", str(tmp_path / "r.xlsx"), "--year", "2025-26"])
    assert r.exit_code == 0, r.output
    assert src.read_bytes() == before
    a = load_return([src], Y, "current", upper=False)
    b = load_return([tmp_path / "back.xml"], Y, "current", upper=False)
    c = load_return([tmp_path / "r.xlsx"], Y, "current", upper=False)
    assert _records(a) == _records(b)
    assert a.tables["Header"].raw.loc[0, "SEX"] == "m"  # case kept by conversion
    def no_uasc(recs):  # the Header UASC indicator is derived, not a column of the CSV/XLSX layout
        return {n: [{k: v for k, v in r.items() if k != "UASC"} for r in rs] for n, rs in recs.items() if rs}
    assert no_uasc(_records(c)) == no_uasc(_records(a))


def test_convert_refuses_to_write_into_inputs(tmp_path):
    from click.testing import CliRunner

    from lac_validator.cli import main

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "r.xml").write_text(DOC)
    r = CliRunner().invoke(main, ["convert", str(tmp_path / "in"), "--to", "csv", "-o", str(tmp_path / "in"), "--year", "2025-26"])
    assert r.exit_code == 2


# XML holds one HEADER per child, so the copies of SEX and DOB that the CSV layout repeats in other
# tables (checked by INT11-INT18 and INT21) cannot disagree with HEADER in XML.
HEADER_COPY_CHECKS = {"INT11", "INT12", "INT13", "INT14", "INT15", "INT16", "INT17", "INT18", "INT21"}


@pytest.mark.parametrize("year", ["2022-23", "2023-24", "2024-25", "2025-26", "2026-27"])
def test_example_returns_give_the_same_errors_as_xml_and_csv(year):
    from pathlib import Path

    from lac_validator.api import validate

    root = Path(__file__).resolve().parent.parent / "example_returns" / year
    providers = [str(root / "ofsted_providers.xlsx")]
    csv_report = validate([root / "current"], [root / "previous"], year, "E08000007", providers)
    xml_report = validate([root / "xml" / "current.xml"], [root / "xml" / "previous.xml"], year, "E08000007", providers)
    assert not csv_report.result.internal_errors and not xml_report.result.internal_errors

    def keys(report):
        return {(r, c, k) for r, c, k in report.records[["rule", "child", "key"]].itertuples(index=False, name=None)
                if r not in HEADER_COPY_CHECKS}
    assert keys(csv_report) == keys(xml_report)
    assert keys(csv_report)  # the examples carry deliberate errors
    assert "105" in {r.code for r in xml_report.result.rules_run}
