"""The report model: one error record per flagged row, with what is needed to find and fix it.

Records carry the rule, the DfE message, where the row is (table, row, file line, the row's
natural key such as the episode start date), the child, the fields at fault with their values as
given, and the child's social worker. Nothing else from the return is copied into reports.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .context import Context
from .engine import RunResult
from .registry import RuleVersion
from .schema import base_table
from .years import CollectionYear

# The date that locates a row inside a child's record, per table (child-level tables have none).
LOCATOR = {
    "Episodes": "DECOM",
    "Reviews": "REVIEW",
    "Missing": "MIS_START",
    "SWEpisodes": "SW_DECOM",
    "PlacedAdoption": "DATE_PLACED",
    "DoLo": "DOLO_START",
}
UNASSIGNED = "Unassigned"
# Spec field names that are not column names (the DfE's 709/710 say PLACEMENT for Episodes.PLACE).
FIELD_ALIASES = {"PLACEMENT": "PLACE"}

RECORD_COLUMNS = ["rule", "message", "category", "severity", "table", "year", "row", "line", "file", "child",
                  "locator", "fields", "values", "social_worker", "key"]


def severity_of(message: str) -> str:
    """DfE messages that start with WARNING are advisory; everything else is an error."""
    return "warning" if message.lstrip().upper().startswith("WARNING") else "error"


@dataclass(frozen=True)
class TableInfo:
    """One table read: its name, its file as the loader describes it (sheet included), its rows."""
    name: str
    file: str
    rows: int


@dataclass(frozen=True)
class ReturnInfo:
    """What was read of one year's return (its files and tables), without any of its values."""
    inputs: tuple[str, ...]          # the files read, as given
    tables: tuple[TableInfo, ...]    # in the order they were read
    absent: tuple[str, ...]          # the year's tables that were not supplied

    @classmethod
    def of(cls, ret, year) -> ReturnInfo:
        from .schema import load_schema

        return cls(tuple(ret.inputs), tuple(TableInfo(n, t.source.describe(), len(t)) for n, t in ret.tables.items()),
                   tuple(t.name for t in load_schema().tables_for(year) if t.name not in ret.tables))


@dataclass(frozen=True)
class RunInfo:
    """The run's metadata: the year, the LA, and what was read."""
    year: CollectionYear
    la: object                       # authorities.LocalAuthority, or None when --la was not given
    current: ReturnInfo
    previous: ReturnInfo | None      # None: last year's return was not given
    children: int = 0                # distinct CHILDs in this year's Header (error profiles)
    episodes: int = 0                # rows of this year's Episodes

    @classmethod
    def of(cls, ctx: Context) -> RunInfo:
        children = int(ctx.table("Header")["CHILD"].nunique()) if ctx.has("Header") else 0
        episodes = len(ctx.table("Episodes")) if ctx.has("Episodes") else 0
        return cls(ctx.year, ctx.la, ReturnInfo.of(ctx.current, ctx.year),
                   ReturnInfo.of(ctx.previous, ctx.year) if ctx.previous is not None else None, children, episodes)


@dataclass(frozen=True)
class Outcomes:
    """What became of each rule: run, not run (with the reason) or failed inside lac-validator."""
    rules_run: tuple[RuleVersion, ...] = ()
    not_run: tuple[tuple[str, str], ...] = ()
    internal_errors: tuple[tuple[str, str], ...] = ()
    timings: Mapping[str, float] = field(default_factory=dict)  # per rule code, and "phase:<name>"

    @classmethod
    def of(cls, result: RunResult, timings: Mapping[str, float] | None = None) -> Outcomes:
        return cls(tuple(result.rules_run), tuple(result.not_run), tuple(result.internal_errors),
                   {**result.timings, **(timings or {})})


@dataclass(frozen=True)
class Report:
    """A validation's report: a value built once, holding no reference to the loaded tables.

    Anything an output needs from the tables is computed before the report is finished (by the
    application layer, lac_validator/app/validate.py: suggestions and timelines only for outputs
    that show them). It is immutable: a change (baseline, social workers, pseudonymising) is a new
    report made with dataclasses.replace. Frames and mappings cannot be frozen; by convention
    nobody changes them in place (take a copy, and replace).
    """
    info: RunInfo
    result: Outcomes
    # Every flag of a rule, DfE errors and WARNING-rule flags alike, in the rules' order (the
    # outputs list them together); `errors` and `warnings` below are the two kinds. A `suggestion`
    # column (None or {field, value, evidence}) is there when an output that shows it was chosen.
    records: pd.DataFrame
    # The run's notes about reading the return and the run (the JSON report's "warnings").
    notes: tuple[str, ...] = ()
    # Run-level alerts a person must not miss (wrong year, provisional year, wrong LA...): every
    # writer shows them first (terminal: first and last), and they are also among `notes`.
    alerts: tuple[str, ...] = ()
    accepted: pd.DataFrame | None = None   # errors accepted by a baseline (with their explanation)
    stale: tuple = ()                      # baseline entries that matched nothing
    unexplained: tuple = ()                # baseline entries with no real explanation
    unknown_baseline: tuple = ()           # baseline entries naming no rule of the year
    settings: Mapping = field(default_factory=dict)  # rule selection and baseline use, for the run history
    # SW_ID -> social_workers.Worker from --social-workers: writers show names where they show IDs.
    workers: Mapping = field(default_factory=dict)
    # Per child, their episodes for the HTML timelines (timelines.py), taken from the tables before
    # the report is pseudonymised (then keyed by pseudonym); None when no output shows them.
    timelines: Mapping | None = None
    pseudonymised: bool = False
    # Counts mean one thing everywhere (terminal, JSON summary, validate-many, history, profiles):
    # errors = flags of DfE error rules; warnings = flags of DfE WARNING rules (severity_of);
    # notes = the run's messages about reading the return and the run (`notes` above).
    error_count: int = field(init=False)
    warning_count: int = field(init=False)

    def __post_init__(self):
        errors = int(self.records["severity"].eq("error").sum()) if len(self.records) else 0
        object.__setattr__(self, "error_count", errors)
        object.__setattr__(self, "warning_count", len(self.records) - errors)

    @property
    def errors(self) -> pd.DataFrame:
        """The flags of DfE error rules."""
        return self.records[self.records["severity"].eq("error")]

    @property
    def warnings(self) -> pd.DataFrame:
        """The flags of DfE WARNING rules (advisory: not counted as errors)."""
        return self.records[self.records["severity"].eq("warning")]

    @property
    def inputs(self) -> dict:
        """The files read: {"current": [paths], "previous": [paths] or None when last year was not given}."""
        prev = self.info.previous
        return {"current": list(self.info.current.inputs), "previous": None if prev is None else list(prev.inputs)}

    def worker_label(self, sw) -> str:
        """The social worker as people know them: "Name (SW_ID)" when the list names them."""
        w = self.workers.get(str(sw).strip().upper()) if self.workers and sw is not None else None
        return w.label() if w else ("" if sw is None else str(sw))

    def input_files(self, which: str = "current") -> list[str]:
        """This year's or last year's input files as reports show them (file names only once
        pseudonymised: folders can name people)."""
        files = list(self.inputs.get(which) or [])
        return [Path(f).name for f in files] if self.pseudonymised else files

    @property
    def unexplained_accepted(self) -> int:
        """Errors accepted by a baseline entry without a real explanation (--fail-on unexplained)."""
        acc = self.accepted
        return int((~acc["explained"].astype(bool)).sum()) if acc is not None and len(acc) and "explained" in acc else 0

    def children_with(self, severity: str = "error") -> int:
        recs = self.records
        return int(recs.loc[recs["severity"].eq(severity), "child"].nunique()) if len(recs) else 0

    def counts(self) -> dict:
        return {"errors": self.error_count, "warnings": self.warning_count, "notes": len(self.notes)}

    def by_rule(self) -> pd.DataFrame:
        """Per rule: code, message, category, number of errors, children affected."""
        cols = ["rule", "message", "category", "errors", "children"]
        if self.records.empty:
            return pd.DataFrame(columns=cols)
        g = self.records.groupby(["rule", "message", "category"], sort=False)
        out = g.agg(errors=("row", "size"), children=("child", "nunique")).reset_index()
        return out.sort_values(["errors", "rule"], ascending=[False, True], kind="mergesort").reset_index(drop=True)[cols]

    def by_category(self) -> pd.DataFrame:
        if self.records.empty:
            return pd.DataFrame(columns=["category", "errors", "rules"])
        g = self.records.groupby("category")
        return g.agg(errors=("row", "size"), rules=("rule", "nunique")).reset_index() \
            .sort_values("errors", ascending=False, kind="mergesort").reset_index(drop=True)

    def by_child(self) -> pd.DataFrame:
        cols = ["child", "social_worker", "errors", "rules"]
        recs = self.records[self.records["child"].notna()]
        if recs.empty:
            return pd.DataFrame(columns=cols)
        g = recs.groupby("child", sort=False)
        out = g.agg(social_worker=("social_worker", "first"), errors=("row", "size"),
                    rules=("rule", lambda s: ", ".join(sorted(set(s), key=_code_key)))).reset_index()
        return out.sort_values(["errors", "child"], ascending=[False, True], kind="mergesort").reset_index(drop=True)[cols]

    def by_social_worker(self) -> pd.DataFrame:
        cols = ["social_worker", "children", "errors"]
        if self.records.empty:
            return pd.DataFrame(columns=cols)
        g = self.records.groupby("social_worker", sort=False)
        out = g.agg(children=("child", "nunique"), errors=("row", "size")).reset_index()
        return out.sort_values(["errors", "social_worker"], ascending=[False, True], kind="mergesort").reset_index(drop=True)[cols]


def _code_key(code: str):
    from .registry import code_sort_key

    return code_sort_key(code)


def _fmt(value) -> str | None:
    """A raw cell for a report: text as given (dates are still their raw text)."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    return str(value)


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def build_records(ctx: Context, result: RunResult) -> pd.DataFrame:
    """One record per flagged row: the findings' rows looked up in numpy arrays of their tables
    (each column converted once), gathered in lists and made into one frame at the end."""
    columns: dict[tuple[str, str], np.ndarray] = {}

    def column(table: str, name: str) -> np.ndarray:
        if (table, name) not in columns:
            columns[(table, name)] = ctx.source(table).raw[name].to_numpy(dtype=object)
        return columns[(table, name)]

    out: dict[str, list] = {c: [] for c in ["rule", "message", "category", "severity", "table", "year", "row",
                                            "line", "file", "child", "locator", "_natural", "fields", "values"]}
    dates = []
    for f in result.findings:
        src = ctx.source(f.table)
        raw = src.raw
        rows = f.rows
        n = len(rows)
        base = base_table(f.table)
        present = [c for c in (FIELD_ALIASES.get(x, x) for x in f.rule.fields) if c in raw.columns]
        picked = {c: column(f.table, c)[rows] for c in present}
        out["values"] += [{c: (None if _missing(picked[c][i]) else picked[c][i]) for c in present} for i in range(n)]
        loc_col = LOCATOR.get(base)
        if loc_col:
            natural = column(f.table, loc_col)[rows]
            out["locator"] += [f"{loc_col} (blank)" if _missing(v) else f"{loc_col} {v}" for v in natural]
            out["_natural"] += ["" if _missing(v) else v for v in natural]
            dates.append(src.data[loc_col].to_numpy(dtype="datetime64[us]")[rows])
        else:
            out["locator"] += [None] * n
            out["_natural"] += [""] * n
            dates.append(np.full(n, np.datetime64("NaT"), dtype="datetime64[us]"))
        out["rule"] += [f.rule.code] * n
        out["message"] += [f.rule.message] * n
        out["category"] += [f.rule.category] * n
        out["severity"] += [severity_of(f.rule.message)] * n
        out["table"] += [base] * n
        out["year"] += ["previous" if f.table.endswith("_last") else "current"] * n
        out["row"].append(src.file_rows[rows].astype(np.int64) if len(src.file_rows) == len(raw) else rows.astype(np.int64))
        out["line"].append(src.lines[rows].astype(np.int64) if len(src.lines) == len(raw) else rows.astype(np.int64) + 2)
        out["file"] += [src.source.describe()] * n
        out["child"] += [None if _missing(v) else v for v in column(f.table, "CHILD")[rows]]
        out["fields"] += [list(present) for _ in range(n)]
    if not result.findings:
        return pd.DataFrame(columns=RECORD_COLUMNS)
    frame = {k: (np.concatenate(v) if k in ("row", "line") else v) for k, v in out.items()}
    frame["locator"] = pd.Series(frame["locator"], dtype=object)  # None where a table has no locator
    recs = pd.DataFrame(frame)
    recs["_date"] = np.concatenate(dates)
    recs["social_worker"] = assign_social_workers(ctx, recs)
    recs["key"] = error_keys(recs)
    recs = recs.drop(columns=["_date", "_natural"])
    return recs[RECORD_COLUMNS]


def suggestions(ctx: Context, recs: pd.DataFrame) -> list:
    """Per record: None or {field, value, evidence}, a corrected value the return itself points to
    (lac_validator.suggestions)."""
    from .suggestions import suggest

    return [None if s is None else s.as_dict() for s in suggest(ctx, recs)]


def error_keys(recs: pd.DataFrame) -> pd.Series:
    """An identity that survives re-extraction: rule, table, year, child and the row's natural key
    (its date as written, e.g. the episode's DECOM), not the row number. Identical rows are told
    apart by their order (#2, #3...)."""
    base = (recs["rule"] + "|" + recs["table"] + "|" + recs["year"] + "|"
            + recs["child"].astype(object).where(recs["child"].notna(), "").astype(str) + "|"
            + pd.Series(recs["_natural"], index=recs.index).astype(str))
    dup = base.groupby(base).cumcount()
    return base.where(dup.eq(0), base + "#" + (dup + 1).astype(str))


def assign_social_workers(ctx: Context, recs: pd.DataFrame) -> np.ndarray:
    """The child's SW_ID from this year's SWEpisodes: the episode covering the record's date
    (its locator date, else 31 March), else the child's latest, else Unassigned."""
    out = np.full(len(recs), UNASSIGNED, dtype=object)
    if not ctx.has("SWEpisodes") or recs.empty:
        return out
    sw = ctx.table("SWEpisodes")
    sw = sw[sw["CHILD"].notna() & sw["SW_ID"].notna()][["CHILD", "SW_ID", "SW_DECOM", "SW_DEC"]]
    if sw.empty:
        return out
    when = pd.Series(recs["_date"].to_numpy(), dtype="datetime64[us]").fillna(ctx.collection_end)
    q = pd.DataFrame({"_rec": np.arange(len(recs)), "CHILD": recs["child"].to_numpy(), "_when": when.to_numpy()})
    q = q[q["CHILD"].notna()]
    q["CHILD"] = q["CHILD"].astype(str)
    sw = sw.assign(CHILD=sw["CHILD"].astype(str))
    m = q.merge(sw, on="CHILD", how="inner")
    covering = m[(m["SW_DECOM"] <= m["_when"]) & (m["SW_DEC"].isna() | (m["SW_DEC"] >= m["_when"]))]
    covering = covering.sort_values(["_rec", "SW_DECOM"], ascending=[True, False], kind="mergesort") \
        .drop_duplicates("_rec")
    latest = m.sort_values(["_rec", "SW_DECOM"], ascending=[True, False], kind="mergesort", na_position="last") \
        .drop_duplicates("_rec")
    out[latest["_rec"].to_numpy()] = latest["SW_ID"].to_numpy()
    out[covering["_rec"].to_numpy()] = covering["SW_ID"].to_numpy()
    return out


def build_report(ctx: Context, result: RunResult, notes: list[str] | None = None, alerts: list[str] | None = None,
                 settings: Mapping | None = None, timings: Mapping[str, float] | None = None) -> Report:
    """The report of a run, built from the tables once: after this nothing needs them."""
    return Report(RunInfo.of(ctx), Outcomes.of(result, timings), build_records(ctx, result), notes=tuple(notes or ()),
                  alerts=tuple(alerts or ()), settings=dict(settings or {}))
