"""Pseudonymised reports for sharing outside the team: stable salted hashes for CHILD and SW_ID,
dates of birth removed."""
from __future__ import annotations

import hashlib
import hmac

import pandas as pd

DOB_FIELDS = {"DOB", "MC_DOB"}


def pseudonym(value, salt: str, prefix: str):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return value
    digest = hmac.new(salt.encode("utf-8"), str(value).encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{prefix}{digest[:12]}"


def pseudonymise_records(records: pd.DataFrame, salt: str) -> pd.DataFrame:
    """The same salt gives the same pseudonyms in every report, so reports can still be compared."""
    out = records.copy()
    if out.empty:
        return out
    children = {c: pseudonym(c, salt, "C-") for c in out["child"].dropna().unique()}
    out["child"] = out["child"].map(lambda c: children.get(c, c))
    out["social_worker"] = out["social_worker"].map(
        lambda s: s if s in (None, "Unassigned") else pseudonym(s, salt, "SW-"))
    def clean(k, v):
        if v is None:
            return v
        if k in DOB_FIELDS:
            return "(removed)"
        if k == "CHILD":
            return children.get(v, pseudonym(v, salt, "C-"))
        if k == "SW_ID":
            return pseudonym(v, salt, "SW-")
        return v

    out["values"] = [{k: clean(k, v) for k, v in vals.items()} for vals in out["values"]]
    # proposed values and their evidence may name a child, a worker, a date of birth: none shared
    out["suggestion"] = None
    out["key"] = [("|".join(k.split("|")[:3] + [children.get(c, c) or ""] + k.split("|")[4:]))
                  for k, c in zip(out["key"], records["child"])]
    return out
