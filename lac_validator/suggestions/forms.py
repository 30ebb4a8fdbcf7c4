"""Unambiguous mechanical forms: a valid value written in another form. A date written 2025-04-01
or 01-04-2025, a code with stray spaces or punctuation, a code written in words ('Male') or with
another year's code for the same meaning (SEX 1 in 2025-26), a postcode without its space.

The date and postcode readings are those of `lac-validator fix` (lac_validator.fixes), so both
make the same correction; here they are offered only for values a rule flagged."""
from __future__ import annotations

import re

from ..fixes import _POSTCODE, _fix_date
from ..schema import load_schema
from ..years import specified_keys
from . import candidates, suggester
from .values import meaning_key, same_meaning_code, valid_for_field

TABLES = ("Header", "Episodes", "Reviews", "UASC", "OC2", "OC3", "AD1", "PlacedAdoption", "PrevPerm", "Missing",
          "SWEpisodes", "DoLo")
FORM_TYPES = ("date", "code", "postcode", "upn", "urn", "integer")


def _code_reading(table: str, field_spec, text: str, year) -> tuple[str, str] | None:
    """(code, how it was written) for a code written in another form; None unless one reading."""
    now = field_spec.codes_for(year)
    squeezed = re.sub(r"[^0-9A-Z]", "", text.upper())
    if text.strip().upper() in now:
        return text.strip().upper(), "with stray spaces"
    if squeezed in now:
        return squeezed, "with stray characters"
    words = meaning_key(text)
    by_meaning = [c.code for c in field_spec.codes if c.code in now and meaning_key(c.meaning) == words]
    if words and len(by_meaning) == 1:
        return by_meaning[0], "in words"
    if squeezed and any(c.code == squeezed for c in field_spec.codes):  # a code of other years
        other = same_meaning_code(table, field_spec.name, squeezed, year)
        if other is not None:
            # code years are ranges (schemas/fields.yaml); an open one runs to the latest specified year
            last = max(c.span.last or specified_keys()[-1] for c in field_spec.codes if c.code == squeezed)
            return other[0], f"as {squeezed}, the code for '{other[1]}' up to {last.replace('_', '-')}"
    return None


def _forms(table: str, field: str):
    fspec = load_schema().tables[table].fields[field]

    def func(ctx, rows):
        col = ctx.raw(table)[field].reindex(rows)
        col = col[col.notna()]
        if col.empty:
            return None
        bad = col[~valid_for_field(table, field, col, ctx.year)]
        out = []
        for row, text in bad.items():
            value, why = None, ""
            if fspec.is_date:
                value = _fix_date(text)
                why = f"the date {value} written in another form (the DfE reads dd/mm/yyyy only)"
            elif fspec.type == "postcode":
                m = _POSTCODE.match("".join(text.split()))
                value = f"{m.group(1)} {m.group(2)}" if m else None
                why = f"the postcode {value} with its space missing or misplaced"
            elif fspec.type == "code":
                got = _code_reading(table, fspec, text, ctx.year)
                if got:
                    value, how = got
                    why = f"{field} {value} written {how}"
            else:
                value = text.strip()
                why = f"{value} with stray spaces"
            if value is not None:
                out.append((row, value, f"{_show(text)} is {why}"))
        if not out:
            return None
        r, v, e = zip(*out)
        return candidates(r, field, v, e)
    func.__doc__ = f"{table}.{field}: a valid value written in another form"
    return func


def _show(text: str) -> str:
    return "'" + text.replace("\n", " ").replace("\r", " ") + "'"


for _t in TABLES:
    for _f, _spec in load_schema().tables[_t].fields.items():
        if _f in load_schema().tables[_t].csv_columns and _spec.type in FORM_TYPES:
            suggester("forms", _t, [_f])(_forms(_t, _f))
