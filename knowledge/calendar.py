"""Working days and office hours in Viet Nam: when a reminder may go out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import holidays


class WorkingCalendar:
    """Weekdays that are not Vietnamese public holidays, and the hours in which the bot may write."""

    def __init__(self, tz: ZoneInfo, start: dt.time, end: dt.time,
                 extra_holidays: Iterable[dt.date] = (), extra_working_days: Iterable[dt.date] = ()):
        if start >= end:
            raise ValueError("the sending window must start before it ends")
        self.tz = tz
        self.start = start
        self.end = end
        # The package computes each year's lunar holidays on first use, so any year works.
        self._holidays = holidays.country_holidays("VN")
        self._extra_holidays = frozenset(extra_holidays)
        # Saturdays the government swaps into working days (e.g. to bridge a holiday).
        self._extra_working = frozenset(extra_working_days)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self._extra_working:
            return True
        return day.weekday() < 5 and day not in self._holidays and day not in self._extra_holidays

    def next_working_day(self, day: dt.date) -> dt.date:
        """Return the day itself when it is a working day, else the next working day."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """Return the n-th working day after `day` (n ≥ 1)."""
        for _ in range(n):
            day = self.next_working_day(day + dt.timedelta(days=1))
        return day

    def morning(self, day: dt.date) -> dt.datetime:
        """Return the opening of the sending window on the next working day from `day`, in UTC."""
        local = dt.datetime.combine(self.next_working_day(day), self.start, tzinfo=self.tz)
        return local.astimezone(dt.UTC)

    def local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.tz)

    def is_open(self, moment: dt.datetime) -> bool:
        """Tell whether a message may be sent at this moment."""
        local = self.local(moment)
        return self.is_working_day(local.date()) and self.start <= local.time() < self.end

    def next_open(self, moment: dt.datetime) -> dt.datetime:
        """Return the moment itself when sending is allowed, else the next opening, in UTC."""
        if self.is_open(moment):
            return moment
        local = self.local(moment)
        if self.is_working_day(local.date()) and local.time() < self.start:
            return self.morning(local.date())
        return self.morning(local.date() + dt.timedelta(days=1))
