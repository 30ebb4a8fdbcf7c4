"""One registry of rules: DfE metadata from the shipped spec plus one function each.

A rule version is the spec entry (code, years, message, tables, fields, category, needs, flags,
logic, notes, params) joined with the function that implements it. A year's rule set is a filter on
the registry; nothing is copied per year.

Years are data: an entry's `years` is a range ("from 2024_25", or "2022_23 to 2023_24" once the DfE
changed or retired that version), and year-specific values (code lists, exempt placements, dates)
are the entry's `params`, passed to the function as keyword arguments. The function is the one
registered for the entry's code (or for `implemented_by`, another code whose function it reuses),
and its `variant` when the DfE changed the logic itself. See docs/new-year.md.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from .specfile import data_source, load_package_yaml
from .years import CollectionYear, YearRange, parse_range, specified_keys

# What a rule may need beyond the 903 tables (a spec entry's `needs`); the engine checks each is
# met before running the rule, so an unknown value is refused when the spec is loaded.
NEEDS = frozenset({"collection_year", "file_format", "la_code", "postcodes", "provider_info"})

# The keys a spec entry may have (docs/rule-spec.md); anything else is a typo, refused at load.
ENTRY_KEYS = frozenset({"code", "years", "message", "tables", "fields", "category", "needs", "flags", "logic",
                        "notes", "params", "variant", "implemented_by", "departures"})
REQUIRED_KEYS = frozenset({"code", "years", "message", "tables", "category", "logic"})


# A departure from the older reference validator (a spec entry's `departures`; lac_validator.divergences
# makes the list users read from them).
DEPARTURE_KEYS = ("lac_validator", "reference_behaviour", "why_different")


@dataclass(frozen=True)
class Departure:
    lac_validator: str
    reference_behaviour: str
    why_different: str

    def sentence(self, markdown: bool = False) -> str:
        """One paragraph: what lac-validator does, then the older tool's behaviour and the reason."""
        older, why = ("*Older tool:*", "*Why:*") if markdown else ("Older tool:", "Why:")
        return f"{_clean(self.lac_validator)} {older} {_clean(self.reference_behaviour)} {why} {_clean(self.why_different)}"


def _clean(text: str) -> str:
    text = " ".join(str(text).split())
    return text if text.endswith((".", ")", ":")) else text + "."


def parse_departures(where: str, items) -> tuple[Departure, ...]:
    """A spec entry's `departures` (a list of mappings with exactly the three keys)."""
    out = []
    for item in items or ():
        if not isinstance(item, dict) or set(item) != set(DEPARTURE_KEYS):
            got = sorted(item) if isinstance(item, dict) else type(item).__name__
            raise RuntimeError(f"{where}: a departure needs exactly {', '.join(DEPARTURE_KEYS)} (got {got})")
        if not all(isinstance(item[k], str) and item[k].strip() for k in DEPARTURE_KEYS):
            raise RuntimeError(f"{where}: every field of a departure must be non-empty text")
        out.append(Departure(*(item[k].strip() for k in DEPARTURE_KEYS)))
    return tuple(out)



@dataclass(frozen=True)
class Impl:
    code: str
    variant: str | None
    func: Callable
    requires: tuple[str, ...] | None  # tables that must be supplied; default: the spec's tables
    module: str


_IMPLS: list[Impl] = []
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class NotApplicable(Exception):
    """Raised by a rule that cannot run on this input (e.g. an XML-only check on CSV input);
    the message is the reason shown under "rules not run"."""


def rule(code: str, variant: str | None = None, requires: list[str] | None = None):
    """Register `func(ctx, **params)` as the implementation of `code`: of every version whose spec
    entry names no variant, or of the versions whose entry says ``variant: <variant>``.

    The function receives the spec entry's `params` as keyword arguments and returns the flagged rows: a boolean Series or an index of row labels of the
    rule's first table, or a dict mapping table names (``Episodes``, ``Header_last``...) to
    boolean Series or row labels.
    """
    def deco(func):
        _IMPLS.append(Impl(code, variant, func,
                           tuple(requires) if requires is not None else None, func.__module__))
        return func
    return deco


@dataclass
class RuleVersion:
    code: str
    years: tuple[str, ...]  # the specified years in `span` (a provisional year uses the latest one's)
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
    span: YearRange = YearRange("0000_00")
    params: dict = field(default_factory=dict)
    variant: str | None = None
    # Where lac-validator departs from the older reference validator (lac_validator.divergences).
    departures: tuple = ()

    @property
    def implemented_as(self) -> str:
        """The implementing function as `module:function` ('' when not implemented)."""
        return f"{self.func.__module__}:{self.func.__qualname__}" if self.func else ""

    @property
    def implemented(self) -> bool:
        return self.func is not None

    @property
    def primary_table(self) -> str:
        return self.tables[0]

    def applies_to(self, year: CollectionYear) -> bool:
        """In force in `year` (for a provisional year: in the latest specified year)."""
        return year.rules_year.key in self.span

    @property
    def fixed_dates(self) -> dict[str, str]:
        """Params that are calendar dates (yyyy-mm-dd): the version compares with these fixed days,
        whatever the collection year, so its meaning does not move with the year."""
        return {k: v for k, v in self.params.items() if isinstance(v, str) and _ISO_DATE.match(v)}

    def run(self, ctx):
        """The function's flags for `ctx`, with this version's parameters."""
        return self.func(ctx, **self.params)


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


def _check_params(code: str, func: Callable, params: dict) -> None:
    """The entry's params must be exactly the function's keyword parameters (a typo in the data
    fails when the registry loads, not as a rule error in a user's run)."""
    sig = inspect.signature(func)
    wanted = {n for n, p in list(sig.parameters.items())[1:] if p.kind is p.KEYWORD_ONLY or p.kind is p.POSITIONAL_OR_KEYWORD}
    required = {n for n in wanted if sig.parameters[n].default is inspect.Parameter.empty}
    if set(params) - wanted or required - set(params):
        raise RuntimeError(f"rule {code}: params {sorted(params)} do not match {func.__module__}.{func.__name__}"
                           f" (needs {sorted(required)}, accepts {sorted(wanted)})")


@lru_cache(maxsize=1)
def load_registry() -> Registry:
    _import_rule_modules()
    entries = []
    for name in spec_files():
        for e in load_package_yaml("lac_validator.rules", f"spec/{name}") or []:
            _check_keys(name, e)
            entries.append(e)
    impls: dict[tuple[str, str | None], Impl] = {}
    for impl in _IMPLS:
        if (impl.code, impl.variant) in impls:
            raise RuntimeError(f"rule {impl.code} variant {impl.variant}: implemented twice "
                               f"({impls[impl.code, impl.variant].module}, {impl.module})")
        impls[impl.code, impl.variant] = impl
    keys = specified_keys()
    used = set()
    versions = []
    for e in entries:
        span = parse_range(e["years"])
        unknown = sorted(set(e.get("needs") or ()) - NEEDS)
        if unknown:
            raise RuntimeError(f"rule {e['code']} {span.text}: unknown needs {unknown} (known: {', '.join(sorted(NEEDS))})")
        if span.first not in keys or (span.last is not None and span.last not in keys):
            raise RuntimeError(f"rule {e['code']}: years {e['years']!r} must start and end in a specified "
                               f"collection year (fields.yaml collection_years)")
        target = (str(e.get("implemented_by") or e["code"]), e.get("variant"))
        chosen = impls.get(target)
        if chosen is None and (e.get("variant") or e.get("implemented_by")):
            raise RuntimeError(f"rule {e['code']} {span.text}: no function registered as {target}")
        params = dict(e.get("params") or {})
        if chosen is not None:
            _check_params(e["code"], chosen.func, params)
            used.add(target)
        versions.append(RuleVersion(
            code=e["code"], years=span.keys(), message=e["message"], tables=tuple(e["tables"]),
            fields=tuple(e.get("fields") or ()), category=e["category"], needs=tuple(e.get("needs") or ()),
            flags=e.get("flags", ""), logic=e.get("logic", ""), notes=e.get("notes", ""),
            func=chosen.func if chosen else None,
            requires=(chosen.requires if chosen and chosen.requires is not None else _data_tables(e["tables"])),
            span=span, params=params, variant=e.get("variant"),
            departures=parse_departures(f"rule {e['code']} {span.text}", e.get("departures")),
        ))
    stray = [f"{code} {variant or ''}".strip() for code, variant in impls if (code, variant) not in used]
    if stray:  # a deleted rule keeps its entries, with closed year ranges
        raise RuntimeError(f"implementations that no spec entry uses: {stray}")
    # Rule order (reports, `rules`) is by code, whichever family file holds an entry.
    versions.sort(key=lambda v: (code_sort_key(v.code), v.span.first))
    return Registry(versions)


def spec_files() -> list[str]:
    """The rule specification files (rules/spec/*.yaml, one per family of codes)."""
    folder = data_source("lac_validator.rules", "spec")
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml"))


def _check_keys(name: str, entry) -> None:
    if not isinstance(entry, dict):
        raise RuntimeError(f"rules/spec/{name}: every entry must be a mapping, got {entry!r:.60}")
    where = f"rules/spec/{name}: rule {entry.get('code', '?')} ({entry.get('years', '?')})"
    unknown = sorted(set(entry) - ENTRY_KEYS)
    if unknown:
        raise RuntimeError(f"{where}: unknown keys {unknown} (known: {', '.join(sorted(ENTRY_KEYS))})")
    missing = sorted(REQUIRED_KEYS - set(entry))
    if missing:
        raise RuntimeError(f"{where}: missing keys {missing}")

