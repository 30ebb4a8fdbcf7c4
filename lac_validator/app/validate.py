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

from dataclasses import dataclass, field
from pathlib import Path

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


@dataclass(frozen=True)
class Run:
    report: object                       # report.Report
    context: object = field(default=None, repr=False)  # the loaded tables (context.Context), for the fix sheet


def run(req: Request) -> Run:
    from ..api import validate_run

    vr = validate_run(list(req.current), list(req.previous) or None, req.year, req.la, list(req.providers),
                      list(req.select), list(req.ignore), req.baseline, workers=req.workers)
    report, ctx = vr.report, vr.context
    report.warnings.extend(req.notes)
    if req.history is not None:
        from ..history import record_run

        run_id = record_run(req.history, report, req.label)
        report.warnings.append(f"recorded as run {run_id} in {req.history}")
    if req.social_workers:
        from ..social_workers import attach_workers, load_workers

        attach_workers(report, load_workers(req.social_workers), req.social_workers)
    if req.fix_sheet is not None:
        _write_fix_sheet(report, req)
    if req.pseudonymise:
        report = pseudonymised(report, req.salt)
    return Run(report, ctx)


def _write_fix_sheet(report, req: Request) -> None:
    from ..fixes import sheet_info, write_fix_sheet

    info = sheet_info(report, list(req.current), list(req.previous), req.providers, list(req.select),
                      list(req.ignore))
    try:
        rows = write_fix_sheet(report, req.fix_sheet, info, report.workers)
    except OSError as exc:
        raise InputError(f"cannot write the fix sheet {req.fix_sheet}: {exc.strerror or exc}. "
                         "Choose another path.") from None
    report.warnings.append(f"fix sheet with {rows} rows written to {req.fix_sheet}" + (
        " (it names children and values, as it must to correct them: it is not pseudonymised)"
        if req.pseudonymise else ""))


def pseudonymised(report, salt: str | None):
    """The report for sharing (pseudonymise.py); without a salt a random one, and a note saying so."""
    import secrets

    from ..pseudonymise import pseudonymise_report

    if not salt:
        salt = secrets.token_hex(16)
        report.warnings.append("--pseudonymise without --salt: pseudonyms differ from other runs' (give --salt or "
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
