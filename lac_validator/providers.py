"""Ofsted provider lists (XLSX) -> one provider table keyed by URN.

Ofsted publishes the registered children's social care providers in several workbook layouts, and
renames sheets and column headings from one release to the next. The reader therefore recognises
sheets and columns by what they contain, not by exact names:

* a sheet is a provider sheet when one of its first rows (the heading row; title rows above it are
  skipped) has a URN column;
* headings are compared case-, space- and punctuation-insensitively against the names Ofsted has
  used: "Provider Code" (children's homes) / "Placement code" (social care providers) -> PLACE_CODES,
  "Provider Placement Code" / "Placement provider code" -> PROVIDER_CODES, "Closed Date" /
  "Deregistration date" -> REG_END, "Setting Postcode" / "Setting Address Postcode" -> POSTCODE,
  "Local Authority" / "Provider local authority" -> LA_NAME_FROM_FILE;
* a sheet with a URN and a postcode but no codes (the children's homes "Address Details" sheet)
  supplies the postcode of the other sheets' URNs;
* a supported-accommodation sheet ("SA providers") gets placement code K3, and provider code PR4
  when it has no provider-code column.

Layouts handled: children's homes ("Provider information", or "Settings and Inspection Info" +
"Address Details"), social care providers (current providers + closed providers sheets), and the
combined list (one sheet, or "Providers" + "SA providers"). Several workbooks can be given; their
rows are put together. A workbook that cannot be read raises InputError naming the file and what
was expected.

Result columns (fields.yaml reference_data.ofsted_providers.provider_table_columns): URN,
LA_NAME_FROM_FILE, PLACE_CODES, PROVIDER_CODES, REG_END, POSTCODE, LA_CODE_INFERRED,
LA_NAME_INFERRED, plus SOURCE (file and sheet).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError

COLUMNS = ["URN", "LA_NAME_FROM_FILE", "PLACE_CODES", "PROVIDER_CODES", "REG_END", "POSTCODE",
           "LA_CODE_INFERRED", "LA_NAME_INFERRED", "SOURCE"]

# Heading names Ofsted has used, per field (compared after _key()).
SYNONYMS: dict[str, list[str]] = {
    "URN": ["urn", "unique reference number", "setting urn", "provider urn", "urn number"],
    "LA_NAME_FROM_FILE": ["local authority", "provider local authority", "setting local authority",
                          "local authority name", "la", "la name"],
    "PLACE_CODES": ["provider code", "placement code", "placement codes", "placement type code",
                    "placement type codes", "place codes", "placement type"],
    "PROVIDER_CODES": ["provider placement code", "placement provider code", "provider placement codes",
                       "placement provider codes", "provider codes"],
    "REG_END": ["closed date", "deregistration date", "date closed", "closure date", "date of closure",
                "registration end date", "date deregistered", "de registration date", "deregistered date",
                "date of deregistration"],
    "POSTCODE": ["setting postcode", "setting address postcode", "postcode", "setting post code",
                 "post code", "address postcode"],
    "PROVIDER_TYPE": ["provider type", "setting type", "provision type"],
}

EXPECTED_SHEETS = ("'Provider information', 'Settings and Inspection Info' + 'Address Details', "
                   "current + closed providers, or 'Providers' + 'SA providers'")
EXPECTED_COLUMNS = ("URN, Local authority, Placement code (or Provider Code), Placement provider code "
                    "(or Provider Placement Code), Deregistration date (or Closed Date) and Setting postcode")
HEADER_SCAN_ROWS = 30


def _key(text) -> str:
    text = re.sub(r"\(s\)", "s", str(text).lower())  # "Placement code(s)" -> "placement codes"
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


_LOOKUP = {_key(name): fld for fld, names in SYNONYMS.items() for name in names}


def _match_heading(heading) -> str | None:
    """The field a heading names: an exact (normalised) known name, else a looser form."""
    k = _key(heading)
    if not k:
        return None
    if k in _LOOKUP:
        return _LOOKUP[k]
    return _loose_match(k)


def _loose_match(k: str) -> str | None:
    # Looser forms Ofsted has also used, e.g. "Setting address - postcode", "Date provider closed".
    if k.endswith(" urn") or k.startswith("urn "):
        return "URN"
    if "postcode" in k.replace("post code", "postcode"):
        return "POSTCODE"
    if ("dereg" in k or "closed" in k or "closure" in k) and "date" in k:
        return "REG_END"
    return None


@dataclass
class _Sheet:
    name: str
    columns: dict  # field -> column position
    rows: list = field(default_factory=list)

    def has(self, fld: str) -> bool:
        return fld in self.columns


def _read_sheets(path: Path) -> list[_Sheet]:
    import openpyxl  # noqa: PLC0415
    from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415

    if not path.exists():
        raise InputError(f"Ofsted provider list {path} does not exist.")
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError, Exception) as exc:  # zip/xml errors vary
        raise InputError(
            f"Ofsted provider list {path} could not be read as an Excel workbook (.xlsx) ({type(exc).__name__}); "
            f"expected Ofsted's published children's homes or social care providers list.") from None
    sheets = []
    try:
        for ws in wb.worksheets:
            rows = ws.iter_rows(values_only=True)
            header, columns = None, {}
            for i, row in enumerate(rows):
                if i >= HEADER_SCAN_ROWS:
                    break
                exact, loose = {}, {}
                for pos, cell in enumerate(row or ()):
                    k = _key(cell) if cell is not None else ""
                    if not k:
                        continue
                    if k in _LOOKUP:
                        exact.setdefault(_LOOKUP[k], pos)
                    elif (fld := _loose_match(k)):
                        loose.setdefault(fld, pos)
                found = {**loose, **exact}
                if "URN" in found:
                    header, columns = row, found
                    break
            if header is None:
                continue
            sheet = _Sheet(ws.title, columns)
            for row in rows:
                if row is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                    continue
                sheet.rows.append(row)
            sheets.append(sheet)
    finally:
        wb.close()
    return sheets


def _text(value) -> object:
    if value is None:
        return np.nan
    if isinstance(value, float):
        if np.isnan(value):
            return np.nan
        if value.is_integer():
            return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%d/%m/%Y")
    text = str(value).strip()
    return text if text else np.nan


def _date(value):
    if value is None:
        return pd.NaT
    if isinstance(value, (dt.datetime, dt.date)):
        return pd.Timestamp(value)
    if isinstance(value, (int, float)) and not (isinstance(value, float) and np.isnan(value)):
        # An Excel serial number stored as a number.
        return pd.Timestamp("1899-12-30") + pd.Timedelta(days=float(value))
    text = str(value).strip()
    if not text:
        return pd.NaT
    return pd.to_datetime(text, dayfirst=True, errors="coerce")


def _codes(values: pd.Series) -> pd.Series:
    """'K2/R1', 'PR1, PR2' -> 'K2,R1', 'PR1,PR2' (upper-case, spaces removed, / and ; as commas)."""
    s = values.astype("object")
    present = s.notna()
    out = pd.Series(np.nan, index=s.index, dtype="object")
    if present.any():
        t = s[present].astype(str).str.upper().str.replace(r"[/;|]", ",", regex=True)
        t = t.str.replace(r"\s+", "", regex=True).str.replace(r",+", ",", regex=True).str.strip(",")
        out[present] = t.where(t.ne(""), np.nan)
    return out


def _is_sa_sheet(name: str) -> bool:
    k = _key(name)
    return k.startswith("sa ") or k == "sa" or "supported accommodation" in k


def _sheet_frame(sheet: _Sheet, source: str) -> pd.DataFrame:
    def col(fld, conv):
        pos = sheet.columns.get(fld)
        if pos is None:
            return pd.Series([np.nan] * len(sheet.rows), dtype="object")
        return pd.Series([conv(r[pos]) if pos < len(r) else conv(None) for r in sheet.rows], dtype="object")

    df = pd.DataFrame({
        "URN": col("URN", _text),
        "LA_NAME_FROM_FILE": col("LA_NAME_FROM_FILE", _text),
        "PLACE_CODES": _codes(col("PLACE_CODES", _text)),
        "PROVIDER_CODES": _codes(col("PROVIDER_CODES", _text)),
        "REG_END": pd.to_datetime(col("REG_END", _date)),
        "POSTCODE": col("POSTCODE", _text),
        "_TYPE": col("PROVIDER_TYPE", _text),
    })
    sa_sheet = _is_sa_sheet(sheet.name)
    sa_rows = df["_TYPE"].astype(str).str.lower().str.contains("supported accommodation") | sa_sheet
    df.loc[sa_rows & df["PLACE_CODES"].isna(), "PLACE_CODES"] = "K3"
    if sa_sheet and not sheet.has("PROVIDER_CODES"):
        df["PROVIDER_CODES"] = "PR4"
    df["URN"] = df["URN"].astype("object").where(df["URN"].isna(), df["URN"].astype(str).str.upper())
    df["SOURCE"] = f"{source} [{sheet.name}]"
    return df[df["URN"].notna()].drop(columns="_TYPE")


# Bump when the rows read from a workbook change for the same file (cached results are then unused).
_PARSER_VERSION = "1"
_CACHED = ["URN", "LA_NAME_FROM_FILE", "PLACE_CODES", "PROVIDER_CODES", "POSTCODE", "SOURCE"]


def read_provider_workbook(path: str | Path) -> pd.DataFrame:
    """One Ofsted workbook -> provider rows (without the inferred LA columns).

    Reading a workbook with openpyxl costs most of a second for a national list, the same list is
    given on every run, and it is public data: the rows read are cached (lac_validator.cache,
    keyed by the file's path, size and modification time)."""
    from . import cache  # noqa: PLC0415

    path = Path(path)
    key = cache.source_key("providers", _PARSER_VERSION, files=(path,)) if path.is_file() else None
    arrays = cache.load("providers", key) if key else None
    if arrays is not None and set(arrays) == {*_CACHED, *(f"{c}_missing" for c in _CACHED), "REG_END"}:
        out = {c: pd.Series(np.where(arrays[f"{c}_missing"], np.nan, arrays[c].astype(object)), dtype=object)
               for c in _CACHED}
        out["SOURCE"] = out["SOURCE"].astype("str")  # as the reader makes it
        out["REG_END"] = pd.Series(arrays["REG_END"])
        return pd.DataFrame(out)[["URN", "LA_NAME_FROM_FILE", "PLACE_CODES", "PROVIDER_CODES", "REG_END",
                                  "POSTCODE", "SOURCE"]]
    frame = _read_provider_workbook(path)
    if key:
        arrays = {}
        for c in _CACHED:
            missing = frame[c].isna().to_numpy()
            arrays[c] = np.array(frame[c].where(~missing, "").astype(str).tolist(), dtype=str)
            arrays[f"{c}_missing"] = missing
        arrays["REG_END"] = frame["REG_END"].to_numpy()
        cache.store("providers", key, arrays)
    return frame


def _read_provider_workbook(path: Path) -> pd.DataFrame:
    sheets = _read_sheets(path)
    if not sheets:
        raise InputError(
            f"Ofsted provider list {path.name} has no sheet with a URN column: expected Ofsted's children's homes "
            f"or social care providers list (sheets such as {EXPECTED_SHEETS}) with columns {EXPECTED_COLUMNS}.")
    main = [s for s in sheets if s.has("PLACE_CODES") or s.has("PROVIDER_CODES") or _is_sa_sheet(s.name)]
    address = [s for s in sheets if s not in main and s.has("POSTCODE")]
    if not main:
        names = ", ".join(f"'{s.name}'" for s in sheets)
        raise InputError(
            f"Ofsted provider list {path.name}: sheet(s) {names} have a URN column but no placement code or "
            f"placement provider code column: expected columns {EXPECTED_COLUMNS}.")
    frames = []
    postcodes = None
    if address:
        postcodes = pd.concat([_sheet_frame(s, path.name) for s in address])[["URN", "POSTCODE"]]
        postcodes = postcodes.dropna(subset=["POSTCODE"]).drop_duplicates("URN")
    for s in main:
        f = _sheet_frame(s, path.name)
        if not s.has("POSTCODE"):
            if postcodes is None:
                raise InputError(
                    f"Ofsted provider list {path.name}: sheet '{s.name}' has no setting postcode column and no "
                    f"other sheet (such as 'Address Details') gives the postcode by URN: expected columns "
                    f"{EXPECTED_COLUMNS}.")
            f = f.drop(columns="POSTCODE").merge(postcodes, on="URN", how="left")[f.columns]
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


@dataclass
class ProviderList:
    """The provider table (`frame`, columns COLUMNS, several rows per URN possible) and where it came from.

    Always true in a boolean test, even with no rows: a list was given."""
    frame: pd.DataFrame
    files: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return True

    def __len__(self) -> int:
        return len(self.frame)


def read_provider_lists(paths, postcodes=None) -> ProviderList:
    """Read every workbook, put the rows together (exact duplicates once) and infer each provider's
    LA from its postcode (LA_CODE_INFERRED / LA_NAME_INFERRED; blank without postcode data)."""
    from . import geography, postcodes as pc  # noqa: PLC0415

    paths = [Path(p) for p in paths]
    frames = [read_provider_workbook(p) for p in paths]
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    df["POSTCODE"] = pc.normalise(df["POSTCODE"]) if len(df) else df["POSTCODE"]
    df = df.drop_duplicates(subset=[c for c in df.columns if c != "SOURCE"]).reset_index(drop=True)
    df = with_inferred_la(df, postcodes)
    return ProviderList(df[COLUMNS], [str(p) for p in paths])


def with_inferred_la(df: pd.DataFrame, postcodes) -> pd.DataFrame:
    from . import geography  # noqa: PLC0415

    df = df.copy()
    if postcodes is not None and len(df):
        found = postcodes.lookup(df["POSTCODE"])
        code = geography.utla_for_lad(found["laua"])
        df["LA_CODE_INFERRED"] = code.to_numpy()
        df["LA_NAME_INFERRED"] = code.map(geography.utla_names()).to_numpy()
    else:
        df["LA_CODE_INFERRED"] = np.nan
        df["LA_NAME_INFERRED"] = np.nan
    for c in COLUMNS:
        if c not in df:
            df[c] = np.nan
    df["LA_CODE_INFERRED"] = df["LA_CODE_INFERRED"].astype("object")
    df["LA_NAME_INFERRED"] = df["LA_NAME_INFERRED"].astype("object")
    return df


def provider_table_from_rows(rows: list[dict], postcodes=None) -> ProviderList:
    """A provider table from plain rows (tests and the rule-case runner): keys are COLUMNS names;
    REG_END as dd/mm/yyyy text; codes and postcodes normalised as the workbook reader does."""
    df = pd.DataFrame([{k: (None if v is None or v == "" else str(v)) for k, v in r.items()} for r in rows])
    for c in ["URN", "LA_NAME_FROM_FILE", "PLACE_CODES", "PROVIDER_CODES", "REG_END", "POSTCODE"]:
        if c not in df:
            df[c] = None
    from . import postcodes as pc  # noqa: PLC0415

    df = df.astype("object").where(df.notna(), np.nan)
    df["URN"] = df["URN"].where(df["URN"].isna(), df["URN"].astype(str).str.strip().str.upper())
    df["PLACE_CODES"] = _codes(df["PLACE_CODES"])
    df["PROVIDER_CODES"] = _codes(df["PROVIDER_CODES"])
    df["REG_END"] = pd.to_datetime(df["REG_END"].map(_date))
    df["POSTCODE"] = pc.normalise(df["POSTCODE"])
    df["SOURCE"] = "rows"
    df = with_inferred_la(df, postcodes)
    return ProviderList(df[COLUMNS].reset_index(drop=True), [])
