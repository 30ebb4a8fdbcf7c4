"""Helpers shared by the r300_* rule modules (no rules here)."""
from __future__ import annotations

import numpy as np
import pandas as pd


def pair(left: pd.DataFrame, right: pd.DataFrame, how: str = "inner") -> pd.DataFrame:
    """Every (left row, right row) pair with the same CHILD. A blank CHILD is not a child and pairs
    with nothing (the older tool's plain joins paired blank with blank; rules/divergences.md). Left
    labels go to `_l`, right labels to `_r` (NaN when a left row has no partner in a left join).
    Right columns clashing with left ones get `_r`."""
    if how == "inner":
        left = left[left["CHILD"].notna()]
    right = right[right["CHILD"].notna()]
    a = left.assign(_l=left.index.to_numpy())
    b = right.assign(_r=right.index.to_numpy().astype("float64"))
    return a.merge(b, on="CHILD", how=how, suffixes=("", "_r"), sort=False)


def labels(frame: pd.DataFrame, mask, col: str) -> np.ndarray:
    """Row labels held in `col` of the rows of `frame` where `mask` holds."""
    vals = frame.loc[np.asarray(mask, dtype=bool), col].dropna()
    return pd.unique(vals.astype("int64"))

