"""Social worker episodes: valid dates, dates inside the reporting period, and start/end order
(SW04STG1, SW05STG1, SW06STG2, SW07STG2, SW09STG2, SW18STG2)."""
import pandas as pd

from lac_validator.dates import add_years, date_key, parse_strict
from lac_validator.registry import rule
from lac_validator.views import lenient_dates


def _invalid_allowing_placeholders(text: pd.Series) -> pd.Series:
    """Non-blank text that is not a strict dd/mm/yyyy date once each "/"-separated part equal to
    ZZ is read as 01 and ZZZZ as 2000 (exactly three parts required)."""
    parts = text.str.extract(r"^([^/]*)/([^/]*)/([^/]*)$", expand=True)
    for col in parts.columns:
        parts[col] = parts[col].mask(parts[col].eq("ZZ"), "01").mask(parts[col].eq("ZZZZ"), "2000")
    rebuilt = parts[0] + "/" + parts[1] + "/" + parts[2]
    return text.notna() & parse_strict(rebuilt.astype(object)).isna()


def _invalid_strict(ctx, column: str) -> pd.Series:
    return ctx.raw("SWEpisodes")[column].notna() & ctx.table("SWEpisodes")[column].isna()


@rule("SW04STG1", years=["2023_24", "2024_25"])
def start_date_valid_or_placeholder(ctx):
    return _invalid_allowing_placeholders(ctx.raw("SWEpisodes")["SW_DECOM"])


@rule("SW04STG1", years=["2025_26", "2026_27"])
def start_date_valid(ctx):
    return _invalid_strict(ctx, "SW_DECOM")


@rule("SW05STG1", years=["2023_24", "2024_25"])
def end_date_valid_or_placeholder(ctx):
    return _invalid_allowing_placeholders(ctx.raw("SWEpisodes")["SW_DEC"])


@rule("SW05STG1", years=["2025_26", "2026_27"])
def end_date_valid(ctx):
    return _invalid_strict(ctx, "SW_DEC")


@rule("SW06STG2")
def start_after_collection_end(ctx):
    return ctx.table("SWEpisodes")["SW_DECOM"] > ctx.collection_end


@rule("SW07STG2", years=["2023_24"])
def end_outside_collection_year(ctx):
    end = ctx.table("SWEpisodes")["SW_DEC"]
    return (end < ctx.collection_start) | (end > ctx.collection_end)


@rule("SW07STG2", years=["2024_25", "2025_26", "2026_27"])
def end_outside_reporting_period(ctx):
    end = ctx.table("SWEpisodes")["SW_DEC"]
    # The social worker reporting period starts one calendar year before collection_start
    # (01/04 of the previous year; see rules/divergences.md for 2024_25).
    lower = add_years(pd.Series([ctx.collection_start]), -1).iloc[0]
    return (end < lower) | (end > ctx.collection_end)


@rule("SW09STG2", years=["2023_24", "2024_25"])
def same_start_and_end_text(ctx):
    # Divergence (rules/divergences.md): the same date written differently ("1/4/2024" and
    # "01/04/2024") is the same day; other non-blank values are compared as text.
    raw, t = ctx.raw("SWEpisodes"), ctx.table("SWEpisodes")
    end = date_key(raw["SW_DEC"], t["SW_DEC"])
    return end.notna() & end.eq(date_key(raw["SW_DECOM"], t["SW_DECOM"]))


@rule("SW09STG2", years=["2025_26", "2026_27"])
def shorter_than_three_days(ctx):
    start = lenient_dates(ctx, "SWEpisodes", "SW_DECOM")
    end = lenient_dates(ctx, "SWEpisodes", "SW_DEC")
    return (end - start) < pd.Timedelta(days=3)


@rule("SW18STG2")
def end_not_after_start(ctx):
    start = lenient_dates(ctx, "SWEpisodes", "SW_DECOM")
    end = lenient_dates(ctx, "SWEpisodes", "SW_DEC")
    # Divergence (rules/divergences.md): strictly before, as the message says; the older tool also
    # flagged an episode ending the day it started (SW09STG2 reports short episodes).
    return end < start
