"""The rule toolkit: the policies every rule applies the same way, written once.

- masks: a comparison with a missing value is "no" (`true`, `is_code`);
- dates: a non-blank date that the strict reading rejects is invalid (`invalid_date`);
- code lists come from schemas/fields.yaml for the collection year (`not_code`);
- "differs": blank equals blank, blank differs from any value (`differs`);
- a blank CHILD is not a child: it is in no table (`children`, `child_in`), pairs with nothing
  (`pair_by_child`, `periods_of_care`) and, within a table, has no other rows (`same_child`); a
  pair of rows flags both sides (`labels`, `flag_pairs`);
- per-child order: CHILD then the rule's keys, ties in file order (`by_child`, `first_by_child`).

Memoised table views (episodes in order, first/last episode, ...) are in `views`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .context import Context
from .memo import shared

# ---------------------------------------------------------------- masks



def as_set(values) -> set:
    """set(values) for a pandas Series: the same values, without pandas' element-by-element
    iteration over text columns (about ten times slower than going through numpy)."""
    return set(np.asarray(values, dtype=object).tolist())

def true(values) -> pd.Series:
    """A boolean mask where a missing answer (a comparison with a blank) counts as False.
    A Series keeps its index; anything else gets a default one."""
    return pd.Series(values).fillna(False).astype(bool)


def is_code(values: pd.Series, *codes) -> pd.Series:
    """Whether each value is one of `codes` (blank: False)."""
    return true(values.isin(list(codes)))


# ---------------------------------------------------------------- dates and code lists


def invalid_date(ctx: Context, name: str, column: str) -> pd.Series:
    """Non-blank text that is not a strict dd/mm/yyyy date (the load reads dates strictly)."""
    return ctx.raw(name)[column].notna() & ctx.table(name)[column].isna()


def not_code(ctx: Context, name: str, column: str, blank_ok: bool = True) -> pd.Series:
    """Values that are not codes of the field this collection year (schemas/fields.yaml).
    A blank passes unless `blank_ok` is False (the field must be filled in)."""
    v = ctx.raw(name)[column]
    bad = ~v.isin(ctx.codes(name, column))
    return v.notna() & bad if blank_ok else bad


def differs(a: pd.Series, b: pd.Series) -> pd.Series:
    """Row-by-row inequality of two aligned columns where blank equals blank and blank differs
    from any value (no date counts as blank)."""
    if a.dtype != b.dtype or isinstance(a.dtype, pd.CategoricalDtype):
        a, b = a.astype(object), b.astype(object)
    return ~(true(a == b) | (a.isna() & b.isna()))


# ---------------------------------------------------------------- children

def children(values) -> set:
    """The children a CHILD column names: its non-blank values (a blank CHILD is not a child)."""
    return as_set(pd.Series(values).dropna())


def child_in(values: pd.Series, *others) -> pd.Series:
    """Whether each row's CHILD is a child with a row in one of `others` (CHILD columns, or sets
    from `children`). A blank CHILD is in nothing, whatever blanks the other tables hold."""
    parts = [np.asarray(list(o), dtype=object) if isinstance(o, (set, frozenset))
             else pd.Series(o).dropna().to_numpy(dtype=object) for o in others]
    known = np.concatenate(parts) if parts else np.array([], dtype=object)
    return values.notna() & values.isin(known)


def same_child(values: pd.Series, other) -> pd.Series:
    """Whether each row of two aligned CHILD columns (e.g. a child's rows in order and the same
    column shifted by one) names the same child: a blank CHILD is no child, so never."""
    return values.notna() & true(values.eq(other))


def pair_by_child(left: pd.DataFrame, right: pd.DataFrame, how: str = "inner",
                  suffixes: tuple[str, str] = ("", "_r")) -> pd.DataFrame:
    """Every (left row, right row) pair with the same non-blank CHILD: a blank CHILD is not a
    child and pairs with nothing (the older tool's plain joins paired blank with blank; see
    rules/divergences.md). Columns of both frames (clashing names get the suffixes) plus `_l` /
    `_r`, the row labels of the left / right frame, to flag either side. With how="left" every
    left row with a CHILD is kept and `_r` is NaN where it has no partner."""
    if how == "inner":
        left = left[left["CHILD"].notna()]
    right = right[right["CHILD"].notna()]
    a = left.assign(_l=left.index.to_numpy())
    r = right.index.to_numpy()
    b = right.assign(_r=r.astype("float64") if how == "left" else r)
    return a.merge(b, on="CHILD", how=how, suffixes=suffixes, sort=False)


def labels(pairs: pd.DataFrame, mask, column: str) -> np.ndarray:
    """The row labels held in `column` (`_l` or `_r`) of the pairs where `mask` holds (every pair
    when `mask` is None)."""
    vals = (pairs[column] if mask is None else pairs.loc[np.asarray(mask, dtype=bool), column]).dropna()
    return pd.unique(vals.astype("int64"))


def flag_pairs(pairs: pd.DataFrame, mask, left: str, right: str) -> dict:
    """Flag both rows of each pair where `mask` holds: {left table: `_l` labels, right table: `_r` labels}."""
    return {left: labels(pairs, mask, "_l"), right: labels(pairs, mask, "_r")}


def by_child(frame: pd.DataFrame, keys: list[str], ascending=True, na_position: str = "last") -> pd.DataFrame:
    """Rows ordered by CHILD and then `keys`, so each child's rows are together (blank CHILD
    last); ties keep the frame's row order. `ascending` is one flag or one per key (CHILD itself
    is ascending); `na_position` applies to every column, so a row without a date comes after
    the child's dated rows whichever way they are ordered."""
    asc = [True] + (list(ascending) if isinstance(ascending, (list, tuple)) else [ascending] * len(keys)) + [True]
    order = frame.assign(_file=np.arange(len(frame)))
    order = order.sort_values(["CHILD", *keys, "_file"], ascending=asc, kind="mergesort", na_position=na_position)
    return order.drop(columns="_file")


def first_by_child(frame: pd.DataFrame, keys: list[str], ascending=True, last: bool = False) -> pd.DataFrame:
    """Each child's first row (its last with `last=True`) in the order of `by_child`: e.g. the
    earliest episode by DECOM, ties the first in the file. Rows with a blank CHILD are no child's."""
    # Sorting by the keys alone (stable: ties stay in file order) finds the same rows as by_child
    # without sorting the CHILD text; the rows come out in key order.
    named = frame[frame["CHILD"].notna()]
    order = named.sort_values(keys, ascending=ascending, kind="mergesort", na_position="last")
    return order[~order["CHILD"].duplicated(keep="last" if last else "first")]


# ---------------------------------------------------------------- periods of care


@shared
def periods_of_care(ctx: Context) -> pd.DataFrame:
    """Periods of care built from Episodes (rules 577, 578, 707): episodes with a DECOM date,
    ordered by CHILD then DECOM (ties in file order); an episode continues the current period
    unless it is the child's first or its DECOM is after the previous episode's DEC (an undated
    previous DEC continues). Columns CHILD, poc_start (first DECOM), poc_end (DEC of the period's
    last episode in that order, NaT when it is open). Rows with a blank CHILD are left out."""
    t = ctx.table("Episodes")
    e = by_child(t.loc[t["DECOM"].notna() & t["CHILD"].notna(), ["CHILD", "DECOM", "DEC"]], ["DECOM"])
    new = e["CHILD"].ne(e["CHILD"].shift()) | (e["DECOM"] > e["DEC"].shift())
    pid = new.cumsum()
    first = e[~pid.duplicated(keep="first")]
    last = e[~pid.duplicated(keep="last")]
    return pd.DataFrame({"CHILD": first["CHILD"].to_numpy(), "poc_start": first["DECOM"].to_numpy(),
                         "poc_end": last["DEC"].to_numpy()})
