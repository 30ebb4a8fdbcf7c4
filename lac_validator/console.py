"""The terminal streams: never let a character the console cannot show stop a run.

A Windows console or a redirected file often uses a legacy code page (cp1252, cp850...): a child
ID, a file name or a DfE message with a character outside it would raise UnicodeEncodeError in
the middle of a report. Standard output and error are switched once, at start-up, to replace such
characters (with "?"); what the tool writes to its own output files is always UTF-8 and unaffected.
"""
from __future__ import annotations

import sys


def make_streams_safe() -> None:
    """Replace unencodable characters on stdout and stderr instead of failing (idempotent)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name, None)
        if stream is None or getattr(stream, "errors", "strict") not in ("strict", None):
            continue  # already lenient (stderr's default is backslashreplace)
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            reconfigure(errors="replace")
        except (ValueError, OSError):  # a closed or detached stream: nothing will be written there
            pass


def terminal_console(file=None, plain: bool = False):
    """The rich console every command prints through (outputs.safety.safe_console): no colour with
    `plain`, NO_COLOR or CI; 140 columns when writing to a file or pipe, the terminal's width otherwise."""
    import os

    from .outputs.safety import safe_console

    no_colour = plain or bool(os.environ.get("NO_COLOR")) or bool(os.environ.get("CI"))
    return safe_console(file=file, no_color=no_colour, highlight=False, soft_wrap=False,
                        width=140 if file is not None and not getattr(file, "isatty", lambda: False)() else None)
