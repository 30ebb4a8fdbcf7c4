"""Social worker episodes: complete information, social worker ID and reason codes
(SW01aSTG1, SW01bSTG1, SW02STG1, SW03STG1, SW13STG1)."""
import pandas as pd

from lac_validator.registry import rule
from lac_validator.views import lenient_dates

# `reporting_from` (spec params) is a fixed calendar date, the start of social worker reporting,
# not tied to the collection year validated.
SW_REASONS = ["MANAGE", "FCONTA", "LEFTRL", "ORGRST", "TSPROC", "ABSENC", "CHCHAN", "PCCHAN", "SWDIED", "OTHERS"]


@rule("SW01aSTG1")
def incomplete_before_reporting(ctx, reporting_from):
    raw = ctx.raw("SWEpisodes")
    start = ctx.table("SWEpisodes")["SW_DECOM"]
    return start.isna() | ((start < pd.Timestamp(reporting_from)) & raw["SW_ID"].isna())


@rule("SW01bSTG1")
def incomplete_since_reporting(ctx, reporting_from):
    raw = ctx.raw("SWEpisodes")
    start = ctx.table("SWEpisodes")["SW_DECOM"]
    return start.isna() | ((start >= pd.Timestamp(reporting_from)) & (raw["SW_ID"].isna() | raw["SW_REASON"].isna()))


def _bad_prefix(sw_id: pd.Series) -> pd.Series:
    return sw_id.isna() | ~sw_id.str[:2].isin(["SW", "XX"])


@rule("SW02STG1")
def sw_id_prefix(ctx, min_length: int):
    sw_id = ctx.raw("SWEpisodes")["SW_ID"]
    return _bad_prefix(sw_id) | (sw_id.str.len() < min_length)


@rule("SW03STG1")
def incomplete(ctx):
    raw = ctx.raw("SWEpisodes")
    return raw[["SW_ID", "SW_DECOM", "SW_REASON"]].isna().any(axis=1)


@rule("SW13STG1", variant="every row")
def reason_code_required(ctx):
    return ~ctx.raw("SWEpisodes")["SW_REASON"].isin(SW_REASONS)


@rule("SW13STG1")
def reason_code(ctx, reporting_from):
    reason = ctx.raw("SWEpisodes")["SW_REASON"]
    start = lenient_dates(ctx, "SWEpisodes", "SW_DECOM")
    invalid = reason.notna() & ~reason.isin(SW_REASONS)
    # An unreadable SW_DECOM leaves (b) undecided for that row only (start is NaT).
    blank_needed = reason.isna() & (start >= pd.Timestamp(reporting_from))
    return invalid | blank_needed
