"""The application layer (lac_validator/app): the CLI and validate-many go through it, writers are
found in one registry, and the worker count is a parameter, not an environment variable."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from lac_validator import api, forking
from lac_validator.app import writers
from lac_validator.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "example_returns" / "2025-26"


def _imports(path: Path) -> set[str]:
    """The modules a source file imports, relative imports resolved against lac_validator."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ("lac_validator." * bool(node.level)) + (node.module or "")
            out.add(base.rstrip("."))
            out.update(f"{base.rstrip('.')}.{a.name}" for a in node.names)
    return out


def test_validate_many_does_not_import_the_cli():
    imported = _imports(ROOT / "lac_validator" / "many.py")
    assert not any(m == "lac_validator.cli" or m.startswith("lac_validator.cli.") for m in imported), imported
    assert "lac_validator.app.writers" in imported and "lac_validator.app.exit_codes" in imported


def test_no_package_module_imports_the_cli():
    for path in (ROOT / "lac_validator").rglob("*.py"):
        if path.name != "cli.py":
            assert "lac_validator.cli" not in _imports(path), path


@pytest.mark.parametrize("command", ["validate", "validate-many"])
def test_every_format_choice_has_a_writer_that_loads(command):
    option = next(p for p in main.commands[command].params if p.name == "fmt")
    assert isinstance(option.type, click.Choice)
    assert set(option.type.choices) == set(writers.WRITERS)
    for name in option.type.choices:
        w = writers.writer(name)
        assert callable(w.load()), name
        assert w.extension and not w.extension.startswith(".")


def test_quiet_json_run_imports_neither_openpyxl_nor_rich(tmp_path):
    out = tmp_path / "r.json"
    script = (
        "import sys\n"
        "from lac_validator.cli import main\n"
        "try:\n"
        f"    main([ 'validate', {str(EXAMPLE / 'current')!r}, '--year', '2025-26', '-f', 'json', '-o', {str(out)!r},"
        " '--quiet'], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('openpyxl', 'rich') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert out.is_file(), done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr


def _no_fork(*args, **kwargs):
    raise AssertionError("forked although the run was asked for one process")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_worker_count_is_a_parameter_that_reaches_loading_and_the_engine(monkeypatch):
    monkeypatch.delenv("LAC_VALIDATOR_WORKERS", raising=False)
    monkeypatch.delenv("LAC_VALIDATOR_RULE_WORKERS", raising=False)
    monkeypatch.setattr(os, "fork", _no_fork)
    monkeypatch.setattr(forking.os, "fork", _no_fork)
    before = dict(os.environ)
    report = api.validate([EXAMPLE / "current"], [EXAMPLE / "previous"], "2025-26", "E08000007", workers=1)
    assert len(report.result.rules_run) > 20 and not report.result.internal_errors
    assert dict(os.environ) == before  # the count never travels through the environment
    monkeypatch.undo()

    # The parameter wins over the environment both ways: 2 forks although the setting says 1.
    monkeypatch.setenv("LAC_VALIDATOR_WORKERS", "1")
    started = []
    real = forking.start
    monkeypatch.setattr(forking, "start", lambda *a: started.append(a[0].__name__) or real(*a))
    forked = api.validate([EXAMPLE / "current"], [EXAMPLE / "previous"], "2025-26", "E08000007", workers=2)
    assert started.count("load_return") == 1 and len(started) >= 2  # last year's return, and rule workers
    assert forked.records.equals(report.records)


# ------------------------------------------------------------------ the report, a value

def _walk(value, path="report", seen=None):
    """Every (path, object) reachable from a report through dataclass fields, mappings and sequences."""
    import dataclasses

    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    seen.add(id(value))
    yield path, value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if f.name == "func":  # a rule version's function: code, not data
                continue
            yield from _walk(getattr(value, f.name), f"{path}.{f.name}", seen)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, f"{path}[{k!r}]", seen)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for i, v in enumerate(value):
            yield from _walk(v, f"{path}[{i}]", seen)


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    """A run with everything an output can ask of the tables (suggestions, timelines) and a baseline."""
    from lac_validator.app import validate as steps

    base = tmp_path_factory.mktemp("baseline") / "b.yaml"
    first = api.validate([EXAMPLE / "current"], [EXAMPLE / "previous"], "2025-26", "E08000007")
    from lac_validator.baseline import baseline_yaml

    base.write_text(baseline_yaml(first.records.head(2), "me", "accepted by the DfE"), encoding="utf-8")
    return steps.run(steps.Request((EXAMPLE / "current",), (EXAMPLE / "previous",), "2025-26", "E08000007",
                                   (EXAMPLE / "ofsted_providers.xlsx",), baseline=base, formats=("html",)))


def test_report_holds_no_loaded_table_and_no_context(full_run):
    import numpy as np
    import pandas as pd

    from lac_validator.context import Context
    from lac_validator.engine import Finding, RunResult
    from lac_validator.tables import Return, Table

    report, ctx = full_run.report, full_run.context
    assert report.timelines and "suggestion" in report.records.columns and len(report.accepted) == 2
    loaded = [id(t.raw) for r in (ctx.current, ctx.previous) for t in r.tables.values()] + \
             [id(t.data) for r in (ctx.current, ctx.previous) for t in r.tables.values()]
    frames = []
    for path, value in _walk(report):
        assert not isinstance(value, (Context, Return, Table, RunResult, Finding, np.ndarray)), path
        if isinstance(value, pd.DataFrame):
            assert id(value) not in loaded, path
            frames.append(path)
    assert sorted(frames) == ["report.accepted", "report.records"]


def test_report_is_immutable_and_steps_make_new_reports(full_run):
    import dataclasses

    import pandas as pd

    from lac_validator.app.validate import pseudonymised
    from lac_validator.social_workers import Worker, attach_workers

    report = full_run.report
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.notes = ()
    assert isinstance(report.notes, tuple) and isinstance(report.alerts, tuple) and isinstance(report.stale, tuple)
    records, notes, timelines = report.records.copy(), report.notes, dict(report.timelines)
    shared = pseudonymised(report, None)   # no salt: a note is added, to the new report only
    assert shared is not report and shared.pseudonymised and not report.pseudonymised
    assert len(shared.notes) == len(notes) + 1 and report.notes == notes
    pd.testing.assert_frame_equal(report.records, records)  # the original keeps its children
    assert report.timelines == timelines and set(shared.timelines).isdisjoint(timelines)
    named = attach_workers(report, full_run.context, {"SW1": Worker("SW1", "Ann")}, "list.csv")
    assert named.workers and not report.workers and len(named.alerts) == len(report.alerts) + 1


def test_error_and_warning_counts_are_separate(full_run):
    import dataclasses

    report = full_run.report
    flags = report.records.assign(severity=["warning", *["error"] * (len(report.records) - 1)])
    mixed = dataclasses.replace(report, records=flags)
    assert (mixed.error_count, mixed.warning_count) == (len(flags) - 1, 1)
    assert len(mixed.errors) == mixed.error_count and len(mixed.warnings) == 1
    assert mixed.counts() == {"errors": len(flags) - 1, "warnings": 1, "notes": len(report.notes)}


def test_timelines_are_taken_only_for_outputs_that_show_them():
    from lac_validator.app.validate import for_outputs

    run = api.validate_run([EXAMPLE / "current"], [EXAMPLE / "previous"], "2025-26", "E08000007")
    for name, w in writers.WRITERS.items():
        assert (for_outputs(run, [name]).timelines is not None) == w.timelines, name
    assert run.report.timelines is None
