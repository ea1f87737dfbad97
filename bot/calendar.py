"""Swedish working days and office hours.

Idle time is counted in working days: Monday–Friday, except Swedish public holidays and the
de facto holidays Midsommarafton, Julafton and Nyårsafton. Proactive messages go out only in
office hours on working days (arbetstidslagen: rest includes 00:00–05:00).

Everything here is pure. Moments come in as timezone-aware datetimes in any zone, are
reasoned about in local time (Europe/Stockholm) so that "08:00" stays 08:00 across daylight
saving changes, and go out in UTC, the way the database stores them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from holidays import HolidayBase

# Sweden's time zone: the one definition (office hours, dates shown, export file names).
STOCKHOLM = ZoneInfo("Europe/Stockholm")
DEFAULT_OFFICE_START = time(8, 0)
DEFAULT_OFFICE_END = time(17, 0)


class CalendarError(ValueError):
    """A calendar setting that cannot work, explained."""


def parse_office_hours(raw: str) -> tuple[time, time]:
    """`08:00-17:00` → (08:00, 17:00). Raises CalendarError with an example otherwise."""
    start_raw, sep, end_raw = raw.strip().partition("-")
    try:
        if not sep:
            raise ValueError
        start, end = time.fromisoformat(start_raw.strip()), time.fromisoformat(end_raw.strip())
    except ValueError:
        raise CalendarError(
            f"office hours {raw!r} are not of the form HH:MM-HH:MM, e.g. 08:00-17:00"
        ) from None
    if start >= end:
        raise CalendarError(f"office hours {raw!r} end before they start, e.g. 08:00-17:00")
    return start, end


_K = TypeVar("_K")
_V = TypeVar("_V")


def _bounded(cache: dict[_K, _V]) -> dict[_K, _V]:
    """The cache, emptied first when full: a long-running server never grows it for ever."""
    if len(cache) > 100_000:  # each of the two: 200,000 answers in all at most
        cache.clear()
    return cache


@lru_cache(maxsize=4)
def _swedish_holidays() -> HolidayBase:
    # Imported when first asked: importing `holidays` loads every country it knows (~0.1 s,
    # before the terminal chat could show its first prompt).
    from holidays.countries.sweden import Sweden

    # The object fills in further years by itself as they are asked about.
    return Sweden(include_sundays=False, categories=("public", "de_facto"))


def load_holidays() -> None:
    """Load the holiday tables now (the server does, at start), not in someone's turn."""
    _swedish_holidays()


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days and office hours in one time zone (default: Sweden)."""

    timezone: str = STOCKHOLM.key
    office_start: time = DEFAULT_OFFICE_START
    office_end: time = DEFAULT_OFFICE_END
    # Extra closed days (a municipality's own klämdag, say), beside the national ones.
    closed_days: frozenset[date] = field(default_factory=frozenset)
    # Derived, not settings (no part of ==, hash or repr).
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    # Sweeps ask about the same few hundred dates over and over: remember the answers.
    _working_cache: dict[date, bool] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _between_cache: dict[tuple[date, date], int] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _add_cache: dict[tuple[date, int], date] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        if self.office_start >= self.office_end:
            raise CalendarError("office hours must end after they start")
        object.__setattr__(self, "_zone", ZoneInfo(self.timezone))

    # Days -------------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        cache = self._working_cache
        known = cache.get(day)
        if known is None:
            known = (
                day.weekday() < 5 and day not in _swedish_holidays() and day not in self.closed_days
            )
            cache[day] = known
        return known

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise CalendarError("naive datetime given to the calendar; use the clock")
        return moment.astimezone(self._zone)

    def _at(self, day: date, clock_time: time) -> datetime:
        """The UTC moment of a local wall-clock time on a day."""
        return datetime.combine(day, clock_time, self._zone).astimezone(UTC)

    # Counting ---------------------------------------------------------------------------

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """How many working days have begun after `start`'s day, up to and including `end`'s
        day. Monday → the next Monday is 5; Thursday before Midsommar → the Thursday after is 4.
        Zero when `end` is on the same day or earlier."""
        first, last = self.local(start).date(), self.local(end).date()
        if last <= first:
            return 0
        cache = _bounded(self._between_cache)
        count = cache.get((first, last))
        if count is None:
            count, day = 0, first
            while day < last:
                day += timedelta(days=1)
                if self.is_working_day(day):
                    count += 1
            cache[(first, last)] = count
        return count

    def add_working_days(self, moment: datetime, days: int) -> datetime:
        """The same local time of day, `days` working days later. A moment on a weekend or
        holiday counts from the next working day (Saturday + 1 = Monday). Returns UTC."""
        if days < 0:
            raise CalendarError("cannot add a negative number of working days")
        local = self.local(moment)
        start = local.date()
        cache = _bounded(self._add_cache)
        day = cache.get((start, days))
        if day is None:
            day = start
            for _ in range(days):
                day = self.next_working_day(day)
            cache[(start, days)] = day
        return self._at(day, local.time().replace(tzinfo=None))

    def end_of_working_days(self, start: datetime, days: int) -> datetime:
        """The end (23:59:59 local) of the `days`-th working day after `start`'s day: "we
        answer within 5 working days" of something sent on a Friday ends next Friday."""
        day = self.local(start).date()
        for _ in range(days):
            day = self.next_working_day(day)
        return self._at(day, time(23, 59, 59))

    # Office hours -----------------------------------------------------------------------

    def is_office_moment(self, moment: datetime) -> bool:
        local = self.local(moment)
        return (
            self.is_working_day(local.date())
            and self.office_start <= local.time().replace(tzinfo=None) < self.office_end
        )

    def next_office_moment(self, moment: datetime) -> datetime:
        """`moment` itself if it lies in office hours on a working day, else the next opening
        (08:00 the next working day by default). Returns UTC."""
        local = self.local(moment)
        day, clock_time = local.date(), local.time().replace(tzinfo=None)
        if self.is_working_day(day):
            if clock_time < self.office_start:
                return self._at(day, self.office_start)
            if clock_time < self.office_end:
                return moment.astimezone(UTC)
        return self._at(self.next_working_day(day), self.office_start)


DEFAULT_CALENDAR = WorkingCalendar()
