"""The optional social worker list: SW_ID -> name, team, email (CSV or XLSX, tolerant headers)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .errors import InputError
from .loading.csv_reader import read_csv
from .loading.sheet import norm_header
from .loading.xlsx_reader import read_xlsx

ALIASES = {
    "SW_ID": {"SWID", "SW_ID", "SOCIALWORKERID", "SOCIALWORKER", "ID", "WORKERID"},
    "name": {"NAME", "SOCIALWORKERNAME", "WORKERNAME", "FULLNAME"},
    "team": {"TEAM", "TEAMNAME", "SERVICE"},
    "email": {"EMAIL", "EMAILADDRESS", "E-MAIL", "MAIL"},
}


@dataclass(frozen=True)
class Worker:
    sw_id: str
    name: str = ""
    team: str = ""
    email: str = ""

    def label(self) -> str:
        return f"{self.name} ({self.sw_id})" if self.name else self.sw_id


def load_workers(path: Path) -> dict[str, Worker]:
    path = Path(path)
    if not path.exists():
        raise InputError(f"--social-workers {path}: the file does not exist.")
    sheets = read_xlsx(path) if path.suffix.lower() in {".xlsx", ".xlsm"} else [read_csv(path)]
    for sheet in sheets:
        cols = {}
        for i, h in enumerate(sheet.header):
            key = norm_header(h).replace("_", "")
            for field, names in ALIASES.items():
                if key in {n.replace("_", "") for n in names} and field not in cols:
                    cols[field] = i
        if "SW_ID" not in cols:
            continue
        out = {}
        for row in sheet.rows.itertuples(index=False, name=None):
            sw = str(row[cols["SW_ID"]]).strip().upper()
            if sw:
                out[sw] = Worker(sw, *(str(row[cols[f]]).strip() if f in cols else "" for f in ("name", "team", "email")))
        return out
    raise InputError(f"--social-workers {path}: no column for the social worker ID: "
                     "give a CSV/XLSX with columns SW_ID, name, team, email.")


def coverage_alert(workers: dict[str, Worker], ctx, source) -> str | None:
    """Say so when the list names few of the return's social workers (`ctx`: the loaded tables):
    the per-worker lists would then carry bare SW_IDs (a list from another LA or an old export, or
    IDs in another form)."""
    if not ctx.has("SWEpisodes"):
        return None
    ids = {str(s).strip().upper() for s in ctx.raw("SWEpisodes")["SW_ID"].dropna()} - {""}
    if not ids:
        return None
    named = len(ids & set(workers))
    if named * 2 >= len(ids):  # most are named: the list fits the return
        return None
    return (f"The social worker list {Path(source).name} (--social-workers) names only {named} of the {len(ids)} "
            f"social workers (SW_ID) in this return ({len(workers)} entries in the file): check it is this LA's "
            "current list with the same IDs; the others are shown by their SW_ID.")


def attach_workers(report, ctx, workers: dict[str, Worker], source):
    """The report with the names to show, and an alert (first of all) when the list does not fit
    the return in `ctx`."""
    alert = coverage_alert(workers, ctx, source)
    extra = (alert,) if alert else ()
    return replace(report, workers=dict(workers), alerts=report.alerts + extra, notes=report.notes + extra)
