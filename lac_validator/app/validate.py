"""The `validate` command's steps, in the order they happen (validate-many takes the same path):

1. load the return, run the year's rules, build the report, apply the baseline (api.validate_run)
2. record the run in the history (--history)
3. attach the social workers' names (--social-workers), with an alert when the list does not fit
4. compute what the chosen outputs show from the tables: suggestions, timelines
5. write the fix sheet (--fix-sheet): it needs the tables and is never pseudonymised
6. pseudonymise (--pseudonymise)
then `write` writes the chosen output. Every step raises InputError with a sentence for the user;
nothing here prints.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .. import api
from ..api import Run
from ..errors import InputError
from . import writers


@dataclass(frozen=True)
class Request:
    """What to validate and what to make of it (the validate command's options)."""
    current: tuple[Path, ...]
    previous: tuple[Path, ...] = ()
    year: object = None                 # CollectionYear or its label; None: the year in progress
    la: str | None = None
    providers: tuple[Path, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    baseline: Path | None = None
    history: Path | None = None
    label: str = ""
    social_workers: Path | None = None
    fix_sheet: Path | None = None
    pseudonymise: bool = False
    salt: str | None = None
    formats: tuple[str, ...] = ("text",)  # the outputs to be written: only what they show is computed
    notes: tuple[str, ...] = ()           # notes from before the run (the output guard's)
    workers: int | None = None            # processes for the rules; None: LAC_VALIDATOR_WORKERS or one per core


def run(req: Request) -> Run:
    vr = api.validate_run(list(req.current), list(req.previous) or None, req.year, req.la, list(req.providers),
                      list(req.select), list(req.ignore), req.baseline, workers=req.workers)
    report, ctx = vr.report, vr.context
    report = _noted(report, *req.notes)
    if req.history is not None:
        from ..history import record_run

        run_id = record_run(req.history, report, req.label)
        report = _noted(report, f"recorded as run {run_id} in {req.history}")
    if req.social_workers:
        from ..social_workers import attach_workers, load_workers

        report = attach_workers(report, ctx, load_workers(req.social_workers), req.social_workers)
    report = for_outputs(Run(report, ctx), req.formats, fix_sheet=req.fix_sheet is not None,
                         pseudonymise=req.pseudonymise)
    if req.fix_sheet is not None:
        report = _write_fix_sheet(Run(report, ctx), req)
    if req.pseudonymise:
        report = pseudonymised(report, req.salt)
    return Run(report, ctx)


def for_outputs(run: Run, formats, fix_sheet: bool = False, pseudonymise: bool = False):
    """The report with what the chosen outputs show that only the tables can tell: suggested
    corrections (about 0.1 s at 5,000 children, so only for outputs that show them, and not for a
    pseudonymised report, which shows none: unless the fix sheet needs them) and each child's
    timeline (taken before pseudonymising, which keeps them under the pseudonyms)."""
    report, ctx = run.report, run.context
    shown = [writers.writer(f) for f in formats]
    if (fix_sheet or (any(w.suggestions for w in shown) and not pseudonymise)) \
            and "suggestion" not in report.records.columns:
        from ..report import suggestions

        report = replace(report, records=report.records.assign(suggestion=suggestions(ctx, report.records)))
    if any(w.timelines for w in shown) and report.timelines is None:
        from ..timelines import child_timelines

        children = set(report.records["child"].dropna()) if len(report.records) else set()
        report = replace(report, timelines=child_timelines(ctx, children))
    return report


def _noted(report, *notes: str):
    return replace(report, notes=report.notes + tuple(notes)) if notes else report


def _write_fix_sheet(run: Run, req: Request):
    from ..fixes import sheet_info, write_fix_sheet

    info = sheet_info(run.report, list(req.current), list(req.previous), req.providers, list(req.select),
                      list(req.ignore))
    try:
        rows = write_fix_sheet(run, req.fix_sheet, info)
    except OSError as exc:
        raise InputError(f"cannot write the fix sheet {req.fix_sheet}: {exc.strerror or exc}. "
                         "Choose another path.") from None
    return _noted(run.report, f"fix sheet with {rows} rows written to {req.fix_sheet}" + (
        " (it names children and values, as it must to correct them: it is not pseudonymised)"
        if req.pseudonymise else ""))


def pseudonymised(report, salt: str | None):
    """The report for sharing (pseudonymise.py); without a salt a random one, and a note saying so."""
    import secrets

    from ..pseudonymise import pseudonymise_report

    if not salt:
        salt = secrets.token_hex(16)
        report = _noted(report, "--pseudonymise without --salt: pseudonyms differ from other runs' (give --salt or "
                                "LAC_VALIDATOR_SALT to keep them stable).")
    return pseudonymise_report(report, salt)


def write(report, fmt: str, output: Path | None, stdout=None, contact: str | None = None,
          split_by_worker: bool = False) -> list[Path]:
    """Write the chosen output: the report in `fmt` to `output` (or `stdout`), or with
    `split_by_worker` one workbook per social worker into the folder `output`. Returns the
    workbooks of a split. A file that cannot be written is an InputError; a closed pipe
    (BrokenPipeError) is left to the caller."""
    try:
        if split_by_worker:
            from ..outputs.worker_lists import write_split_by_worker

            return write_split_by_worker(report, output, contact)
        writers.write_report(report, fmt, output, stdout, contact)
        return []
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise InputError(f"cannot write the report to {output}: {exc.strerror or exc}. "
                         "Choose another --output path.") from None
