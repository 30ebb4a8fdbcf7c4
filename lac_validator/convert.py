"""Converting a return between CSV (one file per table), XLSX (one sheet per table) and DfE XML.

Values are written as read (case kept, nothing trimmed); blanks stay blank. CSV and XLSX carry
every table as it is. XML cannot: it has one HEADER per child, whose DOB (and SEX) stands for the
copies other tables carry, and child-level tables (Header, UASC, AD1, OC3) have one row per child.
`xml_losses` says what a conversion to XML would change, so it is never silent.
"""
from __future__ import annotations

import csv
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from .errors import InputError
from .outputs.safety import XML_ILLEGAL, xml_text
from .tables import Return

CSV_NAMES = {"Header": "header.csv", "Episodes": "episodes.csv", "Reviews": "reviews.csv", "UASC": "uasc.csv",
             "OC2": "oc2.csv", "OC3": "oc3.csv", "AD1": "ad1.csv", "PlacedAdoption": "placed_for_adoption.csv",
             "PrevPerm": "previous_permanence.csv", "Missing": "missing.csv", "SWEpisodes": "sw_episodes.csv",
             "DoLo": "dolo.csv"}

# Element order of the DfE XSD; SW_EPISODE and DOLO are lac-validator's names (the DfE has published none).
HEADER_ORDER = [("CHILDID", "Header", "CHILD"), ("UPN", "Header", "UPN"), ("SEX", "Header", "SEX"),
                ("DOB", "Header", "DOB"), ("ETHNIC", "Header", "ETHNIC"), ("UASC", "Header", "UASC"),
                ("DUC", "UASC", "DUC"), ("DATE_INT", "AD1", "DATE_INT"), ("DATE_MATCH", "AD1", "DATE_MATCH"),
                ("FOSTER_CARE", "AD1", "FOSTER_CARE"), ("NB_ADOPTR", "AD1", "NB_ADOPTR"),
                ("SEX_ADOPTR", "AD1", "SEX_ADOPTR"), ("LS_ADOPTR", "AD1", "LS_ADOPTR"),
                ("IN_TOUCH", "OC3", "IN_TOUCH"), ("ACTIV", "OC3", "ACTIV"), ("ACCOM", "OC3", "ACCOM")]
HEADER_BLOCKS_1 = [("AMISSING", "Missing"), ("AREVIEW", "Reviews")]
HEADER_TAIL = [("MOTHER", "Header", "MOTHER"), ("MC_DOB", "Header", "MC_DOB")]
HEADER_BLOCKS_2 = [("PERMANENCE", "PrevPerm"), ("OC2", "OC2"), ("AD_PLACED", "PlacedAdoption")]
EPISODE_ORDER = ["DECOM", "RNE", "LS", "CIN", "PLACE", "PL_POST", "HOME_POST", "URN", "PLACE_PROVIDER", "DEC", "REC",
                 "REASON_PLACE_CHANGE"]
CHILD_BLOCKS = [("SW_EPISODE", "SWEpisodes"), ("DOLO", "DoLo")]
XML_TAG = {"PLACE": "PL"}


def _text(v) -> str:
    return "" if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA else str(v)


def write_csv_folder(ret: Return, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in ret.tables.items():
        path = folder / CSV_NAMES[name]
        cols = [c for c in table.raw.columns if c != "UASC" or name != "Header"]
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\r\n")  # CRLF: a bare CR in a value gets quoted
            w.writerow(cols)
            for row in table.raw[cols].astype(object).itertuples(index=False, name=None):
                w.writerow([_text(v) for v in row])
        written.append(path)
    return written


def write_xlsx_workbook(ret: Return, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    for name, table in ret.tables.items():
        ws = wb.create_sheet(name)
        cols = [c for c in table.raw.columns if c != "UASC" or name != "Header"]
        ws.append(cols)
        for row in table.raw[cols].astype(object).itertuples(index=False, name=None):
            cells = []
            for v in row:
                c = WriteOnlyCell(ws, value=xml_text(_text(v)) or None)
                if c.value is not None:
                    c.data_type = "s"  # always text: a value like "=1+1" is data, never a formula
                cells.append(c)
            ws.append(cells)
    wb.save(path)


def _rows_by_child(ret: Return, name: str) -> dict[str, list[dict]]:
    if name not in ret.tables:
        return {}
    raw = ret.tables[name].raw
    out: dict[str, list[dict]] = {}
    for rec in raw.astype(object).to_dict("records"):
        out.setdefault(_text(rec.get("CHILD")), []).append(rec)
    return out


def write_xml(ret: Return, path: Path) -> None:
    rows = {name: _rows_by_child(ret, name) for name in CSV_NAMES}
    order: list[str] = []
    seen = set()
    for name in CSV_NAMES:
        if name in ret.tables:
            for child in ret.tables[name].raw["CHILD"].astype(object).map(_text):
                if child not in seen:
                    seen.add(child)
                    order.append(child)
    with open(path, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<EXPSSDA903>\n')
        for child in order:
            first = {name: (rows[name].get(child) or [None])[0] for name in ("Header", "UASC", "AD1", "OC3")}
            out.write("  <CHILD>\n    <HEADER>\n")
            for tag, table, col in HEADER_ORDER:
                rec = first.get(table)
                value = child if tag == "CHILDID" else (_text(rec.get(col)) if rec else "")
                if tag == "UASC" and not value and first.get("UASC") is not None:
                    value = "1"
                if value:
                    out.write(f"      <{tag}>{escape(xml_text(value))}</{tag}>\n")
            _blocks(out, rows, child, HEADER_BLOCKS_1, "      ")
            for tag, table, col in HEADER_TAIL:
                rec = first.get(table)
                value = _text(rec.get(col)) if rec else ""
                if value:
                    out.write(f"      <{tag}>{escape(xml_text(value))}</{tag}>\n")
            _blocks(out, rows, child, HEADER_BLOCKS_2, "      ")
            out.write("    </HEADER>\n")
            for rec in rows["Episodes"].get(child, []):
                out.write("    <EPISODE>")
                for col in EPISODE_ORDER:
                    value = _text(rec.get(col))
                    if value:
                        tag = XML_TAG.get(col, col)
                        out.write(f"<{tag}>{escape(xml_text(value))}</{tag}>")
                out.write("</EPISODE>\n")
            _blocks(out, rows, child, CHILD_BLOCKS, "    ")
            out.write("  </CHILD>\n")
        out.write("</EXPSSDA903>\n")


def _blocks(out, rows, child, blocks, indent):
    for tag, table in blocks:
        for rec in rows[table].get(child, []):
            out.write(f"{indent}<{tag}>")
            for col, v in rec.items():
                value = _text(v)
                if col in ("CHILD", "DOB") or not value:
                    continue
                out.write(f"<{col}>{escape(xml_text(value))}</{col}>")
            out.write(f"</{tag}>\n")


# Per table, the columns XML does not carry per row: they come from the child's HEADER.
_FROM_HEADER = {"UASC": ("SEX", "DOB"), "AD1": ("SEX", "DOB"), "OC3": ("SEX", "DOB")}
_CHILD_LEVEL = ("Header", "UASC", "AD1", "OC3")


def xml_losses(ret: Return) -> list[str]:
    """What writing `ret` as DfE XML would change or drop, one sentence per kind (counts only:
    these lines go to the terminal, so they name no child)."""
    out = []
    children = {name: ret.tables[name].raw["CHILD"].astype(object).map(_text) for name in ret.tables}
    header_ids = set(children.get("Header", []))
    orphans = {}
    for name, ids in children.items():
        if name != "Header":
            missing = set(ids) - header_ids
            if missing:
                orphans[name] = missing
    if orphans:
        allc = set().union(*orphans.values())
        out.append(f"XML: {len(allc)} child(ren) have rows ({', '.join(f'{n} {len(c)}' for n, c in orphans.items())}) "
                   "but no Header row: their XML HEADER holds only the child ID, so their date of birth (and sex) "
                   "from those tables is lost; add their Header rows before converting.")
    if "Header" in ret.tables:
        head = ret.tables["Header"].raw.astype(object)
        first = head.drop_duplicates("CHILD").set_index(head.drop_duplicates("CHILD")["CHILD"].map(_text))
        for name, table in ret.tables.items():
            if name == "Header":
                continue
            cols = [c for c in (_FROM_HEADER.get(name) or ("DOB",)) if c in table.raw.columns and c in first.columns]
            for col in cols:
                mine = table.raw[["CHILD", col]].astype(object)
                ids = mine["CHILD"].map(_text)
                theirs = ids.map(first[col].map(_text).to_dict())
                values = mine[col].map(_text)
                differ = ids[theirs.notna() & values.ne("") & values.ne(theirs)].nunique()
                if differ:
                    out.append(f"XML: {name}.{col} differs from the Header's for {differ} child(ren): XML holds one "
                               f"{col} per child (the Header's), so {name}'s value is replaced by it.")
    for name in _CHILD_LEVEL:
        if name in children:
            extra = int(children[name].duplicated().sum())
            if extra:
                out.append(f"XML: {name} has {extra} extra row(s) for children already in it: XML holds one per "
                           "child, so only each child's first row is written.")
    return out


def _note_unwritable(ret: Return, to: str) -> None:
    """XLSX and XML cannot hold control characters (other than tab and line breaks): they are
    written as visible escapes (\\x0b), and the user is told where, as the copy then differs."""
    for name, table in ret.tables.items():
        raw = table.raw.select_dtypes(include=["object", "string"])
        if raw.empty:
            continue
        found = np.zeros(len(raw), dtype=bool)
        for col in raw.columns:
            found |= raw[col].astype(str).str.contains(XML_ILLEGAL, regex=True).to_numpy()
        hit = found.nonzero()[0]
        if len(hit):
            ret.warnings.append(f"{table.source.describe()}: {len(hit)} row(s) hold control characters that "
                                f"{to.upper()} cannot carry (first at line {int(table.lines[hit[0]])}); they were written "
                                "as visible escapes such as \\x0b: correct those values in the source.")


def convert(ret: Return, to: str, output: Path) -> list[Path]:
    if to == "csv":
        if output.exists() and not output.is_dir():
            raise InputError(f"--output {output} is a file: CSV conversion writes a folder of files.")
        return write_csv_folder(ret, output)
    if to in ("xlsx", "xml"):
        _note_unwritable(ret, to)
    if to == "xlsx":
        write_xlsx_workbook(ret, output)
    elif to == "xml":
        ret.warnings.extend(xml_losses(ret))
        write_xml(ret, output)
    else:  # pragma: no cover - click restricts the choice
        raise InputError(f"unknown target format {to}")
    return [output]
