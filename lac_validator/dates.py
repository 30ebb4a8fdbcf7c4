"""Date parsing, done once on load, and date arithmetic shared by rules.

Strict reading (the DfE format): D/M/YYYY with '/' separators and nothing else; day and month
one or two digits (a single space before a one-digit day is tolerated), a four-digit year, a
real calendar date between 22/09/1677 and 11/04/2262. Anything else is "no date" (NaT).
Parsed dates are stored in microseconds, not nanoseconds, so rules' date arithmetic (a birthday
70 years on, DEC + 17 days) cannot overflow near the ends of that range.
"""
from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from .distinct import each_distinct

_STRICT = r"^(\d{1,2}| \d)/(\d{1,2})/(\d{4})$"
_LOW = pd.Timestamp(1677, 9, 22)
_HIGH = pd.Timestamp(2262, 4, 11)
NS = "datetime64[us]"
_YEAR_FIRST = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")


def _on_uniques(values: pd.Series, parse) -> pd.Series:
    """Parse each distinct text once: returns carry many repeated dates."""
    out = each_distinct(values.to_numpy(dtype=object),
                        lambda texts: parse(pd.Series(texts, dtype=object)).to_numpy(dtype=NS),
                        missing=np.datetime64("NaT", "us"), dtype=NS)
    return pd.Series(out, index=values.index, dtype=NS)


# ASCII digits only: other scripts' digits are not the DfE format (and used to crash the old reader).
_STRICT_RE = re.compile(_STRICT, re.ASCII)
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _strict(uniques: pd.Series) -> pd.Series:
    n = len(uniques)
    day = np.zeros(n, dtype=np.int64)
    month = np.zeros(n, dtype=np.int64)
    year = np.zeros(n, dtype=np.int64)
    ok = np.zeros(n, dtype=bool)
    for i, text in enumerate(uniques.tolist()):
        m = _STRICT_RE.match(text) if isinstance(text, str) else None
        if m is not None:
            ok[i] = True
            day[i], month[i], year[i] = int(m.group(1)), int(m.group(2)), int(m.group(3))
    # Impossible dates (31/06, 29/02 in a common year, month 13, day 0) and years outside
    # pandas' nanosecond range become NaT.
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    mdays = np.where((month == 2) & leap, 29, _DAYS_IN_MONTH[np.clip(month, 1, 12) - 1])
    ok &= (month >= 1) & (month <= 12) & (day >= 1) & (day <= mdays)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    if ok.any():
        ym = (year[ok] - 1970) * 12 + (month[ok] - 1)
        out[ok] = ym.astype("datetime64[M]").astype("datetime64[D]") + (day[ok] - 1)
    low, high = np.datetime64(_LOW.date(), "D"), np.datetime64(_HIGH.date(), "D")
    ok &= (out >= low) & (out <= high)
    result = np.full(n, np.datetime64("NaT"), dtype=NS)
    result[ok] = out[ok].astype(NS)
    return pd.Series(result, index=uniques.index, dtype=NS)


def parse_strict(values: pd.Series) -> pd.Series:
    """Vectorised strict dd/mm/yyyy reading of a text column; blank or invalid -> NaT."""
    return _on_uniques(values, _strict)


def _lenient(uniques: pd.Series) -> pd.Series:
    # Texts the strict reading accepts (almost all of a return) read the same leniently: a
    # valid D/M/YYYY is day-first either way. Only the rest go through the slow general parser.
    out = _strict(uniques)
    rest = out.isna()
    if rest.any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out.loc[rest] = _lenient_each(uniques[rest]).to_numpy()
    return out


def _lenient_each(uniques: pd.Series) -> pd.Series:
    out = []
    for text in uniques:
        text = str(text).strip()
        try:
            # Year-first texts (2025-04-01) are read year-month-day, everything else day-first.
            ts = pd.to_datetime(text, yearfirst=True, dayfirst=False) if _YEAR_FIRST.match(text) \
                else pd.to_datetime(text, dayfirst=True)
        except (ValueError, OverflowError, TypeError):
            ts = pd.NaT
        if ts is not pd.NaT and getattr(ts, "tzinfo", None) is not None:
            ts = ts.tz_localize(None)
        if ts is not pd.NaT and not (_LOW <= ts <= _HIGH):
            ts = pd.NaT
        out.append(ts)
    return pd.Series(pd.to_datetime(pd.Series(out, dtype=object), errors="coerce").astype(NS).to_numpy(),
                     index=uniques.index)


def parse_lenient(values: pd.Series) -> pd.Series:
    """A general day-first date reading (used only by the rules whose spec says so)."""
    return _on_uniques(values, _lenient)


def _ymd(dates: pd.Series):
    return dates.dt.year.to_numpy(), dates.dt.month.to_numpy(), dates.dt.day.to_numpy()


def add_years(dates: pd.Series, years) -> pd.Series:
    """Same day and month N years later; 29 February becomes 28 February in common years.

    `years` may be a number or an array aligned with `dates`.
    """
    dates = pd.Series(dates)
    valid = dates.notna().to_numpy()
    y, m, d = _ymd(dates)
    n = np.broadcast_to(np.asarray(years, dtype="float64"), y.shape)
    ty = y + n
    ok = valid & ~np.isnan(ty)
    out = np.full(len(dates), np.datetime64("NaT"), dtype=NS)
    if ok.any():
        ty_i, m_i, d_i = ty[ok].astype(int), m[ok].astype(int), d[ok].astype(int)
        leap = (ty_i % 4 == 0) & ((ty_i % 100 != 0) | (ty_i % 400 == 0))
        d_i = np.where((m_i == 2) & (d_i == 29) & ~leap, 28, d_i)
        frame = pd.DataFrame({"year": ty_i, "month": m_i, "day": d_i})
        out[ok] = pd.to_datetime(frame, errors="coerce").to_numpy(dtype=NS)
    return pd.Series(out, index=dates.index, dtype=NS)


def age_at(dob: pd.Series, when) -> pd.Series:
    """Whole years of age on `when` (a Series or one date); NaN where either date is missing.

    A birthday on 29 February is reached on 28 February in common years.
    """
    dob = pd.Series(dob)
    when_s = pd.Series(when, index=dob.index) if not isinstance(when, pd.Series) else when
    when_s = pd.to_datetime(when_s).astype(NS)
    y0, m0, d0 = _ymd(dob)
    y1, m1, d1 = _ymd(when_s)
    diff = y1 - y0
    leap1 = (y1 % 4 == 0) & ((y1 % 100 != 0) | (y1 % 400 == 0))
    bd_day = np.where((m0 == 2) & (d0 == 29) & ~leap1, 28, d0)
    before = (m1 < m0) | ((m1 == m0) & (d1 < bd_day))
    age = diff - before.astype("float64")
    return pd.Series(age, index=dob.index, dtype="float64")


def date_key(raw: pd.Series, parsed: pd.Series) -> pd.Series:
    """A date column for "same date" tests: valid dates as a canonical key (so "1/5/2025" equals
    "01/05/2025"), anything else as the text given; blank stays missing (never equal to anything)."""
    key = raw.to_numpy(dtype=object).copy()
    ok = parsed.notna().to_numpy()
    if ok.any():  # formatting dates is slow per value: once per distinct date
        key[ok] = each_distinct(parsed.to_numpy()[ok],
                                lambda dates: pd.DatetimeIndex(dates).strftime("D%Y-%m-%d").to_numpy(dtype=object))
    return pd.Series(key, index=raw.index, name=raw.name, dtype=object)
