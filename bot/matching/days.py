"""Reading the day an official asks about: 今天, 昨天, 前天, 5月9日, 5.9, 5/9, 2026-05-09.

Pure: ``today`` (in the platform's time zone) is passed in. A day written without a
year is the one of that date nearest to today, so 12月30日 asked on 1 January is the
day before yesterday, not a day of the coming December; 5月10日 asked on 9 May is
still tomorrow, which the caller refuses as a day not yet come.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.matching.text import normalize

# Days before today, by the words people use for them (明天 is a day not yet come).
_RELATIVE = {
    "今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2, "前日": 2, "大前天": 3,
    "明天": -1, "明日": -1, "后天": -2,
}  # fmt: skip
_FULL = re.compile(r"(\d{4})\s*(?:[-./]|年)\s*(\d{1,2})\s*(?:[-./]|月)\s*(\d{1,2})\s*[日号]?")
_MONTH_DAY = re.compile(r"(\d{1,2})\s*(?:[-./]|月)\s*(\d{1,2})\s*[日号]?")


def read_day(text: str, today: date) -> date | None:
    """The calendar day ``text`` names, or None when it names none (or an impossible one)."""
    typed = normalize(text).replace(" ", "")
    if typed in _RELATIVE:
        return today - timedelta(days=_RELATIVE[typed])
    if full := _FULL.fullmatch(typed):
        year, month, day = (int(g) for g in full.groups())
        return _date(year, month, day)
    if short := _MONTH_DAY.fullmatch(typed):
        month, day = int(short.group(1)), int(short.group(2))
        candidates = [d for y in (today.year - 1, today.year, today.year + 1)
                      if (d := _date(y, month, day)) is not None]
        return min(candidates, key=lambda d: abs(d - today), default=None)
    return None


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
