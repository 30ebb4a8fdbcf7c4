"""Suggested corrections in the reports (the suggesters themselves: tests/suggestion_cases), and the
generator's record of the true values the benchmark scores them against."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
from click.testing import CliRunner

import lac_validator.suggestions as suggestions
from lac_validator.api import validate
from lac_validator.cli import main
from lac_validator.synth import generate

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


def test_suggestions_are_computed_only_when_an_output_shows_them():
    report = validate([EXAMPLE / "current"], [EXAMPLE / "previous"], "2025-26", "E08000007")
    assert "suggestion" not in report.records.columns   # the terminal summary never pays for them
    assert "suggestion" in report.with_suggestions().columns


def test_a_failing_suggester_costs_its_suggestions_only(monkeypatch):
    report = validate([EXAMPLE / "current"], [EXAMPLE / "previous"], "2025-26", "E08000007")
    broken = [s for s in suggestions.all_suggesters() if s.name == "forms"]

    def fail(ctx, rows):
        raise RuntimeError("broken")

    monkeypatch.setattr(suggestions, "_SUGGESTERS",
                        [suggestions.Suggester(s.name, s.table, s.fields, s.answers, fail, s.description)
                         if s in broken else s for s in suggestions.all_suggesters()])
    got = report.with_suggestions()["suggestion"]
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
