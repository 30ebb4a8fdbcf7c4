"""The application layer: what a command does, between parsing its options and printing.

`lac_validator.cli` parses options, calls these steps and prints; `validate-many` (many.py) calls
the same steps, so a return validated either way gives the same report and exit code.

- validate.py   the `validate` command's steps: validate, baseline, history, social workers, what the
                chosen outputs show (suggestions, timelines), fix sheet, pseudonymise
- writers.py    the registry of report writers: format name -> writer, imported on demand
- exit_codes.py the exit-code policy (--fail-on)
- fix.py        the `fix` command's steps: mechanical corrections to a logged copy, re-validated
- diff.py       the `diff` command's steps: which two runs to compare, and their errors
"""
