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
