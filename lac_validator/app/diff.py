"""The `diff` command's steps: which two runs to compare (two JSON reports, two runs of a history,
or the history's last two) and their errors, with notes on what makes them hard to compare."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError


@dataclass(frozen=True)
class Compared:
    notes: tuple[str, ...]
    diff: object          # history.Diff


def compare(before: str | None, after: str | None, history: Path | None, default_history: Path) -> Compared:
    """BEFORE and AFTER are JSON reports, or run ids of `history`; neither: the last two runs of
    `history` (or `default_history`). Raises InputError with the sentence for the user."""
    from .. import history as hist

    notes = []
    if before is None or after is None:
        history = history or default_history
        if not Path(history).exists():
            raise InputError(f"no history at {history}: record runs with `lac-validator validate ... --history`, "
                             "or give two JSON reports.")
        before, after = (str(i) for i in hist.last_two(history))
        notes.append(f"comparing the last two runs of {history}: {before} and {after}")
    if history is not None:
        a, b = hist.run_errors(history, _run_id(before)), hist.run_errors(history, _run_id(after))
        sa, sb = hist.settings_of(history, _run_id(before)), hist.settings_of(history, _run_id(after))
        if sa != sb:
            notes.append(f"runs {before} and {after} were made with different settings, so some changes may come "
                         f"from the settings, not the data: {before}: {hist.describe_settings(sa)}; "
                         f"{after}: {hist.describe_settings(sb)}")
    else:
        a, b = hist.errors_from_json(Path(before)), hist.errors_from_json(Path(after))
    return Compared(tuple(notes), hist.diff_errors(a, b))


def _run_id(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InputError(f"'{text}' is not a run id: with --history, give the run numbers "
                         "`lac-validator history list` shows.") from None
