"""The guard every command runs before it writes anything: no output may land on a file the
command reads, or inside a return's folder, and only regular files are read or written.

Files are compared by identity (device and inode), not by path: a hard link, a symbolic link, a
relative path, `..` or a differently-cased name on a case-insensitive disk all name the same file.
Commands call `check_paths` with everything they read and everything they will write, before
reading the return (so a refusal leaves no partial output behind).
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError

Identity = tuple[int, int]


def stat_or_none(path: Path):
    """os.stat, or None when nothing (or a broken link) is there; other refusals (a name too long,
    no permission on a folder on the way) are said as they are."""
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return None
    except OSError as exc:
        from .errors import as_input_error

        raise as_input_error(exc) from None


def _identity(st) -> Identity:
    return (st.st_dev, st.st_ino)


def kind_of(st) -> str:
    """A person's name for what a path is, when it is not a regular file or folder."""
    mode = st.st_mode
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def _ancestors(path: Path) -> list[Identity]:
    """Identities of the existing folders that hold `path`, nearest first."""
    out = []
    for parent in Path(os.path.abspath(path)).parents:
        st = stat_or_none(parent)
        if st is not None:
            out.append(_identity(st))
    return out


@dataclass
class Output:
    """Something a command will write: a file, a folder of files, or a history database (read and written)."""

    path: Path
    option: str                # how the user named it, e.g. "--output"
    kind: str = "file"         # "file", "folder" or "history"


@dataclass
class Reads:
    """Everything a command reads: return paths (files or folders) and side inputs (files)."""

    returns: list[Path] = field(default_factory=list)
    side: list[tuple[str, Path]] = field(default_factory=list)  # (option, path)


def check_input_file(path: Path, what: str) -> None:
    """Refuse a side input (baseline, list, fix sheet, profile, report) that is not a regular file:
    reading a pipe or device would block or never end."""
    st = stat_or_none(path)
    if st is None:
        if not os.path.lexists(path):
            raise InputError(f"{what} {path} does not exist: check the path.")
        raise InputError(f"{what} {path} cannot be opened (a broken link, or no permission): give a readable file.")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{what} {path} is {kind_of(st)}, not a file: give the path of a regular file.")


def check_paths(reads: Reads, outputs: list[Output]) -> list[str]:
    """Refuse (InputError) any output that would write over or into what the command reads;
    return warnings for outputs that are allowed but unwise."""
    warnings: list[str] = []
    read_files: dict[Identity, tuple[str, str]] = {}  # identity -> (how the user named it, path)
    return_folders: dict[Identity, Path] = {}
    for path in reads.returns:
        st = stat_or_none(path)
        if st is None:
            continue  # the loader says it does not exist
        if stat.S_ISDIR(st.st_mode):
            return_folders[_identity(st)] = Path(path)
            try:
                entries = list(os.scandir(path))
            except OSError:
                entries = []  # the loader reports an unreadable folder
            for entry in entries:
                est = stat_or_none(entry.path)
                if est is not None and stat.S_ISREG(est.st_mode):
                    read_files[_identity(est)] = (entry.path, entry.path)
        else:
            read_files[_identity(st)] = (str(path), str(path))
    for option, path in reads.side:
        check_input_file(path, option)
        read_files.setdefault(_identity(os.stat(path)), (f"{option} {path}", str(path)))
    seen: dict = {}
    for out in outputs:
        _check_one(out, read_files, return_folders, warnings)
        st = stat_or_none(out.path)
        key = _identity(st) if st is not None else os.path.normcase(os.path.abspath(out.path))
        if key in seen:
            raise InputError(f"{seen[key]} and {out.option} name the same path {out.path}: give each output its own path.")
        seen[key] = out.option
    return warnings


def _check_one(out: Output, read_files: dict, return_folders: dict, warnings: list[str]) -> None:
    path = out.path
    st = stat_or_none(path)
    name = f"{out.option} {path}"
    if st is not None:
        if out.kind == "folder":
            if not stat.S_ISDIR(st.st_mode):
                raise InputError(f"{name} is {'an existing file' if stat.S_ISREG(st.st_mode) else kind_of(st)}: "
                                 "give a new folder for the output.")
        elif not stat.S_ISREG(st.st_mode):
            raise InputError(f"{name} is {kind_of(st)}: give the path of a file to write.")
        ident = _identity(st)
        if ident in read_files:
            raise InputError(f"{name} is the same file as {read_files[ident][0]}, which this command reads: "
                             "choose another output path (nothing was written).")
        if ident in return_folders:
            raise InputError(f"{name} is the return's own folder: choose a new folder (nothing was written).")
    elif os.path.lexists(path):
        raise InputError(f"{name} is a broken link: remove it or choose another path.")
    holders = _ancestors(path)
    inside = next((return_folders[i] for i in holders if i in return_folders), None)
    if inside is not None:
        if out.kind == "history":
            warnings.append(f"the history database {path} is inside the return's folder {inside}: keep it elsewhere, "
                            "so it is not copied or sent with the return.")
        else:
            raise InputError(f"{name} would write into the return's folder {inside}: choose a path outside the "
                             "input files and folders (nothing was written).")
    if out.kind == "folder" and st is not None:  # files are written directly into it: none may be read
        for named, target in read_files.values():
            if _ancestors(os.path.realpath(target))[:1] == [_identity(st)]:
                raise InputError(f"{name} holds {named}, which this command reads: choose a new folder "
                                 "(nothing was written).")
