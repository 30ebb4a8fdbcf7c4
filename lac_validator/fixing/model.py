"""The fix sheet's data model: one class per thing, so new columns and sources of values slot in."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

FORMAT = "2"  # fix sheet layout version, recorded on the About sheet

# Column headers; the reader finds columns by these names, never by position.
KEY = "Key"
RULE = "Rule"
CHILD = "Child"
SOCIAL_WORKER = "Social worker"
RECORD = "Record"
FIELD = "Field"
CURRENT = "Current value"
CORRECTED = "Corrected value"
SUGGESTED = "Suggested value"      # pre-filled from the report's suggestion (lac_validator.suggestions)
EVIDENCE = "Evidence"
ACCEPT = "Accept suggestion"
WHAT = "What to enter"
HOW = "How to fix"
MESSAGE = "Message"
TABLE = "Table"
YEAR = "Year"
FILE = "File"
LINE = "Line"
REQUIRED_COLUMNS = (KEY, FIELD, CURRENT, CORRECTED)

BLANK_WORDS = ("(BLANK)", "BLANK")  # typed to empty a cell (an empty cell means "no correction")
ACCEPT_WORDS = ("YES", "Y", "X", "TRUE", "1", "ACCEPT", "OK", "\u2713")  # an Accept suggestion cell marked
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # characters a workbook cannot hold


def shown(value):
    """A value from the return as the sheet shows it: characters a workbook cannot hold are
    written as \\xNN (the reader compares the return's cell shown the same way)."""
    if isinstance(value, str) and _UNWRITABLE.search(value):
        return _UNWRITABLE.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    return value


@dataclass
class SheetRow:
    """One row of a fix sheet as a person left it. `cells` holds every cell by header, so a
    column added later (e.g. a suggested value) is read without changing this class."""

    sheet: str
    row: int                  # the sheet row number a person sees
    key: str
    rule: str
    field: str
    current: str | None       # the value the sheet shows (None: blank)
    corrected: object = None  # the Corrected value cell as read (None: empty)
    child: str | None = None
    line: int | None = None
    cells: dict = field(default_factory=dict)
    suggested: str | None = None  # the Suggested value cell (None: no suggestion)
    accept: object = None         # the Accept suggestion cell as read

    @property
    def accepted(self) -> bool:
        """The Accept suggestion cell is marked (Yes, X, a ticked TRUE...) and there is a suggestion."""
        mark = self.accept
        marked = mark is True or (not isinstance(mark, bool) and str(mark or "").strip().upper() in ACCEPT_WORDS)
        return marked and not _empty(self.suggested)

    @property
    def uses_suggestion(self) -> bool:
        """The value to apply is the accepted suggestion (nothing typed in Corrected value)."""
        return _empty(self.corrected) and self.accepted

    @property
    def where(self) -> str:
        return f"sheet '{self.sheet}' row {self.row}"

    def value_to_apply(self):
        """The value this row asks for, or None when it asks for nothing: a typed Corrected value,
        else the suggested value when the row is marked accepted."""
        if not _empty(self.corrected):
            return self.corrected
        return self.suggested if self.accepted else None


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


@dataclass
class Change:
    """One cell to change in a copy of the return (from a fix sheet or a mechanical fix)."""

    file: str       # the input file as the loader describes it (with " (sheet 'X')" for XLSX)
    line: int       # CSV line / sheet row of the record
    table: str
    child: str
    field: str
    old: str | None  # the cell's text as it is now (case as given); None: blank
    new: str         # "" empties the cell
    reason: str


@dataclass
class Outcome:
    """What became of one filled-in sheet row: applied (with its Change) or refused (with why)."""

    row: SheetRow
    status: str               # "applied", "refused" or "same" (another row makes the same change)
    reason: str = ""
    change: Change | None = None

    @property
    def applied(self) -> bool:
        return self.status in ("applied", "same")


@dataclass
class FileStamp:
    """One input file as it was when the sheet was written."""

    role: str    # "current" or "previous"
    path: str    # absolute path
    sha256: str
    size: int

    @property
    def name(self) -> str:
        from pathlib import Path

        return Path(self.path).name


@dataclass
class SheetInfo:
    """Everything needed to apply a sheet (its hidden About sheet): year, LA, the return's files
    and hashes, last year's return and the rules that were run."""

    year: str                       # label, e.g. 2025-26
    la: str = ""                    # ONS code, or "" when --la was not given
    current: list[str] = field(default_factory=list)   # the return as given (absolute paths)
    previous: list[str] = field(default_factory=list)
    providers: list[str] = field(default_factory=list)
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    files: list[FileStamp] = field(default_factory=list)
    written: str = ""
    version: str = ""
    format: str = FORMAT
