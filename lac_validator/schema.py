"""The SSDA903 tables and fields, declared once in schemas/fields.yaml.

The schema drives table recognition (header sets), typing on load (which columns are
dates), code lists per collection year, and the documentation.
"""
from __future__ import annotations

from functools import lru_cache

from pydantic import BaseModel, Field

from .specfile import load_package_yaml
from .years import SUPPORTED, CollectionYear


class CodeSpec(BaseModel):
    code: str
    meaning: str = ""
    years: list[str] = Field(default_factory=lambda: list(SUPPORTED))


class FieldSpec(BaseModel):
    name: str
    type: str
    required: str = ""
    format: str = ""
    notes: str = ""
    codes: list[CodeSpec] = Field(default_factory=list)

    @property
    def is_date(self) -> bool:
        return self.type == "date"

    def codes_for(self, year: CollectionYear | str) -> frozenset[str]:
        key = year if isinstance(year, str) else year.key
        return frozenset(c.code for c in self.codes if key in c.years)


class TableSpec(BaseModel):
    name: str
    description: str = ""
    key: list[str] = Field(default_factory=list)
    since: str = SUPPORTED[0]
    csv_columns: list[str]
    fields: dict[str, FieldSpec]

    def in_year(self, year: CollectionYear) -> bool:
        return year.key >= self.since

    @property
    def date_columns(self) -> list[str]:
        return [c for c in self.csv_columns if c in self.fields and self.fields[c].is_date]


class Schema(BaseModel):
    tables: dict[str, TableSpec]

    def table(self, name: str) -> TableSpec:
        return self.tables[base_table(name)]

    def tables_for(self, year: CollectionYear) -> list[TableSpec]:
        return [t for t in self.tables.values() if t.in_year(year)]

    def codes(self, table: str, field: str, year: CollectionYear | str) -> frozenset[str]:
        return self.tables[base_table(table)].fields[field].codes_for(year)


def base_table(name: str) -> str:
    """``Episodes_last`` -> ``Episodes``."""
    return name[:-5] if name.endswith("_last") else name


@lru_cache(maxsize=1)
def load_schema() -> Schema:
    raw = load_package_yaml("lac_validator.schemas", "fields.yaml")
    tables = {}
    for name, t in raw["tables"].items():
        fields = {fname: FieldSpec(name=fname, **{k: v for k, v in f.items() if k in FieldSpec.model_fields})
                  for fname, f in t["fields"].items()}
        tables[name] = TableSpec(
            name=name,
            description=t.get("description", ""),
            key=t.get("key", []),
            since=t.get("since", SUPPORTED[0]),
            csv_columns=t["csv_columns"],
            fields=fields,
        )
    return Schema(tables=tables)
