"""The terminal summary: errors by rule and category, worst children, rules not run and why."""
from __future__ import annotations

from collections import defaultdict

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from ..report import Report
from .safety import terminal_text


def render_text(report: Report, console: Console, top_children: int = 10, all_errors: bool = False) -> None:
    meta, res = report.info, report.result
    la = meta.la.describe() if meta.la else "LA not given (--la)"
    _alerts(report, console)  # first, and again last: thousands of errors must not scroll them away
    console.print(Text(f"lac-validator: SSDA903 {meta.year.label} return, {la}", style="bold"))
    for label, ret in (("This year", meta.current), ("Last year", meta.previous)):
        if ret is None:
            console.print(f"{label}: not given (--previous): cross-year rules are not run")
            continue
        tables = ", ".join(f"{t.name} ({t.rows})" for t in ret.tables)
        console.print(f"{label}: {tables or 'no tables'}")
        if ret.absent:
            console.print(f"  absent: {', '.join(ret.absent)}")
    for w in report.notes:
        if w not in report.alerts:
            console.print(Text(terminal_text(f"note: {w}"), style="yellow"))
    console.print()

    n, nw = report.error_count, report.warning_count
    children = report.children_with("error")
    headline = (f"{n} error{'s' if n != 1 else ''} for {children} child{'ren' if children != 1 else ''} "
                f"from {len(res.rules_run)} rules run")
    console.print(Text(headline, style="bold red" if n else "bold green"))
    if nw:
        console.print(Text(f"{nw} warning{'s' if nw != 1 else ''} (DfE rules whose message starts WARNING; not "
                           f"counted as errors) for {report.children_with('warning')} "
                           f"child{'ren' if report.children_with('warning') != 1 else ''}", style="yellow"))
    n = n + nw  # the tables below list both
    if report.accepted is not None and len(report.accepted):
        console.print(f"{len(report.accepted)} more accepted by the baseline (not counted above)"
                      + (f", {report.unexplained_accepted} of them without a real explanation"
                         if report.unexplained_accepted else ""))
    for e in report.stale:
        console.print(Text(terminal_text(f"stale baseline entry: rule {e.rule}, child {e.child}"
                                         f"{', key ' + e.key if e.key else ''} matches no error any more: remove it"),
                           style="yellow"))

    if n:
        t = RichTable(title="Errors by rule", show_lines=False, header_style="bold")
        for col, kw in (("Rule", {"no_wrap": True}), ("Errors", {"justify": "right"}),
                        ("Children", {"justify": "right"}), ("Category", {}), ("DfE message", {"overflow": "fold"})):
            t.add_column(col, **kw)
        for r in report.by_rule().itertuples(index=False):
            t.add_row(r.rule, str(r.errors), str(r.children), r.category, r.message)
        console.print(t)

        c = RichTable(title="Errors by category", header_style="bold")
        c.add_column("Category")
        c.add_column("Errors", justify="right")
        c.add_column("Rules", justify="right")
        for r in report.by_category().itertuples(index=False):
            c.add_row(r.category, str(r.errors), str(r.rules))
        console.print(c)

        w = RichTable(title=f"Children with most errors (top {top_children})", header_style="bold")
        for col in ("Child", "Social worker", "Errors", "Rules"):
            w.add_column(col, justify="right" if col == "Errors" else "left", overflow="fold")
        for r in report.by_child().head(top_children).itertuples(index=False):
            w.add_row(str(r.child), report.worker_label(r.social_worker), str(r.errors), r.rules)
        console.print(w)

    if all_errors and n:
        e = RichTable(title="All errors", header_style="bold")
        for col in ("Child", "Rule", "Where", "File:line", "Values"):
            e.add_column(col, overflow="fold")
        for r in report.records.sort_values(["child", "rule"], kind="mergesort").to_dict("records"):
            vals = "; ".join(f"{k}={'' if v is None else v}" for k, v in r["values"].items())
            e.add_row(str(r["child"]), r["rule"], str(r["locator"] or r["table"]),
                      f"{r['file']}:{r['line']}", vals)
        console.print(e)

    if res.not_run:
        by_reason = defaultdict(list)
        for code, why in res.not_run:
            by_reason[why].append(code)
        console.print(Text(f"\n{len(res.not_run)} rules not run:", style="bold"))
        for why, codes in sorted(by_reason.items(), key=lambda kv: -len(kv[1])):
            console.print(f"  {why}: {', '.join(codes)}")
    if res.internal_errors:
        console.print(Text(f"\n{len(res.internal_errors)} rules failed inside lac-validator (please report):", style="bold red"))
        for code, err in res.internal_errors:
            console.print(f"  {code}: {err}")
    if report.alerts:
        console.print()
        _alerts(report, console)


def write_text(report: Report, stream) -> None:
    """The text report as a file: every error listed, no colour."""
    from ..console import terminal_console

    render_text(report, terminal_console(stream, plain=True), all_errors=True)


def _alerts(report: Report, console: Console) -> None:
    for a in report.alerts:
        console.print(Text(terminal_text(f"ALERT: {a}"), style="bold red"))
