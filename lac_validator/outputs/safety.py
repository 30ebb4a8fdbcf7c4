"""Carrying any string the input can hold into each output medium (one function per medium).

A return's values and file names may hold anything: control characters (`\\x0b` from a copied
cell), terminal escape sequences, text that looks like rich markup (`[/]`), formulas, bytes that
are not UTF-8 (a file name, decoded by Python as lone surrogates). Every writer passes the strings
it writes through the function for its medium, so no value can crash a writer or act on a reader:

- spreadsheets (XLSX, and CSV reports meant to be opened in one): `safe_cell`
- XML (JUnit, DfE XML from `convert`): `xml_text` (a value) or `xml_document` (a whole text)
- JSON: `json_document` (the encoder escapes control characters itself)
- HTML: `xml_document` over the page (html.escape handles markup; embedded JSON via `json_document`)
- the terminal: `terminal_text`, and `safe_console` for rich output

Characters a medium cannot carry are written as visible escapes (`\\x0b`, `\\u202e`), never
dropped silently: a person sees that something odd is in the cell and where.
"""
from __future__ import annotations

import re

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# Lone surrogates: Python's stand-in for bytes of a file name that are not valid UTF-8 (\udc80-\udcff)
# or garbage from a broken decoder. No UTF-8 writer can encode them.
_SURROGATE = re.compile("[\ud800-\udfff]")
# XML 1.0 forbids C0 controls other than tab, LF and CR, and U+FFFE/U+FFFF; openpyxl refuses the
# same (IllegalCharacterError), as XLSX is XML.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What a terminal may act on: all C0 and C1 controls (ESC starts a sequence that can move the
# cursor, retitle the window or rewrite what was shown), DEL, line/paragraph separators and the
# bidirectional overrides that reorder what is displayed.
_TERMINAL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_TERMINAL_KEEP_NEWLINES = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _visible(match: re.Match) -> str:
    ch = match.group()
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of a file name: show the byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def unicode_text(text: str) -> str:
    """Text any UTF-8 writer can encode: lone surrogates become visible escapes (\\xff for a byte
    of a file name that was not UTF-8)."""
    return _SURROGATE.sub(_visible, text) if _SURROGATE.search(text) else text


def json_document(text: str) -> str:
    """JSON text (written with ensure_ascii=False) any UTF-8 writer can encode: a lone surrogate
    can only sit inside a JSON string, where it becomes the visible text \\xff (an escaped
    backslash, so the JSON stays valid and reads back as the characters \xff)."""
    return _SURROGATE.sub(lambda m: "\\" + _visible(m), text) if _SURROGATE.search(text) else text


def xml_text(text: str) -> str:
    """A value XML 1.0 (and so XLSX) can carry: forbidden characters become visible escapes.
    Markup characters (<, &) are left to the XML writer."""
    return XML_ILLEGAL.sub(_visible, text) if XML_ILLEGAL.search(text) else text


def xml_document(text: str) -> str:
    """A whole serialised XML text made well-formed: characters XML cannot hold are never part of
    the markup, so escaping them in the document is the same as escaping them in every value."""
    return xml_text(text)


def safe_cell(value):
    """A spreadsheet cell (XLSX, or CSV meant for Excel): characters XLSX cannot hold become
    visible escapes, and text a spreadsheet would run as a formula gets an apostrophe in front
    (OWASP advice). Non-text values pass unchanged."""
    if not isinstance(value, str):
        return value
    value = xml_text(value)
    if value.startswith(_TRIGGERS):
        return "'" + value
    return value


def terminal_text(text, keep_newlines: bool = False) -> str:
    """Text safe to print on a terminal: every control character (escape sequences included),
    line separator and bidirectional override becomes a visible escape, so a value or file name can
    neither act on the terminal nor split one message into several lines."""
    text = str(text)
    pattern = _TERMINAL_KEEP_NEWLINES if keep_newlines else _TERMINAL
    return pattern.sub(_visible, text) if pattern.search(text) else text


def safe_console(**kwargs):
    """A rich Console that shows every string literally: markup is off (a CHILD of `[/]` is text,
    not a closing tag) and each string is passed through terminal_text before rich renders it
    (table cells and titles included). Newlines are kept: rich lays them out inside a cell."""
    from rich.console import Console

    class _SafeConsole(Console):
        def render_str(self, text, *args, **kw):
            return super().render_str(terminal_text(text, keep_newlines=True), *args, **kw)

    kwargs.setdefault("markup", False)
    kwargs.setdefault("emoji", False)
    return _SafeConsole(**kwargs)
