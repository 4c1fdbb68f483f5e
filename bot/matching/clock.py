"""Days in the platform's time zone (``FARMDOCK_TZ``), never the machine's.

"Today", a day's window and the end of a listing's last valid day are computed here
and only here: a server set to UTC would otherwise date a post written at 07:00 in
Pingdingshan to the day before.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

# The platform's default zone (FARMDOCK_TZ), and the one tools use when none is given.
DEFAULT_TIMEZONE = "Asia/Shanghai"
PLATFORM_TZ = ZoneInfo(DEFAULT_TIMEZONE)


def local_today(tz: ZoneInfo, now: float | None = None) -> date:
    """The calendar date at ``now`` (default: this moment) in the platform's time zone."""
    return datetime.fromtimestamp(time.time() if now is None else now, tz).date()


def start_of_day(day: date, tz: ZoneInfo) -> float:
    """The first instant of ``day`` in ``tz``, POSIX seconds."""
    return datetime.combine(day, clock_time(0), tzinfo=tz).timestamp()


def end_of_day(day: date, tz: ZoneInfo) -> float:
    """The first instant after ``day`` in ``tz``: when a listing valid until ``day`` expires."""
    return start_of_day(day + timedelta(days=1), tz)


@dataclass(frozen=True, slots=True)
class DayWindow:
    """One calendar day in the platform's time zone, as POSIX seconds [start, end)."""

    day: date
    start: float
    end: float

    @classmethod
    def of(cls, day: date, tz: ZoneInfo) -> DayWindow:
        return cls(day, start_of_day(day, tz), end_of_day(day, tz))

    def previous(self, tz: ZoneInfo) -> DayWindow:
        return DayWindow.of(self.day - timedelta(days=1), tz)
