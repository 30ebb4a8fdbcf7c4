"""Work done once per distinct value: a column of a return repeats a few codes, dates, districts or
postcodes over many rows, so converting each distinct value and spreading the results back is
much cheaper than converting every cell."""
from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd


def each_distinct(values: np.ndarray, compute: Callable, missing=np.nan, dtype=object) -> np.ndarray:
    """compute(distinct values) -> one result per distinct value, spread back over `values`.
    Missing cells (None, NaN, NaT) get `missing` and are never passed to `compute`."""
    codes, distinct = pd.factorize(values)
    results = np.empty(len(distinct) + 1, dtype=dtype)
    results[:-1] = compute(distinct)
    results[-1] = missing  # factorize codes missing cells -1: the last slot
    return results[codes]
