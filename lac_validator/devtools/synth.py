"""Deterministic generator of realistic synthetic SSDA903 returns (no real data).

    python -m lac_validator.devtools.synth --children 200 --year 2025-26 --seed 903 --error-rate 0.02 --out DIR

writes DIR/current (this year's return) and DIR/previous (last year's), one CSV per table.

How it works: a single "world" of children is built first, each with one period of care
(start S, end E or still open) cut into episodes by a vectorised change process (one loop
over episode *position*, never over children). Both returns are then cut from that same
timeline, so last year's open episode is exactly this year's first episode. Reviews follow
the statutory schedule, social worker episodes are one chain per child, adoptions follow a
fixed template (foster -> placement order -> placed for adoption -> adopted). Deliberate errors
are injected into this year's return only, at about ``error_rate`` per child.

Everything is drawn from ``numpy.random.default_rng([seed, year, stream])``: same seed and year, same
frames (different years get different children).
"""
from __future__ import annotations

import argparse
import re
import zlib
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from ..schema import load_schema
from ..years import CollectionYear, specified_keys
from .synth_postcodes import postcode_pools

__all__ = ["generate", "write_return", "shift_return", "shift_date_text", "main", "FILE_NAMES"]

FILE_NAMES = {
    "Header": "header.csv", "Episodes": "episodes.csv", "Reviews": "reviews.csv", "UASC": "uasc.csv",
    "OC2": "oc2.csv", "OC3": "oc3.csv", "AD1": "ad1.csv", "PlacedAdoption": "placed_for_adoption.csv",
    "PrevPerm": "previous_permanence.csv", "Missing": "missing.csv", "SWEpisodes": "sw_episodes.csv",
    "DoLo": "dolo.csv",
}
OPEN = 10**7  # day number standing for "still open after the last collection_end"
DAY = 1
YEAR_DAYS = 365.25

_EPOCH = np.datetime64("1970-01-01", "D")


# --------------------------------------------------------------------------------------------
# dates as int64 day numbers
# --------------------------------------------------------------------------------------------
def _day(y: int, m: int, d: int) -> int:
    return int((np.datetime64(f"{y:04d}-{m:02d}-{d:02d}", "D") - _EPOCH).astype(np.int64))


def _ymd(days: np.ndarray):
    dt = _EPOCH + np.asarray(days, dtype=np.int64).astype("timedelta64[D]")
    months = dt.astype("datetime64[M]")
    y = dt.astype("datetime64[Y]").astype(np.int64) + 1970
    m = months.astype(np.int64) % 12 + 1
    d = (dt - months.astype("datetime64[D]")).astype(np.int64) + 1
    return y, m, d


def _from_ymd(y, m, d) -> np.ndarray:
    months = ((np.asarray(y) - 1970) * 12 + np.asarray(m) - 1).astype("datetime64[M]")
    return (months.astype("datetime64[D]") - _EPOCH).astype(np.int64) + np.asarray(d) - 1


def _add_years(days: np.ndarray, n) -> np.ndarray:
    """Birthday arithmetic of the spec: a 29 February birthday becomes 28 February in non-leap years."""
    y, m, d = _ymd(days)
    y2 = y + n
    leap = (y2 % 4 == 0) & ((y2 % 100 != 0) | (y2 % 400 == 0))
    d = np.where((m == 2) & (d == 29) & ~leap, 28, d)
    return _from_ymd(y2, m, d)


def _fmt(days: np.ndarray, blank: np.ndarray | None = None) -> np.ndarray:
    """dd/mm/yyyy text; '' where ``blank``. Each distinct day is formatted once."""
    days = np.asarray(days, dtype=np.int64)
    if blank is None:
        blank = np.zeros(len(days), bool)
    uniq, inv = np.unique(np.where(blank, 0, days), return_inverse=True)
    y, m, d = _ymd(uniq)
    text = np.array([f"{a:02d}/{b:02d}/{c:04d}" for a, b, c in zip(d.tolist(), m.tolist(), y.tolist())] or [""],
                    dtype=object)
    s = text[inv.reshape(-1)] if len(days) else np.zeros(0, dtype=object)
    s[blank] = ""
    return s


def _year_bounds(key: str) -> tuple[int, int]:
    first = int(key[:4])
    return _day(first, 4, 1), _day(first + 1, 3, 31)


def _prev_key(key: str) -> str:
    first = int(key[:4]) - 1
    return f"{first}_{(first + 1) % 100:02d}"


def _norm_year(year: str) -> str:
    """The year key; a year after the latest specified one is allowed (a provisional year)."""
    s = str(year).strip().replace("-", "_").replace("/", "_")
    if len(s) == 9 and s[4] == "_":  # 2025_2026
        s = s[:5] + s[7:]
    keys = specified_keys()
    if len(s) != 7 or not s[:4].isdigit() or not s[5:].isdigit() or s < keys[0] \
            or int(s[5:]) != (int(s[:4]) + 1) % 100:
        raise ValueError(f"year {year!r} is not a collection year from {keys[0].replace('_', '-')} on")
    return s


_DMY = re.compile(r"(?<![\dZ])(\d{1,2}|ZZ)/(\d{1,2}|ZZ)/(\d{4}|\d{2})(?!\d)", re.IGNORECASE)
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _shift_day(day: str, month: str, year: int) -> str:
    # The spec's birthday arithmetic: 29 February becomes 28 February in a non-leap target year.
    return "28" if day == "29" and month.lstrip("0") == "2" and not _leap(year) else day


def _feb29_of_common_year(day: str, month: str, year: int) -> bool:
    """29/02 of a year without one: no date, and it must stay one (it is left as written)."""
    return day == "29" and month.lstrip("0") == "2" and not _leap(year)


def shift_date_text(text: str, years: int) -> str:
    """`text` with every dd/mm/yyyy (dd/mm/yy, and yyyy-mm-dd) moved `years` calendar years; day and month are kept
    as written (so "31/06/2025", no date, stays no date; "ZZ/ZZ/2020" placeholders move too), except
    29 February in a non-leap target year."""
    def dmy(m):
        two_digits = len(m.group(3)) == 2  # read leniently as 20yy
        y = int(m.group(3)) + (2000 if two_digits else 0)
        if _feb29_of_common_year(m.group(1), m.group(2), y):
            return m.group(0)
        y += years
        year_text = f"{y % 100:02d}" if two_digits else f"{y:04d}"
        return f"{_shift_day(m.group(1), m.group(2), y)}/{m.group(2)}/{year_text}"

    def iso(m):
        if _feb29_of_common_year(m.group(3), m.group(2), int(m.group(1))):
            return m.group(0)
        y = int(m.group(1)) + years
        return f"{y:04d}-{m.group(2)}-{_shift_day(m.group(3), m.group(2), y)}"

    return _ISO.sub(iso, _DMY.sub(dmy, text))


def shift_return(tables: dict[str, pd.DataFrame], years: int) -> dict[str, pd.DataFrame]:
    """The same return `years` collection years later: every date column's values moved (shift_date_text)."""
    schema = load_schema()
    out = {}
    for name, df in tables.items():
        df = df.copy()
        for col in schema.table(name).date_columns:
            if col in df:
                df[col] = [shift_date_text(v, years) if isinstance(v, str) else v for v in df[col]]
        out[name] = df
    return out


def _rng(seed: int, stream: int, year: str = "") -> np.random.Generator:
    """Independent, reproducible stream ``stream`` of (seed, year): each year gets its own children."""
    return np.random.default_rng([int(seed), int(year[:4] or 0), int(stream)])


def _pick(rng, codes, weights, size) -> np.ndarray:
    w = np.asarray(weights, float)
    return np.asarray(codes, dtype=object)[rng.choice(len(codes), size=size, p=w / w.sum())]


def _uniform_int(rng, lo, hi, size=None) -> np.ndarray:
    """Integers uniformly in [lo, hi] (arrays or scalars with ``size``); hi < lo gives lo."""
    lo, hi = np.asarray(lo, np.int64), np.asarray(hi, np.int64)
    shape = np.broadcast(lo, hi).shape if size is None else np.broadcast(lo, hi, np.empty(size)).shape
    span = np.maximum(hi - lo, 0) + 1
    return lo + np.floor(rng.random(shape) * span).astype(np.int64)


# --------------------------------------------------------------------------------------------
# schema helpers
# --------------------------------------------------------------------------------------------
def _schema_key(key: str) -> str:
    """Code lists of a year; last year of the first specified year is read with that year's lists."""
    return max(key, specified_keys()[0])


def _tables_for(key: str) -> list:
    sk = _schema_key(key)
    return [t for t in load_schema().tables.values() if sk >= t.since]


def _codes(table: str, field: str, key: str) -> frozenset:
    return load_schema().codes(table, field, _schema_key(key))


def _sw_years_before(key: str) -> int:
    """How many years before the collection year social worker episodes are reported: rule SW07STG2's
    `years_before` in the spec (0 in its first year, 1 since)."""
    from ..registry import load_registry  # noqa: PLC0415

    year = CollectionYear.from_key(_schema_key(key))
    return next((int(v.params["years_before"]) for v in load_registry().versions_of("SW07STG2")
                 if v.applies_to(year)), 1)


def _la_number(la_ons: str) -> str:
    try:
        from ..authorities import resolve_la  # noqa: PLC0415

        la = resolve_la(la_ons)
        for attr in ("dfe_code", "dfe", "number", "code"):
            v = getattr(la, attr, None)
            if isinstance(v, str) and v.isdigit() and len(v) == 3:
                return v
    except Exception:  # noqa: BLE001
        pass
    try:
        path = Path(__file__).resolve().parent.parent / "schemas" / "local_authorities.csv"
        import importlib.resources as ir  # noqa: PLC0415

        text = ir.files("lac_validator.schemas").joinpath("local_authorities.csv").read_text() \
            if not path.exists() else path.read_text()
        for line in text.splitlines()[1:]:
            parts = line.split(",")
            if len(parts) > 1 and parts[1] == la_ons:
                return parts[0]
    except Exception:  # noqa: BLE001
        pass
    return "356"


# --------------------------------------------------------------------------------------------
# the world: children, periods of care, episodes
# --------------------------------------------------------------------------------------------
ETHNIC_W = {"WBRI": 68, "WIRI": .5, "WOTH": 4, "WIRT": .3, "WROM": .5, "MWBC": 3, "MWBA": 1.2, "MWAS": 1.2,
            "MOTH": 2.6, "AIND": .6, "APKN": 1.5, "ABAN": .4, "AOTH": 1.5, "BCRB": 1.2, "BAFR": 3.5,
            "BOTH": 1, "CHNE": .2, "OOTH": 3, "REFU": .3, "NOBT": .5}
CIN_W = {"N1": 63, "N2": 6, "N3": 3, "N4": 8, "N5": 13, "N6": 2, "N7": .2, "N8": 4.8}
# legal status paths: the LS of each successive legal-status segment of a period of care
LS_PATHS = [("C2",), ("C1", "C2"), ("V2",), ("V2", "C2"), ("V2", "C1", "C2"), ("L2", "C1", "C2"), ("L1", "V2")]
PATHS_LONG = [70, 6, 19, 5, 0, 0, 0]
PATHS_NEW = [10, 36, 30, 6, 8, 6, 4]
FOSTER = (["U6", "U4", "U3", "U1", "U5", "U2"], [45, 28, 15, 8, 2, 2])
SAME_CARER = {"U6": "U4", "U3": "U1", "U5": "U4", "U2": "U1"}  # T/U: placement type changes, carers stay
RPC_W = {"CARPL": 30, "CREQB": 12, "CREQO": 9, "CHILD": 7, "LAREQ": 8, "CLOSE": 6, "STAND": 4,
         "ALLEG": 3, "APPRR": 2, "OTHER": 12}
SW_REASONS = {"MANAGE": 30, "LEFTRL": 30, "TSPROC": 15, "ORGRST": 5, "ABSENC": 6, "CHCHAN": 3, "PCCHAN": 2,
              "OTHERS": 9}
UPN_LETTERS = list("ABCDEFGHJKLMNPQRTUVWXYZ")


def _place_allowed(code: str, years: list[str]) -> bool:
    return all(code in _codes("Episodes", "PLACE", y) for y in years)


class _World:
    """All children of both returns with their timelines (arrays indexed by child / episode)."""

    def __init__(self, n: int, year: str, seed: int, la_ons: str):
        self.n, self.year, self.seed, self.la_ons = n, year, seed, la_ons
        self.prev = _prev_key(year)
        self.Y0, self.Y1 = _year_bounds(year)
        self.P0, self.P1 = _year_bounds(self.prev)
        self.la_number = _la_number(la_ons)
        self.pc_in, self.pc_near, self.pc_far, self.pc_source = (np.array(p, dtype=object) for p in postcode_pools(la_ons))
        self._children()
        self._episodes()
        self._adoptions()
        self._finish_episodes()
        self._social_workers()

    # ---- children ---------------------------------------------------------------------------
    def _children(self):
        rng = _rng(self.seed, 1, self.year)
        n = self.n
        n_adopt = int(round(0.04 * n))
        n_gen = n - n_adopt
        n_prev_only = int(round(0.16 * n))
        n_aged_out = int(round(0.45 * n_prev_only))  # the OC3 care-leaver cohort of this year
        n_oc3_prev = n_aged_out  # last year's care leavers (header + OC3 rows of last year only)
        kind = np.concatenate([np.full(n_gen, "gen"), np.full(n_adopt, "adopt"),
                               np.full(n_prev_only - n_aged_out, "prev"), np.full(n_aged_out, "aged_out"),
                               np.full(n_oc3_prev, "oc3_prev")]).astype(object)
        T = len(kind)
        self.kind, self.T = kind, T
        Y0, Y1, P0, P1 = self.Y0, self.Y1, self.P0, self.P1

        # unique 7-digit child ids
        cand = rng.integers(1_000_000, 10_000_000, size=int(T * 1.3) + 50)
        _, first = np.unique(cand, return_index=True)
        self.child_id = cand[np.sort(first)][:T].astype(str).astype(object)

        # age at start of care (years), entry profile of English CLA
        band = rng.choice(5, size=T, p=[.22, .15, .18, .37, .08])
        lo = np.array([0, 1, 5, 10, 16])[band]
        hi = np.array([1, 5, 10, 16, 17.5])[band]
        age_start = lo + rng.random(T) * (hi - lo)

        S = np.zeros(T, np.int64)
        E = np.full(T, OPEN, np.int64)
        g = kind == "gen"
        cat = rng.choice(3, size=T, p=[.55, .22, .23])  # long stay / started last year / started this year
        back = np.minimum(rng.exponential(900, T), 3650).astype(np.int64)
        S = np.where(cat == 0, P0 - 1 - back, S)
        S = np.where(cat == 1, _uniform_int(rng, P0, P1, T), S)
        S = np.where(cat == 2, _uniform_int(rng, Y0, Y1 - 10, T), S)
        closes = rng.random(T) < 0.30
        E = np.where(g & closes, _uniform_int(rng, np.maximum(S + 2, Y0), Y1 - 1), E)
        dob = S - (age_start * YEAR_DAYS).astype(np.int64)
        dob_min = _add_years(np.full(T, Y0), -18) + 30
        dob = np.where(g, np.minimum(np.maximum(dob, dob_min + _uniform_int(rng, 0, 400, T)), S), dob)

        p = kind == "prev"
        catp = rng.random(T) < 0.55
        Sp = np.where(catp, P0 - 1 - back, _uniform_int(rng, P0, P1 - 20, T))
        S = np.where(p, Sp, S)
        E = np.where(p, _uniform_int(rng, np.maximum(S + 2, P0), P1), E)
        dob_min_p = _add_years(np.full(T, P0), -18) + 30
        dob = np.where(p, np.minimum(np.maximum(S - (age_start * YEAR_DAYS).astype(np.int64),
                                                 dob_min_p + _uniform_int(rng, 0, 400, T)), S), dob)

        # care leavers: 18th birthday last year, left care that day after 2-6 years in care; at
        # least 13 weeks of that care fall in last year's return, which is all rule 1001 can see
        a = kind == "aged_out"
        b18 = _uniform_int(rng, P0 + 92, P1, T)
        dob = np.where(a, _add_years(b18, -18), dob)
        S = np.where(a, b18 - _uniform_int(rng, 730, 2190, T), S)
        E = np.where(a, b18, E)
        # last year's care leavers (19th birthday last year): no episodes in either return
        o = kind == "oc3_prev"
        dob = np.where(o, _add_years(_uniform_int(rng, P0, P1, T), -19), dob)
        S = np.where(o, -1, S)
        E = np.where(o, -1, E)

        # adoption: young children; the template end (adoption order) from this April to next year
        ad = kind == "adopt"
        d1 = _uniform_int(rng, 150, 600, T)
        d2 = _uniform_int(rng, 30, 240, T)
        d3 = _uniform_int(rng, 60, 300, T)
        e_target = _uniform_int(rng, Y0, Y1 + 400, T)
        S = np.where(ad, e_target - d1 - d2 - d3, S)
        late = ad & (S > Y1 - 10)  # must be looked after this year: start earlier, longer first episode
        d1 = np.where(late, d1 + S - (Y1 - 10), d1)
        S = np.where(late, Y1 - 10, S)
        dob = np.where(ad, S - (rng.random(T) ** 2 * 3 * YEAR_DAYS).astype(np.int64), dob)
        self.adopt_d = (d1, d2, d3, e_target)

        # 18th birthday ends care (aged out); 359 needs no open episode after the 18th birthday
        b18 = _add_years(dob, 18)
        ends_at_18 = (kind == "gen") & (b18 <= Y1) & (b18 > S) & (b18 <= E)
        E = np.where(ends_at_18, b18, E)
        ends_at_18p = p & (b18 <= E) & (b18 > S)
        E = np.where(ends_at_18p, b18, E)
        self.S, self.E, self.dob, self.b18 = S, E, dob, b18
        self.aged_out = a | ends_at_18 | ends_at_18p

        # who is what
        self.uasc = ((kind == "gen") | (kind == "prev")) & ((S - dob) > 13.5 * YEAR_DAYS) & (rng.random(T) < 0.35)
        male = rng.random(T) < np.where(self.uasc, 0.92, 0.55)
        self.male = male
        self.ethnic = _pick(rng, list(ETHNIC_W), list(ETHNIC_W.values()), T)
        self.ethnic = np.where(self.uasc, _pick(rng, ["BAFR", "AOTH", "OOTH", "MOTH", "BOTH"], [4, 3, 2, 1, 1], T),
                               self.ethnic)
        self.cin = np.where(self.uasc, "N8", _pick(rng, list(CIN_W), list(CIN_W.values()), T)).astype(object)
        self.path = np.where(cat == 0, rng.choice(len(LS_PATHS), size=T, p=np.array(PATHS_LONG) / sum(PATHS_LONG)),
                             rng.choice(len(LS_PATHS), size=T, p=np.array(PATHS_NEW) / sum(PATHS_NEW)))
        self.path = np.where(self.uasc, 2, self.path)  # UASC: accommodated under s20 (V2)
        # UPN: unique 13-character UPNs (letter + LA number + 9 digits); UN1 for under-3s, UN2 for some UASC
        serial = rng.permutation(T) + 100_000_000 + int(rng.integers(0, 800_000_000))
        upn = np.char.add(np.char.add(_pick(rng, UPN_LETTERS, [1] * len(UPN_LETTERS), T).astype(str),
                                      self.la_number), (serial % 1_000_000_000).astype(str).astype("U9"))
        upn = np.array([u if len(u) == 13 else u[:4] + u[4:].zfill(9) for u in upn.tolist()], dtype=object) \
            if (np.char.str_len(upn) != 13).any() else upn.astype(object)
        young = (Y0 - dob) < 3 * YEAR_DAYS
        upn = np.where(young, "UN1", upn)
        upn = np.where(self.uasc & (rng.random(T) < 0.5), "UN2", upn)
        self.upn = upn.astype(object)
        # motherhood: some older girls; the date of the first child is fixed in the world
        girl_old = ~male & ((np.minimum(E, Y1) - dob) > 15 * YEAR_DAYS) & ~self.uasc & (kind != "oc3_prev")
        mum = girl_old & (rng.random(T) < 0.08)
        mc = np.maximum(_add_years(dob, 15), np.maximum(S, P0 - 300)) + _uniform_int(rng, 0, 500, T)
        self.mc_dob = np.where(mum & (mc < np.minimum(E, Y1)), mc, -1)
        # home postcode (blank for UASC)
        self.home_post = np.where(rng.random(T) < 0.9, self.pc_in[rng.integers(0, len(self.pc_in), T)],
                                  self.pc_near[rng.integers(0, len(self.pc_near), T)]).astype(object)
        self.home_post = np.where(self.uasc, "", self.home_post)
        # previous permanence (reported in the year the child starts care)
        self.prev_perm = np.where(self.uasc, "Z1", _pick(rng, ["Z1", "P2", "P4", "P1", "P3"], [82, 8, 5, 4, 1], T))
        self.la_perm = _pick(rng, ["356", "352", "357", "350", "358", "351", "895", "888", "341", "330"],
                             [30, 20, 10, 8, 8, 6, 6, 6, 3, 3], T)
        self.date_perm = np.maximum(dob + 30, S - _uniform_int(rng, 200, 2500, T))
        self.prev_perm = np.where(self.date_perm >= S, "Z1", self.prev_perm)
        # URN pools
        self.own_urn = "SC" + str(int(rng.integers(100000, 999999)))
        n_homes = max(30, n // 20)
        self.urn_homes = np.array([f"SC{x}" for x in rng.choice(np.arange(100000, 999999), n_homes, replace=False)],
                                  dtype=object)
        self.urn_agencies = np.array([f"SC{x}" for x in rng.choice(np.arange(100000, 999999), 25, replace=False)],
                                     dtype=object)
        self.urn_adopt = np.array([f"SC{x}" for x in rng.choice(np.arange(100000, 999999), 8, replace=False)],
                                  dtype=object)

    # ---- placements -------------------------------------------------------------------------
    def _years_of(self, decom, dec):
        """Which collection years (keys) an episode appears in."""
        in_prev = (decom <= self.P1) & (dec >= self.P0)
        in_cur = (decom <= self.Y1) & (dec >= self.Y0)
        return in_prev, in_cur

    def _code_ok(self, code, in_prev, in_cur):
        ok_prev = code in _codes("Episodes", "PLACE", self.prev)
        ok_cur = code in _codes("Episodes", "PLACE", self.year)
        ok = (~in_prev | ok_prev) & (~in_cur | ok_cur)
        return ok & (in_prev | in_cur) if code in ("K3", "Z1", "Z11", "Z12", "Z13", "Z14") else ok

    def _draw_placement(self, rng, child, decom, dec, ls, prev_place):
        """PLACE, PLACE_PROVIDER, PL_POST, URN for new placements (new carers)."""
        m = len(child)
        age = (decom - self.dob[child]) / YEAR_DAYS
        in_prev, in_cur = self._years_of(decom, dec)
        u = rng.random(m)
        cats = np.full(m, "F", dtype=object)
        # thresholds by age band: foster / P1 / K2 / S1 / K1 / R2 / R3 / SUP / Z
        def band(mask, probs):
            cum = np.cumsum([p for _, p in probs])
            names = [c for c, _ in probs]
            idx = np.searchsorted(cum / cum[-1], u[mask], side="right")
            cats[mask] = np.array(names, dtype=object)[np.minimum(idx, len(names) - 1)]
        band(age < 1, [("F", 90), ("R3", 4), ("P1", 6)])
        band((age >= 1) & (age < 10), [("F", 89), ("P1", 6), ("K2", 2), ("S1", 3)])
        band((age >= 10) & (age < 16), [("F", 65), ("K2", 23), ("P1", 5), ("S1", 3), ("K1", 1), ("R2", 1), ("Z", 2)])
        band(age >= 16, [("F", 42), ("K2", 18), ("SUP", 30), ("P1", 4), ("Z", 3), ("R2", 1), ("S1", 2)])
        cats = np.where((cats == "S1") & (age < 4.5), "F", cats)
        cats = np.where((cats == "SUP") & (age < 16.05), "K2", cats)
        cats = np.where((cats == "P1") & ~np.isin(ls, ["C1", "C2"]), "F", cats)
        cats = np.where((cats == "P1") & (prev_place == "P1"), "F", cats)
        place = _pick(rng, *FOSTER, m)
        place = np.where(cats == "F", place, cats).astype(object)
        k3 = self._code_ok("K3", in_prev, in_cur)
        place = np.where(place == "SUP", np.where(k3, "K3", "K2"), place)
        zc = _pick(rng, ["Z11", "Z12", "Z13", "Z14"], [4, 3, 2, 1], m)
        z_new = self._code_ok("Z11", in_prev, in_cur)
        z_old = self._code_ok("Z1", in_prev, in_cur)
        place = np.where(place == "Z", np.where(z_new, zc, np.where(z_old, "Z1", "K2")), place)

        prov = np.full(m, "", dtype=object)
        isU = np.isin(place, FOSTER[0])
        prov = np.where(isU, _pick(rng, ["PR1", "PR4", "PR5"], [62, 35, 3], m), prov)
        prov = np.where(place == "K2", _pick(rng, ["PR4", "PR1", "PR5"], [75, 20, 5], m), prov)
        prov = np.where(place == "K1", _pick(rng, ["PR2", "PR1"], [6, 4], m), prov)
        prov = np.where(place == "K3", _pick(rng, ["PR4", "PR5", "PR1"], [7, 2, 1], m), prov)
        prov = np.where(place == "S1", _pick(rng, ["PR4", "PR5", "PR1"], [6, 3, 1], m), prov)
        prov = np.where(place == "R3", _pick(rng, ["PR1", "PR4"], [1, 1], m), prov)
        prov = np.where(place == "R2", "PR3", prov)
        prov = np.where(place == "P1", "PR0", prov)

        where = rng.random(m)
        pl_post = np.where(where < 0.5, self.pc_in[rng.integers(0, len(self.pc_in), m)],
                           np.where(where < 0.93, self.pc_near[rng.integers(0, len(self.pc_near), m)],
                                    self.pc_far[rng.integers(0, len(self.pc_far), m)])).astype(object)
        pl_post = np.where(prov == "PR1", self.pc_in[rng.integers(0, len(self.pc_in), m)], pl_post)
        pl_post = np.where(prov == "PR2", self.pc_near[rng.integers(0, len(self.pc_near), m)], pl_post)
        pl_post = np.where(place == "P1", np.where(self.home_post[child] == "", pl_post, self.home_post[child]), pl_post)
        clash = (pl_post == self.home_post[child]) & (place != "P1")
        pl_post = np.where(clash, self.pc_near[rng.integers(0, len(self.pc_near), m)], pl_post)

        urn = np.full(m, "", dtype=object)
        urn = np.where(isU & (prov == "PR1"), self.own_urn, urn)
        urn = np.where(isU & (prov != "PR1"), self.urn_agencies[rng.integers(0, len(self.urn_agencies), m)], urn)
        homes = np.isin(place, ["K1", "K2", "K3", "S1", "R3"])
        urn = np.where(homes, self.urn_homes[rng.integers(0, len(self.urn_homes), m)], urn)
        return place, prov, pl_post, urn

    # ---- general children: change process ---------------------------------------------------
    def _episodes(self):
        rng = _rng(self.seed, 2, self.year)
        idx = np.flatnonzero(np.isin(self.kind, ["gen", "prev", "aged_out"]))
        S, E = self.S[idx], self.E[idx]
        end = np.where(E == OPEN, self.Y1 + 1, E)  # change points strictly inside (S, end)
        years = (end - S) / YEAR_DAYS
        k = np.minimum(rng.poisson(0.4 + 0.7 * years), 12)
        path = self.path[idx]
        emerg = np.isin(path, [5, 6])
        # emergency legal statuses (L1 police protection <= 72h, L2 EPO <= 21 days) end quickly
        first_cp = np.where(path == 6, S + _uniform_int(rng, 1, 3, len(S)), S + _uniform_int(rng, 2, 20, len(S)))
        # an L1/L2 spell with no room for its change (care ends first) lasts less than its limit
        first_cp = np.where(emerg & (first_cp <= end - 1), first_cp, -1)
        emerg = first_cp > 0
        lo = np.where(emerg, first_cp + 1, S + 1)
        c_child = np.repeat(np.arange(len(idx)), k)
        cps = lo[c_child] + np.floor(rng.random(len(c_child)) * np.maximum(end - 1 - lo, 0)[c_child]).astype(np.int64)
        keep = (cps > S[c_child]) & (cps < end[c_child])
        c_child, cps = c_child[keep], cps[keep]
        # episode starts = S, the emergency change, the random change points; sorted, de-duplicated
        e_child = np.concatenate([np.arange(len(idx)), np.flatnonzero(emerg), c_child])
        e_start = np.concatenate([S, first_cp[emerg], cps])
        order = np.lexsort((e_start, e_child))
        e_child, e_start = e_child[order], e_start[order]
        dup = np.r_[False, (e_child[1:] == e_child[:-1]) & (e_start[1:] == e_start[:-1])]
        e_child, e_start = e_child[~dup], e_start[~dup]
        last = np.r_[e_child[1:] != e_child[:-1], True]
        e_end = np.where(last, E[e_child], np.r_[e_start[1:], 0])
        first_row = np.searchsorted(e_child, np.arange(len(idx)))
        pos = np.arange(len(e_child)) - first_row[e_child]

        m = len(e_child)
        rne = np.full(m, "S", dtype=object)
        ls = np.full(m, "", dtype=object)
        place = np.full(m, "", dtype=object)
        prov = np.full(m, "", dtype=object)
        pl_post = np.full(m, "", dtype=object)
        urn = np.full(m, "", dtype=object)
        ls_step = np.zeros(m, np.int64)
        path_len = np.array([len(p) for p in LS_PATHS])[path]
        path_tab = np.array([list(p) + [p[-1]] * (3 - len(p)) for p in LS_PATHS], dtype=object)
        gchild = idx[e_child]
        for j in range(int(pos.max()) + 1 if m else 0):
            rows = np.flatnonzero(pos == j)
            c = e_child[rows]
            if j == 0:
                ls[rows] = path_tab[path[c], 0]
                pl = self._draw_placement(rng, gchild[rows], e_start[rows], e_end[rows], ls[rows],
                                          np.full(len(rows), "", dtype=object))
                place[rows], prov[rows], pl_post[rows], urn[rows] = pl
                continue
            prev = rows - 1
            t = _pick(rng, ["P", "L", "B", "T", "U"], [55, 20, 10, 8, 7], len(rows))
            t = np.where((j == 1) & emerg[c], "L", t)
            can_ls = ls_step[prev] < path_len[c] - 1
            t = np.where(~can_ls & (t == "L"), "P", t)
            t = np.where(~can_ls & (t == "B"), "P", t)
            t = np.where(~can_ls & (t == "U"), "T", t)
            same_carer_ok = np.isin(place[prev], list(SAME_CARER))
            t = np.where(~same_carer_ok & (t == "T"), "P", t)
            t = np.where(~same_carer_ok & (t == "U"), "B", t)
            rne[rows] = t
            ls_change = np.isin(t, ["L", "U", "B"])
            ls_step[rows] = ls_step[prev] + ls_change
            ls[rows] = path_tab[path[c], ls_step[rows]]
            # unchanged placement by default
            place[rows], prov[rows], pl_post[rows], urn[rows] = place[prev], prov[prev], pl_post[prev], urn[prev]
            same = np.isin(t, ["T", "U"])
            place[rows[same]] = np.array([SAME_CARER[p] for p in place[prev[same]]], dtype=object)
            new = np.isin(t, ["P", "B"])
            if new.any():
                r = rows[new]
                pl = self._draw_placement(rng, gchild[r], e_start[r], e_end[r], ls[r], place[prev[new]])
                place[r], prov[r], pl_post[r], urn[r] = pl
                # a new placement must differ: a P1 -> P1 move is redrawn as foster care by _draw_placement;
                # equal postcode and type (vanishingly rare) -> another postcode
                again = (pl_post[r] == pl_post[r - 1]) & (place[r] == place[r - 1])
                pl_post[r[again]] = self.pc_near[rng.integers(0, len(self.pc_near), int(again.sum()))]
            # P1 (placed with parents) is not allowed under V2: a legal-status-only change to V2 keeps P1 -> rare,
            # move such children to foster care instead
            bad = (ls[rows] == "V2") & (place[rows] == "P1")
            if bad.any():
                r = rows[bad]
                place[r] = "U6"
                prov[r] = "PR1"
                urn[r] = self.own_urn
                pl_post[r] = self.pc_in[rng.integers(0, len(self.pc_in), len(r))]
                rne[r] = np.where(np.isin(rne[r], ["L", "U", "B"]), "B", "P")

        # A placement carried over by legal-status-only changes can span more collection years than the
        # episode it was drawn for: check year-limited codes (K3, Z1, Z11-Z14) over the whole placement.
        seg = np.cumsum(rne != "L")  # a new placement starts at S, P, B, T, U
        seg_lo = np.minimum.reduceat(e_start, np.flatnonzero(np.r_[True, seg[1:] != seg[:-1]])) if m else e_start
        seg_hi = np.maximum.reduceat(e_end, np.flatnonzero(np.r_[True, seg[1:] != seg[:-1]])) if m else e_end
        _, seg_idx = np.unique(seg, return_inverse=True)
        in_prev, in_cur = self._years_of(seg_lo[seg_idx], seg_hi[seg_idx])
        bad = np.zeros(m, bool)
        for code in ("K3", "Z1", "Z11", "Z12", "Z13", "Z14"):
            bad |= (place == code) & ~self._code_ok(code, in_prev, in_cur)
        if bad.any():
            z = bad & (prov == "")
            place[bad] = "K2"
            prov[z] = "PR4"
            urn[z] = self.urn_homes[seg_idx[z] % len(self.urn_homes)]

        # A home's URN names one setting: derive it from the setting's postcode so every child placed
        # there carries the same URN and the Ofsted list can give one postcode per URN (rule 221).
        # Two postcodes whose codes collide (or a code another URN of the world has) move to the next
        # free code, postcodes taken in sorted order so each keeps its URN whatever else is drawn.
        setting = np.isin(place, ["K1", "K2", "K3", "S1", "R3"]) & (pl_post != "")
        if setting.any():
            taken = {int(u[2:]) for u in np.concatenate([[self.own_urn], self.urn_agencies, self.urn_adopt])}
            code_of = {}
            for pc in sorted({str(pc) for pc in pl_post[setting]}):
                code = zlib.crc32(pc.encode()) % 900000 + 100000
                while code in taken:
                    code = (code - 100000 + 1) % 900000 + 100000
                taken.add(code)
                code_of[pc] = f"SC{code}"
            urn[setting] = np.array([code_of[str(pc)] for pc in pl_post[setting]], dtype=object)
        self.ep = {"child": gchild, "decom": e_start, "dec": e_end, "rne": rne, "ls": ls, "place": place,
                   "prov": prov, "pl_post": pl_post, "urn": urn, "last": last}

    # ---- adoption template -------------------------------------------------------------------
    def _adoptions(self):
        rng = _rng(self.seed, 3, self.year)
        idx = np.flatnonzero(self.kind == "adopt")
        a = len(idx)
        d1, d2, d3, e_target = (x[idx] for x in self.adopt_d)
        S = self.S[idx]
        a5 = rng.random(a) < 0.3  # placed for adoption with the current foster carers
        foster = np.where(a5, "U6", _pick(rng, ["U6", "U4", "U3"], [7, 2, 1], a))
        fprov = _pick(rng, ["PR1", "PR4"], [7, 3], a)
        fpost = self.pc_in[rng.integers(0, len(self.pc_in), a)]
        fpost = np.where(fprov == "PR4", self.pc_near[rng.integers(0, len(self.pc_near), a)], fpost)
        furn = np.where(fprov == "PR1", self.own_urn, self.urn_agencies[rng.integers(0, len(self.urn_agencies), a)])
        ls1 = _pick(rng, ["C1", "C2"], [6, 4], a)
        aprov = np.where(a5, fprov, _pick(rng, ["PR1", "PR2", "PR5"], [6, 2, 2], a))
        apost = np.where(a5, fpost, self.pc_near[rng.integers(0, len(self.pc_near), a)])
        apost = np.where(~a5 & (aprov == "PR1"), self.pc_in[rng.integers(0, len(self.pc_in), a)], apost)
        aurn = np.where(a5, furn, np.where(aprov == "PR1", self.own_urn,
                                           self.urn_adopt[rng.integers(0, len(self.urn_adopt), a)]))
        starts = [S, S + d1, S + d1 + d2]
        ends = [S + d1, S + d1 + d2, np.where(e_target > self.Y1, OPEN, e_target)]
        cols = {
            "rne": [np.full(a, "S"), np.full(a, "L"), np.where(a5, "T", "P")],
            "ls": [ls1, np.full(a, "E1"), np.full(a, "E1")],
            "place": [foster, foster, np.where(a5, "A5", "A6")],
            "prov": [fprov, fprov, aprov], "pl_post": [fpost, fpost, apost], "urn": [furn, furn, aurn],
        }
        add = {"child": np.concatenate([idx] * 3), "decom": np.concatenate(starts), "dec": np.concatenate(ends),
               "last": np.concatenate([np.zeros(2 * a, bool), np.ones(a, bool)])}
        for k, v in cols.items():
            add[k] = np.concatenate(v).astype(object)
        ep = {k: np.concatenate([self.ep[k], add[k]]) for k in self.ep}
        order = np.lexsort((ep["decom"], ep["child"]))
        self.ep = {k: v[order] for k, v in ep.items()}
        self.E[idx] = ends[2]
        self.adopt_a5 = np.zeros(self.T, bool)
        self.adopt_a5[idx] = a5
        # decision to place for adoption (PlacedAdoption.DATE_PLACED = AD1.DATE_INT), matching date
        self.date_placed = np.full(self.T, -1, np.int64)
        self.date_placed[idx] = np.maximum(S, S + d1 - _uniform_int(rng, 0, 45, a))
        self.date_match = np.full(self.T, -1, np.int64)
        self.date_match[idx] = np.maximum(self.date_placed[idx], S + d1 + d2 - _uniform_int(rng, 7, 60, a))
        self.adopted_on = np.full(self.T, -1, np.int64)
        self.adopted_on[idx] = np.where(e_target > self.Y1, -1, e_target)
        nb = np.where(rng.random(a) < 0.75, "2", "1")
        sex2 = _pick(rng, ["MF", "FF", "MM"], [80, 12, 8], a)
        sex1 = _pick(rng, ["F1", "M1"], [85, 15], a)
        sexa = np.where(nb == "2", sex2, sex1)
        lsa = np.where(sexa == "MF", _pick(rng, ["L11", "L3"], [7, 3], a),
                       np.where(nb == "2", _pick(rng, ["L12", "L2", "L4"], [5, 3, 2], a), "L0"))
        self.ad1 = {"idx": idx, "nb": nb, "sex": sexa, "ls": lsa,
                    "rec": _pick(rng, ["E11", "E12"], [65, 35], a)}

    # ---- reasons episodes ended ---------------------------------------------------------------
    def _finish_episodes(self):
        rng = _rng(self.seed, 4, self.year)
        ep = self.ep
        m = len(ep["child"])
        nxt_same = np.r_[ep["child"][1:] == ep["child"][:-1], False]
        closed = ep["dec"] != OPEN
        rec = np.where(nxt_same, "X1", "").astype(object)
        final = ~nxt_same & closed
        age_end = (ep["dec"] - self.dob[ep["child"]]) / YEAR_DAYS
        base = _pick(rng, ["E4A", "E13", "E41", "E45", "E47", "E48", "E3", "E8", "E4B", "E16", "E9", "E5", "E6"],
                     [30, 6, 8, 8, 6, 2, 3, 5, 6, 1, 2, 4, 2], m)
        isU = np.isin(ep["place"], FOSTER[0])
        base = np.where((base == "E45") & ~isU, "E47", base)
        base = np.where((base == "E45") & np.isin(ep["place"], ["U4", "U5", "U6"]), "E46", base)
        base = np.where(np.isin(base, ["E5", "E6", "E9"]) & (age_end < 16), "E4A", base)
        base = np.where(self.uasc[ep["child"]] & np.isin(base, ["E4A", "E4B", "E41", "E45", "E46", "E47", "E48", "E13"]),
                        "E8", base)
        out18 = _pick(rng, ["E17", "E5", "E6", "E8"], [45, 30, 12, 13], m)
        out18 = np.where((out18 == "E17") & ~isU, "E5", out18)
        at18 = self.aged_out[ep["child"]] & (ep["dec"] == self.b18[ep["child"]])
        rec = np.where(final, np.where(at18, out18, base), rec)
        # adoption orders
        ad = self.ad1
        adopted = final & np.isin(ep["place"], ["A5", "A6"])
        recmap = np.full(self.T, "", dtype=object)
        recmap[ad["idx"]] = ad["rec"]
        rec = np.where(adopted, recmap[ep["child"]], rec)
        # reason for placement change: on the episode before a change of placement
        nrne = np.concatenate([ep["rne"][1:], np.array([""], dtype=object)])
        moves = nxt_same & np.isin(nrne, ["P", "B", "T", "U"])
        rpc = np.where(moves, _pick(rng, list(RPC_W), list(RPC_W.values()), m), "").astype(object)
        rpc = np.where(moves & np.isin(nrne, ["T", "U"]), np.where(rng.random(m) < .7, "PLACE", "CARPL"), rpc)
        ep["rec"], ep["rpc"] = rec, rpc

    # ---- social worker episodes ---------------------------------------------------------------
    def _social_workers(self):
        rng = _rng(self.seed, 5, self.year)
        kids = np.flatnonzero(self.S >= 0)
        pool = max(3, int(np.ceil(self.n / 15)))
        ids = rng.choice(np.arange(1000, 100000), size=pool, replace=False)
        self.sw_pool = np.array([f"SW{i}" for i in ids], dtype=object)
        nchg = rng.choice(4, size=len(kids), p=[.35, .4, .2, .05])
        S, E = self.S[kids], self.E[kids]
        lo = np.maximum(S + 20, self.P0)
        hi = np.minimum(np.where(E == OPEN, self.Y1, E), self.Y1) - 20
        nchg = np.where(hi > lo + 30, nchg, 0)
        rep = np.repeat(np.arange(len(kids)), nchg)
        cps = lo[rep] + np.floor(rng.random(len(rep)) * (hi - lo)[rep]).astype(np.int64)
        child = np.concatenate([np.arange(len(kids)), rep])
        start = np.concatenate([S, cps])
        order = np.lexsort((start, child))
        child, start = child[order], start[order]
        dup = np.r_[False, (child[1:] == child[:-1]) & (start[1:] - start[:-1] < 14)]
        child, start = child[~dup], start[~dup]
        last = np.r_[child[1:] != child[:-1], True]
        end = np.where(last, OPEN, np.r_[start[1:], 0])
        first = np.r_[True, child[1:] != child[:-1]]
        w = rng.integers(0, pool, len(child))
        step = rng.integers(1, pool, len(child)) if pool > 1 else np.zeros(len(child), np.int64)
        # each change is to a different worker: cumulative offsets within the child
        cum = np.cumsum(np.where(first, 0, step))
        base = cum[np.flatnonzero(first)][np.cumsum(first) - 1]
        worker = (w[np.flatnonzero(first)][np.cumsum(first) - 1] + cum - base) % pool
        reason = np.where(first, "FCONTA", _pick(rng, list(SW_REASONS), list(SW_REASONS.values()), len(child)))
        self.sw = {"child": kids[child], "start": start, "end": end, "id": self.sw_pool[worker],
                   "reason": reason.astype(object)}


# --------------------------------------------------------------------------------------------
# cutting one return out of the world
# --------------------------------------------------------------------------------------------
def _frame(table: str, cols: dict, n: int) -> pd.DataFrame:
    spec = load_schema().tables[table]
    data = {}
    for c in spec.csv_columns:
        v = cols.get(c)
        if v is None:
            data[c] = np.full(n, "", dtype=object)
        else:
            v = np.asarray(v, dtype=object)
            data[c] = v if len(v) == n else np.full(n, "", dtype=object)
    df = pd.DataFrame(data, columns=spec.csv_columns)
    return df.astype(object).fillna("").astype(str) if n else pd.DataFrame({c: pd.Series(dtype=str) for c in spec.csv_columns})


def _cut(w: _World, key: str, ys: int, ye: int, stream: int) -> dict[str, pd.DataFrame]:
    rng = _rng(w.seed, stream, w.year)
    names = [t.name for t in _tables_for(key)]
    ep = w.ep
    inyr = (ep["decom"] <= ye) & (ep["dec"] >= ys)
    e = {k: v[inyr] for k, v in ep.items()}
    open_ = e["dec"] > ye
    dec_txt = _fmt(e["dec"], open_)
    rec = np.where(open_, "", e["rec"])
    rpc = np.where(open_, "", e["rpc"])
    ch = e["child"]
    uasc_now = w.uasc.copy()
    lsv = np.isin(e["ls"], ["V3", "V4"])
    home = np.where(lsv, "", w.home_post[ch])
    out = {}
    out["Episodes"] = _frame("Episodes", {
        "CHILD": w.child_id[ch], "DECOM": _fmt(e["decom"]), "RNE": e["rne"], "LS": e["ls"], "CIN": w.cin[ch],
        "PLACE": e["place"], "PLACE_PROVIDER": e["prov"], "DEC": dec_txt, "REC": rec, "REASON_PLACE_CHANGE": rpc,
        "HOME_POST": home, "PL_POST": e["pl_post"], "URN": e["urn"]}, len(ch))

    kids = np.unique(ch)  # children with episodes this year (sorted by index)
    if key == w.year:
        leavers = np.flatnonzero(w.kind == "aged_out")
    else:
        leavers = np.flatnonzero(w.kind == "oc3_prev")
    hdr = np.concatenate([kids, leavers])
    sex_old = "M" not in _codes("Header", "SEX", key)  # 1/2 before the DfE's M/F/U (fields.yaml)
    sex = np.where(w.male, "1" if sex_old else "M", "2" if sex_old else "F")
    in_care_end = np.minimum(w.E, ye)
    mother_known = (w.mc_dob >= 0) & (w.mc_dob <= in_care_end)
    mother = np.where(~w.male, np.where(mother_known, "1", "0"), "")
    mother[leavers] = ""
    mc = _fmt(np.maximum(w.mc_dob, 0), ~mother_known | w.male)
    mc[leavers] = ""
    out["Header"] = _frame("Header", {
        "CHILD": w.child_id[hdr], "SEX": sex[hdr], "DOB": _fmt(w.dob[hdr]), "ETHNIC": w.ethnic[hdr],
        "UPN": w.upn[hdr], "MOTHER": mother[hdr], "MC_DOB": mc[hdr]}, len(hdr))
    dob_txt = _fmt(w.dob)

    # UASC
    u = kids[uasc_now[kids]]
    duc = w.b18[u]
    out["UASC"] = _frame("UASC", {"CHILD": w.child_id[u], "SEX": sex[u], "DOB": dob_txt[u],
                                  "DUC": _fmt(duc, duc < ys)}, len(u))  # ceases at 18 (rules 104, 205B)

    # Reviews: first within 20 days of starting care, then after 3 months, then every 6 months
    S, Ec = w.S[kids], np.minimum(w.E[kids], ye)
    r0 = S + 5 + (np.abs(w.dob[kids] * 7 + S) % 15)
    r1 = r0 + 91
    kmin = np.maximum(np.ceil((ys - r1) / 182), 0).astype(np.int64)
    kmax = np.floor((Ec - 1 - r1) / 182).astype(np.int64)
    cnt = np.maximum(kmax - kmin + 1, 0)
    rep = np.repeat(np.arange(len(kids)), cnt)
    kk = kmin[rep] + (np.arange(len(rep)) - np.repeat(np.cumsum(cnt) - cnt, cnt))
    rdate = r1[rep] + 182 * kk
    first_in = (r0 >= ys) & (r0 <= ye) & (r0 < Ec)
    rchild = np.concatenate([kids[first_in], kids[rep]])
    rdate = np.concatenate([r0[first_in], rdate])
    rdate = rdate + _uniform_int(rng, -7, 7) * (rdate + 7 < np.minimum(w.E[rchild], ye)) * (rdate - 7 > ys)
    o = np.lexsort((rdate, rchild))
    rchild, rdate = rchild[o], rdate[o]
    age_r = rdate < _add_years(w.dob[rchild], 4)
    code = np.where(age_r, "PN0", _pick(rng, ["PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"],
                                         [55, 8, 4, 6, 7, 12, 8], len(rchild)))
    out["Reviews"] = _frame("Reviews", {"CHILD": w.child_id[rchild], "DOB": dob_txt[rchild], "REVIEW": _fmt(rdate),
                                        "REVIEW_CODE": code}, len(rchild))

    # OC2: looked after continuously for 12 months at 31 March
    oc2 = kids[(w.S[kids] <= ys) & (w.E[kids] >= ye)]
    a0 = (ys - w.dob[oc2]) / YEAR_DAYS
    b4, b5, b10, b17 = (_add_years(w.dob[oc2], n) for n in (4, 5, 10, 17))
    sdq_needed = (b4 <= ye) & (b17 >= ys)  # 197B: a 17th birthday on 1 April still needs one (189)
    score = rng.random(len(oc2)) < 0.8
    m_oc2 = len(oc2)
    subst = rng.random(m_oc2) < 0.04 * (a0 > 11)
    recv = rng.random(m_oc2) < 0.6
    out["OC2"] = _frame("OC2", {
        "CHILD": w.child_id[oc2], "DOB": dob_txt[oc2],
        "SDQ_SCORE": np.where(sdq_needed & score, rng.integers(0, 30, m_oc2).astype(str), ""),
        "SDQ_REASON": np.where(sdq_needed & ~score, _pick(rng, ["SDQ2", "SDQ3", "SDQ4", "SDQ5"], [4, 2, 3, 3], m_oc2), ""),
        "CONVICTED": np.where(b10 <= ye, np.where(rng.random(m_oc2) < 0.04, "1", "0"), ""),
        "HEALTH_CHECK": np.where(b5 > ye, np.where(rng.random(m_oc2) < 0.9, "1", "0"), ""),
        "IMMUNISATIONS": np.where(rng.random(m_oc2) < 0.9, "1", "0"),
        "TEETH_CHECK": np.where(rng.random(m_oc2) < 0.85, "1", "0"),
        "HEALTH_ASSESSMENT": np.where(rng.random(m_oc2) < 0.9, "1", "0"),
        "SUBSTANCE_MISUSE": np.where(subst, "1", "0"),
        "INTERVENTION_RECEIVED": np.where(subst, np.where(recv, "1", "0"), ""),
        "INTERVENTION_OFFERED": np.where(subst & ~recv, np.where(rng.random(m_oc2) < .5, "1", "0"), ""),
    }, m_oc2)

    # OC3: care leavers
    lv = leavers
    touch = _pick(rng, ["YES", "NO", "REFU", "NREQ", "RHOM"], [82, 7, 4, 3, 4], len(lv))
    activ = _pick(rng, ["F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5", "G4", "G5", "G6"],
                  [6, 1, 22, 4, 6, 1, 14, 6, 8, 26, 6], len(lv))
    accom = _pick(rng, ["B1", "D1", "E1", "U1", "Z1", "K1", "T1", "C1", "B2", "D2", "U2", "S2", "V2", "X2"],
                  [12, 18, 6, 24, 12, 3, 4, 2, 3, 4, 4, 2, 2, 4], len(lv))
    out["OC3"] = _frame("OC3", {"CHILD": w.child_id[lv], "DOB": dob_txt[lv], "IN_TOUCH": touch,
                                "ACTIV": np.where(touch == "YES", activ, "0"),
                                "ACCOM": np.where(touch == "YES", accom, "0")}, len(lv))

    # AD1 and PlacedAdoption
    ad = w.ad1["idx"]
    pos = {c: i for i, c in enumerate(ad.tolist())}
    in_ret = np.isin(ad, kids)
    adopted = in_ret & (w.adopted_on[ad] >= ys) & (w.adopted_on[ad] <= ye)
    ai = ad[adopted]
    j = np.array([pos[c] for c in ai.tolist()], dtype=np.int64)
    out["AD1"] = _frame("AD1", {
        "CHILD": w.child_id[ai], "DOB": dob_txt[ai], "DATE_INT": _fmt(w.date_placed[ai]),
        "DATE_MATCH": _fmt(w.date_match[ai]), "FOSTER_CARE": np.where(w.adopt_a5[ai], "1", "0"),
        "NB_ADOPTR": w.ad1["nb"][j] if len(j) else [], "SEX_ADOPTR": w.ad1["sex"][j] if len(j) else [],
        "LS_ADOPTR": w.ad1["ls"][j] if len(j) else []}, len(ai))
    pa = ad[in_ret & (w.date_placed[ad] <= ye)]
    out["PlacedAdoption"] = _frame("PlacedAdoption", {"CHILD": w.child_id[pa], "DOB": dob_txt[pa],
                                                      "DATE_PLACED": _fmt(w.date_placed[pa])}, len(pa))

    # PrevPerm: children who started care this year
    pp = kids[(w.S[kids] >= ys) & (w.S[kids] <= ye)]
    z1 = w.prev_perm[pp] == "Z1"
    out["PrevPerm"] = _frame("PrevPerm", {"CHILD": w.child_id[pp], "DOB": dob_txt[pp], "PREV_PERM": w.prev_perm[pp],
                                          "LA_PERM": np.where(z1, "", w.la_perm[pp]),
                                          "DATE_PERM": _fmt(w.date_perm[pp], z1)}, len(pp))

    # Missing: ~10% of children (mostly teenagers), inside their last episode of the year
    last_ep = np.r_[ch[1:] != ch[:-1], True] if len(ch) else np.zeros(0, bool)
    le = np.flatnonzero(last_ep)
    lchild = ch[le]
    lo = np.maximum(e["decom"][le], ys)
    hi = np.minimum(e["dec"][le] - 1, ye)
    age = (ys - w.dob[lchild]) / YEAR_DAYS
    p_miss = np.where(age >= 12, 0.22, np.where(age >= 8, 0.05, 0.0))
    miss = (rng.random(len(le)) < p_miss) & (hi - lo >= 40)
    k = np.where(miss, rng.choice([1, 2, 3, 4], size=len(le), p=[.45, .25, .18, .12]), 0)
    rep = np.repeat(np.arange(len(le)), k)
    slot = np.arange(len(rep)) - np.repeat(np.cumsum(k) - k, k)
    width = ((hi - lo) // np.maximum(k, 1))[rep]
    mstart = lo[rep] + slot * width + np.floor(rng.random(len(rep)) * width / 2).astype(np.int64)
    dur = np.minimum(rng.geometric(0.5, len(rep)) - 1, width // 2 - 1)
    mend = mstart + np.maximum(dur, 0)
    mchild = lchild[rep]
    out["Missing"] = _frame("Missing", {"CHILD": w.child_id[mchild], "DOB": dob_txt[mchild],
                                        "MISSING": _pick(rng, ["M", "A"], [6, 4], len(rep)),
                                        "MIS_START": _fmt(mstart), "MIS_END": _fmt(mend)}, len(rep))

    # SWEpisodes
    if "SWEpisodes" in names:
        lower = ys - 365 * _sw_years_before(key)
        sw = w.sw
        keep = np.isin(sw["child"], kids) & (sw["start"] <= ye) & (sw["end"] >= lower)
        sc, s0, s1 = sw["child"][keep], sw["start"][keep], sw["end"][keep]
        out["SWEpisodes"] = _frame("SWEpisodes", {
            "CHILD": w.child_id[sc], "DOB": dob_txt[sc], "SW_ID": sw["id"][keep], "SW_DECOM": _fmt(s0),
            "SW_DEC": _fmt(s1, s1 > ye), "SW_REASON": sw["reason"][keep]}, len(sc))

    # DoLo (a table since the year fields.yaml gives): ~1% of children, within a children's-home (or Z12/Z13) episode this year
    if "DoLo" in names:
        cand = np.flatnonzero(np.isin(e["place"], ["K2", "Z12", "Z13"]) & ((ys - w.dob[ch]) > 10 * YEAR_DAYS))
        lo = np.maximum(e["decom"][cand], ys)
        hi = np.minimum(e["dec"][cand] - 1, ye)
        cand, lo, hi = cand[hi - lo > 40], lo[hi - lo > 40], hi[hi - lo > 40]
        _, first = np.unique(ch[cand], return_index=True)
        cand, lo, hi = cand[first], lo[first], hi[first]
        want = max(1, int(round(0.01 * len(kids)))) if len(cand) else 0
        pick = np.sort(rng.permutation(len(cand))[:want])
        cand, lo, hi = cand[pick], lo[pick], hi[pick]
        start = lo + np.floor(rng.random(len(cand)) * (hi - lo) / 3).astype(np.int64)
        endd = start + _uniform_int(rng, 30, 240, len(start))
        still = (endd > hi) & (e["dec"][cand] > ye)  # still in force at 31 March in an open episode
        endd = np.minimum(endd, hi)
        dc = ch[cand]
        out["DoLo"] = _frame("DoLo", {"CHILD": w.child_id[dc], "DOB": dob_txt[dc], "DOLO_START": _fmt(start),
                                      "DOLO_END": _fmt(endd, still)}, len(dc))
    return {n: out.get(n, _frame(n, {}, 0)) for n in names}


# --------------------------------------------------------------------------------------------
# deliberate errors
# --------------------------------------------------------------------------------------------
ERROR_KINDS = ["sex", "ethnic", "bad_date", "rpc_blank", "overlap", "first_mismatch", "review_code_blank",
               "missing_order", "sw_id", "upn_blank", "rec_blank"]


def _inject_errors(cur: dict[str, pd.DataFrame], key: str, seed: int, rate: float,
                   truth: list[dict] | None = None) -> list[tuple[str, str]]:
    """Break about ``rate`` of this year's children, one realistic error each. Returns (child, kind).

    ``truth``, when given, receives one dict per mistake: child, kind, table, row (0-based data row),
    field, the value written and the true value it replaced (benchmarks/suggestions.py scores
    suggested corrections against it; it is never written into the return)."""
    if rate <= 0:
        return []
    rng = _rng(seed, 99, key)
    H, Ep = cur["Header"], cur["Episodes"]
    with_eps = np.array(sorted(set(Ep["CHILD"])), dtype=object)
    if not len(with_eps):
        return []
    n_err = int(rng.binomial(len(with_eps), min(rate, 1.0)))
    victims = with_eps[np.sort(rng.permutation(len(with_eps))[:n_err])]
    kinds = rng.choice(ERROR_KINDS, size=len(victims))
    Y0, Y1 = _year_bounds(key)
    done = []
    ep_rows_by_child = Ep.groupby("CHILD", sort=False).indices
    h_rows = H.groupby("CHILD", sort=False).indices
    idx_of = {t: cur[t].groupby("CHILD", sort=False).indices for t in ("Reviews", "Missing", "SWEpisodes") if t in cur}
    none = np.zeros(0, np.int64)

    def note(table: str, row: int, field: str, written: str) -> None:
        frame = cur[table]
        if truth is not None:
            truth.append({"child": child, "kind": kind, "table": table, "row": int(row), "field": field,
                          "written": written, "true": frame.iat[row, frame.columns.get_loc(field)]})
        frame.iat[row, frame.columns.get_loc(field)] = written

    for i, (child, kind) in enumerate(zip(victims.tolist(), kinds.tolist())):
        r = np.random.default_rng([seed, int(key[:4]), 100, i])
        rows = ep_rows_by_child[child]
        applied = None
        if kind == "rpc_blank":
            cand = [x for x in rows if Ep.at[x, "REASON_PLACE_CHANGE"] != ""]
            if cand:
                note("Episodes", cand[0], "REASON_PLACE_CHANGE", "")
                applied = kind
        elif kind == "overlap" and len(rows) >= 2:
            x = rows[0]
            d = pd.to_datetime(Ep.at[x, "DEC"], format="%d/%m/%Y") + pd.Timedelta(days=int(r.integers(3, 20)))
            if d <= pd.Timestamp(_EPOCH + np.timedelta64(Y1, "D")):
                note("Episodes", x, "DEC", d.strftime("%d/%m/%Y"))
                applied = kind
        elif kind == "first_mismatch":
            x = rows[0]
            d0 = pd.to_datetime(Ep.at[x, "DECOM"], format="%d/%m/%Y")
            if d0 < pd.Timestamp(_EPOCH + np.timedelta64(Y0, "D")):
                note("Episodes", x, "DECOM", (d0 - pd.Timedelta(days=int(r.integers(1, 40)))).strftime("%d/%m/%Y"))
                applied = kind
        elif kind == "bad_date":
            x = rows[-1]
            d0 = pd.to_datetime(Ep.at[x, "DECOM"], format="%d/%m/%Y")
            note("Episodes", x, "DECOM", d0.strftime("%Y-%m-%d") if r.random() < 0.5 else f"31/06/{d0.year}")
            applied = kind
        elif kind == "review_code_blank":
            R = cur["Reviews"]
            cand = idx_of["Reviews"].get(child, none)
            if len(cand):
                note("Reviews", cand[-1], "REVIEW_CODE", "")
                applied = kind
        elif kind == "missing_order":
            M = cur["Missing"]
            cand = [x for x in idx_of["Missing"].get(child, none) if M.iat[x, 4] != ""]
            if cand:
                s = pd.to_datetime(M.iat[cand[0], 3], format="%d/%m/%Y")
                note("Missing", cand[0], "MIS_END", (s - pd.Timedelta(days=int(r.integers(1, 6)))).strftime("%d/%m/%Y"))
                applied = kind
        elif kind == "sw_id" and "SWEpisodes" in cur:
            W = cur["SWEpisodes"]
            cand = idx_of["SWEpisodes"].get(child, none)
            if len(cand):
                note("SWEpisodes", cand[-1], "SW_ID", ["S" + W.iat[cand[-1], 2][2:], W.iat[cand[-1], 2][2:],
                                                      "5W" + W.iat[cand[-1], 2][2:]][int(r.integers(0, 3))])
                applied = kind
        elif kind == "upn_blank":
            hx = h_rows[child][0]
            note("Header", hx, "UPN", "")
            applied = kind
        elif kind == "rec_blank":
            cand = [x for x in rows if Ep.at[x, "REC"] not in ("", "X1")]
            if cand:
                note("Episodes", cand[0], "REC", "")
                applied = kind
        if applied is None:  # not applicable to this child: a bad code in the header instead
            hx = h_rows[child][0]
            if kind == "sex" or r.random() < 0.5:
                kind = applied = "sex"
                note("Header", hx, "SEX", ["X", "0", "9", "3"][int(r.integers(0, 4))])
            else:
                kind = applied = "ethnic"
                note("Header", hx, "ETHNIC", ["WBR", "OTHR", "XXXX", "WHIT", "W BR"][int(r.integers(0, 5))])
        done.append((child, applied))
    return done


# --------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------
def generate(n_children: int, year: str = "2025_26", seed: int = 903, error_rate: float = 0.01,
             la_ons: str = "E08000007", truth: list[dict] | None = None
             ) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """(this year's tables, last year's tables) of a synthetic return with ``n_children`` looked after this year.

    Tables are keyed by their fields.yaml names, columns are exactly ``csv_columns``, every value is a
    string ("" for blank), dates dd/mm/yyyy. This year's return also holds a cohort of care leavers
    (OC3, Header rows without episodes); last year's holds the children looked after last year.
    ``truth`` (a list) receives the true value of each deliberate mistake (see _inject_errors).
    """
    if n_children < 1:
        raise ValueError("n_children must be at least 1")
    key = _norm_year(year)
    latest = specified_keys()[-1]
    if key > latest:
        # A provisional year: the latest specified year's return (same seed, same children) with every
        # date moved on, so its errors can be compared with that year's (tests/test_years_boundary.py).
        cur, prev = generate(n_children, latest, seed, error_rate, la_ons)
        gap = int(key[:4]) - int(latest[:4])
        return shift_return(cur, gap), shift_return(prev, gap)
    w = _World(int(n_children), key, int(seed), la_ons)
    cur = _cut(w, key, w.Y0, w.Y1, 10)
    prev = _cut(w, w.prev, w.P0, w.P1, 11)
    _inject_errors(cur, key, int(seed), float(error_rate), truth)
    return cur, prev


def write_return(tables: dict[str, pd.DataFrame], folder) -> list[Path]:
    """One UTF-8 CSV per table (header.csv, episodes.csv, ...) in ``folder``; returns the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, df in tables.items():
        path = folder / FILE_NAMES[name]
        df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        paths.append(path)
    return paths


def write_providers(returns: list[dict[str, pd.DataFrame]], path) -> Path:
    """A synthetic Ofsted provider list (combined layout, one 'Providers' sheet) holding every URN the
    returns' episodes use, with the placement and provider codes used with it and the placement
    postcode as the setting's postcode, so the URN rules can run on the example returns."""
    from openpyxl import Workbook

    eps = pd.concat([r["Episodes"] for r in returns if "Episodes" in r], ignore_index=True)
    eps = eps[(eps["URN"] != "") & (eps["URN"] != "XXXXXXX")]
    wb = Workbook()
    ws = wb.active
    ws.title = "Providers"
    ws.append(["URN", "Provider type", "Local authority", "Placement code", "Placement provider code",
               "Deregistration date", "Setting address postcode"])
    for urn, grp in eps.groupby("URN", sort=True):
        places = ",".join(sorted(set(grp["PLACE"]) - {""}))
        providers = ",".join(sorted(set(grp["PLACE_PROVIDER"]) - {""}))
        ws.append([urn, "Synthetic provider", "", places, providers, None, grp["PL_POST"].iloc[0]])
    path = Path(path)
    wb.save(path)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lac_validator.devtools.synth",
                                 description="Write a synthetic SSDA903 return (this year and last year).")
    ap.add_argument("--children", type=int, default=200, help="children looked after this year (default 200)")
    ap.add_argument("--year", default="2025-26",
                    help="collection year, e.g. 2025-26 (default); a year after the latest specified one is "
                         "the latest year's return with every date moved on")
    ap.add_argument("--seed", type=int, default=903)
    ap.add_argument("--error-rate", type=float, default=0.01, help="deliberate errors per child (default 0.01)")
    ap.add_argument("--la", default="E08000007", help="ONS code of the LA (default E08000007, Stockport)")
    ap.add_argument("--out", required=True, help="folder; writes OUT/current and OUT/previous")
    ap.add_argument("--providers", action="store_true",
                    help="also write OUT/ofsted_providers.xlsx, a synthetic Ofsted list of the URNs used")
    a = ap.parse_args(argv)
    try:
        cur, prev = generate(a.children, a.year, a.seed, a.error_rate, a.la)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = Path(a.out)
    write_return(cur, out / "current")
    write_return(prev, out / "previous")
    if a.providers:
        write_providers([cur, prev], out / "ofsted_providers.xlsx")
    rows = sum(len(df) for df in cur.values())
    print(f"wrote {out / 'current'} ({len(cur)} tables, {rows} rows) and {out / 'previous'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
