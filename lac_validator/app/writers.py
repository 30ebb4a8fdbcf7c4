"""The report writers by format name, each imported only when its format is chosen.

A writer's module is named here, not imported: openpyxl and rich cost start-up time that a quiet
JSON or CSV run does not need. `validate --format`, `validate-many --format` and the file names
of validate-many's reports all come from this one table.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


@dataclass(frozen=True)
class Writer:
    name: str               # the --format value
    module: str             # where the writer function lives (imported on first use)
    function: str
    extension: str          # of the report file validate-many writes
    binary: bool = False    # a workbook: written to a path (--output), never to standard output
    suggestions: bool = False  # shows suggested corrections (computed only for such outputs)
    timelines: bool = False    # shows each child's episodes (taken from the tables before pseudonymising)

    def load(self) -> Callable:
        """The writer function: f(report, stream) for text formats, f(report, path, contact=...) for
        binary ones."""
        return getattr(importlib.import_module(self.module), self.function)


WRITERS: dict[str, Writer] = {w.name: w for w in (
    Writer("text", "lac_validator.outputs.text_report", "write_text", "txt"),
    Writer("json", "lac_validator.outputs.json_report", "write_json", "json", suggestions=True),
    Writer("csv", "lac_validator.outputs.csv_report", "write_csv", "csv"),
    Writer("xlsx", "lac_validator.outputs.xlsx_report", "write_xlsx", "xlsx", binary=True, suggestions=True),
    Writer("junit", "lac_validator.outputs.junit_report", "write_junit", "xml"),
    Writer("html", "lac_validator.outputs.html_report", "write_html", "html", suggestions=True, timelines=True),
)}
FORMATS = list(WRITERS)


def writer(fmt: str) -> Writer:
    try:
        return WRITERS[fmt]
    except KeyError:
        raise ValueError(f"no report format {fmt!r}: one of {', '.join(WRITERS)}") from None


def write_report(report, fmt: str, output: Path | None = None, stdout=None, contact: str | None = None) -> None:
    """Write the report in `fmt` to the file `output` (UTF-8), or to the stream `stdout` when no
    output is given. A text report without an output file is not written here: the command shows
    the summary on the terminal instead."""
    w = writer(fmt)
    func = w.load()
    if w.binary:
        if output is None:
            raise ValueError(f"the {fmt} report needs an output file")
        func(report, output, contact=contact)
        return
    if output is None:
        if fmt != "text":
            func(report, stdout)
        return
    with open(output, "w", encoding="utf-8", newline="") as fh:
        func(report, fh)
