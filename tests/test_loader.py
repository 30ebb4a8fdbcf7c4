"""Loading: table recognition by headers, encodings, XLSX, line numbers, clear errors."""
from __future__ import annotations

import hashlib

import openpyxl
import pytest

from lac_validator.errors import InputError
from lac_validator.loading import load_return
from lac_validator.years import CollectionYear

Y = CollectionYear.parse("2025-26")
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPIS = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_tables_recognised_by_headers_in_any_order_and_case(tmp_path):
    write(tmp_path / "a.csv", "sex, child ,DOB,ethnic,UPN,MOTHER,MC_DOB\nm,c1,01/01/2010,wbri,,,\n")
    write(tmp_path / "b.csv", EPIS + "C1,01/04/2025,S,C2,N1,U1,PR1,,,,,,\n")
    ret = load_return([tmp_path], Y, "current")
    assert set(ret.tables) == {"Header", "Episodes"}
    h = ret.tables["Header"]
    assert h.raw.loc[0, "CHILD"] == "C1" and h.raw.loc[0, "SEX"] == "M" and h.raw.loc[0, "ETHNIC"] == "WBRI"
    assert str(h.data["DOB"].dtype).startswith("datetime64")


def test_values_are_upper_cased_not_trimmed_and_blank_is_missing(tmp_path):
    write(tmp_path / "h.csv", HEADER + "a, m,01/01/2010,,,,\n")
    h = load_return([tmp_path / "h.csv"], Y, "current").tables["Header"]
    assert h.raw.loc[0, "SEX"] == " M"
    assert h.raw["ETHNIC"].isna().all()


def test_extra_column_warned_and_kept_out(tmp_path):
    write(tmp_path / "h.csv", "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB,NOTES\n1,M,01/01/2010,WBRI,,,,hello\n")
    ret = load_return([tmp_path], Y, "current")
    assert "NOTES" not in ret.tables["Header"].raw.columns
    assert any("NOTES" in w for w in ret.warnings)


@pytest.mark.parametrize("encoding,bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b""), ("utf-16", b"")])
def test_encodings(tmp_path, encoding, bom):
    text = HEADER + "Zoë,F,01/01/2010,WBRI,,,\n"
    (tmp_path / "h.csv").write_bytes(bom + text.encode(encoding))
    h = load_return([tmp_path], Y, "current").tables["Header"]
    assert h.raw.loc[0, "CHILD"] == "ZOË"


def test_line_numbers_follow_the_file(tmp_path):
    write(tmp_path / "h.csv", HEADER + "1,M,01/01/2010,WBRI,,,\n\n2,\"F\",01/01/2010,\"WB\nRI\",,,\n3,M,01/01/2010,WBRI,,,\n")
    h = load_return([tmp_path], Y, "current").tables["Header"]
    assert list(h.raw["CHILD"]) == ["1", "2", "3"]
    assert list(h.lines) == [2, 4, 6]


def _sex_errors(paths):
    from lac_validator.api import validate

    recs = validate(paths, year=Y, select=["101"]).records  # 101: SEX not a valid code
    return recs.sort_values("line")[["child", "row", "line"]].values.tolist()


def test_report_row_is_the_files_data_row_after_blank_and_multi_line_rows(tmp_path):
    # Data rows of the file: 0 child 1, 1 blank, 2 child 2 (two lines: a quoted line break),
    # 3 child 3, 4 ",,,,,," (no value), 5 child 4. Only rows with a value are rows of the table.
    write(tmp_path / "h.csv", HEADER + '1,X,01/01/2010,WBRI,,,\n\n2,"X",01/01/2010,"WB\nRI",,,\n'
          "3,X,01/01/2010,WBRI,,,\n,,,,,,\n4,X,01/01/2010,WBRI,,,\n")
    assert _sex_errors([tmp_path / "h.csv"]) == [["1", 0, 2], ["2", 2, 4], ["3", 3, 6], ["4", 5, 8]]


def test_report_row_is_the_sheets_data_row_after_blank_rows(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([])  # the header may start lower down
    ws.append(HEADER.strip().split(","))
    ws.append(["1", "X", "01/01/2010", "WBRI"])
    ws.append([])
    ws.append(["2", "X", "01/01/2010", "WBRI"])
    wb.save(tmp_path / "h.xlsx")
    assert _sex_errors([tmp_path / "h.xlsx"]) == [["1", 0, 3], ["2", 2, 5]]


def test_xlsx_workbook_one_sheet_per_table(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Header"
    ws.append(HEADER.strip().split(","))
    import datetime as dt
    ws.append(["1", "M", dt.datetime(2010, 1, 1), "WBRI", None, None, None])
    ws2 = wb.create_sheet("Notes")
    ws2.append(["anything", "else"])
    ws3 = wb.create_sheet("Episodes")
    ws3.append(EPIS.strip().split(","))
    ws3.append([1, dt.date(2025, 4, 1), "S", "C2", "N1", "U1", "PR1"])
    wb.save(tmp_path / "return.xlsx")
    ret = load_return([tmp_path / "return.xlsx"], Y, "current")
    assert ret.tables["Header"].raw.loc[0, "DOB"] == "01/01/2010"
    assert ret.tables["Episodes"].raw.loc[0, "CHILD"] == "1"
    assert list(ret.tables["Episodes"].lines) == [2]
    assert any("Notes" in w for w in ret.warnings)


@pytest.mark.parametrize("content,expected", [
    ("", "empty"),
    ("FOO,BAR\n1,2\n", "matches no 903 table"),
    ("CHILD,SEX,DOB,ETHNIC\n1,M,01/01/2010,WBRI\n", "lacks column(s) UPN, MOTHER, MC_DOB"),
    (HEADER + '1,M,"01/01/2010\n', "line 2 has 3 comma-separated fields but the header row has 7"),
    ("\x00\x01\x02binary", "binary"),
])
def test_bad_files_give_clear_messages(tmp_path, content, expected):
    write(tmp_path / "x.csv", content)
    with pytest.raises(InputError) as err:
        load_return([tmp_path / "x.csv"], Y, "current")
    assert expected in str(err.value) and "x.csv" in str(err.value)


def test_table_given_twice(tmp_path):
    write(tmp_path / "a.csv", HEADER)
    write(tmp_path / "b.csv", HEADER)
    with pytest.raises(InputError, match="Header table twice"):
        load_return([tmp_path], Y, "current")


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        load_return([tmp_path / "nope"], Y, "current")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no .csv"):
        load_return([tmp_path / "empty"], Y, "current")


def test_corrupt_xlsx(tmp_path):
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04not really a zip")
    with pytest.raises(InputError, match="bad.xlsx"):
        load_return([tmp_path / "bad.xlsx"], Y, "current")


def test_table_not_in_year_is_ignored_with_warning(tmp_path):
    write(tmp_path / "d.csv", "CHILD,DOB,DOLO_START,DOLO_END\n1,01/01/2010,01/05/2025,\n")
    write(tmp_path / "h.csv", HEADER + "1,M,01/01/2010,WBRI,,,\n")
    ret = load_return([tmp_path], Y, "current")
    assert "DoLo" not in ret.tables and any("DoLo" in w for w in ret.warnings)


def test_uasc_indicator_derived_for_csv(tmp_path):
    write(tmp_path / "h.csv", HEADER + "1,M,01/01/2010,WBRI,,,\n2,M,01/01/2010,WBRI,,,\n")
    write(tmp_path / "u.csv", "CHILD,SEX,DOB,DUC\n2,M,01/01/2010,\n")
    h = load_return([tmp_path], Y, "current").tables["Header"]
    assert list(h.raw["UASC"]) == ["0", "1"]


def test_uasc_indicator_of_a_blank_child_is_0_beside_a_blank_child_uasc_row(tmp_path):
    # A blank CHILD is no child: a blank-CHILD UASC row is not its UASC row (the isin test matched them).
    write(tmp_path / "h.csv", HEADER + ",M,01/01/2010,WBRI,,,\n2,M,01/01/2010,WBRI,,,\n")
    write(tmp_path / "u.csv", "CHILD,SEX,DOB,DUC\n,M,01/01/2010,\n2,M,01/01/2010,\n")
    h = load_return([tmp_path], Y, "current").tables["Header"]
    assert list(h.raw["UASC"]) == ["0", "1"]


def test_inputs_are_not_modified(tmp_path):
    p = write(tmp_path / "h.csv", HEADER + "1,m,01/01/2010,wbri,,,\n")
    before = hashlib.sha256(p.read_bytes()).hexdigest()
    load_return([tmp_path], Y, "current")
    assert hashlib.sha256(p.read_bytes()).hexdigest() == before


def test_workbook_that_unpacks_to_too_much_is_refused(tmp_path, monkeypatch):
    """A zip bomb is refused before it is unpacked; the limit is lowered here so the test stays small."""
    import zipfile

    from lac_validator.loading import xlsx_reader

    wb = openpyxl.Workbook()
    wb.active.title = "Header"
    wb.active.append(HEADER.strip().split(","))
    path = tmp_path / "return.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/padding.bin", b"\0" * 3_000_000)  # compresses to a few KB
    assert path.stat().st_size < 100_000
    assert load_return([path], Y, "current").tables["Header"] is not None  # under the real limit: read
    monkeypatch.setattr(xlsx_reader, "_MAX_UNPACKED", 2_000_000)
    with pytest.raises(InputError, match=r"return\.xlsx: unpacks to .*export the tables as CSV"):
        load_return([path], Y, "current")
