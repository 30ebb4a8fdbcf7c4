"""Refusing --previous when it is this year's return again.

Given the same files twice, every cross-year rule compares the return with itself and passes:
a run that looks clean but checked nothing. The same file (same device and inode, e.g. the same
folder under two names) anywhere in both is refused; so is a --previous whose every file has a
byte-identical copy among this year's files (a copied folder).
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from .errors import InputError


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_previous_differs(current: list[Path], previous: list[Path]) -> None:
    """Raise InputError when `previous` (files) is this year's return again."""
    if not previous:
        return
    stats = {}
    for f in current:
        try:
            st = os.stat(f)
        except OSError:
            continue
        stats[(st.st_dev, st.st_ino)] = f
    sizes: dict[int, list[Path]] = {}
    for f in current:
        try:
            sizes.setdefault(os.stat(f).st_size, []).append(f)
        except OSError:
            pass
    copies = []
    for f in previous:
        try:
            st = os.stat(f)
        except OSError:
            return
        same = stats.get((st.st_dev, st.st_ino))
        if same is not None:
            raise InputError(f"--previous {f} is the same file as this year's {same}: give last year's return "
                             "(or leave --previous out; the cross-year rules are then listed as not run).")
        twins = sizes.get(st.st_size, [])
        digest = _digest(f) if twins else None
        twin = next((t for t in twins if _digest(t) == digest), None)
        if twin is None:
            return  # at least one file differs: a genuine (if similar) last year
        copies.append((f, twin))
    f, twin = copies[0]
    raise InputError(f"every file of --previous is a copy of this year's return ({f} has the same content as {twin}): "
                     "give last year's return (or leave --previous out; the cross-year rules are then listed as not run).")
