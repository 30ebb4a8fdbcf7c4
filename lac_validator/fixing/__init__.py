"""Correcting a return through a fix sheet, always on a copy, always logged.

- `model`: one row of a fix sheet (`SheetRow`), one applied or refused correction (`Outcome`), one
  cell change written to a copy (`Change`), and what the sheet records about its run (`SheetInfo`).
- `targets`: which fields a rule's row may correct (never an identifying field), and the checks a
  corrected value must pass (normalised as the loader reads it, the field's format, the year's codes).
- `sheet_writer` / `sheet_reader`: the workbook a person fills in, read back by header names.
- `apply`: find each filled row's record by its key, check it, write the copy, re-validate.
- `copying`: writing changed cells into copies of CSV/XLSX files, the change log, the output folder.
- `mechanical`: the corrections a person would make without thinking (`lac-validator fix`).
"""
