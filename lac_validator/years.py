"""Collection years: parsing what users type, the dates each year spans, and which rules apply.

The years the specification covers are data: `collection_years` in schemas/fields.yaml. A year
after the latest of them is *provisional*: its own dates (1 April to 31 March) are used wherever
dates matter, and the rules, code lists and tables of the latest specified year apply (the DfE
publishes a year's changes around its start). Year ranges in the data are open-ended
("from 2024_25") unless the DfE changed or retired something ("2022_23 to 2023_24").
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

import pandas as pd

_PATTERN = re.compile(r"^\s*(\d{4})\s*[-/_ ]?\s*(\d{2}|\d{4})\s*$")
_KEY = re.compile(r"^\d{4}_\d{2}$")
_RANGE = re.compile(r"^\s*(?:from\s+(?P<open>\S+)|(?P<first>\S+)(?:\s+to\s+(?P<last>\S+))?)\s*$")


class YearError(ValueError):
    """A collection year that cannot be read or is not supported."""


def specified_keys() -> tuple[str, ...]:
    """The collection years the shipped specification covers (schemas/fields.yaml), oldest first."""
    from .schema import load_schema  # noqa: PLC0415 - the schema module imports this one

    return tuple(load_schema().years)


@dataclass(frozen=True, order=True)
class CollectionYear:
    """A DfE collection year: 1 April of `first` to 31 March of `first + 1`."""

    first: int

    @property
    def key(self) -> str:
        """The spec's spelling, e.g. ``2025_26``."""
        return f"{self.first}_{(self.first + 1) % 100:02d}"

    @property
    def label(self) -> str:
        """How people write it, e.g. ``2025-26``."""
        return f"{self.first}-{(self.first + 1) % 100:02d}"

    @property
    def start(self) -> pd.Timestamp:
        return pd.Timestamp(self.first, 4, 1)

    @property
    def end(self) -> pd.Timestamp:
        return pd.Timestamp(self.first + 1, 3, 31)

    @property
    def previous(self) -> "CollectionYear":
        return CollectionYear(self.first - 1)

    @property
    def rules_year(self) -> "CollectionYear":
        """The year whose rules, code lists and tables apply: this one, or for a provisional year
        the latest specified one."""
        return CollectionYear.from_key(rules_key(self.key))

    @property
    def provisional(self) -> bool:
        """After the latest year the specification covers."""
        return self.key > specified_keys()[-1]

    @property
    def provisional_alert(self) -> str | None:
        """The sentence every output shows for a provisional year (None for a specified year)."""
        if not self.provisional:
            return None
        return (f"{self.label} validated with the {self.rules_year.label} rules: the DfE has not yet "
                f"published {self.label} changes to lac-validator")

    def __str__(self) -> str:  # pragma: no cover - convenience
        return self.label

    @classmethod
    def parse(cls, text: str, today: _dt.date | None = None) -> "CollectionYear":
        """Read ``2025-26``, ``2025/26``, ``2025_26`` or ``2025-2026``: a specified year, or a later
        (provisional) one that has started by `today` or is the next after the latest specified."""
        m = _PATTERN.match(str(text))
        if not m:
            raise YearError(
                f"'{text}' is not a collection year: write it like 2025-26 (1 April 2025 to 31 March 2026)."
            )
        first, second = int(m.group(1)), m.group(2)
        second_full = int(second) if len(second) == 4 else (first // 100) * 100 + int(second)
        if second_full != first + 1:
            raise YearError(
                f"'{text}' is not a collection year: the second year must follow the first, as in {first}-{(first + 1) % 100:02d}."
            )
        year = cls(first)
        keys = specified_keys()
        lo, hi = cls.from_key(keys[0]), cls.from_key(keys[-1])
        if year < lo:
            raise YearError(f"Collection year {year.label} is not supported: lac-validator specifies "
                            f"{lo.label} to {hi.label} (and validates later years with the {hi.label} rules).")
        latest_allowed = max(hi.first + 1, cls._today_first(today))
        if year.first > latest_allowed:
            raise YearError(f"Collection year {year.label} has not started yet: lac-validator specifies "
                            f"{lo.label} to {hi.label} and validates later years, once they have started, "
                            f"with the {hi.label} rules.")
        return year

    @classmethod
    def from_key(cls, key: str) -> "CollectionYear":
        return cls(int(key[:4]))

    @staticmethod
    def _today_first(today: _dt.date | None) -> int:
        today = today or _dt.date.today()
        return today.year if today.month >= 4 else today.year - 1

    @classmethod
    def in_progress(cls, today: _dt.date | None = None) -> "CollectionYear":
        """The year whose collection period contains `today` (provisional when after the latest
        specified year; never before the first specified year)."""
        lo = int(specified_keys()[0][:4])
        return cls(max(cls._today_first(today), lo))


def all_years() -> list[CollectionYear]:
    """The specified years (not provisional ones)."""
    return [CollectionYear.from_key(k) for k in specified_keys()]


def specified_range_text() -> str:
    """What people are told about the years: which are specified, how later ones behave."""
    keys = specified_keys()
    first, last = CollectionYear.from_key(keys[0]), CollectionYear.from_key(keys[-1])
    return (f"The specification covers collection years {first.label} to {last.label}. A later year is "
            f"provisional: it is validated with its own dates (1 April to 31 March) and the {last.label} "
            f"rules and code lists, and every output says so, until the DfE's changes for it are added.")


def rules_key(key: str) -> str:
    """The specified year whose data applies to year `key` (clamped to the latest specified)."""
    latest = specified_keys()[-1]
    return latest if key > latest else key


# ---------------------------------------------------------------------------- year ranges in the data
@dataclass(frozen=True)
class YearRange:
    """Years from `first` to `last` inclusive; `last` None = open-ended (still in force)."""

    first: str
    last: str | None = None

    def __contains__(self, key: str) -> bool:
        return key >= self.first and (self.last is None or key <= self.last)

    def keys(self) -> tuple[str, ...]:
        """The specified years in the range."""
        return tuple(k for k in specified_keys() if k in self)

    @property
    def text(self) -> str:
        if self.last is None:
            return f"from {self.first}"
        return self.first if self.last == self.first else f"{self.first} to {self.last}"

    @property
    def label(self) -> str:
        """For people: ``2024-25 onwards``, ``2022-23 to 2023-24``, ``2023-24``."""
        a = CollectionYear.from_key(self.first).label
        if self.last is None:
            return f"{a} onwards"
        return a if self.last == self.first else f"{a} to {CollectionYear.from_key(self.last).label}"


def parse_range(text: str | None, default_first: str | None = None) -> YearRange:
    """``from 2024_25`` (open-ended), ``2022_23 to 2023_24`` or ``2023_24`` (that year only);
    blank/None means `default_first` onwards."""
    if text is None or str(text).strip() == "":
        if default_first is None:
            raise YearError("a year range is required, like \"from 2024_25\" or \"2022_23 to 2023_24\"")
        return YearRange(default_first)
    m = _RANGE.match(str(text))
    if not m:
        raise YearError(f"{text!r} is not a year range: write \"from 2024_25\" or \"2022_23 to 2023_24\"")
    if m.group("open"):
        first, last = m.group("open"), None
    else:
        first, last = m.group("first"), m.group("last") or m.group("first")
    for k in (first, last):
        if k is not None and not _KEY.match(k):
            raise YearError(f"{text!r}: {k!r} is not a year key like 2024_25")
    if last is not None and last < first:
        raise YearError(f"{text!r}: the range ends before it starts")
    return YearRange(first, last)
