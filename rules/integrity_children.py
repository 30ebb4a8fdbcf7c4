"""Integrity checks on which children appear where: EPI, INT01-INT09 (child must be in Header),
INT31-INT36 (child only once in a table) and NoE (child missing from last year's episodes).
A blank CHILD is in no table, so a blank-CHILD row is always "missing" from the other table."""
import pandas as pd

from lac_validator.registry import rule
from lac_validator.toolkit import child_in, children


def _children(ctx, name: str) -> set:
    return children(ctx.raw(name)["CHILD"]) if ctx.has(name) else set()


def _child_missing_from(ctx, name: str, other: str) -> pd.Series:
    return ~child_in(ctx.raw(name)["CHILD"], _children(ctx, other))


# ---------------------------------------------------------------- EPI

@rule("EPI", requires=["Header"])
def header_child_without_episodes(ctx):
    return ~child_in(ctx.raw("Header")["CHILD"], _children(ctx, "Episodes"), _children(ctx, "OC3"))


# ---------------------------------------------------------------- INT01-INT09

def _register_in_header(code: str, table: str):
    @rule(code)
    def child_not_in_header(ctx):
        return {table: _child_missing_from(ctx, table, "Header")}
    child_not_in_header.__name__ = f"int_{code}_{table}_child_in_header"
    return child_not_in_header


for _code, _table in [("INT01", "AD1"), ("INT02", "PlacedAdoption"), ("INT03", "Episodes"),
                      ("INT04", "Missing"), ("INT05", "OC2"), ("INT06", "OC3"),
                      ("INT07", "PrevPerm"), ("INT08", "Reviews"), ("INT09", "UASC")]:
    _register_in_header(_code, _table)


# ---------------------------------------------------------------- INT31-INT36

def _register_unique(code: str, table: str):
    @rule(code)
    def child_more_than_once(ctx):
        child = ctx.raw(table)["CHILD"]
        return {table: child.notna() & child.duplicated(keep=False)}
    child_more_than_once.__name__ = f"int_{code}_{table}_child_once"
    return child_more_than_once


for _code, _table in [("INT31", "AD1"), ("INT32", "Header"), ("INT33", "OC2"),
                      ("INT34", "OC3"), ("INT35", "PrevPerm"), ("INT36", "UASC")]:
    _register_unique(_code, _table)


# ---------------------------------------------------------------- NoE

@rule("NoE")
def started_before_year_but_no_episodes_last_year(ctx):
    e = ctx.table("Episodes")
    before = e["DECOM"].notna() & (e["DECOM"] < ctx.collection_start)
    return before & _child_missing_from(ctx, "Episodes", "Episodes_last")
