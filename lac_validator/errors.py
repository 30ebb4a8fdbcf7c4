"""Errors that reach the user as one clear sentence and exit code 2."""


class InputError(Exception):
    """Bad input or usage: the message says what is wrong and what to do."""
