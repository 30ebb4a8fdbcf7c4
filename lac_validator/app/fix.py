"""The `fix` command's steps: the safe mechanical corrections (fixing/mechanical.py), written to a
logged copy of the return, which is then validated again. The return itself never changes."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Plan:
    files: tuple[Path, ...]           # this year's files, to copy
    previous_files: tuple[Path, ...]  # last year's: the copy must not land on them
    changes: tuple                    # fixing.model.Change, in file order


def plan(current, previous, year) -> Plan:
    """The corrections a return needs (InputError when it cannot be read)."""
    from ..fixes import mechanical_fixes
    from ..loading import expand_paths, load_return

    files, _ = expand_paths(list(current), "current")
    prev_files = expand_paths(list(previous), "previous")[0] if previous else []
    ret = load_return(list(current), year, "current", upper=False)
    return Plan(tuple(files), tuple(prev_files), tuple(mechanical_fixes(ret)))


def write(p: Plan, output: Path, who: str) -> int:
    """Write the corrected copy and its change log into `output`; returns the corrections made."""
    from ..fixes import check_output, write_copy
    from ..fixing.copying import log_row, now

    check_output(output, list(p.files), list(p.previous_files))
    run = now()
    changes = list(p.changes)
    _, status = write_copy(list(p.files), changes, output, [log_row(run, who, "lac-validator fix", c, "applied", i)
                                                              for i, c in enumerate(changes)])
    return sum(1 for i in range(len(changes)) if status.get(i) == "applied")


def revalidate(output: Path, previous, year, la):
    """The corrected copy's report."""
    from ..api import validate

    return validate([output], list(previous) or None, year, la)
