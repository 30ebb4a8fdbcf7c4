"""Refusing --previous when it is this year's return again.

Given the same files twice, every cross-year rule compares the return with itself and passes:
a run that looks clean but checked nothing. The same file (same device and inode, e.g. the same
folder under two names) anywhere in both is refused. A --previous whose every file has a
byte-identical copy among this year's files (a copied folder) gets an alert instead: a small
return can legitimately repeat last year's table (e.g. a corrected copy re-validated), a real
one hardly ever.
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


def check_previous_differs(current: list[Path], previous: list[Path]) -> str | None:
    """Raise InputError when a file of `previous` is one of this year's; return an alert when
    every file of `previous` has the same content as one of this year's."""
    if not previous:
        return None
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
            return None
        same = stats.get((st.st_dev, st.st_ino))
        if same is not None:
            raise InputError(f"--previous {f} is the same file as this year's {same}: give last year's return "
                             "(or leave --previous out; the cross-year rules are then listed as not run).")
        twins = sizes.get(st.st_size, [])
        digest = _digest(f) if twins else None
        twin = next((t for t in twins if _digest(t) == digest), None)
        if twin is None:
            return None  # at least one file differs: a genuine (if similar) last year
        copies.append((f, twin))
    f, twin = copies[0]
    return (f"every file of --previous has the same content as one of this year's ({f} as {twin}): the cross-year "
            "rules compare the return with itself; check that --previous is last year's return.")
