"""Loading one year's return: its files found, each read by its format's reader, each sheet
recognised as a 903 table and typed, the tables assembled into a Return. Input files are only
ever opened for reading."""
from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..schema import load_schema
from ..tables import Return, Table
from ..years import CollectionYear
from .assemble import assemble_return, date_format_warnings, table_from_sheet
from .csv_reader import read_csv
from .files import CSV_SUFFIXES, XLSX_SUFFIXES, XML_SUFFIXES, expand_paths
from .recognise import described_missing, header_summary, recognise, refuse_second_table
from .xlsx_reader import read_xlsx


def load_return(paths: list[str | Path], year: CollectionYear, label: str, upper: bool = True) -> Return:
    """Load one year's return (label 'current' or 'previous') for `year`'s layout.

    `upper=False` keeps values' case as given (for format conversion, not validation)."""
    schema = load_schema()
    specs = list(schema.tables.values())
    files, warnings = expand_paths(paths, label)
    read: list[tuple[str, Table, str]] = []
    kinds = set()
    for path in files:
        suffix = path.suffix.lower()
        if suffix in XML_SUFFIXES:
            from .xml_reader import read_xml  # noqa: PLC0415 - imported only for XML input
            xml_tables, xml_warnings = read_xml(path, year, upper)
            kinds.add("xml")
            warnings.extend(xml_warnings)
            for name, table in xml_tables.items():
                warnings.extend(date_format_warnings(table, table.source.describe()))
                read.append((name, table, table.source.describe()))
            continue
        try:
            sheets = read_csv(path) if suffix in CSV_SUFFIXES else read_xlsx(path, warnings)
        except InputError:
            raise
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
        sheets = sheets if isinstance(sheets, list) else [sheets]
        kinds.add("xlsx" if suffix in XLSX_SUFFIXES else "csv")
        if not sheets:
            raise InputError(f"{path}: the workbook has no sheet with a header row: each sheet should hold one 903 table with its column names in row 1.")
        matched_any = False
        for sheet in sheets:
            spec, extra, missing = recognise(sheet, specs)
            what = sheet.source.describe()
            if sheet.state == "veryHidden":
                what += " (a very hidden sheet, which Excel does not list even under Unhide)"
            if spec is None:
                if len(sheets) > 1:
                    warnings.append(f"{what}: ignored (its headers match no 903 table).")
                    continue
                raise InputError(f"{what}: {header_summary(sheet.header, specs)}: the first row must hold the DfE "
                                 "column names of one 903 table, e.g. CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB for Header; "
                                 "add or correct that row.",
                                 detail="first row: " + " | ".join(sheet.header[:20]))
            if missing:
                raise InputError(
                    f"{what}: looks like the {spec.name} table but lacks column(s) {described_missing(missing, extra)}: "
                    f"add them (they may be empty); {spec.name} needs {','.join(spec.csv_columns)}."
                )
            refuse_second_table(sheet, specs, what)
            matched_any = True
            if extra:
                warnings.append(f"{what}: column(s) {', '.join(extra)} are not part of {spec.name} and were ignored.")
            table = table_from_sheet(sheet, spec, extra, upper, warnings)
            warnings.extend(date_format_warnings(table, what))
            read.append((spec.name, table, what))
        if not matched_any and sheets:
            raise InputError(f"{path}: no sheet's header row matches a 903 table: row 1 of each sheet must hold the DfE column names.")
    return assemble_return(label, read, year, kinds, warnings, [str(f) for f in files])
