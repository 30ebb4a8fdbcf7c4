"""What a rule sees: this year's and last year's typed tables, the year, and reference data."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .schema import base_table
from .tables import Return, Table
from .years import CollectionYear


@dataclass
class Context:
    year: CollectionYear
    current: Return
    previous: Return | None = None
    la: Any = None            # lac_validator.authorities.LocalAuthority, when --la is given
    reference: Any = None     # postcode / provider reference data, when available
    cache: dict = field(default_factory=dict)  # shared views, computed once per run

    # -- tables ---------------------------------------------------------------
    def _return_for(self, name: str) -> Return | None:
        return self.previous if name.endswith("_last") else self.current

    def has(self, name: str) -> bool:
        ret = self._return_for(name)
        return ret is not None and ret.has(base_table(name))

    def source(self, name: str) -> Table:
        ret = self._return_for(name)
        if ret is None or not ret.has(base_table(name)):
            raise KeyError(f"table {name} was not supplied")
        return ret.tables[base_table(name)]

    def table(self, name: str) -> pd.DataFrame:
        """Typed table: dates as datetime64 (NaT when blank or invalid), codes as upper-case text."""
        return self.source(name).data

    def raw(self, name: str) -> pd.DataFrame:
        """The same rows as text exactly as given (upper-cased, untrimmed, blank = missing)."""
        return self.source(name).raw

    # -- the year ---------------------------------------------------------------
    @property
    def rules_year(self) -> CollectionYear:
        """The year whose rules and code lists apply (the latest specified one for a provisional year)."""
        return self.year.rules_year

    @property
    def collection_start(self) -> pd.Timestamp:
        return self.year.start

    @property
    def collection_end(self) -> pd.Timestamp:
        return self.year.end

    @property
    def file_format(self) -> str:
        return self.current.file_format

    # -- code lists ---------------------------------------------------------------
    def codes(self, table: str, field: str) -> frozenset[str]:
        """The field's valid codes in this collection year, from schemas/fields.yaml (a provisional
        year has the latest specified year's)."""
        from .schema import load_schema

        return load_schema().codes(table, field, self.year)
