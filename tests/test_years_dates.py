import datetime as dt

import pandas as pd
import pytest

from lac_validator.dates import add_years, age_at, parse_lenient, parse_strict
from lac_validator.years import CollectionYear, YearError


@pytest.mark.parametrize("text", ["2025-26", "2025/26", "2025_26", "2025-2026", " 2025-26 "])
def test_year_spellings(text):
    y = CollectionYear.parse(text)
    assert y.key == "2025_26"
    assert y.start == pd.Timestamp(2025, 4, 1) and y.end == pd.Timestamp(2026, 3, 31)


@pytest.mark.parametrize("text", ["2025-27", "25-26", "2019-20", "next year", ""])
def test_bad_years(text):
    with pytest.raises(YearError):
        CollectionYear.parse(text)


def test_year_in_progress():
    assert CollectionYear.in_progress(dt.date(2026, 11, 22)).key == "2026_27"
    assert CollectionYear.in_progress(dt.date(2026, 3, 31)).key == "2025_26"
    assert CollectionYear.in_progress(dt.date(2026, 4, 1)).key == "2026_27"


def test_strict_dates():
    s = pd.Series(["01/04/2025", " 5/04/2025", "5/4/2025", "31/06/2025", "2025-04-01", None,
                   "01/01/19", "29/02/2024", "29/02/2023", "01/01/9999", "01/04/2025 ", "22/09/1677",
                   "21/09/1677", "01/04/2025 10:00"], dtype="str")
    got = parse_strict(s)
    ok = [pd.Timestamp(2025, 4, 1), pd.Timestamp(2025, 4, 5), pd.Timestamp(2025, 4, 5)]
    assert list(got[:3]) == ok
    assert got[3:7].isna().all()
    assert got[7] == pd.Timestamp(2024, 2, 29)
    assert got[8:11].isna().all()
    assert got[11] == pd.Timestamp(1677, 9, 22)
    assert got[12:].isna().all()


def test_lenient_dates_read_other_layouts():
    got = parse_lenient(pd.Series(["2025-04-01", "12/31/2025", "01/02/2025", "junk", None]))
    assert list(got[:3]) == [pd.Timestamp(2025, 4, 1), pd.Timestamp(2025, 12, 31), pd.Timestamp(2025, 2, 1)]
    assert got[3:].isna().all()


def test_leap_day_birthdays():
    dob = parse_strict(pd.Series(["29/02/2008", "01/04/2010", None]))
    assert list(add_years(dob, 1)[:2]) == [pd.Timestamp(2009, 2, 28), pd.Timestamp(2011, 4, 1)]
    ages = age_at(dob, pd.Timestamp(2025, 2, 28))
    assert ages[0] == 17 and ages[1] == 14 and pd.isna(ages[2])
    assert age_at(dob, pd.Timestamp(2025, 2, 27))[0] == 16
