"""The benchmark generator's returns exercise the rule set; validate-many; the rule worker process;
the reference-data cache. No timings are asserted anywhere."""
from __future__ import annotations

import json
import os
import stat

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from lac_validator import cache
from lac_validator.api import validate
from lac_validator.cli import main
from lac_validator.devtools.synth import ERROR_KINDS, _inject_errors, generate, write_providers, write_return

YEAR = "2025-26"
LA = "E08000007"

# The rule each injected error kind breaks, read from the rule's DfE message (not from any output).
RULE_FOR_KIND = {
    "sex": "101",                # reported sex is not valid
    "ethnic": "103",             # ethnicity code not valid
    "bad_date": "141",           # date episode began is not a valid date
    "rpc_blank": "225",          # reason for placement change must be recorded
    "overlap": "501",            # new episode started before the end of the previous one
    "first_mismatch": "502",     # last year's open episode's start differs from this year's first
    "review_code_blank": "167",  # participation invalid or blank
    "missing_order": "567",      # missing episode ended before it started
    "sw_id": "SW02STG1",         # social worker ID does not begin with SW or XX
    "upn_blank": "442",          # UPN not completed
    "rec_blank": "148",          # DEC and REC must both be coded or both blank
}


def _write(folder, n, rate, seed=903):
    cur, prev = generate(n, YEAR, seed, rate, LA)
    write_return(cur, folder / "current")
    write_return(prev, folder / "previous")
    write_providers([cur, prev], folder / "providers.xlsx")
    return folder


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """300 children with many injected errors, as the benchmark generates them (small size)."""
    folder = _write(tmp_path_factory.mktemp("bench") / "n300", 300, 0.3)
    report = validate([folder / "current"], [folder / "previous"], YEAR, LA, [str(folder / "providers.xlsx")])
    return folder, report


def test_every_kind_of_error_kind_is_known():
    assert set(RULE_FOR_KIND) == set(ERROR_KINDS)


def test_generated_return_lets_every_rule_run(small):
    _, report = small
    res = report.result
    assert not res.internal_errors, res.internal_errors
    # Nothing is skipped for want of a table, last year's return, the LA or reference data.
    missing_input = [(c, why) for c, why in res.not_run
                     if any(w in why for w in ("not supplied", "--previous", "--la", "--providers", "reference data"))]
    assert missing_input == []
    assert len(res.rules_run) >= 0.95 * (len(res.rules_run) + len(res.not_run))


def test_generated_errors_are_caught_by_their_rules(small):
    _, report = small
    # The kinds actually injected (a kind is skipped for a child it cannot apply to): generate()
    # is the clean return plus _inject_errors with the same seed.
    clean, _ = generate(300, YEAR, 903, 0.0, LA)
    applied = {kind for _, kind in _inject_errors(clean, "2025_26", 903, 0.3)}
    assert len(applied) >= 9
    flagged = set(report.records["rule"])
    assert {RULE_FOR_KIND[k] for k in applied} <= flagged
    # Injected errors also trip the rules that compare with last year and the knock-on checks.
    assert len(flagged) >= 15


def test_rule_worker_process_gives_the_same_result(small, monkeypatch):
    folder, report = small
    monkeypatch.setenv("LAC_VALIDATOR_WORKERS", "2")
    forked = validate([folder / "current"], [folder / "previous"], YEAR, LA, [str(folder / "providers.xlsx")])
    monkeypatch.setenv("LAC_VALIDATOR_WORKERS", "1")
    single = validate([folder / "current"], [folder / "previous"], YEAR, LA, [str(folder / "providers.xlsx")])
    for a in (forked, report):
        pd.testing.assert_frame_equal(a.records, single.records)
        assert [r.code for r in a.result.rules_run] == [r.code for r in single.result.rules_run]
        assert a.result.not_run == single.result.not_run


# ------------------------------------------------------------------------------- validate-many
@pytest.fixture(scope="module")
def region(tmp_path_factory):
    root = tmp_path_factory.mktemp("region")
    _write(root / "356", 60, 0.2, seed=1)          # named by DfE number: Stockport
    _write(root / "E08000008", 40, 0.0, seed=2)    # Tameside
    return root


def _many(*args):
    return CliRunner().invoke(main, ["validate-many", *[str(a) for a in args]])


def test_validate_many_writes_one_report_per_return(region, tmp_path):
    out = tmp_path / "reports"
    r = _many(region, "--year", YEAR, "--jobs", "2", "-o", out, "--fail-on", "none")
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["356.json", "E08000008.json"]
    rep = json.loads((out / "356.json").read_text())
    assert rep["la"]["ons_code"] == "E08000007"  # from the folder name
    assert json.loads((out / "E08000008.json").read_text())["la"]["ons_code"] == "E08000008"
    assert "2 returns" in r.output


def test_validate_many_report_equals_validate(region, tmp_path):
    out = tmp_path / "many"
    assert _many(region / "356", "--year", YEAR, "-j", "2", "-o", out, "--fail-on", "none").exit_code == 0
    single = tmp_path / "single.json"
    r = CliRunner().invoke(main, ["validate", str(region / "356" / "current"), "--previous", str(region / "356" / "previous"),
                                  "--year", YEAR, "--la", "356", "-f", "json", "-o", str(single), "-q"])
    assert r.exit_code in (0, 1), r.output
    assert json.loads((out / "356.json").read_text()) == json.loads(single.read_text())


def test_validate_many_reports_do_not_depend_on_jobs(region, tmp_path):
    # --jobs 1: one return after another, each forking its own rule workers; --jobs 2: a process per
    # return, rules in one process each.
    for jobs in ("1", "2"):
        assert _many(region, "--year", YEAR, "-j", jobs, "-o", tmp_path / jobs, "--fail-on", "none").exit_code == 0
    for name in ("356.json", "E08000008.json"):
        assert json.loads((tmp_path / "1" / name).read_text()) == json.loads((tmp_path / "2" / name).read_text())


def test_validate_many_exit_codes(region, tmp_path):
    # Errors were injected into 356's return: exit 1 on errors, as validate does.
    assert _many(region, "--year", YEAR, "-j", "2", "-o", tmp_path / "a", "-q").exit_code == 1


def test_validate_many_bad_return_is_reported_and_others_still_run(region, tmp_path):
    bad = tmp_path / "bad" / "current"
    bad.mkdir(parents=True)
    (bad / "episodes.csv").write_text("x,y\n1,2\n")
    out = tmp_path / "out"
    r = _many(region, tmp_path / "bad", "--year", YEAR, "-j", "2", "-o", out, "--fail-on", "none")
    assert r.exit_code == 2
    assert "bad: not validated" in r.output and "episodes.csv" in r.output
    assert sorted(p.name for p in out.iterdir()) == ["356.json", "E08000008.json"]
    assert "Traceback" not in r.output


def test_validate_many_folder_without_returns(tmp_path):
    r = _many(tmp_path, "--year", YEAR, "-o", tmp_path / "out")
    assert r.exit_code == 2
    assert "holds no return" in r.output and "current" in r.output


def test_validate_many_other_formats(region, tmp_path):
    out = tmp_path / "csv"
    r = _many(region / "E08000008", "--year", YEAR, "-j", "1", "-f", "csv", "-o", out, "--fail-on", "none")
    assert r.exit_code == 0, r.output
    assert (out / "E08000008.csv").read_text().startswith("rule,")


# ------------------------------------------------------------------------------- cache
def _with_umask(mask: int, func, *args) -> None:
    old = os.umask(mask)
    try:
        func(*args)
    finally:
        os.umask(old)


def test_cache_roundtrip_and_permissions(tmp_path, monkeypatch):
    monkeypatch.setenv("LAC_VALIDATOR_CACHE_DIR", str(tmp_path / "c"))
    arrays = {"pcd": np.array([b"B1  1AA"], dtype="S7"), "e": np.array([1.5])}
    _with_umask(0o027, cache.store, "x", "k1", arrays)
    got = cache.load("x", "k1")
    assert got is not None and got["pcd"].tolist() == [b"B1  1AA"] and got["e"].tolist() == [1.5]
    mode = stat.S_IMODE((tmp_path / "c" / "x-k1.npz").stat().st_mode)
    assert mode == 0o640
    assert cache.load("x", "other-key") is None


def test_cache_off_and_unwritable(tmp_path, monkeypatch):
    monkeypatch.setenv("LAC_VALIDATOR_CACHE_DIR", "off")
    cache.store("x", "k", {"a": np.arange(3)})
    assert cache.load("x", "k") is None
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("LAC_VALIDATOR_CACHE_DIR", str(blocker / "sub"))
    cache.store("x", "k", {"a": np.arange(3)})  # silently does nothing
    assert cache.load("x", "k") is None


def test_cache_key_follows_the_source_file(tmp_path):
    src = tmp_path / "f"
    src.write_text("one")
    k1 = cache.source_key("p", files=(src,))
    src.write_text("two!")
    assert cache.source_key("p", files=(src,)) != k1


def test_package_yaml_is_read_once_then_from_the_json_cache(tmp_path, monkeypatch):
    from lac_validator import specfile

    monkeypatch.setenv("LAC_VALIDATOR_CACHE_DIR", str(tmp_path / "c"))
    first = specfile.load_package_yaml("lac_validator.rules", "spec/r100.yaml")
    assert len(list((tmp_path / "c").glob("spec-*.json"))) == 1

    def no_yaml(_text):
        raise AssertionError("the YAML was parsed again")

    monkeypatch.setattr(specfile, "load_yaml_text", no_yaml)
    assert specfile.load_package_yaml("lac_validator.rules", "spec/r100.yaml") == first
    monkeypatch.setenv("LAC_VALIDATOR_CACHE_DIR", "off")
    with pytest.raises(AssertionError, match="parsed again"):
        specfile.load_package_yaml("lac_validator.rules", "spec/r100.yaml")


def test_json_report_is_one_error_per_line_and_parses(small):
    import io

    from lac_validator.outputs.json_report import report_dict, write_json

    _, report = small
    buf = io.StringIO()
    write_json(report, buf)
    text = buf.getvalue()
    assert json.loads(text) == json.loads(json.dumps(report_dict(report), default=str))
    error_lines = [line for line in text.splitlines() if line.startswith('  {"rule": ')]
    assert len(error_lines) == len(report.records) > 0


def test_schema_from_the_yaml_and_from_the_cache_are_the_same(tmp_path, monkeypatch):
    from lac_validator import schema, specfile

    monkeypatch.setenv("LAC_VALIDATOR_CACHE_DIR", str(tmp_path / "c"))
    schema.load_schema.cache_clear()
    try:
        from_yaml = schema.load_schema()  # validated by pydantic, then cached
        assert len(list((tmp_path / "c").glob("spec-*.json"))) == 1
        schema.load_schema.cache_clear()
        monkeypatch.setattr(specfile, "load_yaml_text", lambda text: pytest.fail("the YAML was read again"))
        assert schema.load_schema() == from_yaml
        monkeypatch.undo()
        monkeypatch.setenv("LAC_VALIDATOR_CACHE_DIR", str(tmp_path / "c"))
        for entry in (tmp_path / "c").glob("spec-*.json"):
            entry.write_text('{"tables": {"Header": {}}}')  # valid JSON of the wrong shape
        schema.load_schema.cache_clear()
        assert schema.load_schema() == from_yaml  # read from the YAML again
    finally:
        schema.load_schema.cache_clear()


def test_schema_validation_refuses_a_malformed_schema():
    from pydantic import TypeAdapter, ValidationError

    from lac_validator.schema import Schema

    with pytest.raises(ValidationError):
        TypeAdapter(Schema).validate_python({"tables": {"X": {"name": "X", "csv_columns": "A,B", "fields": {}}}})


def test_mapped_cache_roundtrip_permissions_and_failures(tmp_path, monkeypatch):
    monkeypatch.setenv("LAC_VALIDATOR_CACHE_DIR", str(tmp_path / "c"))
    arrays = {"pcd": np.array([b"B1  1AA", b"B1  1AB"], dtype="S7"), "e": np.array([1.5, 2.5])}
    _with_umask(0o027, cache.store_mapped, "m", "k1", arrays)
    got = cache.load_mapped("m", "k1")
    assert got["pcd"].tolist() == [b"B1  1AA", b"B1  1AB"] and got["e"].tolist() == [1.5, 2.5]
    assert isinstance(got["e"], np.memmap) and not got["e"].flags.writeable
    entry = tmp_path / "c" / "m-k1"
    assert stat.S_IMODE(entry.stat().st_mode) == 0o750
    assert stat.S_IMODE((entry / "e.npy").stat().st_mode) == 0o640
    assert not [p for p in (tmp_path / "c").iterdir() if p.name.startswith(".")]  # no temporary left
    cache.store_mapped("m", "k1", {"e": np.array([9.0])})  # already there: kept as it was
    assert cache.load_mapped("m", "k1")["e"].tolist() == [1.5, 2.5]
    assert cache.load_mapped("m", "other") is None
    monkeypatch.setenv("LAC_VALIDATOR_CACHE_DIR", "off")
    cache.store_mapped("m", "k2", arrays)
    assert cache.load_mapped("m", "k2") is None


def test_the_benchmark_measures_the_validate_command(tmp_path):
    """benchmarks/run.py times the real `validate` command in a child process and reads the phases
    from the report the command built: run that child step on the example return."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    example = root / "example_returns" / "2025-26"
    out = subprocess.run([sys.executable, str(root / "benchmarks" / "run.py"), "--child", str(example),
                          str(tmp_path / "report.json"), str(tmp_path / "timings.json")],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    timings = json.loads((tmp_path / "timings.json").read_text())
    assert {"load", "rules", "report", "write JSON"} <= set(timings["phases"])
    assert timings["rules_run"] > 200 and timings["internal_errors"] == 0
    assert json.loads((tmp_path / "report.json").read_text())["summary"]["errors"] == timings["errors"]
