"""What a rule's row may correct, and what a corrected value must be before it is written.

A rule's row corrects only the fields the rule is about, in the table of the flagged record:
- derived fields point at the input they are worked out from (placement LA and location from the
  placement postcode, distance from both postcodes);
- CHILD is never corrected: it links the child's rows in every table and in last year's return,
  so a changed ID in one copy would split or merge children. It is corrected at source, then the
  return is extracted again;
- a record's locating date (an episode's DECOM...) may be corrected when the rule is about it: the
  record is found by its key, with the old date, before the change;
- last year's return and XML files are not changed here.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..report import FIELD_ALIASES
from ..schema import FieldSpec, load_schema
from .model import BLANK_WORDS

DERIVED = {"PL_LA": ("PL_POST",), "PL_LOCATION": ("PL_POST",), "PL_DISTANCE": ("HOME_POST", "PL_POST")}
DERIVED_NAMES = {"PL_LA": "placement LA", "PL_LOCATION": "placement location (in or out of area)",
                 "PL_DISTANCE": "placement distance"}
NOT_HERE = {
    "CHILD": "Not corrected here: the child ID links every table and last year's return. Correct it in the "
             "case management system and extract the return again.",
    "previous": "Not corrected here: this record is in last year's return, which apply-fixes does not change.",
    "xml": "Not corrected here: fixes are written to CSV and XLSX files only (convert the XML return first).",
    "derived": "Not corrected here: {field} is worked out by the DfE from the other tables, not typed.",
}


@dataclass(frozen=True)
class Target:
    field: str            # the column a correction is written to (or the rule's field, when locked)
    note: str = ""        # e.g. "placement LA is worked out from this postcode"
    locked: str = ""      # why it cannot be corrected here ("" = it can)


def targets(rule_fields, table: str, year: str, source_kind: str) -> list[Target]:
    """The rows a flagged record gets on the fix sheet, one per field to correct."""
    spec = load_schema().tables[table]
    out: list[Target] = []
    for f in (FIELD_ALIASES.get(x, x) for x in rule_fields):
        if f in DERIVED:
            for src in DERIVED[f]:
                out.append(Target(src, f"The {DERIVED_NAMES[f]} is worked out from this postcode."))
        elif f == "CHILD" and f in spec.csv_columns:
            out.append(Target(f, locked=NOT_HERE["CHILD"]))
        elif f in spec.csv_columns:
            out.append(Target(f))
        elif f in spec.fields:  # in the table's schema but not a CSV column (e.g. Header's UASC)
            out.append(Target(f, locked=NOT_HERE["derived"].format(field=f)))
    seen, unique = set(), []
    for t in out:
        if t.field not in seen:
            seen.add(t.field)
            unique.append(t)
    if year == "previous":
        unique = [Target(t.field, t.note, t.locked or NOT_HERE["previous"]) for t in unique]
    elif source_kind == "xml":
        unique = [Target(t.field, t.note, t.locked or NOT_HERE["xml"]) for t in unique]
    return unique


def field_spec(table: str, field: str) -> FieldSpec | None:
    return load_schema().tables[table].fields.get(field)


def what_to_enter(fspec: FieldSpec | None, year_key: str) -> str:
    if fspec is None:
        return "The corrected value."
    if fspec.type == "code" and fspec.codes_for(year_key):
        return "A code from the drop-down list."
    return {"date": "A date written dd/mm/yyyy, e.g. 01/04/2025.",
            "postcode": "A full postcode, e.g. SK1 1AA.",
            "upn": "A 13-character UPN, or UN1-UN5 when it is not known.",
            "urn": "The Ofsted URN (XXXXXXX where no URN applies).",
            "integer": "A whole number.",
            "id": "The ID, e.g. SW12345 for a social worker."}.get(fspec.type, "The corrected value.")


# ---------------------------------------------------------------- checking a corrected value

_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})$")
_UPN = re.compile(r"^[A-HJ-NP-RT-Z](\d{12}|\d{11}[A-Z])$")
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Invalid(ValueError):
    """A corrected value that cannot be written; the message says what was expected."""


def code_entry(code: str, meaning: str) -> str:
    """How a code appears in the drop-down list (the reader accepts the whole entry)."""
    return f"{code} - {meaning}" if meaning else code


def cell_text(value) -> str:
    """A cell as text: Excel dates become dd/mm/yyyy, whole numbers lose their '.0'."""
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0, 0):
            raise Invalid("a date and time was entered: enter the date only, dd/mm/yyyy")
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        raise Invalid("TRUE/FALSE is not a value of this field")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def normalise(value, table: str, field: str, year_key: str) -> str:
    """The corrected value as it must be written ("" empties the cell), or Invalid saying why.

    Values are trimmed (a person never means surrounding spaces, and the DfE reads " C1" as invalid)
    and upper-cased where the loader reads them upper-cased anyway, so the copy holds the DfE form."""
    text = cell_text(value).strip()
    if text.upper() in BLANK_WORDS:
        return ""
    if _CONTROL.search(text):
        raise Invalid("it holds a line break or another control character")
    fspec = field_spec(table, field)
    if fspec is None:
        return text
    kind = fspec.type
    if kind == "date":
        return _date(text)
    upper = text.upper()
    if kind == "code":
        codes = fspec.codes_for(year_key)
        if not codes:
            return upper
        if upper in codes:
            return upper
        for c in fspec.codes:  # a whole drop-down entry, "C2 - Full care order"
            if c.valid_in(year_key) and text == code_entry(c.code, c.meaning):
                return c.code
        shown = ", ".join(sorted(codes)) if len(codes) <= 40 else f"{len(codes)} codes, see the drop-down list"
        raise Invalid(f"'{text}' is not a {_label(year_key)} code for {field} ({shown})")
    if kind == "postcode":
        m = _POSTCODE.match("".join(upper.split()))
        if not m:
            raise Invalid(f"'{text}' is not a postcode (e.g. SK1 1AA)")
        return f"{m.group(1)} {m.group(2)}"
    if kind == "upn":
        if upper in fspec.codes_for(year_key) or _UPN.match(upper):
            return upper
        raise Invalid(f"'{text}' is not a UPN (a letter and 12 characters, e.g. A123456789012) or UN1-UN5")
    if kind == "integer":
        if not re.fullmatch(r"\d{1,3}", text):
            raise Invalid(f"'{text}' is not a whole number")
        return str(int(text))
    if kind == "urn":
        if not re.fullmatch(r"[A-Z0-9]{1,8}", upper):
            raise Invalid(f"'{text}' is not an Ofsted URN (up to 8 letters and digits, e.g. SC123456)")
        return upper
    if kind == "id":
        if not re.fullmatch(r"[A-Z0-9_\-/]{1,20}", upper):
            raise Invalid(f"'{text}' is not an ID (letters and digits, e.g. SW12345)")
        return upper
    return text


def _date(text: str) -> str:
    m = _DATE.match(text)
    if not m:
        raise Invalid(f"'{text}' is not a date written dd/mm/yyyy")
    d, mth, y = (int(g) for g in m.groups())
    try:
        return dt.date(y, mth, d).strftime("%d/%m/%Y")
    except ValueError:
        raise Invalid(f"'{text}' is not a real date") from None


def _label(year_key: str) -> str:
    return f"{year_key[:4]}-{year_key[-2:]}"
