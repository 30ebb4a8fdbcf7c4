"""Social worker episodes: valid dates, dates inside the reporting period, and start/end order
(SW04STG1, SW05STG1, SW06STG2, SW07STG2, SW09STG2, SW18STG2)."""
import pandas as pd

from lac_validator.dates import add_years, date_key, parse_strict
from lac_validator.registry import rule
from lac_validator.toolkit import invalid_date
from lac_validator.views import lenient_dates


def _invalid_allowing_placeholders(text: pd.Series) -> pd.Series:
    """Non-blank text that is not a strict dd/mm/yyyy date once each "/"-separated part equal to
    ZZ is read as 01 and ZZZZ as 2000 (exactly three parts required)."""
    parts = text.str.extract(r"^([^/]*)/([^/]*)/([^/]*)$", expand=True)
    for col in parts.columns:
        parts[col] = parts[col].mask(parts[col].eq("ZZ"), "01").mask(parts[col].eq("ZZZZ"), "2000")
    rebuilt = parts[0] + "/" + parts[1] + "/" + parts[2]
    return text.notna() & parse_strict(rebuilt.astype(object)).isna()


def _invalid(ctx, column: str, allow_placeholders: bool) -> pd.Series:
    if allow_placeholders:
        return _invalid_allowing_placeholders(ctx.raw("SWEpisodes")[column])
    return invalid_date(ctx, "SWEpisodes", column)


@rule("SW04STG1")
def start_date_valid(ctx, allow_placeholders: bool):
    return _invalid(ctx, "SW_DECOM", allow_placeholders)


@rule("SW05STG1")
def end_date_valid(ctx, allow_placeholders: bool):
    return _invalid(ctx, "SW_DEC", allow_placeholders)


@rule("SW06STG2")
def start_after_collection_end(ctx):
    return ctx.table("SWEpisodes")["SW_DECOM"] > ctx.collection_end


@rule("SW07STG2")
def end_outside_reporting_period(ctx, years_before: int):
    end = ctx.table("SWEpisodes")["SW_DEC"]
    # The social worker reporting period starts `years_before` calendar years before collection_start
    # (0: the collection year; 1: from 01/04 of the previous year, see rules/divergences.md).
    lower = add_years(pd.Series([ctx.collection_start]), -years_before).iloc[0]
    return (end < lower) | (end > ctx.collection_end)


@rule("SW09STG2", variant="same day")
def same_start_and_end_text(ctx):
    # Divergence (rules/divergences.md): the same date written differently ("1/4/2020" and
    # "01/04/2020") is the same day; other non-blank values are compared as text.
    raw, t = ctx.raw("SWEpisodes"), ctx.table("SWEpisodes")
    end = date_key(raw["SW_DEC"], t["SW_DEC"])
    return end.notna() & end.eq(date_key(raw["SW_DECOM"], t["SW_DECOM"]))


@rule("SW09STG2")
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
