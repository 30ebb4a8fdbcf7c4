"""Errors that reach the user as one clear sentence and exit code 2."""


class InputError(Exception):
    """Bad input or usage: the message says what is wrong and what to do.

    The message never quotes values from the return (it may end up in logs); `detail` may, and
    the command line shows it only with --verbose."""

    def __init__(self, message: str, detail: str | None = None):
        super().__init__(message)
        self.detail = detail
