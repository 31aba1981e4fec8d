"""Norwegian working days: weekends and public holidays (fixed and Easter-based) are not."""
from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> holidays.HolidayBase:
    # The package counts every Sunday as a holiday by default; weekends are handled below.
    return holidays.country_holidays("NO", years=year, include_sundays=False, language="no")


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def holiday_name(day: date) -> str | None:
    return _public_holidays(day.year).get(day)


def next_working_day(day: date) -> date:
    """`day` itself when it is a working day, otherwise the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start itself not counted)."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day
