"""Fixing many records at once, always on a copy of the return, always logged.

The work is done in the `lac_validator.fixing` package (one module per concern); this module keeps
the names other code imports.
"""
from __future__ import annotations

from .fixing.apply import ApplyResult, apply_fix_sheet, render_summary
from .fixing.copying import CHANGE_LOG, LOG_COLUMNS, check_output, write_copy
from .fixing.mechanical import _POSTCODE, _fix_date, mechanical_fixes  # noqa: F401 - the suggestions read dates and postcodes as `fix` does
from .fixing.model import Change, Outcome, SheetInfo, SheetRow
from .fixing.sheet_reader import read_fix_sheet
from .fixing.sheet_writer import COLUMNS, apply_command, sheet_info, write_fix_sheet

__all__ = ["ApplyResult", "CHANGE_LOG", "COLUMNS", "Change", "LOG_COLUMNS", "Outcome", "SheetInfo", "SheetRow",
           "apply_command", "apply_fix_sheet", "check_output", "mechanical_fixes", "read_fix_sheet",
           "render_summary", "sheet_info", "write_copy", "write_fix_sheet"]
