"""Collection years: parsing what users type, and the dates each year spans."""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

import pandas as pd

SUPPORTED = ("2022_23", "2023_24", "2024_25", "2025_26", "2026_27")

_PATTERN = re.compile(r"^\s*(\d{4})\s*[-/_ ]?\s*(\d{2}|\d{4})\s*$")


class YearError(ValueError):
    """A collection year that cannot be read or is not supported."""


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

    def __str__(self) -> str:  # pragma: no cover - convenience
        return self.label

    @classmethod
    def parse(cls, text: str) -> "CollectionYear":
        """Read ``2025-26``, ``2025/26``, ``2025_26`` or ``2025-2026``."""
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
        if year.key not in SUPPORTED:
            raise YearError(
                f"Collection year {year.label} is not supported: choose one of "
                + ", ".join(CollectionYear.from_key(k).label for k in SUPPORTED)
                + "."
            )
        return year

    @classmethod
    def from_key(cls, key: str) -> "CollectionYear":
        return cls(int(key[:4]))

    @classmethod
    def in_progress(cls, today: _dt.date | None = None) -> "CollectionYear":
        """The year whose collection period contains `today` (clamped to the supported years)."""
        today = today or _dt.date.today()
        first = today.year if today.month >= 4 else today.year - 1
        lo, hi = int(SUPPORTED[0][:4]), int(SUPPORTED[-1][:4])
        return cls(min(max(first, lo), hi))


def all_years() -> list[CollectionYear]:
    return [CollectionYear.from_key(k) for k in SUPPORTED]
