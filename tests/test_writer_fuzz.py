"""Writers carry any string the input can hold (issue 25): random text from the whole of Unicode,
control characters, lone surrogates (undecodable file-name bytes), rich markup and escape
sequences, placed in every string of a report, goes through the XLSX, CSV, HTML, JSON, JUnit and
terminal writers, the fix sheet, the per-worker workbooks and DfE XML conversion. Each output must be written without error
and open in what its readers use; the terminal must receive no control character."""
from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import xml.dom.minidom
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lac_validator.api import Run, validate_run
from lac_validator.app.validate import for_outputs
from lac_validator.convert import write_xlsx_workbook, write_xml
from lac_validator.fixes import sheet_info, write_fix_sheet
from lac_validator.outputs.csv_report import write_csv
from lac_validator.outputs.html_report import write_html
from lac_validator.outputs.json_report import write_json
from lac_validator.outputs.junit_report import write_junit
from lac_validator.outputs.safety import safe_console, terminal_text
from lac_validator.outputs.text_report import render_text
from lac_validator.outputs.worker_lists import write_split_by_worker
from lac_validator.outputs.xlsx_report import write_xlsx

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
NASTY = ["\x00", "\x0b", "\x1b[2J", "\x1b]0;t\x07", "[/]", "[bold]", "\udcff", "\ud800", "\ufffe", "\u202e",
         "\r\n", "=1+1", "<x>&amp;", "]]>", "\x85", "\u2028"]
# Any code point, surrogates included (Python's stand-in for bytes that are not UTF-8), plus the
# known troublemakers as whole pieces.
ANY_TEXT = st.lists(st.one_of(st.characters(exclude_categories=()), st.sampled_from(NASTY)), max_size=12).map("".join)
TERMINAL_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz") / "current"
    folder.mkdir()
    (folder / "header.csv").write_text(HEADER + "1,X,01/01/2010,WBRI,,,\n2,Q,01/01/2011,WBRI,,,\n", encoding="utf-8")
    run = validate_run([folder], None, "2025-26", select=["101"])
    INFO.append(sheet_info(run.report, [folder], []))  # stamps the real files, before the inputs are poisoned
    return Run(for_outputs(run, ["json", "html"]), run.context)  # with suggestions and timelines


INFO: list = []


def _poison(report, texts: list[str]):
    """A copy of the report with the random strings everywhere it carries text from the input or the user."""
    recs = report.records.copy()
    n = len(recs)
    pick = lambda i: texts[i % len(texts)]  # noqa: E731
    recs["child"] = [pick(i) for i in range(n)]
    recs["social_worker"] = [pick(i + 1) for i in range(n)]
    recs["file"] = [pick(i + 2) for i in range(n)]
    recs["values"] = [{"SEX": pick(i + 3)} for i in range(n)]
    recs["locator"] = [pick(i + 4) for i in range(n)]
    cur = report.info.current
    cur = replace(cur, inputs=cur.inputs + tuple(texts),
                  tables=tuple(replace(t, file=pick(i)) for i, t in enumerate(cur.tables)))
    timelines = {pick(i): [{"start": "2025-04-01", "end": None, "ls": pick(i + 1), "place": pick(i + 2),
                            "year": "this year", "row": 0}] for i in range(n)}
    return replace(report, records=recs, notes=report.notes + tuple(texts), info=replace(report.info, current=cur),
                   timelines=timelines)


def _utf8(text: str) -> bytes:
    return text.encode("utf-8")  # what writing the file does: fails on anything not encodable


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(texts=st.lists(ANY_TEXT, min_size=1, max_size=4))
def test_every_writer_carries_any_string(base, texts):
    report = _poison(base.report, texts)

    out = io.StringIO()
    write_json(report, out)
    doc = json.loads(_utf8(out.getvalue()))
    assert len(doc["errors"]) == len(report.records)

    out = io.StringIO()
    write_csv(report, out)
    rows = list(csv.reader(io.StringIO(_utf8(out.getvalue()).decode("utf-8"), newline="")))
    assert len(rows) == len(report.records) + 1

    out = io.StringIO()
    write_junit(report, out)
    xml.dom.minidom.parseString(_utf8(out.getvalue()))

    out = io.StringIO()
    write_html(report, out)
    _utf8(out.getvalue())

    out = io.StringIO()
    render_text(report, safe_console(file=out, width=120, no_color=True), all_errors=True)
    shown = out.getvalue()
    assert not TERMINAL_CONTROL.search(shown), repr(shown)
    _utf8(shown)

    with tempfile.TemporaryDirectory() as tmp:
        write_xlsx(report, Path(tmp) / "r.xlsx")
        openpyxl.load_workbook(Path(tmp) / "r.xlsx").close()
        write_fix_sheet(Run(report, base.context), Path(tmp) / "f.xlsx", INFO[0])
        openpyxl.load_workbook(Path(tmp) / "f.xlsx").close()
        for path in write_split_by_worker(report, Path(tmp) / "workers", contact=texts[0]):
            assert path.parent == Path(tmp) / "workers"  # a worker's ID never names a path elsewhere
            openpyxl.load_workbook(path).close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(ANY_TEXT, min_size=2, max_size=2))
def test_conversion_writes_any_value(base, texts):
    ret = base.context.current
    table = ret.tables["Header"]
    saved = table.raw.copy()
    try:
        table.raw["CHILD"] = [texts[0], texts[1]]
        table.raw["ETHNIC"] = [texts[1], texts[0]]
        with tempfile.TemporaryDirectory() as tmp:
            write_xml(ret, Path(tmp) / "r.xml")
            xml.dom.minidom.parse(str(Path(tmp) / "r.xml"))
            write_xlsx_workbook(ret, Path(tmp) / "r.xlsx")
            openpyxl.load_workbook(Path(tmp) / "r.xlsx").close()
    finally:
        table.raw = saved


@given(text=ANY_TEXT)
def test_terminal_text_leaves_no_control_character(text):
    shown = terminal_text(text)
    assert not TERMINAL_CONTROL.search(shown) and "\n" not in shown
    _utf8(shown)
    # Plain text passes unchanged.
    if not re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]", text):
        assert shown == text
