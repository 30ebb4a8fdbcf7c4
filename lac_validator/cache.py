"""A small on-disk cache for parsed reference data (never for a return's contents).

Decompressing and indexing a postcode letter file costs up to a second on every run; the parsed
arrays are kept under the user's cache folder (LAC_VALIDATOR_CACHE_DIR, else $XDG_CACHE_HOME or
~/.cache, then lac-validator/). Set LAC_VALIDATOR_CACHE_DIR=off to never read or write it.

Parsed package YAML (the rule specification, the schema) is kept as JSON: json reads it about
twenty times faster than libyaml reads the YAML.

Safety: entries are plain numpy arrays read with allow_pickle=False, or JSON (no code can be loaded);
an entry's name includes a hash of what it was made from (package version, source file path,
size and modification time), so a changed source is never served stale. Any failure to read or
write (read-only home, full disk, corrupt file) falls back silently to doing the work. Files are
created with the ordinary umask-respecting permissions, written to a temporary name and renamed
into place so a concurrent run never sees half a file.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

FORMAT = "2"  # bump when the layout of cached arrays changes


def cache_dir() -> Path | None:
    env = os.getenv("LAC_VALIDATOR_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "no") else Path(env)
    base = os.getenv("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lac-validator"


def source_key(*parts: object, files: tuple[Path, ...] = ()) -> str:
    """A hash of the given parts plus each file's resolved path, size and mtime."""
    h = hashlib.sha256(FORMAT.encode())
    for p in parts:
        h.update(repr(p).encode())
    for f in files:
        st = os.stat(f)
        h.update(f"{Path(f).resolve()}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:24]


def load(name: str, key: str) -> dict[str, np.ndarray] | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        with np.load(folder / f"{name}-{key}.npz", allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except Exception:  # absent, unreadable or corrupt: just recompute
        return None


def store(name: str, key: str, arrays: dict[str, np.ndarray]) -> None:
    _write(f"{name}-{key}.npz", lambda fh: np.savez(fh, **arrays))


def load_mapped(name: str, key: str) -> dict[str, np.ndarray] | None:
    """Arrays stored with store_mapped, memory-mapped read-only: nothing is read until used, so a
    binary search over a large sorted array touches a few pages only (and forked copies share them)."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        entry = folder / f"{name}-{key}"
        return {p.stem: np.load(p, mmap_mode="r", allow_pickle=False) for p in entry.glob("*.npy")} or None
    except Exception:  # absent, unreadable or corrupt: just recompute
        return None


def store_mapped(name: str, key: str, arrays: dict[str, np.ndarray]) -> None:
    """A folder of .npy files, written under a temporary name and renamed into place whole."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", suffix=".tmp", dir=folder))
        try:
            umask = os.umask(0)
            os.umask(umask)
            for array_name, array in arrays.items():
                np.save(tmp / f"{array_name}.npy", array, allow_pickle=False)
                os.chmod(tmp / f"{array_name}.npy", 0o666 & ~umask)
            os.chmod(tmp, 0o777 & ~umask)
            os.rename(tmp, folder / f"{name}-{key}")  # fails if another run stored it first: fine
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    except Exception:  # read-only, full, or already there: caching is only an optimisation
        return


def load_json(name: str, key: str):
    """A cached JSON document (parsed package YAML), or None."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        return json.loads((folder / f"{name}-{key}.json").read_bytes())
    except Exception:  # absent, unreadable or corrupt: just recompute
        return None


def store_json(name: str, key: str, value) -> None:
    _write(f"{name}-{key}.json", lambda fh: fh.write(json.dumps(value, ensure_ascii=False).encode("utf-8")))


def _write(filename: str, write) -> None:
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{filename}-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                write(fh)
            # mkstemp makes the file 0600; give it the permissions an ordinary new file would get.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
            os.replace(tmp, folder / filename)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except Exception:  # read-only or full: caching is only an optimisation
        return
