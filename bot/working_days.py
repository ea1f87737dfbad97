"""Working days in Sweden: Monday–Friday except public holidays and the de facto free days
(Midsommarafton, Julafton, Nyårsafton), counted in Europe/Stockholm."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@cache
def _free_days(year: int) -> frozenset[date]:
    calendar = holidays.SE(years=year, include_sundays=False, categories=("public", "de_facto"))
    return frozenset(calendar)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _free_days(day.year)


def end_of_working_days(start: datetime, days: int) -> datetime:
    """The end (23:59:59 in Stockholm) of the `days`-th working day after `start`'s date:
    "we answer within 5 working days" of something sent on a Friday ends next Friday."""
    day = start.astimezone(STOCKHOLM).date()
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return datetime.combine(day, time(23, 59, 59), tzinfo=STOCKHOLM)
