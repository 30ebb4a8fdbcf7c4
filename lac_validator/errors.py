"""Errors that reach the user as one clear sentence and exit code 2."""


class InputError(Exception):
    """Bad input or usage: the message says what is wrong and what to do.

    The message never quotes values from the return (it may end up in logs); `detail` may, and
    the command line shows it only with --verbose."""

    def __init__(self, message: str, detail: str | None = None):
        super().__init__(message)
        self.detail = detail


# What the operating system's refusals mean for the user, and what to do.
_OS_REASONS = {
    "ENAMETOOLONG": "a folder or file name in the path is too long for the file system: use shorter names or a shorter path",
    "EACCES": "permission denied: check that you may read (or, for an output, write) it",
    "EPERM": "the operation is not permitted there: check the permissions, or choose another place",
    "ENOSPC": "the disk is full: free some space or write elsewhere",
    "EDQUOT": "the disk quota is used up: free some space or write elsewhere",
    "EROFS": "the disk is read-only: write the output elsewhere",
    "ENOENT": "does not exist: check the path",
    "EISDIR": "is a folder where a file was expected: give a file",
    "ENOTDIR": "a part of the path is a file, not a folder: check the path",
    "ELOOP": "symbolic links point at each other in a loop: give the real path",
    "EMFILE": "too many files are open: close other programs and try again",
    "EIO": "the disk reported a read or write error: copy the files to a working disk",
}


def as_input_error(exc: BaseException) -> InputError | None:
    """The one-sentence input error for an exception that comes from the environment (the file
    system, SQLite, memory) rather than from a bug; None for anything else. The command line's
    last line of defence, so that such a failure never reads as "stopped unexpectedly"."""
    import errno
    import sqlite3

    if isinstance(exc, InputError):
        return exc
    if isinstance(exc, OSError) and (exc.errno is not None or exc.filename):
        code = errno.errorcode.get(exc.errno or 0, "")
        reason = _OS_REASONS.get(code, f"{exc.strerror or type(exc).__name__}: check the path and its permissions")
        where = exc.filename if exc.filename is not None else "a file"
        return InputError(f"{where}: {reason}.")
    if isinstance(exc, sqlite3.Error):
        return InputError(f"a history database cannot be used ({type(exc).__name__}: {exc}): give --history a new file name.")
    if isinstance(exc, MemoryError):
        return InputError("the computer ran out of memory on this input: it is far larger than a 903 return can be, "
                          "or damaged: check the files given.")
    return None
