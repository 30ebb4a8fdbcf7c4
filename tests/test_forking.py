"""Forked copies (lac_validator.forking): they may change how fast a run is, never what it reports."""
from __future__ import annotations

import functools
import os
import time

import pandas as pd
import pytest

from lac_validator import api, engine, forking
from lac_validator.errors import InputError
from lac_validator.registry import RuleVersion

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def _double(x):
    return 2 * x


def _refuse(text):
    raise InputError(text, detail="a value")


def _die():
    os._exit(3)


def test_start_returns_the_value_the_exception_or_none():
    assert forking.start(_double, 21)() == ("ok", 42)
    kind, exc = forking.start(_refuse, "bad file")()
    assert kind == "raised" and isinstance(exc, InputError)
    assert str(exc) == "bad file" and exc.detail == "a value"
    assert forking.start(_die)() is None


def test_workers_setting(monkeypatch):
    monkeypatch.setenv("LAC_VALIDATOR_WORKERS", "1")
    assert forking.workers() == 1
    monkeypatch.setenv("LAC_VALIDATOR_WORKERS", "3")
    assert forking.workers() == 3
    monkeypatch.setenv("LAC_VALIDATOR_WORKERS", "999")
    assert forking.workers() == forking.MAX_WORKERS
    monkeypatch.delenv("LAC_VALIDATOR_WORKERS")
    monkeypatch.setenv("LAC_VALIDATOR_RULE_WORKERS", "2")  # the earlier name still works
    assert forking.workers() == 2


@pytest.fixture
def tiny_ctx():
    from lac_validator.context import Context
    from lac_validator.tables import Return, table_from_records
    from lac_validator.years import CollectionYear

    header = table_from_records("Header", [{"CHILD": "1"}, {"CHILD": "2"}])
    return Context(year=CollectionYear.parse("2025-26"), current=Return("current", {"Header": header}))


def _rule(code, func, module):
    func = functools.partial(func)  # its own object, to carry the module the batches go by
    func.__module__ = module
    return RuleVersion(code=code, years=("2025_26",), message="m", tables=("Header",), fields=(),
                       category="missing", needs=(), flags="", logic="", notes="", func=func,
                       requires=("Header",))


def test_rules_of_a_worker_that_dies_are_run_by_the_parent(tiny_ctx, monkeypatch, tmp_path):
    parent = os.getpid()
    taken = tmp_path / "taken"

    def flags_row_1(ctx):
        if os.getpid() != parent:  # a worker killed mid-run (out of memory, a signal)
            with open(taken, "a") as fh:
                fh.write("x")
            os._exit(9)
        time.sleep(0.005)  # the parent is slow, so the workers surely take batches
        return [1]

    rules = [_rule(f"A{i}", flags_row_1, f"m{i % 7}") for i in range(30)]
    monkeypatch.setenv("LAC_VALIDATOR_WORKERS", "3")
    res = engine.run_rules(tiny_ctx, rules)
    assert taken.exists()  # workers did take batches, and died with them
    assert [r.code for r in res.rules_run] == [r.code for r in rules]
    assert all(f.rows.tolist() == [1] for f in res.findings) and len(res.findings) == 30
    assert not res.internal_errors


def test_previous_year_read_in_a_copy_or_here_gives_the_same_report(tmp_path, monkeypatch):
    from lac_validator.devtools.synth import generate, write_return

    cur, prev = generate(40, "2025_26", 5, 0.3, "E08000007")
    write_return(cur, tmp_path / "cur")
    write_return(prev, tmp_path / "prev")
    runs = {}
    for setting in ("1", "2"):
        monkeypatch.setenv("LAC_VALIDATOR_WORKERS", setting)
        runs[setting] = api.validate([tmp_path / "cur"], [tmp_path / "prev"], "2025-26", "E08000007")
    pd.testing.assert_frame_equal(runs["1"].records, runs["2"].records)
    assert runs["1"].notes == runs["2"].notes
    # A copy that dies: the parent reads last year itself.
    monkeypatch.setattr(forking, "start", lambda *a: (lambda: None))
    died = api.validate([tmp_path / "cur"], [tmp_path / "prev"], "2025-26", "E08000007")
    pd.testing.assert_frame_equal(died.records, runs["1"].records)


def test_bad_previous_year_is_reported_from_the_copy(tmp_path, monkeypatch):
    (tmp_path / "cur").mkdir()
    (tmp_path / "prev").mkdir()
    (tmp_path / "cur" / "header.csv").write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n1,M,01/01/2010,WBRI,,,\n")
    (tmp_path / "prev" / "header.csv").write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n1,M\n")
    monkeypatch.setenv("LAC_VALIDATOR_WORKERS", "2")
    with pytest.raises(InputError, match="line 2 has 2"):
        api.validate([tmp_path / "cur"], [tmp_path / "prev"], "2025-26")


def test_when_no_process_can_be_forked_the_work_is_done_here(tiny_ctx, monkeypatch, tmp_path):
    def no_fork():
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert forking.try_start(_double, 1) is None
    monkeypatch.setenv("LAC_VALIDATOR_WORKERS", "2")
    rules = [_rule(f"A{i}", lambda ctx: [1], f"m{i % 3}") for i in range(25)]
    res = engine.run_rules(tiny_ctx, rules)
    assert len(res.findings) == 25 and not res.internal_errors


# ---------------------------------------------------------------- how rules are shared out

def test_rules_are_shared_out_by_their_module_only():
    """Rule modules do not steer the process layout: one batch per module, whatever the module
    defines (the views several modules share are computed before the processes start)."""
    from pathlib import Path

    from lac_validator.years import CollectionYear

    rules = engine.select_rules(CollectionYear.parse("2025-26"))
    batches = engine._batches(rules)
    modules = [{rules[i].func.__module__ for i in batch} for batch in batches]
    assert all(len(m) == 1 for m in modules)
    assert len({next(iter(m)) for m in modules}) == len(batches)
    rules_dir = Path(engine.__file__).resolve().parents[1] / "rules"
    assert not [p.name for p in rules_dir.glob("*.py") if "\nBATCH" in p.read_text(encoding="utf-8")]


def _precomputed_view(monkeypatch, log, needs=frozenset(), fail=False):
    """A view declared for precomputing, writing the id of the process that computes it to `log`."""
    from lac_validator import memo

    monkeypatch.setattr(memo, "PRECOMPUTED", [])

    @memo.shared(precompute=memo.Precompute(args=(("Header",),), needs=needs))
    def children_of(ctx, name="Header"):
        with open(log, "a") as fh:
            fh.write(f"{os.getpid()}\n")
        if fail:
            raise ValueError("no children")
        return ctx.table(name).index[:1]

    assert memo.PRECOMPUTED == [children_of]
    return children_of


def test_a_view_rules_of_several_modules_share_is_computed_once_before_the_processes_start(
        tiny_ctx, monkeypatch, tmp_path):
    log = tmp_path / "computed"
    view = _precomputed_view(monkeypatch, log)

    def uses_view(ctx):
        time.sleep(0.002)  # slow enough that every process takes batches
        return view(ctx)

    rules = [_rule(f"A{i}", uses_view, f"m{i % 6}") for i in range(30)]
    monkeypatch.setenv("LAC_VALIDATOR_WORKERS", "3")
    res = engine.run_rules(tiny_ctx, rules)
    assert log.read_text().split() == [str(os.getpid())]  # once, here, before forking
    assert len(res.findings) == 30 and not res.internal_errors


def test_a_view_is_precomputed_only_for_rules_that_will_run_and_need_it(tiny_ctx, monkeypatch, tmp_path):
    log = tmp_path / "computed"
    _precomputed_view(monkeypatch, log, needs=frozenset({"postcodes"}))
    rules = [_rule(f"A{i}", lambda ctx: [1], f"m{i % 6}") for i in range(30)]  # no rule needs postcodes
    monkeypatch.setenv("LAC_VALIDATOR_WORKERS", "2")
    engine.run_rules(tiny_ctx, rules)
    assert not log.exists()


def test_a_precomputed_view_that_fails_fails_in_each_rule_as_without_precomputing(tiny_ctx, monkeypatch, tmp_path):
    view = _precomputed_view(monkeypatch, tmp_path / "computed", fail=True)
    rules = [_rule(f"A{i}", lambda ctx: view(ctx), f"m{i % 6}") for i in range(30)]
    errors = {}
    for setting in ("1", "3"):
        monkeypatch.setenv("LAC_VALIDATOR_WORKERS", setting)
        errors[setting] = engine.run_rules(tiny_ctx, rules).internal_errors
        tiny_ctx.cache.clear()
    assert len(errors["1"]) == 30 and errors["1"] == errors["3"]


def test_reports_with_reference_data_are_the_same_with_any_number_of_workers(tmp_path, monkeypatch):
    from lac_validator.devtools.synth import generate, write_providers, write_return

    cur, prev = generate(60, "2025_26", 11, 0.3, "E08000007")
    write_return(cur, tmp_path / "cur")
    write_return(prev, tmp_path / "prev")
    providers = [str(write_providers([cur, prev], tmp_path / "providers.xlsx"))]
    runs = {}
    for setting in ("1", "2", "3"):
        monkeypatch.setenv("LAC_VALIDATOR_WORKERS", setting)
        runs[setting] = api.validate([tmp_path / "cur"], [tmp_path / "prev"], "2025-26", "E08000007", providers)
    ran = {r.code for r in runs["1"].result.rules_run}
    assert {"164", "219", "452", "503G"} <= ran  # the rules reading the precomputed views did run
    for setting in ("2", "3"):
        pd.testing.assert_frame_equal(runs[setting].records, runs["1"].records)
        assert [r.code for r in runs[setting].result.rules_run] == [r.code for r in runs["1"].result.rules_run]
        assert runs[setting].result.not_run == runs["1"].result.not_run
