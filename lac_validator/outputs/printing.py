"""How report sheets print: landscape A4, one page wide, the table's header row on every page."""
from __future__ import annotations

from openpyxl.worksheet.properties import PageSetupProperties


# Column width units that still print readably on one landscape A4 page once scaled to fit.
FITS_ONE_PAGE = 200


def print_as_table(ws, header_row: int, width: float = 0) -> None:
    """Set before the first row of a write-only sheet is appended (its properties are written then).
    A table wider than FITS_ONE_PAGE (`width`, in column width units) is not shrunk to one page
    wide, where its text would be too small to read: its columns run on to further pages."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    if width <= FITS_ONE_PAGE:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages as needed
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.oddFooter.center.text = "Page &P of &N"
