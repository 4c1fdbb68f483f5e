"""Reading the day an official asks about: date words, month and day, ISO dates."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.matching.days import read_day

TODAY = date(2026, 5, 12)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("今天", date(2026, 5, 12)),
        ("昨天", date(2026, 5, 11)),
        ("昨日", date(2026, 5, 11)),
        ("前天", date(2026, 5, 10)),
        ("大前天", date(2026, 5, 9)),
        ("明天", date(2026, 5, 13)),  # read, so the caller can say it has not come yet
        ("5月9日", date(2026, 5, 9)),
        ("5月9号", date(2026, 5, 9)),
        ("5月9", date(2026, 5, 9)),
        ("5.9", date(2026, 5, 9)),
        ("5/9", date(2026, 5, 9)),
        ("5-9", date(2026, 5, 9)),
        ("05.09", date(2026, 5, 9)),
        ("５月９日", date(2026, 5, 9)),  # full-width digits
        ("5 月 9 日", date(2026, 5, 9)),
        ("2026-05-09", date(2026, 5, 9)),
        ("2026-5-9", date(2026, 5, 9)),
        ("2026.5.9", date(2026, 5, 9)),
        ("2026/5/9", date(2026, 5, 9)),
        ("2026年5月9日", date(2026, 5, 9)),
        ("2025-12-31", date(2025, 12, 31)),
        ("5月13日", date(2026, 5, 13)),  # tomorrow stays tomorrow
    ],
)
def test_read_day(typed: str, day: date) -> None:
    assert read_day(typed, TODAY) == day


def test_a_month_and_day_is_the_nearest_such_date() -> None:
    new_year = date(2026, 1, 2)
    assert read_day("12月30日", new_year) == date(2025, 12, 30)
    assert read_day("1.1", new_year) == date(2026, 1, 1)
    assert read_day("2月29日", date(2025, 3, 1)) == date(2024, 2, 29)  # no 29th in 2025


@pytest.mark.parametrize(
    "typed", ["", "明年", "上周", "2026-13-01", "2月30日", "5月", "abc", "13.40", "2026-05"]
)
def test_what_names_no_day_is_none(typed: str) -> None:
    assert read_day(typed, TODAY) is None


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31)))
def test_every_iso_date_and_its_chinese_form_read_back(day: date) -> None:
    assert read_day(day.isoformat(), TODAY) == day
    assert read_day(f"{day.year}年{day.month}月{day.day}日", TODAY) == day
