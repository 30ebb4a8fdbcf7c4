"""Which files make up a return: folders become the table files directly inside them."""
from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import InputError
from ..io_safety import stat_or_none

CSV_SUFFIXES = {".csv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
XML_SUFFIXES = {".xml"}


def expand_paths(paths: list[str | Path], label: str) -> tuple[list[Path], list[str]]:
    """Folders become the CSV/XLSX/XML files directly inside them. Only regular files are read: a
    pipe or device would block or never end, so one given by name is refused and one in a folder
    is skipped with a warning, as are folders and broken links named like a table file."""
    from ..io_safety import kind_of

    files: list[Path] = []
    warnings: list[str] = []
    table_suffixes = CSV_SUFFIXES | XLSX_SUFFIXES | XML_SUFFIXES
    for p in paths:
        path = Path(p)
        st = stat_or_none(path)
        if st is None:
            if os.path.lexists(path):
                raise InputError(f"The {label} return path '{path}' is a broken link: point at the folder or file itself.")
            raise InputError(f"The {label} return path '{path}' does not exist: give a folder or file that holds the 903 tables.")
        if stat.S_ISDIR(st.st_mode):
            try:
                entries = sorted(path.iterdir())
            except OSError as exc:
                raise InputError(f"The folder '{path}' cannot be listed ({exc.strerror or exc}): check its permissions, "
                                 "or copy the return to a folder you can read.") from None
            usable, ignored = [], []
            for f in entries:
                # hidden files, Excel lock files and lac-validator's own logs are not part of a return
                if f.name.startswith((".", "~$", "lac-validator-")):
                    continue
                fst = stat_or_none(f)
                if f.suffix.lower() not in table_suffixes:
                    if fst is not None and stat.S_ISREG(fst.st_mode):
                        ignored.append(f)
                    continue
                if fst is None:
                    warnings.append(f"{f}: skipped (a broken link: its target does not exist).")
                elif not stat.S_ISREG(fst.st_mode):
                    warnings.append(f"{f}: skipped ({kind_of(fst)}, not a file, although named like one).")
                else:
                    usable.append(f)
            warnings.extend(_ignored_summary(ignored))
            if not usable:
                raise InputError(f"The folder '{path}' holds no .csv, .xlsx or .xml files: point at the folder with this {label} return's tables.")
            files.extend(usable)
        else:
            if path.suffix.lower() not in table_suffixes:
                raise InputError(f"{path}: unsupported file type '{path.suffix or '(none)'}': give CSV (.csv), Excel (.xlsx) or DfE XML (.xml) files.")
            if not stat.S_ISREG(st.st_mode):
                raise InputError(f"{path}: is {kind_of(st)}, not a file: give the path of a saved CSV, XLSX or XML file.")
            files.append(path)
    return files, warnings


_IGNORED_LISTED = 5  # more ignored files than this are summarised in one warning


def _ignored_summary(ignored: list[Path]) -> list[str]:
    if len(ignored) <= _IGNORED_LISTED:
        return [f"{f}: ignored (not a .csv, .xlsx or .xml file)." for f in ignored]
    names = ", ".join(f.name for f in ignored[:3])
    return [f"{ignored[0].parent}: {len(ignored)} files ignored (not .csv, .xlsx or .xml), e.g. {names}."]
