"""Run history in SQLite: each run's errors, so runs can be compared and trends shown.

The file is a plain SQLite database (embedded, local). Its layout carries a version number in
`PRAGMA user_version`; opening an older file upgrades it in place, step by step.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import __version__
from .errors import InputError
from .outputs.safety import unicode_text

DEFAULT_PATH = Path("lac-validator-history.sqlite")
SCHEMA_VERSION = 3

# Each step upgrades a database from version N-1 to N.
MIGRATIONS = {
    1: [
        """CREATE TABLE runs (id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, collection_year TEXT NOT NULL,
               la TEXT, inputs TEXT, tool_version TEXT, errors INTEGER NOT NULL)""",
        """CREATE TABLE errors (run_id INTEGER NOT NULL REFERENCES runs(id), key TEXT NOT NULL, rule TEXT NOT NULL,
               category TEXT, child TEXT, social_worker TEXT)""",
        "CREATE INDEX errors_run ON errors(run_id)",
    ],
    2: [
        "ALTER TABLE runs ADD COLUMN label TEXT",
        "ALTER TABLE errors ADD COLUMN message TEXT",
        "ALTER TABLE errors ADD COLUMN severity TEXT NOT NULL DEFAULT 'error'",
    ],
    # The run's settings (year, LA, --previous given, rule selection, baseline) as JSON, so runs
    # made differently are not compared as if alike; NULL for runs recorded before.
    3: [
        "ALTER TABLE runs ADD COLUMN settings TEXT",
        "ALTER TABLE runs ADD COLUMN warnings INTEGER",
    ],
}


BUSY_TIMEOUT = 5.0  # seconds to wait for another run that is writing the same history


def open_history(path: Path) -> sqlite3.Connection:
    """Open (creating or upgrading) a history database. Creation and upgrades run in one
    immediate transaction, so runs started together on a new file create it once; a database
    locked by another run is waited for briefly, then reported as busy."""
    path = Path(path)
    try:
        if path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
    except sqlite3.Error as exc:
        raise history_error(path, exc) from None
    try:
        con.execute("BEGIN IMMEDIATE")
        version = con.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise InputError(f"history {path} was written by a newer lac-validator (layout {version}); upgrade lac-validator.")
        if version == 0 and con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise InputError(f"history {path} is another application's SQLite database, not a lac-validator history: "
                             "give --history a new file name.")
        for step in range(version + 1, SCHEMA_VERSION + 1):
            for sql in MIGRATIONS[step]:
                con.execute(sql)
            con.execute(f"PRAGMA user_version = {step}")
        con.execute("COMMIT")
    except (InputError, sqlite3.Error) as exc:
        con.close()
        raise exc if isinstance(exc, InputError) else history_error(path, exc) from None
    con.isolation_level = ""  # back to the module's default: `with con:` commits each write
    return con


def history_error(path: Path, exc: sqlite3.Error) -> InputError:
    """One sentence for what SQLite says about a history file."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return InputError(f"history {path} is busy: another lac-validator run (or a program viewing it) is using it; "
                          f"waited {BUSY_TIMEOUT:.0f} s: try again when that run has finished.")
    if "not a database" in text or "malformed" in text or "encrypted" in text:
        return InputError(f"history {path} is not a lac-validator history database (SQLite says: {exc}): "
                          "give --history a new file name.")
    if "readonly" in text or "unable to open" in text or "disk i/o" in text:
        return InputError(f"history {path} cannot be written ({exc}): check the file's permissions and free space, "
                          "or give --history another path.")
    return InputError(f"history {path} cannot be used ({type(exc).__name__}: {exc}): give --history a new file name.")


def record_run(path: Path, report, label: str = "") -> int:
    """Store a run's errors (accepted ones excluded); returns the run id."""
    con = open_history(path)
    try:
        return _insert_run(con, report, unicode_text(label))
    except sqlite3.Error as exc:
        raise history_error(path, exc) from None
    finally:
        con.close()


def _insert_run(con, report, label) -> int:
    meta, recs = report.info, report.records
    settings = dict(getattr(report, "settings", None) or {})
    settings.update({"year": meta.year.label, "la": meta.la.ons_code if meta.la else None,
                     "previous": meta.previous is not None})
    with con:
        cur = con.execute(
            "INSERT INTO runs (started_at, collection_year, la, inputs, tool_version, errors, label, settings, warnings) "
            "VALUES (?,?,?,?,?,?,?,?,?)",
            (dt.datetime.now().isoformat(timespec="seconds"), meta.year.label, meta.la.ons_code if meta.la else None,
             json.dumps(list(meta.current.inputs)), __version__, report.error_count, label,
             json.dumps(settings, sort_keys=True), report.warning_count))
        run_id = cur.lastrowid
        con.executemany(
            "INSERT INTO errors (run_id, key, rule, category, child, social_worker, message, severity) VALUES (?,?,?,?,?,?,?,?)",
            ((run_id, r["key"], r["rule"], r["category"], r["child"], r["social_worker"], r["message"], r["severity"])
             for r in recs[["key", "rule", "category", "child", "social_worker", "message", "severity"]].to_dict("records")))
    return run_id


# Columns later layouts added, with the value older runs have: reading an older history fills them
# in through temporary views instead of upgrading the file (reading never changes an input).
ADDED_COLUMNS = {
    "runs": {"label": "NULL", "settings": "NULL", "warnings": "NULL"},
    "errors": {"message": "NULL", "severity": "'error'"},
}


def open_for_reading(path: Path) -> sqlite3.Connection:
    """Open a history read-only (trend, diff, history list): the file is never created or upgraded."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no history at {path}: record runs with `lac-validator validate ... --history {path}`.")
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT)
        version = con.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error as exc:
        raise history_error(path, exc) from None
    if version > SCHEMA_VERSION:
        con.close()
        raise InputError(f"history {path} was written by a newer lac-validator (layout {version}); upgrade lac-validator.")
    if not {"runs", "errors"} <= tables:
        con.close()
        if version == 0 and not tables:
            raise InputError(f"history {path} holds no runs yet: record runs with `lac-validator validate ... --history {path}`.")
        raise InputError(f"history {path} is another application's SQLite database, not a lac-validator history: "
                         "give --history a lac-validator history file.")
    for table, added in ADDED_COLUMNS.items():
        have = [r[1] for r in con.execute(f"PRAGMA main.table_info({table})")]
        missing = {c: v for c, v in added.items() if c not in have}
        if missing:
            cols = ", ".join(have + [f"{v} AS {c}" for c, v in missing.items()])
            con.execute(f"CREATE TEMP VIEW {table} AS SELECT {cols} FROM main.{table}")
    return con


def _query(path: Path, sql: str, params=()) -> pd.DataFrame:
    con = open_for_reading(path)
    try:
        return pd.read_sql_query(sql, con, params=params)
    except (sqlite3.Error, pd.errors.DatabaseError) as exc:
        raise history_error(path, exc) from None
    finally:
        con.close()


def runs(path: Path) -> pd.DataFrame:
    """One row per run: id, started_at, collection_year, la, errors (DfE errors), label, warnings,
    settings (JSON text, None for runs recorded before settings were)."""
    return _query(path, "SELECT id, started_at, collection_year, la, errors, label, warnings, settings "
                        "FROM runs ORDER BY id")


def describe_settings(settings: str | None) -> str:
    """A run's settings in words, e.g. "2025-26, LA E08000007, with --previous, all rules"."""
    if not settings:
        return "settings not recorded (an older run)"
    s = json.loads(settings)
    parts = [s.get("year") or "?", f"LA {s['la']}" if s.get("la") else "no --la",
             "with --previous" if s.get("previous") else "WITHOUT --previous"]
    sel, ign = s.get("select") or [], s.get("ignore") or []
    parts.append(("--select " + ",".join(sel) if sel else "all rules") + (" --ignore " + ",".join(ign) if ign else ""))
    if s.get("baseline"):
        parts.append("with a baseline")
    return ", ".join(parts)


def settings_groups(frame: pd.DataFrame) -> dict[int, str]:
    """A letter per distinct settings (A, B...), by run id, in order of first use."""
    letters: dict[str | None, str] = {}
    out = {}
    for rid, s in zip(frame["id"], frame["settings"]):
        key = s or None
        if key not in letters:
            letters[key] = chr(ord("A") + len(letters) % 26)
        out[int(rid)] = letters[key]
    return out


def last_two(path: Path) -> tuple[int, int]:
    frame = runs(path)
    if len(frame) < 2:
        raise InputError(f"history {path} holds {len(frame)} run(s): `diff` without arguments compares the last two; "
                         "record runs with `lac-validator validate ... --history`.")
    return int(frame["id"].iloc[-2]), int(frame["id"].iloc[-1])


def settings_of(path: Path, run_id: int) -> str | None:
    frame = runs(path)
    hit = frame[frame["id"] == run_id]
    return None if hit.empty else hit["settings"].iloc[0]


def delete_runs(path: Path, run_ids: list[int]) -> None:
    """Remove runs and their errors; the file is compacted so deleted children's IDs are gone from it."""
    con = open_history(path)
    try:
        known = {r[0] for r in con.execute("SELECT id FROM runs")}
        unknown = [i for i in run_ids if i not in known]
        if unknown:
            raise InputError(f"history {path} has no run {', '.join(map(str, unknown))}: "
                             f"`lac-validator history list --history {path}` lists the runs.")
        with con:
            con.executemany("DELETE FROM errors WHERE run_id = ?", [(i,) for i in run_ids])
            con.executemany("DELETE FROM runs WHERE id = ?", [(i,) for i in run_ids])
        con.execute("VACUUM")
    finally:
        con.close()


def run_errors(path: Path, run_id: int) -> pd.DataFrame:
    if not len(_query(path, "SELECT 1 FROM runs WHERE id = ?", (run_id,))):
        raise InputError(f"history {path} has no run {run_id}: `lac-validator trend --history {path}` lists the runs.")
    # DfE errors only, as counted everywhere (WARNING rules' flags are kept apart)
    return _query(path, "SELECT key, rule, category, child, social_worker, message FROM errors "
                        "WHERE run_id = ? AND severity = 'error'", (run_id,))


def all_errors(path: Path) -> pd.DataFrame:
    return _query(path, "SELECT r.id AS run, r.started_at, e.rule, e.category FROM errors e JOIN runs r ON r.id = e.run_id "
                        "WHERE e.severity = 'error'")


@dataclass
class Diff:
    new: pd.DataFrame
    fixed: pd.DataFrame
    persisting: pd.DataFrame

    def counts(self) -> dict:
        return {"new": len(self.new), "fixed": len(self.fixed), "persisting": len(self.persisting)}

    def per(self, column: str) -> pd.DataFrame:
        parts = []
        for name, frame in (("new", self.new), ("fixed", self.fixed), ("persisting", self.persisting)):
            parts.append(frame.groupby(column).size().rename(name))
        out = pd.concat(parts, axis=1).fillna(0).astype(int)
        out.index.name = column
        return out.sort_values(["new", "persisting"], ascending=False).reset_index()


def changes(d: "Diff") -> pd.DataFrame:
    """The new and fixed errors one per line, by child and rule: change, child, rule, where, social_worker."""
    cols = ["change", "child", "rule", "where", "social_worker"]
    parts = []
    for name, frame in (("new", d.new), ("fixed", d.fixed)):
        if len(frame):
            key = frame["key"].astype(str).str.split("|")
            where = key.str[1] + " " + key.str[4].fillna("")
            parts.append(pd.DataFrame({"change": name, "child": frame["child"].astype(object).where(frame["child"].notna(), ""),
                                       "rule": frame["rule"], "where": where.str.strip(),
                                       "social_worker": frame["social_worker"]}))
    if not parts:
        return pd.DataFrame(columns=cols)
    from .registry import code_sort_key

    out = pd.concat(parts, ignore_index=True)[cols]
    order = sorted(range(len(out)), key=lambda i: (str(out["child"].iat[i]), code_sort_key(str(out["rule"].iat[i])),
                                                   out["change"].iat[i]))
    return out.iloc[order].reset_index(drop=True)


def diff_errors(before: pd.DataFrame, after: pd.DataFrame) -> Diff:
    """Compare two runs' errors by their stable keys."""
    bk, ak = set(before["key"]), set(after["key"])
    return Diff(new=after[~after["key"].isin(bk)], fixed=before[~before["key"].isin(ak)],
                persisting=after[after["key"].isin(bk)])


def errors_from_json(path: Path) -> pd.DataFrame:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        errs = doc["errors"]
        if not isinstance(errs, list) or not all(isinstance(e, dict) and isinstance(e.get("key", ""), str) for e in errs):
            raise TypeError("'errors' is not a list of errors")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not a lac-validator JSON report ({type(exc).__name__}): write one with -f json -o FILE.") from None
    errs = [e for e in errs if e.get("severity", "error") == "error"]  # DfE errors, as in the history
    frame = pd.DataFrame(errs, columns=["key", "rule", "category", "child", "social_worker", "message"]) if errs else \
        pd.DataFrame(columns=["key", "rule", "category", "child", "social_worker", "message"])
    if frame["key"].isna().any():
        raise InputError(f"{path}: its errors carry no 'key' (written by an older lac-validator): validate again.")
    return frame
