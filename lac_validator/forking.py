"""Work in forked copies of this process: last year's return loads while this year's does, and the
rules run on every core.

A forked copy shares the loaded tables copy-on-write, so it starts in milliseconds and needs no
reloading; only its result travels back, pickled through a pipe. Whatever happens in a copy, the
caller gets its result, the exception it raised, or None when it died (the caller then does the
work itself), so forking can change how fast a run is, never what it reports.
"""
from __future__ import annotations

import os
import pickle
import signal
import sys
from typing import Callable

MAX_WORKERS = 8


def workers(requested: int | None = None) -> int:
    """Processes to work in: `requested` (the caller's choice, e.g. validate-many's 1 per return),
    else LAC_VALIDATOR_WORKERS=N (1 = never fork), else, on Linux, one per usable core; at most
    MAX_WORKERS. Without fork 1: macOS forbids forking some system libraries once used, and
    Windows cannot fork."""
    if not hasattr(os, "fork"):
        return 1
    if requested is not None:
        return max(1, min(int(requested), MAX_WORKERS))
    env = (os.environ.get("LAC_VALIDATOR_WORKERS") or os.environ.get("LAC_VALIDATOR_RULE_WORKERS") or "").strip()
    if env.isdigit() and int(env) >= 1:
        return min(int(env), MAX_WORKERS)
    if not sys.platform.startswith("linux"):
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def start(func: Callable, *args) -> Callable[[], tuple[str, object] | None]:
    """Run func(*args) in a forked copy. Returns `collect()`, which waits for it and gives
    ("ok", value), ("raised", exception) or None (the copy died or its result could not be read).
    `collect` must be called exactly once (it reaps the copy); `abandon` it with `stop(collect)`."""
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        raise
    if pid == 0:  # the copy: never returns into the caller's code
        code = 1
        try:
            os.close(read_fd)
            try:
                outcome = ("ok", func(*args))
            except Exception as exc:  # handed to the caller, who decides what it means
                outcome = ("raised", exc)
            try:
                data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # an unpicklable exception: its type name still says what happened
                data = pickle.dumps(("raised", RuntimeError(type(outcome[1]).__name__)))
            with os.fdopen(write_fd, "wb") as fh:
                fh.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)

    def collect():
        with os.fdopen(read_fd, "rb") as fh:
            data = fh.read()
        _, status = os.waitpid(pid, 0)
        if status != 0 or not data:
            return None
        try:
            return pickle.loads(data)
        except Exception:
            return None

    collect.pid = pid  # type: ignore[attr-defined]
    return collect


def try_start(func: Callable, *args):
    """start(), or None when no process can be forked now (a process limit, no memory): the caller
    then does the work itself."""
    try:
        return start(func, *args)
    except OSError:
        return None


def stop(collect) -> None:
    """End a copy whose result is no longer wanted (the caller failed first)."""
    try:
        os.kill(collect.pid, signal.SIGKILL)
    except OSError:
        pass
    collect()
