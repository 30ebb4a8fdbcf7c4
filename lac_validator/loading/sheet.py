"""What the CSV and XLSX readers produce (a grid of text cells, RawSheet), how a header cell is
compared with a DfE column name, and the signs by which both readers tell a file of another
format given under their suffix."""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..tables import Source


@dataclass
class RawSheet:
    """A grid of text cells as read from one CSV file or one worksheet."""

    source: Source
    header: list[str]
    rows: pd.DataFrame  # text cells, columns numbered 0..n-1
    lines: np.ndarray   # the line/row number of each data row
    file_rows: np.ndarray | None = None  # each data row's 0-based position below the header, counting
                                         # blank rows (default: 0..n-1, no blank row was left out)
    state: str = "visible"  # a worksheet's visibility: visible, hidden or veryHidden


def norm_header(name) -> str:
    text = "" if name is None else str(name)
    return "".join(text.replace("\ufeff", "").split()).upper()


# How a file starts, checked by both readers: a workbook named .csv, text named .xlsx ...
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and every password-protected Office file
ZIP_MAGIC = b"PK\x03\x04"
# C0 control characters other than tab, LF and CR: text files hardly ever hold them, binary files always do.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
