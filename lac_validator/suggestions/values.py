"""What a suggested value must be: valid for its field in the collection year, written as the DfE
reads it (dd/mm/yyyy dates, upper-case codes, postcodes with their one space)."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..schema import base_table, load_schema
from ..years import CollectionYear

DATE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$")
UPN = re.compile(r"^(?:[A-HJ-NP-RT-Z](?:\d{12}|\d{11}[A-Z])|UN[1-5])$")
URN = re.compile(r"^[A-Z0-9]+$")
SW_ID = re.compile(r"^(?:SW|XX)\S+$")
CHILD = re.compile(r"^\S+$")


def fmt_date(value) -> str | None:
    """A typed date as the DfE writes it; None when missing."""
    return None if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%d/%m/%Y")


def fmt_dates(values: pd.Series) -> pd.Series:
    out = values.dt.strftime("%d/%m/%Y")
    return out.astype(object).where(values.notna(), None)


def _date_ok(text: str) -> bool:
    if not DATE.match(text):
        return False
    try:
        pd.Timestamp(int(text[6:]), int(text[3:5]), int(text[:2]))
    except ValueError:
        return False
    return True


def valid_for_field(table: str, field: str, values: pd.Series, year: CollectionYear) -> pd.Series:
    """True where a value may be written into ``table.field`` in ``year``."""
    spec = load_schema().tables[base_table(table)].fields.get(field)
    texts = values.astype(object)
    if spec is None:
        return pd.Series(False, index=values.index)
    if spec.is_date:
        check = _date_ok
    elif spec.type == "code":
        codes = spec.codes_for(year)
        check = (lambda v: v in codes) if codes else (lambda v: bool(v) and v == v.strip().upper())
    elif spec.type == "postcode":
        check = lambda v: bool(POSTCODE.match(v))  # noqa: E731
    elif spec.type == "upn":
        check = lambda v: bool(UPN.match(v))  # noqa: E731
    elif spec.type == "urn":
        check = lambda v: bool(URN.match(v))  # noqa: E731
    elif spec.type == "id":
        pattern = SW_ID if field == "SW_ID" else CHILD
        check = lambda v: bool(pattern.match(v))  # noqa: E731
    elif spec.type == "integer":
        check = lambda v: v.isdigit()  # noqa: E731
    else:
        return pd.Series(False, index=values.index)
    return pd.Series([isinstance(v, str) and check(v) for v in texts.tolist()], index=values.index, dtype=bool)


def invalid_now(ctx, table: str, field: str, rows) -> pd.Series:
    """True where the given value (as upper-cased on load) is blank or not valid for the year."""
    raw = ctx.raw(table)[field].reindex(rows)
    return ~valid_for_field(table, field, raw, ctx.year) | raw.isna()


def meaning_key(text: str) -> str:
    """A code's meaning (or a value written in words) reduced to lower-case letters and digits."""
    return re.sub(r"[^a-z0-9]+", " ", str(text).lower()).strip()


def same_meaning_code(table: str, field: str, code: str, year: CollectionYear) -> tuple[str, str] | None:
    """This year's code with the meaning ``code`` has in some year (SEX 1 -> M), and that meaning;
    None when there is no such single code."""
    spec = load_schema().tables[base_table(table)].fields[field]
    now = spec.codes_for(year)
    if code in now:
        return code, next(c.meaning for c in spec.codes if c.code == code)
    meanings = {meaning_key(c.meaning) for c in spec.codes if c.code == code}
    if len(meanings) != 1:
        return None
    m = meanings.pop()
    matches = [c for c in spec.codes if meaning_key(c.meaning) == m and c.code in now]
    return (matches[0].code, matches[0].meaning) if len(matches) == 1 else None


def one_edit_apart(a: str, b: str) -> bool:
    """True when b is a with exactly one character inserted, deleted or replaced, or two
    neighbouring characters swapped (the usual keying slips)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1:]


def near_misses(values: list[str], known: set[str]) -> dict[str, list[str]]:
    """For each value, the known values exactly one edit away, found through deletion variants (an
    insertion, deletion, substitution or swap of neighbours leaves a common string after deleting
    at most one character from each), then confirmed."""
    index: dict[str, set[str]] = {}
    for k in known:
        index.setdefault(k, set()).add(k)
        for i in range(len(k)):
            index.setdefault(k[:i] + k[i + 1:], set()).add(k)
    out = {}
    for v in values:
        pool = set(index.get(v, ()))
        for i in range(len(v)):
            pool |= index.get(v[:i] + v[i + 1:], set())
        out[v] = sorted(k for k in pool if one_edit_apart(v, k))
    return out


def describe_difference(a: str, b: str) -> str:
    """'differs by one digit', 'has one character more' ... for two values one edit apart."""
    if len(a) == len(b):
        diff = [(x, y) for x, y in zip(a, b) if x != y]
        if len(diff) == 2:
            return "has two neighbouring characters the other way round"
        x, y = diff[0]
        return "differs by one digit" if x.isdigit() and y.isdigit() else "differs by one character"
    return "has one character less" if len(b) < len(a) else "has one character more"


def first_of_child(frame: pd.DataFrame, column: str, children=None) -> pd.Series:
    """One value per CHILD (of `children`, else all) where the child's rows agree (indexed by
    CHILD); children whose rows give different values are left out (conflicting evidence). The
    rows are few (the flagged children's): gathered in plain Python."""
    if children is not None:
        frame = frame[frame["CHILD"].isin(pd.unique(np.asarray(children, dtype=object))).to_numpy()]
    seen: dict = {}
    for child, value in zip(frame["CHILD"].tolist(), frame[column].tolist()):
        if isinstance(child, str) and not pd.isna(value):
            seen.setdefault(child, set()).add(value)
    agreed = {c: next(iter(v)) for c, v in seen.items() if len(v) == 1}
    return pd.Series(list(agreed.values()), index=list(agreed), dtype=frame[column].dtype)


def empty_index() -> pd.Index:
    return pd.Index(np.zeros(0, dtype=np.int64))
