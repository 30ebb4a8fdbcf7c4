"""The optional social worker list: SW_ID -> name, team, email (CSV or XLSX, tolerant headers)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .loader import norm_header, read_csv, read_xlsx

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
