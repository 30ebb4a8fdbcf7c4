"""One registry of rules: DfE metadata from the shipped spec plus one function each.

A rule version is the spec entry (code, years, message, tables, fields, category, needs, flags,
logic, notes) joined with the function that implements it. A year's rule set is a filter on
the registry; nothing is copied per year.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from .specfile import load_package_yaml
from .years import CollectionYear

# What a rule may need beyond the 903 tables (a spec entry's `needs`); the engine checks each is
# met before running the rule, so an unknown value is refused when the spec is loaded.
NEEDS = frozenset({"collection_year", "file_format", "la_code", "postcodes", "provider_info"})

SPEC_FILES = ("part1.yaml", "part2.yaml", "part3.yaml", "part4.yaml", "part5.yaml", "part6.yaml")


@dataclass(frozen=True)
class Impl:
    code: str
    years: frozenset[str] | None
    func: Callable
    requires: tuple[str, ...] | None  # tables that must be supplied; default: the spec's tables
    module: str


_IMPLS: list[Impl] = []


class NotApplicable(Exception):
    """Raised by a rule that cannot run on this input (e.g. an XML-only check on CSV input);
    the message is the reason shown under "rules not run"."""


def rule(code: str, years: list[str] | None = None, requires: list[str] | None = None):
    """Register `func(ctx)` as the implementation of `code` (all its versions, or `years`).

    The function returns the flagged rows: a boolean Series or an index of row labels of the
    rule's first table, or a dict mapping table names (``Episodes``, ``Header_last``...) to
    boolean Series or row labels.
    """
    def deco(func):
        _IMPLS.append(Impl(code, frozenset(years) if years else None, func,
                           tuple(requires) if requires is not None else None, func.__module__))
        return func
    return deco


@dataclass
class RuleVersion:
    code: str
    years: tuple[str, ...]
    message: str
    tables: tuple[str, ...]
    fields: tuple[str, ...]
    category: str
    needs: tuple[str, ...]
    flags: str
    logic: str
    notes: str
    func: Callable | None = None
    requires: tuple[str, ...] = field(default_factory=tuple)

    @property
    def implemented(self) -> bool:
        return self.func is not None

    @property
    def primary_table(self) -> str:
        return self.tables[0]

    def applies_to(self, year: CollectionYear) -> bool:
        return year.key in self.years


def _import_rule_modules() -> None:
    import lac_validator.rules as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"{pkg.__name__}.{info.name}")


class Registry:
    def __init__(self, versions: list[RuleVersion]):
        self.versions = versions

    def for_year(self, year: CollectionYear) -> list[RuleVersion]:
        return [v for v in self.versions if v.applies_to(year)]

    def versions_of(self, code: str) -> list[RuleVersion]:
        return [v for v in self.versions if v.code.upper() == code.upper()]

    def codes(self) -> list[str]:
        return sorted({v.code for v in self.versions}, key=code_sort_key)


def code_sort_key(code: str):
    """Numeric codes by number (101 < 1000), then lettered codes (EPI, INT01, SW02STG1) by text."""
    head = code[: len(code) - len(code.lstrip("0123456789"))]
    return (0, int(head), code.upper()) if head else (1, 0, code.upper())


def _data_tables(tables: list[str]) -> tuple[str, ...]:
    """The 903 tables among a spec entry's `tables` ("Provider Info" is reference data, checked
    through `needs`, not a table the return supplies)."""
    from .schema import base_table, load_schema

    known = load_schema().tables
    return tuple(t for t in tables if base_table(t) in known)


@lru_cache(maxsize=1)
def load_registry() -> Registry:
    _import_rule_modules()
    entries = []
    for name in SPEC_FILES:
        entries.extend(load_package_yaml("lac_validator.rules", f"spec/{name}"))
    by_code: dict[str, list[Impl]] = {}
    for impl in _IMPLS:
        by_code.setdefault(impl.code, []).append(impl)
    versions = []
    for e in entries:
        years = tuple(e["years"])
        unknown = sorted(set(e.get("needs") or ()) - NEEDS)
        if unknown:
            raise RuntimeError(f"rule {e['code']} {years}: unknown needs {unknown} (known: {', '.join(sorted(NEEDS))})")
        chosen = None
        for impl in by_code.get(e["code"], []):
            if impl.years is None or set(years) <= impl.years:
                if chosen is not None:
                    raise RuntimeError(f"rule {e['code']} {years}: implemented twice ({chosen.module}, {impl.module})")
                chosen = impl
            elif impl.years & set(years):
                raise RuntimeError(f"rule {e['code']}: implementation years {sorted(impl.years)} split the spec version {years}")
        versions.append(RuleVersion(
            code=e["code"], years=years, message=e["message"], tables=tuple(e["tables"]),
            fields=tuple(e.get("fields") or ()), category=e["category"], needs=tuple(e.get("needs") or ()),
            flags=e.get("flags", ""), logic=e.get("logic", ""), notes=e.get("notes", ""),
            func=chosen.func if chosen else None,
            requires=(chosen.requires if chosen and chosen.requires is not None else _data_tables(e["tables"])),
        ))
    known = {(e["code"]) for e in entries}
    stray = [i for i in _IMPLS if i.code not in known]
    if stray:
        raise RuntimeError(f"implementations for codes not in the spec: {[i.code for i in stray]}")
    return Registry(versions)
