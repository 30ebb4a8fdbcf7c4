"""Suggested corrections in the reports (the suggesters themselves: tests/suggestion_cases), and the
generator's record of the true values the benchmark scores them against."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
from click.testing import CliRunner

import lac_validator.suggestions as suggestions
from lac_validator.api import validate_run
from lac_validator.cli import main
from lac_validator.devtools.synth import generate

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "example_returns" / "2025-26"
ARGS = [str(EXAMPLE / "current"), "--previous", str(EXAMPLE / "previous"), "--year", "2025-26", "--la", "E08000007"]


def _json(tmp_path, *extra):
    out = tmp_path / "r.json"
    r = CliRunner().invoke(main, ["validate", *ARGS, "-f", "json", "-o", str(out), "--quiet", *extra])
    assert r.exit_code == 1, r.output
    return json.loads(out.read_text(encoding="utf-8"))


def test_json_errors_carry_a_suggestion_or_null(tmp_path):
    errors = _json(tmp_path)["errors"]
    assert errors and all("suggestion" in e for e in errors)
    sex = next(e for e in errors if e["rule"] == "101")
    assert sex["values"] == {"SEX": "X"}
    assert sex["suggestion"] == {"field": "SEX", "value": "M",
                                 "evidence": "last year's return recorded SEX M for this child"}
    for e in errors:
        s = e["suggestion"]
        assert s is None or (set(s) == {"field", "value", "evidence"}
                             and (s["field"] in e["fields"] or (s["field"], e["fields"]) == ("DEC", ["REC"])))
    assert any(e["suggestion"] is None for e in errors)


def test_pseudonymised_reports_carry_no_suggestion(tmp_path):
    errors = _json(tmp_path, "--pseudonymise", "--salt", "s3cret")["errors"]
    assert errors and all(e["suggestion"] is None for e in errors)


def test_xlsx_errors_sheet_and_html_show_the_suggestion(tmp_path):
    xlsx, page = tmp_path / "e.xlsx", tmp_path / "e.html"
    for fmt, out in (("xlsx", xlsx), ("html", page)):
        assert CliRunner().invoke(main, ["validate", *ARGS, "-f", fmt, "-o", str(out), "--quiet"]).exit_code == 1
    rows = list(openpyxl.load_workbook(xlsx, read_only=True)["Errors"].iter_rows(values_only=True))
    col = rows[0].index("Suggested correction")
    shown = [r[col] for r in rows[1:] if r[0] == "101"]
    assert shown == ["SEX = M (last year's return recorded SEX M for this child)"]
    text = page.read_text(encoding="utf-8")
    assert "<th>Suggested correction</th>" in text and "SEX = M (last year" in text


def test_suggestions_are_computed_only_when_an_output_shows_them(monkeypatch):
    import lac_validator.report as report_module
    from lac_validator.app import validate as steps
    from lac_validator.app import writers

    run = validate_run([EXAMPLE / "current"], [EXAMPLE / "previous"], "2025-26", "E08000007")
    assert "suggestion" not in run.report.records.columns   # the terminal summary never pays for them
    for name, w in writers.WRITERS.items():
        assert ("suggestion" in steps.for_outputs(run, [name]).records.columns) == w.suggestions, name
    assert "suggestion" not in steps.for_outputs(run, ["json"], pseudonymise=True).records.columns  # shows none
    assert "suggestion" in steps.for_outputs(run, ["csv"], fix_sheet=True).records.columns
    assert "suggestion" not in run.report.records.columns   # a new report each time: this one is unchanged

    calls = []
    real = report_module.suggestions
    monkeypatch.setattr(report_module, "suggestions", lambda *a: calls.append(1) or real(*a))
    request = dict(current=(EXAMPLE / "current",), previous=(EXAMPLE / "previous",), year="2025-26", la="E08000007")
    assert "suggestion" not in steps.run(steps.Request(**request, formats=("csv",))).report.records.columns
    assert calls == []
    assert "suggestion" in steps.run(steps.Request(**request, formats=("json",))).report.records.columns
    assert calls == [1]


def test_a_failing_suggester_costs_its_suggestions_only(monkeypatch):
    from lac_validator.app.validate import for_outputs

    run = validate_run([EXAMPLE / "current"], [EXAMPLE / "previous"], "2025-26", "E08000007")
    broken = [s for s in suggestions.all_suggesters() if s.name == "forms"]

    def fail(ctx, rows):
        raise RuntimeError("broken")

    monkeypatch.setattr(suggestions, "_SUGGESTERS",
                        [suggestions.Suggester(s.name, s.table, s.fields, s.answers, fail, s.description)
                         if s in broken else s for s in suggestions.all_suggesters()])
    got = for_outputs(run, ["json"]).records["suggestion"]
    assert any(s is not None and s["field"] == "SEX" for s in got)  # last year's SEX still suggested


def test_generator_records_the_true_value_of_each_mistake_without_changing_the_return():
    truth: list[dict] = []
    cur, _ = generate(300, "2025-26", 903, 0.3, "E08000007", truth=truth)
    plain, _ = generate(300, "2025-26", 903, 0.3, "E08000007")
    for name in cur:
        pd.testing.assert_frame_equal(cur[name], plain[name])
    assert len(truth) > 50 and {t["kind"] for t in truth} >= {"sex", "overlap", "sw_id", "bad_date"}
    for t in truth:
        frame = cur[t["table"]]
        assert frame.at[t["row"], t["field"]] == t["written"] != t["true"]


# ---------------------------------------------------------------- the fix sheet round trip

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPIS = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"


def _write(folder, header_rows, episode_rows=None):
    folder.mkdir()
    (folder / "header.csv").write_text(HEADER + "".join(r + "\n" for r in header_rows))
    if episode_rows is not None:
        (folder / "episodes.csv").write_text(EPIS + "".join(r + "\n" for r in episode_rows))
    return folder


def _rows(ws):
    header = [c.value for c in ws[1]]
    return [dict(zip(header, row)) for row in ws.iter_rows(min_row=2)]


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_fix_sheet_round_trip_with_accepted_suggestions(tmp_path):
    cur = _write(tmp_path / "cur", ["1,X,01/01/2010,WBRI,,,", "2,Y,01/01/2011,WBRI,,,", "3,Z,01/01/2012,WBRI,,,",
                                    "4,M,01/01/2012,WBRI,,,"],
                 ["4,01/04/2025,S,C2,N1,U1,PR1,22/05/2025,X1,,SK1 1AA,SK2 2AA,SC123456",
                  "4,16/05/2025,P,C2,N1,U4,PR1,,,,SK1 1AA,SK3 3AA,SC123456"])
    prev = _write(tmp_path / "prev", ["1,M,01/01/2010,WBRI,,,", "2,F,01/01/2011,WBRI,,,", "3,F,01/01/2012,WBRI,,,"],
                  ["1,01/06/2024,S,C2,N1,U1,PR1,01/03/2025,E11,,SK1 1AA,SK2 2AA,SC123456"])
    sheet = tmp_path / "fix.xlsx"
    r = _run("validate", cur, "--previous", prev, "--year", "2025-26", "--select", "101,388", "--fix-sheet", sheet, "-q")
    assert r.exit_code == 1 and sheet.exists(), r.output
    wb = openpyxl.load_workbook(sheet)
    sex = _rows(wb["Rule 101"])
    assert [(r["Child"].value, r["Suggested value"].value) for r in sex] == [("1", "M"), ("2", "F"), ("3", "F")]
    assert sex[0]["Evidence"].value == "last year's return recorded SEX M for this child"
    assert all(r["Accept suggestion"].value is None and r["Corrected value"].value is None for r in sex)
    # rule 388 is about REC; the suggested DEC gets its own row beside the REC row
    ep = _rows(wb["Rule 388"])
    assert [(r["Field"].value.split(" (")[0], r["Suggested value"].value) for r in ep] == [("REC", None),
                                                                                          ("DEC", "16/05/2025")]
    sex[0]["Accept suggestion"].value = "Yes"                  # accepted
    sex[1]["Accept suggestion"].value = "Yes"                  # accepted, but a typed value wins
    sex[1]["Corrected value"].value = "M"
    ep[0]["Accept suggestion"].value = "Yes"                   # no suggestion on this row: nothing to accept
    ep[1]["Accept suggestion"].value = "yes"
    wb.save(sheet)                                             # child 3: suggestion left alone
    out = tmp_path / "fixed"
    r = _run("apply-fixes", sheet, "--to", cur, "-o", out, "--who", "Tester")
    assert r.exit_code == 0, r.output
    assert "Corrections made: 3" in r.output and "Refused: 0." in r.output
    lines = (out / "header.csv").read_text().splitlines()
    assert lines[1:4] == ["1,M,01/01/2010,WBRI,,,", "2,M,01/01/2011,WBRI,,,", "3,Z,01/01/2012,WBRI,,,"]
    assert (out / "episodes.csv").read_text().splitlines()[1] == \
        "4,01/04/2025,S,C2,N1,U1,PR1,16/05/2025,X1,,SK1 1AA,SK2 2AA,SC123456"
    log = (out / "lac-validator-changes.log").read_text()
    assert "accepted suggestion (last year's return recorded SEX M for this child)" in log
    assert "accepted suggestion (the next episode starts 16/05/2025" in log
    assert log.count("accepted suggestion") == 2               # child 2's typed value is not one


def test_fix_applies_only_mechanical_corrections_not_suggestions(tmp_path):
    cur = _write(tmp_path / "cur", ["1,X,2010-01-01,WBRI,,,"])
    prev = _write(tmp_path / "prev", ["1,M,01/01/2010,WBRI,,,"])
    out = tmp_path / "fixed"
    r = _run("fix", cur, "--previous", prev, "-o", out, "--year", "2025-26")
    assert r.exit_code in (0, 1), r.output
    assert (out / "header.csv").read_text().splitlines()[1] == "1,X,01/01/2010,WBRI,,,"
