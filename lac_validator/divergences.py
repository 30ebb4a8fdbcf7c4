"""Where a rule departs from the older reference validator, from rules/divergences.md.

`explain CODE` prints a rule's spec entry, whose logic describes the older validator; the
departures listed in rules/divergences.md (installed beside the rule specs) say where lac-validator
does what the DfE message means instead, so `explain` shows them too.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

_BOLD = re.compile(r"\*\*([^*]+)\*\*")
_CODE = re.compile(r"^(\d{3,4}[A-Za-z]?|SW\w+|INT\d+|EPI|NoE)$")


def _expand(token: str) -> list[str] | None:
    """'370-374' / '503A-503F' / '205A' -> the codes it names; None when it names no rule."""
    token = token.strip()
    if "-" in token:
        lo, _, hi = token.partition("-")
        if lo.isdigit() and hi.isdigit():
            return [str(n) for n in range(int(lo), int(hi) + 1)]
        m_lo, m_hi = re.match(r"^(\d+)([A-Z])$", lo), re.match(r"^(\d+)([A-Z])$", hi)
        if m_lo and m_hi and m_lo.group(1) == m_hi.group(1):
            return [m_lo.group(1) + chr(c) for c in range(ord(m_lo.group(2)), ord(m_hi.group(2)) + 1)]
        return None
    return [token] if _CODE.match(token) else None


def _codes_of(head: str) -> set[str]:
    """Rule codes an entry is about: its bold names, else the codes listed in its '(years; codes)'."""
    codes: set[str] = set()
    for bold in _BOLD.findall(head):
        for token in re.split(r",\s*|\s+and\s+", bold):
            codes.update(_expand(token) or [])
    if not codes:
        for inner in re.findall(r"\(([^)]*)\)", head):
            if ";" in inner:
                for token in inner.split(";", 1)[1].split(","):
                    codes.update(_expand(token) or [])
    return codes


@lru_cache(maxsize=1)
def entries() -> list[tuple[frozenset[str], str]]:
    """(codes, text) for every listed departure; empty when the file is not installed."""
    try:
        text = resources.files("lac_validator.rules").joinpath("divergences.md").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return []
    out = []
    for block in re.split(r"\n(?=- |#)", text):
        if not block.startswith("- "):
            continue
        body = " ".join(block[2:].split())
        head = body.split(":", 1)[0]
        codes = _codes_of(head)
        if codes:
            out.append((frozenset(codes), body.replace("**", "")))
    return out


def for_rule(code: str) -> list[str]:
    """The departures that concern rule `code` (case-insensitive), in the document's order."""
    code = code.strip().upper()
    return [text for codes, text in entries() if code in {c.upper() for c in codes}]
