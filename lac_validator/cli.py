"""The lac-validator command line (installed as lac_validator.cli).

Exit codes: 0 no errors, 1 errors found (or a rule could not complete), 2 usage or input error.
"""
from __future__ import annotations

import json
import shutil
import os
import sys
import time
import warnings
from pathlib import Path

import click

from lac_validator import __version__
from lac_validator.app.exit_codes import FAIL_ON
from lac_validator.app.writers import FORMATS
from lac_validator.errors import InputError
from lac_validator.years import CollectionYear, YearError

DEFAULT_HISTORY = Path("lac-validator-history.sqlite")


def _console(file=None, plain: bool = False):
    from lac_validator.console import terminal_console

    return terminal_console(file, plain)


def _year(value: str | None) -> CollectionYear:
    if value is None:
        return CollectionYear.in_progress()
    try:
        return CollectionYear.parse(value)
    except YearError as exc:
        raise click.BadParameter(str(exc), param_hint="--year") from None


def _codes(values: tuple[str, ...]) -> list[str]:
    out = []
    for v in values:
        out.extend(c.strip() for c in v.split(",") if c.strip())
    return out


_VERBOSE = False


def _set_verbose(ctx, param, value):
    global _VERBOSE
    _VERBOSE = _VERBOSE or bool(value)


def _verbose_option() -> click.Option:
    return click.Option(["--verbose", "-v"], is_flag=True, expose_value=False, is_eager=True, callback=_set_verbose,
                        help="On an input problem also show the cells behind it, and on an unexpected failure the "
                             "full traceback. These may hold data from the return: keep them out of shared logs.")


def _fail(message, detail: str | None = None) -> None:
    """One line on stderr and exit code 2. `message` (text or an InputError) never holds record
    values; the InputError's detail, which may, is shown only with --verbose."""
    from lac_validator.outputs.safety import terminal_text

    detail = detail or getattr(message, "detail", None)
    click.echo(f"error: {terminal_text(message)}", err=True)  # one line, whatever a file name holds
    if _VERBOSE and detail:
        click.echo(f"detail: {terminal_text(detail)}", err=True)
    sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="lac-validator")
def main():
    """Check an SSDA903 (children looked after) return against the DfE validation rules.

    \b
    Typical use:
      lac-validator validate THIS_YEAR_FOLDER --previous LAST_YEAR_FOLDER --year 2025-26 --la E08000007
      lac-validator validate ... --format xlsx --output errors.xlsx
      lac-validator validate-many REGION_FOLDER --year 2025-26 --jobs 4 -o reports/
      lac-validator rules --year 2025-26
      lac-validator explain 503A

    \b
    Environment:
      LAC_VALIDATOR_WORKERS=N    processes to work in (default on Linux: one per core; 1 = no forking)
      LAC_VALIDATOR_CACHE_DIR    cache of parsed public reference data (default ~/.cache/lac-validator; off)
    """


def return_options(func):
    """The options that say what to validate (shared by validate and baseline create)."""
    options = [
        click.argument("current", nargs=-1, required=True, type=click.Path(path_type=Path)),
        click.option("--previous", "-p", multiple=True, type=click.Path(path_type=Path),
                     help="Last year's return: a folder or file(s); repeat for several files."),
        click.option("--year", "-y", help="Collection year, e.g. 2025-26 (default: the year in progress today)."),
        click.option("--la", help="Submitting local authority: name (Stockport; any unambiguous beginning), ONS code "
                                  "(E08000007) or DfE number (356)."),
        click.option("--providers", multiple=True, type=click.Path(path_type=Path),
                     help="Ofsted provider list (XLSX) for the URN rules; repeat for several lists."),
        click.option("--select", multiple=True, help="Only these rule codes or prefixes (comma-separated or repeated)."),
        click.option("--ignore", multiple=True, help="Skip these rule codes or prefixes (comma-separated or repeated)."),
    ]
    for opt in reversed(options):
        func = opt(func)
    return func


@main.command()
@return_options
@click.option("--baseline", type=click.Path(path_type=Path),
              help="Accepted errors (YAML/CSV): matching errors are reported as accepted, not as errors.")
@click.option("--history", type=click.Path(path_type=Path), is_flag=False, flag_value=str(DEFAULT_HISTORY),
              help=f"Record this run's errors in a SQLite history (default file: {DEFAULT_HISTORY}).")
@click.option("--label", default="", help="A name for this run in the history, e.g. 'October extract'.")
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Report format.")
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="Write the report to this file (xlsx needs it; otherwise standard output).")
@click.option("--all-errors", is_flag=True, help="Text format: list every error, not just the summary.")
@click.option("--social-workers", "social_workers", type=click.Path(path_type=Path),
              help="CSV/XLSX mapping SW_ID to name, team and email: reports show workers by name.")
@click.option("--split-by", type=click.Choice(["social-worker"]),
              help="With -f xlsx: write one workbook per social worker into the --output folder (a folder the "
                   "run owns: an earlier split's workbooks there are replaced; other files make it refuse).")
@click.option("--contact", help="Whom social workers should ask, printed on each worker list, e.g. "
                                "'Performance team, 0161 000 0000'.")
@click.option("--fix-sheet", "fix_sheet", type=click.Path(path_type=Path),
              help="Also write a fix sheet (.xlsx) to correct errors in Excel: one sheet per rule, a "
                   "'Corrected value' column to fill in, then run the apply-fixes command its first page shows.")
@click.option("--pseudonymise", is_flag=True,
              help="Make the report safe to share outside the team: CHILD and SW_ID become salted hashes; UPN, "
                   "dates of birth, full postcodes (the district is kept), URNs, free text and names are removed "
                   "(README: Pseudonymised reports). Not the fix sheet.")
@click.option("--salt", envvar="LAC_VALIDATOR_SALT",
              help="Secret for --pseudonymise (or LAC_VALIDATOR_SALT); the same salt gives the same pseudonyms.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True,
              help="Exit 1 on DfE errors (error); also on errors a --baseline accepts without a real explanation "
                   "(unexplained); on errors or DfE warnings (any); or never (none).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on the terminal; rely on the exit code and --output.")
def validate(current, previous, year, la, providers, select, ignore, baseline, history, label, fmt, output,
             all_errors, social_workers, split_by, contact, fix_sheet, pseudonymise, salt, fail_on, quiet):
    """Validate a return. CURRENT is this year's return: a folder and/or files (CSV, XLSX, XML).

    Exit code 0: nothing to fail on; 1: errors found (see --fail-on) or a rule could not
    complete; 2: usage or input error.
    """
    from lac_validator.app import validate as steps
    from lac_validator.app.exit_codes import exit_code

    cy = _year(year)
    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx needs --output FILE.xlsx")
    if split_by and (fmt != "xlsx" or output is None):
        raise click.UsageError("--split-by social-worker needs -f xlsx and --output FOLDER")
    if fix_sheet is not None and fix_sheet.suffix.lower() != ".xlsx":
        _fail(f"--fix-sheet {fix_sheet}: give a file name ending .xlsx (the fix sheet is an Excel workbook).")
    guard_notes = _guard([*current, *previous],
                         [*(("--providers", p) for p in providers), ("--baseline", baseline),
                          ("--social-workers", social_workers)],
                         [("--output", output, "folder" if split_by else "file"), ("--fix-sheet", fix_sheet, "file"),
                          ("--history", history, "history")])
    request = steps.Request(tuple(current), tuple(previous), cy if year else None, la, tuple(providers),
                            tuple(_codes(select)), tuple(_codes(ignore)), baseline, history, label, social_workers,
                            fix_sheet, pseudonymise, salt, formats=(fmt,), notes=tuple(guard_notes))
    try:
        report = steps.run(request).report
    except (InputError, YearError) as exc:
        _fail(exc)
    try:
        written = steps.write(report, fmt, output, sys.stdout, contact, split_by_worker=bool(split_by))
    except InputError as exc:
        _fail(exc)
    except BrokenPipeError:  # e.g. piped into `head`: the reader has what it wanted
        sys.stderr.close()
        os._exit(1 if report.error_count else 0)
    if quiet:
        pass
    elif split_by:
        for a in report.alerts:
            click.echo(f"alert: {a}")
        click.echo(f"Wrote {len(written)} workbooks (one per social worker) to {output}")
    elif output is not None or fmt == "text":  # a report on standard output is all it shows
        from lac_validator.outputs.text_report import render_text

        render_text(report, _console(), all_errors=all_errors and output is None)
        if output is not None:
            click.echo(f"\nFull report written to {output}")
    sys.exit(exit_code(report, fail_on))


def _guard(returns=(), side=(), outputs=()) -> list[str]:
    """Before anything is read or written: refuse outputs that would land on or inside what the
    command reads, and inputs or outputs that are not regular files (lac_validator/io_safety.py).
    `side` is (option, path) pairs; `outputs` (option, path, kind) with kind file/folder/history."""
    from lac_validator.io_safety import Output, Reads, check_paths

    try:
        return check_paths(Reads([Path(p) for p in returns], [(o, Path(p)) for o, p in side if p is not None]),
                           [Output(Path(p), o, k) for o, p, k in outputs if p is not None])
    except InputError as exc:
        _fail(exc)


@main.command("validate-many")
@click.argument("returns", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--output-dir", "-o", "output_dir", required=True, type=click.Path(path_type=Path),
              help="Folder for the reports: one file per return, named after its folder.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, show_default=True,
              help="Returns validated at the same time, each in its own process (0: one per CPU core).")
@click.option("--year", "-y", help="Collection year, e.g. 2025-26 (default: the year in progress today).")
@click.option("--la", help="Submitting LA for every return: name, ONS code or DfE number (default: from each return's "
                          "folder name, when it is an LA's name or code).")
@click.option("--providers", multiple=True, type=click.Path(path_type=Path),
              help="Ofsted provider list (XLSX) for the URN rules; repeat for several lists.")
@click.option("--select", multiple=True, help="Only these rule codes or prefixes (comma-separated or repeated).")
@click.option("--ignore", multiple=True, help="Skip these rule codes or prefixes (comma-separated or repeated).")
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="json", show_default=True,
              help="Report format of each return's report.")
@click.option("--fail-on", type=click.Choice(["error", "any", "none"]), default="error", show_default=True,
              help="Exit 1 when any return has DfE errors (error), errors or warnings (any), or never (none).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on the terminal; rely on the exit code and the reports.")
def validate_many(returns, output_dir, jobs, year, la, providers, select, ignore, fmt, fail_on, quiet):
    """Validate several returns, e.g. a region's LAs, in parallel processes.

    \b
    Each RETURNS folder holds current/ (this year's files) and optionally previous/ (last
    year's); a folder of such folders stands for all of them:
      lac-validator validate-many region/ --year 2025-26 --jobs 4 -o reports/
    finds region/E08000007/current, region/E08000007/previous, region/356/current, ... and
    writes reports/E08000007.json, reports/356.json. A folder named after an LA (ONS code or
    DfE number) sets the submitting LA for that return.

    Exit code 0: nothing to fail on; 1: a return has errors (see --fail-on) or a rule could not
    complete; 2: usage error, or a return could not be read (the others are still validated).
    """
    from lac_validator.many import make_output_dir, plan_returns, run_many
    from lac_validator.outputs.safety import terminal_text

    cy = _year(year)
    try:
        found = plan_returns(list(returns), cy, la, _codes(select), _codes(ignore))
    except InputError as exc:
        _fail(str(exc))
    # The returns are the current/ and previous/ folders: reports may go beside them (region/reports).
    _guard([p for job in found for p in (job.current, job.previous) if p is not None],
           [("--providers", p) for p in providers], [("--output-dir", output_dir, "folder")])
    try:
        make_output_dir(output_dir)
    except InputError as exc:
        _fail(exc)
    processes = jobs or os.cpu_count() or 1

    def done(o):
        if quiet:
            return
        if o.exit_code == 2:
            click.echo(terminal_text(f"{o.name}: not validated: {o.message}"), err=True)
        else:
            click.echo(terminal_text(f"{o.name}: {o.errors} errors, {o.warnings} warnings, {o.notes} notes in "
                                     f"{o.seconds:.1f} s -> {o.report}"))

    started = time.perf_counter()
    outcomes = run_many(found, output_dir, fmt, cy.label if year else None, [str(p) for p in providers], _codes(select),
                        _codes(ignore), fail_on, processes, done)
    if not quiet:
        took = time.perf_counter() - started
        bad = sum(o.exit_code == 2 for o in outcomes)
        click.echo(f"{len(outcomes)} returns in {took:.1f} s with {min(processes, len(outcomes))} process(es)"
                   + (f"; {bad} could not be read" if bad else "") + ".")
    sys.exit(max((o.exit_code for o in outcomes), default=0))


@main.command("rules")
@click.option("--year", "-y", help="Collection year, e.g. 2025-26 (default: the year in progress today).")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_rules(year, fmt):
    """List the year's rules: code, category, DfE message."""
    from rich.table import Table

    from lac_validator.engine import select_rules

    cy = _year(year)
    rules = select_rules(cy)
    if fmt == "json":
        click.echo(json.dumps([{"code": r.code, "category": r.category, "message": r.message,
                                "implemented": r.implemented, "needs": list(r.needs)} for r in rules], indent=1))
        if cy.provisional:
            click.echo(f"warning: {cy.provisional_alert}.", err=True)
        return
    if cy.provisional:
        click.echo(f"warning: {cy.provisional_alert}.")
    t = Table(title=f"SSDA903 rules for {cy.label} ({len(rules)})", header_style="bold")
    t.add_column("Code", no_wrap=True)
    t.add_column("Category")
    t.add_column("Message", overflow="fold")
    for r in rules:
        t.add_row(r.code + ("" if r.implemented else " *"), r.category, r.message)
    con = _console()
    con.print(t)
    if any(not r.implemented for r in rules):
        con.print("* not implemented yet in this version")
    if cy.provisional:
        click.echo(f"warning: {cy.provisional_alert}.")


@main.command()
@click.argument("code")
@click.option("--year", "-y", help="Show only the version in force in this collection year.")
def explain(code, year):
    """Explain a rule: what it checks and how, where it departs from the older validator, its code."""
    from lac_validator.explain import explain_text

    try:
        # As wide as the terminal (100 columns at most; 100 when the output goes to a file).
        width = shutil.get_terminal_size((101, 24)).columns - 1
        click.echo(explain_text(code, _year(year) if year else None, width).rstrip("\n"))
    except LookupError as exc:
        _fail(str(exc))


@main.command("convert")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--to", "to", type=click.Choice(["csv", "xlsx", "xml"]), required=True, help="Target format.")
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True,
              help="A folder for csv (one file per table); a file for xlsx and xml.")
@click.option("--year", "-y", help="Collection year whose tables to read (default: the year in progress today).")
def convert_cmd(inputs, to, output, year):
    """Convert a return (folder and/or files: CSV, XLSX, XML) to CSV, XLSX or DfE XML.

    CSV and XLSX copy every value as given (case kept, nothing trimmed). XML holds one HEADER per
    child: a child without a Header row loses its DOB and sex, other tables' DOB (and sex) are
    replaced by the Header's, and extra rows of child-level tables are dropped; a warning says
    when any of this happens. The inputs are never changed.
    """
    from lac_validator.convert import convert
    from lac_validator.loading import load_return

    cy = _year(year)
    _guard(inputs, (), [("--output", output, "folder" if to == "csv" else "file")])
    try:
        ret = load_return(list(inputs), cy, "current", upper=False)
        written = convert(ret, to, output)
    except InputError as exc:
        _fail(exc)
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror or exc}.")
    from lac_validator.outputs.safety import terminal_text

    for w in ret.warnings:
        click.echo(terminal_text(f"warning: {w}"), err=True)
    click.echo(f"Wrote {len(ret.tables)} tables to {', '.join(str(p) for p in written[:3])}{' ...' if len(written) > 3 else ''}")


@main.group("baseline")
def baseline_group():
    """Accepted errors: errors the DfE lets stand with an explanation."""


@baseline_group.command("create")
@return_options
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True, help="Baseline file to write (.yaml).")
@click.option("--who", default="", help="Who accepts these errors (written into each entry).")
@click.option("--explanation", default="", help="One explanation for every entry (otherwise a TODO to fill in).")
def baseline_create(current, previous, year, la, providers, select, ignore, output, who, explanation):
    """Write a baseline accepting every error of a run; edit it to keep only what the DfE accepts."""
    from lac_validator.api import validate as run_validation
    from lac_validator.baseline import baseline_yaml

    cy = _year(year)
    _guard([*current, *previous], [("--providers", p) for p in providers], [("--output", output, "file")])
    try:
        report = run_validation(list(current), list(previous) or None, cy if year else None, la, list(providers),
                                _codes(select), _codes(ignore))
    except (InputError, YearError) as exc:
        _fail(exc)
    output.write_text(baseline_yaml(report.records, who, explanation), encoding="utf-8")
    click.echo(f"Wrote {len(report.records)} entries to {output}")


@main.command("diff")
@click.argument("before", required=False)
@click.argument("after", required=False)
@click.option("--history", type=click.Path(path_type=Path),
              help=f"History database holding runs BEFORE and AFTER (run ids; default without arguments: {DEFAULT_HISTORY}).")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--list", "list_", is_flag=True, help="Text format: also list each new and fixed error (child, rule, where).")
def diff_cmd(before, after, history, fmt, list_):
    """What changed between two runs: new, fixed and persisting errors, per rule and social worker.

    BEFORE and AFTER are JSON reports (-f json), or run ids of a --history database. Without
    them, the last two runs of the history (default lac-validator-history.sqlite) are compared.
    """
    from lac_validator import history as hist
    from lac_validator.app.diff import compare

    _guard((), [("--history", history)] if history is not None else [("report", before), ("report", after)])
    if (before is None) != (after is None):
        raise click.UsageError("give both BEFORE and AFTER, or neither (the last two runs of the history).")
    try:
        compared = compare(before, after, history, DEFAULT_HISTORY)
    except InputError as exc:
        _fail(exc)
    notes, d = list(compared.notes), compared.diff
    if fmt == "json":
        click.echo(json.dumps({"notes": notes, "counts": d.counts(),
                               "by_rule": d.per("rule").to_dict("records"),
                               "by_social_worker": d.per("social_worker").to_dict("records"),
                               "new": d.new.to_dict("records"), "fixed": d.fixed.to_dict("records")},
                              indent=1, default=str))
        return
    from rich.table import Table

    con = _console()
    for note in notes:
        con.print(f"note: {note}")
    c = d.counts()
    con.print(f"{c['new']} new, {c['fixed']} fixed, {c['persisting']} persisting errors")
    for column, title in (("rule", "By rule"), ("social_worker", "By social worker")):
        frame = d.per(column)
        if frame.empty:
            continue
        t = Table(title=title, header_style="bold")
        for col in frame.columns:
            t.add_column(str(col), justify="left" if col == column else "right")
        for row in frame.itertuples(index=False):
            t.add_row(*[str(v) for v in row])
        con.print(t)
    if list_:
        frame = hist.changes(d)
        t = Table(title="New and fixed errors", header_style="bold")
        for col in ("Change", "Child", "Rule", "Where", "Social worker"):
            t.add_column(col, overflow="fold")
        for row in frame.itertuples(index=False):
            t.add_row(*[str(v) for v in row])
        if len(frame):
            con.print(t)


@main.command("trend")
@click.option("--history", type=click.Path(path_type=Path), default=str(DEFAULT_HISTORY), show_default=True,
              help="History database written by validate --history.")
@click.option("--by", type=click.Choice(["category", "rule"]), default="category", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Also write an XLSX workbook with a chart.")
def trend_cmd(history, by, output):
    """DfE errors over time, per category or rule, from the run history.

    Each run is marked with a letter for its settings (year, LA, --previous, rule selection,
    baseline): runs with different letters are not directly comparable.
    """
    from rich.table import Table

    from lac_validator import history as hist

    if not Path(history).exists():
        _fail(f"no history at {history}: record runs with `lac-validator validate ... --history {history}`.")
    _guard((), [("--history", history)], [("--output", output, "file")])
    try:
        runs = hist.runs(history)
        errs = hist.all_errors(history)
    except InputError as exc:
        _fail(exc)
    groups = hist.settings_groups(runs)
    table = errs.pivot_table(index=by, columns="run", aggfunc="size", fill_value=0) if len(errs) else None
    t = Table(title=f"Errors per {by} and run", header_style="bold")
    t.add_column(by)
    run_ids = list(runs["id"])
    for r in runs.itertuples(index=False):
        t.add_column(f"{r.id} ({groups[int(r.id)]})\n{r.started_at[:10]}{chr(10) + r.label if r.label else ''}",
                     justify="right")
    if table is not None:
        table = table.reindex(columns=run_ids, fill_value=0)
        for key, row in table.iterrows():
            t.add_row(str(key), *[str(int(v)) for v in row])
    t.add_row("total", *[str(int(v)) for v in runs["errors"]])
    con = _console()
    con.print(t)
    legend = {}
    for rid, letter in groups.items():
        legend.setdefault(letter, runs.loc[runs["id"] == rid, "settings"].iloc[0])
    for letter, settings in legend.items():
        con.print(f"({letter}) {hist.describe_settings(settings)}")
    if len(legend) > 1:
        con.print(f"note: these runs were made with {len(legend)} different settings: compare runs with the same "
                  "letter (a run without --previous, or with fewer rules, has fewer errors without being better).")
    if output is not None:
        from lac_validator.outputs.trend_xlsx import write_trend_xlsx

        write_trend_xlsx(runs, table, by, output)
        click.echo(f"Wrote {output}")


@main.group("history")
def history_group():
    """The run history (validate --history): list runs, delete runs."""


@history_group.command("list")
@click.option("--history", type=click.Path(path_type=Path), default=str(DEFAULT_HISTORY), show_default=True,
              help="History database written by validate --history.")
def history_list(history):
    """List the recorded runs: id, date, label, settings, DfE errors and warnings."""
    from rich.table import Table

    from lac_validator import history as hist

    if not Path(history).exists():
        _fail(f"no history at {history}: record runs with `lac-validator validate ... --history {history}`.")
    try:
        runs = hist.runs(history)
    except InputError as exc:
        _fail(exc)
    t = Table(title=f"Runs in {history}", header_style="bold")
    for col, kw in (("Run", {"justify": "right"}), ("Date", {}), ("Label", {}), ("Settings", {"overflow": "fold"}),
                    ("Errors", {"justify": "right"}), ("Warnings", {"justify": "right"})):
        t.add_column(col, **kw)
    for r in runs.itertuples(index=False):
        t.add_row(str(r.id), r.started_at.replace("T", " "), r.label or "", hist.describe_settings(r.settings),
                  str(r.errors), "-" if r.warnings is None or r.warnings != r.warnings else str(int(r.warnings)))
    _console().print(t)


@history_group.command("delete")
@click.argument("run_ids", nargs=-1, required=True, type=int)
@click.option("--history", type=click.Path(path_type=Path), default=str(DEFAULT_HISTORY), show_default=True,
              help="History database written by validate --history.")
def history_delete(run_ids, history):
    """Delete runs (and their errors) from the history; the file is compacted so they are gone."""
    from lac_validator import history as hist

    if not Path(history).exists():
        _fail(f"no history at {history}.")
    try:
        hist.delete_runs(history, list(run_ids))
    except InputError as exc:
        _fail(exc)
    click.echo(f"Deleted run{'s' if len(run_ids) > 1 else ''} {', '.join(map(str, run_ids))} from {history}")


@main.command("profile")
@return_options
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True, help="Profile file to write (.json).")
def profile_cmd(current, previous, year, la, providers, select, ignore, output):
    """Write an anonymised error profile of a validation, to compare with other councils.

    It holds only the LA, year, tool version, numbers of children and episodes, and per rule the
    error count and rate per 100 children (counts of 1-4 shown as "<5"): no child, worker,
    postcode or date.
    """
    from lac_validator.api import validate as run_validation
    from lac_validator.profiles import make_profile

    cy = _year(year)
    _guard([*current, *previous], [("--providers", p) for p in providers], [("--output", output, "file")])
    try:
        report = run_validation(list(current), list(previous) or None, cy if year else None, la, list(providers),
                                _codes(select), _codes(ignore))
    except (InputError, YearError) as exc:
        _fail(exc)
    output.write_text(json.dumps(make_profile(report), indent=1) + "\n", encoding="utf-8")
    click.echo(f"Wrote the profile of {len(report.result.rules_run)} rules to {output}")


@main.command("compare-profiles")
@click.argument("ours", type=click.Path(path_type=Path))
@click.argument("others", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Also write the comparison (.xlsx or .html).")
@click.option("--top", default=20, show_default=True, help="How many rules to show in the terminal.")
def compare_profiles_cmd(ours, others, output, top):
    """Compare our profile with other councils': where we are worst, and what others have eliminated."""
    from rich.table import Table

    from lac_validator.profiles import compare, load_profile

    _guard((), [("profile", ours), *(("profile", p) for p in others)], [("--output", output, "file")])
    try:
        mine = load_profile(ours)
        peers = [load_profile(p) for p in others]
    except InputError as exc:
        _fail(exc)
    result = compare(mine, peers)
    con = _console()
    for note in result.notes:
        con.print(f"note: {note}")
    t = Table(title=f"Rules where we do worse than {len(peers)} other councils (worst first)", header_style="bold")
    for col in ("Rule", "Category", "Ours", "Our rate", "Peers' median", "Best", "Zero errors", "Gap"):
        t.add_column(col, justify="left" if col in ("Rule", "Category") else "right")
    fmt = lambda v: "-" if v is None else str(v)  # noqa: E731
    for r in result.worse[:top]:  # rules at or below the peers' median are no lesson to learn
        t.add_row(r["rule"], r["category"], fmt(r["ours_errors"]), fmt(r["ours_rate"]), fmt(r["peers_median"]),
                  fmt(r["peers_best"]), f"{r['peers_with_zero']}/{r['peers']}", fmt(r["gap"]))
    if result.worse:
        con.print(t)
    if result.eliminated_by_all:
        con.print("Rules every other council has eliminated (ask them how): " + ", ".join(result.eliminated_by_all))
    if output is not None:
        from lac_validator.outputs.profile_report import write_comparison

        write_comparison(result, mine, peers, output)
        click.echo(f"Wrote {output}")


@main.command("apply-fixes")
@click.argument("fix_sheet", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--to", "to", multiple=True, required=True, type=click.Path(path_type=Path),
              help="The return the fix sheet was made from (folder and/or files), as given to validate.")
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True,
              help="New (or empty) folder for the corrected copy; an earlier copy made by apply-fixes is replaced.")
@click.option("--who", default="", help="Who made the corrections, for the change log (default: your login name).")
@click.option("--previous", "-p", multiple=True, type=click.Path(path_type=Path),
              help="Last year's return, only if it has moved since the sheet was written (the sheet records it).")
@click.option("--allow-changed", is_flag=True,
              help="Apply to a return that changed since the sheet was written: only rows whose record and value "
                   "are still as the sheet shows.")
@click.option("--year", "-y", hidden=True, help="Accepted when it agrees with the sheet (the sheet records the year).")
@click.option("--la", hidden=True, help="Accepted when it agrees with the sheet (the sheet records the LA).")
def apply_fixes_cmd(fix_sheet, to, output, who, previous, allow_changed, year, la):
    """Apply the corrections filled in a fix sheet to a copy of the return, log them, re-validate.

    The fix sheet records the collection year, the LA, the return's files (with their hashes), last
    year's return and the rules run, so nothing else is needed. Each filled-in row is applied only
    when its record is still in the return (found by its key), still holds the value the sheet
    shows, the field is one the rule's row may correct (never a child ID) and the value is valid
    for the field and year; otherwise it is refused with the reason. The return itself is never
    changed; the copy gets a change log (one block per run) and is validated again.

    \b
    Exit codes:
      0  every correction was made and none introduced a new error
      1  some corrections were refused, or the corrections introduced errors (see the summary)
      2  nothing written: unreadable sheet, the return changed since the sheet was written,
         or an output folder that is not new, empty or an earlier copy
    """
    from lac_validator.fixes import apply_fix_sheet, render_summary

    _guard([*to, *previous], [("fix sheet", fix_sheet)], [("--output", output, "folder")])
    try:
        result = apply_fix_sheet(fix_sheet, list(to), output, who, list(previous) or None, allow_changed, year, la)
    except (InputError, YearError) as exc:
        _fail(exc)
    except OSError as exc:
        _fail(f"cannot write the corrected copy to {output}: {exc.strerror or exc}. Choose another --output folder.")
    click.echo(render_summary(result, limit=50), nl=False)
    if result.output is not None:
        click.echo(f"Summary also written to {result.output / 'lac-validator-summary.txt'}.")
    sys.exit(result.exit_code)


@main.command("fix")
@click.argument("current", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True, help="New folder for the corrected copy.")
@click.option("--who", default="lac-validator fix", help="Name written to the change log.")
@click.option("--previous", "-p", multiple=True, type=click.Path(path_type=Path), help="Last year's return, for re-validation.")
@click.option("--year", "-y", help="Collection year (default: the year in progress today).")
@click.option("--la", help="Submitting local authority, for re-validation.")
@click.option("--dry-run", is_flag=True, help="Only list the corrections; write nothing.")
def fix_cmd(current, output, who, previous, year, la, dry_run):
    """Make the safe mechanical corrections on a copy: stray spaces, lower-case codes, postcode
    spacing, dates written 01-04-2025 / 2025-04-01. Logged and re-validated; inputs never change."""
    from lac_validator.app import fix as steps
    from lac_validator.fixes import CHANGE_LOG

    cy = _year(year)
    _guard([*current, *previous], (), [] if dry_run else [("--output", output, "folder")])
    try:
        plan = steps.plan(current, previous, cy)
        if dry_run:
            for c in plan.changes:
                click.echo(f"{c.file}:{c.line} {c.field}: {c.old!r} -> {c.new!r} ({c.reason})")
            click.echo(f"{len(plan.changes)} corrections proposed; nothing written.")
            return
        made = steps.write(plan, output, who)
        click.echo(f"Made {made} of {len(plan.changes)} corrections in a copy in {output}; change log: {output / CHANGE_LOG}")
        report = steps.revalidate(output, previous, cy, la)
    except (InputError, YearError) as exc:
        _fail(exc)
    click.echo(f"Re-validated the corrected copy: {report.error_count} errors remain "
               f"({report.children_with('error')} children).")


@main.command("las")
def list_las():
    """List the local authorities accepted by --la."""
    from lac_validator.authorities import all_authorities

    for la in all_authorities():
        note = f" (until {la.valid_to})" if la.valid_to else ""
        click.echo(f"{la.ons_code}  {la.dfe_code}  {la.name}{note}")


def _add_verbose(group: click.Group) -> None:
    """--verbose is accepted by the group and by every command (before or after the command name)."""
    group.params.append(_verbose_option())
    for cmd in group.commands.values():
        if isinstance(cmd, click.Group):
            _add_verbose(cmd)
        else:
            cmd.params.append(_verbose_option())


_add_verbose(main)


def run() -> None:
    """Console entry point: whatever happens, the user gets one sentence, never a traceback
    (--verbose or LAC_VALIDATOR_DEBUG=1 show it)."""
    from lac_validator.console import make_streams_safe

    make_streams_safe()  # a legacy console encoding (cp1252) must never stop a run
    try:
        with warnings.catch_warnings():
            if not os.environ.get("LAC_VALIDATOR_DEBUG"):
                # Libraries' own warnings (openpyxl, pandas) may quote cell values and mean nothing
                # to the user: what matters reaches the user as the tool's warnings.
                warnings.simplefilter("ignore")
            main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except SystemExit:
        raise
    except (InputError, YearError) as exc:
        _fail(exc)
    except Exception as exc:  # a bug, not bad input: still no traceback for the user
        from lac_validator.errors import as_input_error

        mapped = as_input_error(exc)  # the file system, SQLite or memory refused: say which file and why
        if mapped is not None and not os.environ.get("LAC_VALIDATOR_DEBUG"):
            _fail(mapped)
        if os.environ.get("LAC_VALIDATOR_DEBUG"):
            raise
        if _VERBOSE:
            import traceback

            traceback.print_exc()
        # The exception's text may quote a value from the return, so only its type is shown.
        _fail(f"lac-validator stopped unexpectedly ({type(exc).__name__}). Please report this without attaching "
              "the return; run again with --verbose to see the details.")


if __name__ == "__main__":  # pragma: no cover
    run()


def entry() -> None:
    """The `lac-validator` command: run(), then leave without the interpreter's teardown.

    Freeing a large return's objects one by one and unloading pandas takes a noticeable part of a
    second after everything has been written: every output file is closed and the history
    database committed by then, so the process ends at once (tests call run() instead)."""
    try:
        run()
        code = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed or broken pipe: nothing more can be said there
            pass
    os._exit(code)
