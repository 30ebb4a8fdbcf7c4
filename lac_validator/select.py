"""Checking --select / --ignore: a code or prefix that names no rule of the year is a mistake.

Without this check `--select 5O1` (a letter O) would run no rule at all and a CI job would pass.
"""
from __future__ import annotations

import difflib

from .errors import InputError

# Letters typed for the digits they resemble.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "S": "5", "B": "8"})


def _hits(pattern: str, codes: list[str]) -> bool:
    return any(c == pattern or c.startswith(pattern) for c in codes)


def closest(pattern: str, codes: list[str], n: int = 3) -> list[str]:
    """The year's codes a mistyped pattern most likely meant."""
    out = []
    lookalike = pattern.translate(_LOOKALIKES)
    if lookalike != pattern:
        out += [c for c in codes if c == lookalike] or \
            sorted((c for c in codes if c.startswith(lookalike)), key=len)[:1]
    out += difflib.get_close_matches(pattern, codes, n=n + len(out), cutoff=0.5)
    return list(dict.fromkeys(out))[:n]


def check_selection(year, select: list[str] | None, ignore: list[str] | None, codes: list[str]) -> None:
    """Raise InputError naming each --select/--ignore entry that matches none of `codes` (the year's)."""
    upper = [c.upper() for c in codes]
    problems = []
    for option, patterns in (("--select", select or []), ("--ignore", ignore or [])):
        for p in patterns:
            if _hits(p.upper(), upper):
                continue
            near = closest(p.upper(), upper)
            problems.append(f"{option} {p} matches no rule of {year.label}"
                            + (f" (did you mean {' or '.join(near)}?)" if near else ""))
    if problems:
        raise InputError("; ".join(problems) + f": `lac-validator rules --year {year.label}` lists the rule codes.")
