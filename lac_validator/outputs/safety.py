"""Neutralising cell values so spreadsheets never run input data as formulas."""
from __future__ import annotations

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Prefix text that a spreadsheet would read as a formula with an apostrophe (OWASP advice)."""
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value
