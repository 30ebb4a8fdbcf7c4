"""Local authority districts -> upper-tier local authorities, and what counts as "in the LA".

schemas/lad_to_utla.csv (source and date in its header and in docs/reference-data.md) maps every
English and Welsh district code used by the ONS Postcode Directory, plus the districts abolished
since 2021, to its current upper-tier LA (Welsh districts to WAL). Scottish and Northern Irish
districts (codes S..., N...) are SCO and NIR by their prefix, as the DfE rules describe; Wales (W...)
likewise. Channel Islands / Isle of Man pseudo-codes (L99999999, M99999999) and unknown codes map
to nothing (blank PL_LA).
"""
from __future__ import annotations

import io
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from .distinct import each_distinct

COUNTRY_BY_PREFIX = {"S": "SCO", "N": "NIR", "W": "WAL"}


@lru_cache(maxsize=1)
def lad_table() -> pd.DataFrame:
    text = resources.files("lac_validator.schemas").joinpath("lad_to_utla.csv").read_text(encoding="utf-8")
    df = pd.read_csv(io.StringIO(text), comment="#", dtype=str, keep_default_na=False)
    return df.set_index("lad_code", drop=False)


@lru_cache(maxsize=1)
def _utla_map() -> dict[str, str]:
    t = lad_table()
    return dict(zip(t["lad_code"], t["utla_code"]))


@lru_cache(maxsize=1)
def utla_names() -> dict[str, str]:
    t = lad_table()
    names = dict(zip(t["utla_code"], t["utla_name"]))
    names.update({"SCO": "Scotland", "NIR": "Northern Ireland", "WAL": "Wales"})
    return names


def utla_for_lad(laua: pd.Series) -> pd.Series:
    """Upper-tier LA code (or SCO/NIR/WAL) for each district code; NaN when blank or unknown."""
    mapping = _utla_map()

    def utla(district) -> str:
        return COUNTRY_BY_PREFIX.get(str(district)[:1]) or mapping.get(district, np.nan)

    # Per distinct district (a return has a few hundred), then spread back over the rows.
    return pd.Series(each_distinct(laua.to_numpy(dtype=object), lambda ds: [utla(d) for d in ds]),
                     index=laua.index, dtype=object)


@lru_cache(maxsize=None)
def area_codes(ons_code: str) -> frozenset[str]:
    """The upper-tier codes a placement LA may have and still be inside the submitting LA `ons_code`.

    For a current LA, just its own code. For an LA that has since been replaced (Cumbria, North
    Yorkshire and Somerset county councils before April 2023, Barnsley/Sheffield's pre-2025 codes),
    also the current codes covering its former districts, so that a return for an earlier year
    still counts placements in its own area as in-area.
    """
    code = str(ons_code).strip().upper()
    t = lad_table()
    successors = set(t.loc[t["utla_2021_code"].eq(code), "utla_code"])
    return frozenset({code} | successors)
