"""The SSDA903 tables and fields, declared once in schemas/fields.yaml.

The schema drives table recognition (header sets), typing on load (which columns are
dates), code lists per collection year, and the documentation.

The classes below are typed dataclasses. pydantic validates fields.yaml against them whenever the
YAML is read; the validated result is cached as JSON (lac_validator.cache), so an ordinary run
builds the schema from that cache without importing pydantic (a tenth of a second of start-up).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import lru_cache

from .specfile import load_package_yaml
from .years import CollectionYear, YearRange, parse_range, rules_key


@dataclass(frozen=True)
class CodeSpec:
    code: str
    meaning: str = ""
    years: str = ""  # a year range ("from 2024_25", "2022_23 to 2023_24"); blank = every specified year

    def valid_in(self, key: str) -> bool:
        """Valid in year `key` (a provisional year: in the latest specified year)."""
        return rules_key(key) in _range(self.years)

    @property
    def span(self) -> YearRange:
        """The years the code is valid in (`last` None: still valid)."""
        return _range(self.years)


def _range(text: str) -> YearRange:
    return _RANGES.get(text) or _RANGES.setdefault(text, parse_range(text, default_first="0000_00"))


_RANGES: dict[str, YearRange] = {}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    required: str = ""
    format: str = ""
    notes: str = ""
    codes: list[CodeSpec] = field(default_factory=list)

    @property
    def is_date(self) -> bool:
        return self.type == "date"

    def codes_for(self, year: CollectionYear | str) -> frozenset[str]:
        """Codes valid in `year`; a provisional year has the latest specified year's codes."""
        key = rules_key(year if isinstance(year, str) else year.key)
        return frozenset(c.code for c in self.codes if key in _range(c.years))


@dataclass(frozen=True)
class TableSpec:
    name: str
    csv_columns: list[str]
    fields: dict[str, FieldSpec]
    description: str = ""
    key: list[str] = field(default_factory=list)
    since: str = ""  # the first collection year with this table (blank: every year)

    def in_year(self, year: CollectionYear) -> bool:
        return year.rules_year.key >= self.since

    @property
    def date_columns(self) -> list[str]:
        return [c for c in self.csv_columns if c in self.fields and self.fields[c].is_date]


@dataclass(frozen=True)
class Schema:
    tables: dict[str, TableSpec]
    years: list[str] = field(default_factory=list)  # the collection years the specification covers

    def table(self, name: str) -> TableSpec:
        return self.tables[base_table(name)]

    def tables_for(self, year: CollectionYear) -> list[TableSpec]:
        return [t for t in self.tables.values() if t.in_year(year)]

    def codes(self, table: str, field: str, year: CollectionYear | str) -> frozenset[str]:
        return self.tables[base_table(table)].fields[field].codes_for(year)


_FIELD_KEYS = {f.name for f in dataclasses.fields(FieldSpec)}
_SCHEMA_VERSION = "2"  # bump when the classes above change shape (cached schemas are then rebuilt)


def _validated(raw: dict) -> dict:
    """fields.yaml's data, validated by pydantic against the classes above, as plain data."""
    from pydantic import TypeAdapter  # noqa: PLC0415 - only when the YAML is (re)read

    tables = {}
    for name, t in raw["tables"].items():
        fields = {fname: {"name": fname, **{k: v for k, v in f.items() if k in _FIELD_KEYS}}
                  for fname, f in t["fields"].items()}
        tables[name] = {"name": name, "description": t.get("description", ""), "key": t.get("key", []),
                        "since": t.get("since", ""), "csv_columns": t["csv_columns"], "fields": fields}
    years = [str(y) for y in raw["collection_years"]]
    schema = TypeAdapter(Schema).validate_python({"tables": tables, "years": years})  # raises on a malformed file
    _check_years(schema)
    return dataclasses.asdict(schema)


def _check_years(schema: Schema) -> None:
    """Every year key in fields.yaml is well formed and its ranges start in a specified year."""
    from .years import YearError  # noqa: PLC0415

    keys = schema.years
    if not keys or keys != sorted(keys) or any(parse_range(k).first != k for k in keys) or \
            any(int(b[:4]) != int(a[:4]) + 1 for a, b in zip(keys, keys[1:])):
        raise YearError(f"fields.yaml collection_years must be consecutive year keys, oldest first: {keys}")
    for t in schema.tables.values():
        if t.since and t.since not in keys:
            raise YearError(f"fields.yaml table {t.name}: since {t.since!r} is not one of collection_years")
        for f in t.fields.values():
            for c in f.codes:
                r = parse_range(c.years, default_first=keys[0])
                if r.first not in keys or (r.last is not None and r.last not in keys):
                    raise YearError(f"fields.yaml {t.name}.{f.name} code {c.code}: years {c.years!r} "
                                    f"must start and end in collection_years")


def _build(data: dict) -> Schema:
    """Schema objects from validated plain data (as _validated returns it)."""
    return Schema(years=list(data["years"]), tables={
        name: TableSpec(
            name=t["name"], csv_columns=list(t["csv_columns"]), description=t["description"], key=list(t["key"]),
            since=t["since"],
            fields={f: FieldSpec(name=d["name"], type=d["type"], required=d["required"], format=d["format"],
                                 notes=d["notes"], codes=[CodeSpec(**c) for c in d["codes"]])
                    for f, d in t["fields"].items()})
        for name, t in data["tables"].items()})


@lru_cache(maxsize=1)
def load_schema() -> Schema:
    def read(cached: bool) -> dict:
        return load_package_yaml("lac_validator.schemas", "fields.yaml", _validated, _SCHEMA_VERSION, cached)

    try:
        return _build(read(cached=True))
    except (KeyError, TypeError, AttributeError):  # a damaged cache entry: read the YAML again
        return _build(read(cached=False))


def base_table(name: str) -> str:
    """``Episodes_last`` -> ``Episodes``."""
    return name[:-5] if name.endswith("_last") else name
