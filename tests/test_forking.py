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
    from lac_validator.synth import generate, write_return

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
