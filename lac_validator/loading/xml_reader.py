"""Reading a DfE 903 XML return (root EXPSSDA903, one CHILD element per child).

Streams the document with a SAX parser from defusedxml that refuses DTDs, so entity expansion
("billion laughs") and external entities are rejected before any is expanded. Element names equal
CSV column names except CHILDID -> CHILD and PL -> PLACE. Rows remember the XML line of their
element so reports point at it.
"""
from __future__ import annotations

import xml.sax
from pathlib import Path

import numpy as np
import pandas as pd
from defusedxml import DefusedXmlException
from defusedxml.sax import make_parser

from ..errors import InputError
from ..schema import load_schema
from ..tables import Source, Table, make_table, set_header_uasc
from ..years import CollectionYear

RENAMES = {"CHILDID": "CHILD", "PL": "PLACE"}
# No 903 value is longer than a few dozen characters; an element's text or attributes beyond this
# are refused as they stream in, before a huge value reaches memory-hungry steps.
MAX_TEXT = 1_000_000
# Sub-elements of HEADER (or CHILD) that hold rows of child-level tables.
ROW_ELEMENTS = {"AREVIEW": "Reviews", "AMISSING": "Missing", "PERMANENCE": "PrevPerm", "OC2": "OC2",
                "AD_PLACED": "PlacedAdoption", "EPISODE": "Episodes"}
# Tables with no element of their own: a row exists when one of the HEADER leaves named here has
# text. A UASC row needs UASC = 1 or a DUC: a child whose UASC element says 0 is not in the UASC
# table (the older reader made a row for '0' too; see rules/divergences.md).
HEADER_TABLES = {"UASC": ("DUC",), "OC3": ("IN_TOUCH", "ACTIV", "ACCOM"),
                 "AD1": ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")}


class _Handler(xml.sax.ContentHandler):
    def __init__(self):
        super().__init__()
        self.rows: dict[str, list[dict]] = {}
        self.lines: dict[str, list[int]] = {}
        self.stack: list[str] = []
        self.text: list[str] = []
        self.child: dict | None = None
        self.block: dict | None = None  # the open row element's values
        self.block_name: str | None = None
        self.block_line = 0
        self.pending: list[tuple[str, dict, int]] = []
        self.child_line = 0
        self.header_line = 0
        self.root_ok = False
        self.namespaced = ""
        self.text_size = 0

    def setDocumentLocator(self, locator):
        self.locator = locator

    def _line(self) -> int:
        return self.locator.getLineNumber() if getattr(self, "locator", None) else 0

    def startElement(self, name, attrs):
        tag = name.rsplit(":", 1)[-1].upper()  # a namespace prefix (d:EPISODE) is not part of the name
        depth = len(self.stack)
        self.stack.append(tag)
        self.text, self.text_size = [], 0
        if sum(len(v) for v in attrs.values()) > MAX_TEXT:
            raise InputError(f"line {self._line()}: the <{name}> element's attributes hold more than {MAX_TEXT:,} characters "
                             "(the limit for one element; 903 XML uses no attributes): this is not a DfE 903 XML return.")
        if depth == 0:
            spaces = [k for k in attrs.keys() if k == "xmlns" or k.startswith("xmlns:")] + (["prefix"] if ":" in name else [])
            if tag != "EXPSSDA903":
                raise InputError(f"the root element is <{name}>, not <EXPSSDA903>"
                                 f"{' (it carries an XML namespace)' if spaces else ''}: this is not a DfE 903 XML return.")
            if spaces:
                self.namespaced = name
            self.root_ok = True
        elif tag == "CHILD" and self.child is None:
            self.child, self.child_line, self.pending = {}, self._line(), []
        elif self.child is not None and tag == "HEADER" and self.block is None:
            self.header_line = self._line()
        elif self.child is not None and self.block is None and depth >= 2 and tag not in ("HEADER",):
            if tag in ROW_ELEMENTS or tag not in _LEAVES:
                self.block, self.block_name, self.block_line = {}, tag, self._line()

    def characters(self, content):
        self.text_size += len(content)
        if self.text_size > MAX_TEXT:
            raise InputError(f"line {self._line()}: the <{self.stack[-1] if self.stack else '?'}> element holds more than "
                             f"{MAX_TEXT:,} characters of text (the limit for one value; no 903 value is that long): "
                             "the file is damaged or not a 903 return.")
        self.text.append(content)

    def endElement(self, name):
        tag = self.stack.pop()
        text = "".join(self.text)
        self.text = []
        if self.child is None:
            return
        key = RENAMES.get(tag, tag)
        if self.block is not None:
            if tag == self.block_name and self.stack and self.stack[-1] in ("CHILD", "HEADER"):
                self.pending.append((self.block_name, self.block, self.block_line))
                self.block = None
            else:
                self.block[key] = text
            return
        if tag == "CHILD":
            self._finish_child()
        elif tag != "HEADER" and self.stack and self.stack[-1] in ("HEADER", "CHILD"):
            self.child[key] = text

    def _add(self, table: str, row: dict, line: int):
        self.rows.setdefault(table, []).append(row)
        self.lines.setdefault(table, []).append(line)

    def _finish_child(self):
        h = self.child
        line = self.header_line or self.child_line
        self._add("Header", dict(h), line)
        for table, leaves in HEADER_TABLES.items():
            uasc_yes = table == "UASC" and h.get("UASC", "").strip() in ("1", "01", "1.0")
            if uasc_yes or any(h.get(leaf, "") != "" for leaf in leaves):
                self._add(table, dict(h), line)
        for name, values, bline in self.pending:
            table = ROW_ELEMENTS.get(name) or _table_by_leaves(values)
            if table is None:
                continue
            row = dict(values)
            row.setdefault("CHILD", h.get("CHILD", ""))
            row.setdefault("DOB", h.get("DOB", ""))
            if table == "Episodes":
                row["CHILD"] = h.get("CHILD", "")
            self._add(table, row, bline)
        self.child, self.pending, self.header_line = None, [], 0


def _leaf_names() -> set[str]:
    names = set()
    for spec in load_schema().tables.values():
        names.update(spec.csv_columns)
    names.update(RENAMES)
    names.add("UASC")
    return names


_LEAVES = _leaf_names()


def _table_by_leaves(values: dict) -> str | None:
    """Elements whose names the DfE has not published (social worker episodes, DoLOs) are
    recognised by their leaves, like CSV headers."""
    if "SW_ID" in values or "SW_DECOM" in values:
        return "SWEpisodes"
    if "DOLO_START" in values:
        return "DoLo"
    return None


def read_xml(path: Path, year: CollectionYear, upper: bool = True) -> tuple[dict[str, Table], list[str]]:
    handler = _Handler()
    parser = make_parser()
    parser.setFeature(xml.sax.handler.feature_external_ges, False)
    parser.setFeature(xml.sax.handler.feature_external_pes, False)
    parser.forbid_dtd = True
    parser.forbid_entities = True
    parser.forbid_external = True
    parser.setContentHandler(handler)
    try:
        with open(path, "rb") as fh:
            parser.parse(fh)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None
    except DefusedXmlException as exc:
        raise InputError(f"{path}: refused: the XML declares a DTD or entities ({type(exc).__name__}), which 903 returns never need and which can be used to attack the reader. Export the return again without a DOCTYPE.") from None
    except xml.sax.SAXParseException as exc:
        raise InputError(f"{path}: line {exc.getLineNumber()}: not well-formed XML ({exc.getMessage()}): export the return again.") from None
    except (OSError, UnicodeError, ValueError) as exc:
        raise InputError(f"{path}: cannot be read as XML ({exc}).") from None
    if not handler.root_ok:
        raise InputError(f"{path}: no <EXPSSDA903> root element: this is not a DfE 903 XML return.")
    tables: dict[str, Table] = {}
    warnings: list[str] = []
    if handler.namespaced:
        warnings.append(f"{path}: the root element <{handler.namespaced}> carries an XML namespace, which the DfE 903 "
                        "format does not use: the elements were read by their names without it.")
    for spec in load_schema().tables_for(year):
        rows = handler.rows.get(spec.name, [])
        frame = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame(columns=spec.csv_columns, dtype=object)
        cols = [c for c in spec.csv_columns]
        frame = frame.reindex(columns=cols + (["UASC"] if spec.name == "Header" else []), fill_value="")
        frame = frame.fillna("")
        table = make_table(spec, frame[cols], Source(str(path), "xml"),
                           np.asarray(handler.lines.get(spec.name, []), dtype=int), upper=upper)
        if spec.name == "Header":
            uasc = frame["UASC"].astype("str")
            set_header_uasc(table, (uasc.str.upper() if upper else uasc).to_numpy())
        tables[spec.name] = table
    return tables, warnings
