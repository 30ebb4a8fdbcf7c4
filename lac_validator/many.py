"""Validating several returns (e.g. a region's LAs) in parallel processes: `lac-validator validate-many`.

Each return is a folder holding `current/` (this year's files) and optionally `previous/` (last
year's). A folder without `current/` whose sub-folders have one stands for all of them, so
`validate-many region/` finds region/E08000007/current, region/E08000008/current, ... When a
return's folder is named after an LA (ONS code or DfE number) that LA is the submitting LA.

Every return runs in its own worker process and gets its own report file in the output folder;
a bad return (unreadable file, wrong layout) is reported for that return only.
"""
from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .app.writers import WRITERS
from .errors import InputError

EXTENSIONS = {name: w.extension for name, w in WRITERS.items()}


@dataclass(frozen=True)
class Job:
    name: str          # report file stem, unique within the run
    current: Path
    previous: Path | None
    la: str | None


@dataclass
class Outcome:
    name: str
    exit_code: int          # as `validate` would exit for this return: 0, 1 or 2
    errors: int = 0
    warnings: int = 0       # flags of DfE WARNING rules (not errors)
    notes: int = 0          # the run's notes about reading the return (report.notes)
    report: str = ""        # path of the report written, "" when none
    message: str = ""       # the input error, for exit code 2
    seconds: float = 0.0


def _la_from_name(name: str) -> str | None:
    from .authorities import resolve_la

    try:
        return resolve_la(name, names="exact").ons_code  # a folder named e.g. "Stockport" or "north-yorkshire"
    except InputError:
        return None


def find_returns(paths: list[Path], la: str | None = None) -> list[Job]:
    """The returns under the given folders, in the order given (sub-folders sorted by name)."""
    folders: list[Path] = []
    for p in paths:
        p = Path(p)
        if not p.is_dir():
            raise InputError(f"{p} is not a folder: give folders that hold current/ (and previous/) or "
                             f"a folder of such folders, one per LA.")
        if (p / "current").is_dir():
            folders.append(p)
            continue
        subs = sorted(d for d in p.iterdir() if d.is_dir() and (d / "current").is_dir())
        if not subs:
            raise InputError(f"{p} holds no return: expected {p}/current (this year's files) or sub-folders "
                             f"such as {p}/E08000007/current, one per LA.")
        folders.extend(subs)
    jobs, used = [], set()
    for f in folders:
        name = f.resolve().name or "return"
        stem, i = name, 2
        while stem in used:
            stem, i = f"{name}-{i}", i + 1
        used.add(stem)
        prev = f / "previous" if (f / "previous").is_dir() else None
        jobs.append(Job(stem, f / "current", prev, la or _la_from_name(f.resolve().name)))
    return jobs


def run_one(job: Job, out_dir: Path, fmt: str, year: str | None, providers: list[str],
            select: list[str], ignore: list[str], fail_on: str, workers: int | None = None) -> Outcome:
    """Validate one return and write its report (runs in a worker process; `workers`: processes
    for its rules). Whatever goes wrong with this return (bad input, a full disk, a bug in a
    writer) stays this return's outcome: the others are still validated and reported."""
    t0 = time.perf_counter()
    try:
        return _run_one(job, out_dir, fmt, year, providers, select, ignore, fail_on, workers)
    except Exception as exc:  # noqa: BLE001 - one return's failure must not stop the others
        return _failed(job, out_dir, fmt, exc, time.perf_counter() - t0)


def _failed(job: Job, out_dir: Path, fmt: str, exc: BaseException, seconds: float) -> Outcome:
    from .errors import as_input_error

    partial = Path(out_dir) / f"{job.name}.{EXTENSIONS[fmt]}"
    try:
        partial.unlink(missing_ok=True)  # a half-written report would look like a finished one
    except OSError:
        pass
    mapped = as_input_error(exc)
    message = str(mapped) if mapped is not None else (
        f"lac-validator stopped unexpectedly on this return ({type(exc).__name__}); the other returns were still "
        "validated. Please report this without attaching the return; `lac-validator validate --verbose` on it shows the details.")
    return Outcome(job.name, 2, message=message, seconds=seconds)


def _run_one(job: Job, out_dir: Path, fmt: str, year: str | None, providers: list[str],
             select: list[str], ignore: list[str], fail_on: str, workers: int | None) -> Outcome:
    # The same application steps, report writers and exit codes as `validate`.
    from .app import validate as steps
    from .app import writers
    from .app.exit_codes import exit_code
    from .years import YearError

    t0 = time.perf_counter()
    try:
        report = steps.run(steps.Request((job.current,), (job.previous,) if job.previous else (), year, job.la,
                                         tuple(providers), tuple(select), tuple(ignore), formats=(fmt,),
                                         workers=workers)).report
    except (InputError, YearError) as exc:
        return Outcome(job.name, 2, message=str(exc), seconds=time.perf_counter() - t0)
    out = Path(out_dir) / f"{job.name}.{EXTENSIONS[fmt]}"
    try:
        writers.write_report(report, fmt, out)
    except OSError as exc:
        return Outcome(job.name, 2, message=f"cannot write the report to {out}: {exc.strerror or exc}",
                       seconds=time.perf_counter() - t0)
    return Outcome(job.name, exit_code(report, fail_on), report.error_count, report.warning_count,
                   len(report.notes), str(out), seconds=time.perf_counter() - t0)


def run_many(jobs: list[Job], out_dir: Path, fmt: str, year: str | None, providers: list[str],
             select: list[str], ignore: list[str], fail_on: str, processes: int, on_done=None) -> list[Outcome]:
    """Run the jobs, `processes` at a time (1: in this process); outcomes in the jobs' order."""
    args = (out_dir, fmt, year, providers, select, ignore, fail_on)
    if processes <= 1 or len(jobs) <= 1:
        outcomes = []
        for job in jobs:
            outcomes.append(run_one(job, *args))
            if on_done:
                on_done(outcomes[-1])
        return outcomes
    # One rule-worker pool per return would oversubscribe the cores: each return's rules run in its process.
    with ProcessPoolExecutor(max_workers=min(processes, len(jobs))) as pool:
        futures = [pool.submit(run_one, job, *args, 1) for job in jobs]
        outcomes = []
        for job, f in zip(jobs, futures):
            try:
                outcomes.append(f.result())
            except Exception as exc:  # noqa: BLE001 - e.g. the worker process was killed (out of memory)
                outcomes.append(_failed(job, out_dir, fmt, exc, 0.0))
            if on_done:
                on_done(outcomes[-1])
    return outcomes
