"""Integrity checks that a child's DOB (INT11-INT18) and SEX (INT21) in a child-level table agree
with Header."""
import numpy as np

from lac_validator.registry import rule
from lac_validator.toolkit import labels, pair_by_child


def _differs_from_header(ctx, table: str, column: str, frame_of) -> np.ndarray:
    """Labels of `table` rows whose non-null `column` differs from a non-null value of the same
    column on some Header row of the same CHILD (a blank CHILD is no child and matches none)."""
    t = frame_of(ctx, table)
    h = frame_of(ctx, "Header")
    left = t.loc[t[column].notna(), ["CHILD", column]]
    right = h.loc[h[column].notna(), ["CHILD", column]]
    pairs = pair_by_child(left, right, suffixes=("", "_header"))
    return labels(pairs, pairs[column].ne(pairs[column + "_header"]), "_l")


def _typed(ctx, name):
    return ctx.table(name)


def _raw(ctx, name):
    return ctx.raw(name)


def _register_dob(code: str, table: str):
    @rule(code)
    def dob_differs(ctx):
        return {table: _differs_from_header(ctx, table, "DOB", _typed)}
    dob_differs.__name__ = f"int_{code}_{table}_dob"
    return dob_differs


for _code, _table in [("INT11", "AD1"), ("INT12", "PlacedAdoption"), ("INT13", "Missing"),
                      ("INT14", "OC2"), ("INT15", "OC3"), ("INT16", "PrevPerm"),
                      ("INT17", "Reviews"), ("INT18", "UASC")]:
    _register_dob(_code, _table)


@rule("INT21")
def uasc_sex_differs(ctx):
    return {"UASC": _differs_from_header(ctx, "UASC", "SEX", _raw)}
