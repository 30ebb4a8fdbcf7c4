"""The exit-code policy of a validation, one place for `validate` and `validate-many`.

0: nothing to fail on; 1: something to fail on (see --fail-on) or a rule could not complete;
2 (usage or input error) is decided where the input is read, not here.
"""
from __future__ import annotations

# --fail-on: exit 1 on DfE errors (error); also on errors a baseline accepts without a real
# explanation (unexplained); on errors or DfE warnings (any); never (none).
FAIL_ON = ("error", "unexplained", "any", "none")


def exit_code(report, fail_on: str = "error") -> int:
    if fail_on not in FAIL_ON:
        raise ValueError(f"fail_on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    if fail_on == "none":
        return 0
    if report.result.internal_errors:
        return 1
    if fail_on == "unexplained" and report.unexplained_accepted:
        return 1
    if fail_on == "any":
        return 1 if report.error_count + report.warning_count else 0
    return 1 if report.error_count else 0
