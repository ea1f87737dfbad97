"""The Swedish working-day calendar and office hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.calendar import CalendarError, WorkingCalendar, parse_office_hours
from bot.config import Settings

SE = ZoneInfo("Europe/Stockholm")
cal = WorkingCalendar()


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SE)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 6, 18), True),  # Thursday before Midsommar
        (date(2026, 6, 19), False),  # Midsommarafton (de facto)
        (date(2026, 6, 20), False),  # Midsommardagen, a Saturday
        (date(2026, 6, 22), True),
        (date(2026, 12, 23), True),
        (date(2026, 12, 24), False),  # Julafton
        (date(2026, 12, 25), False),  # Juldagen
        (date(2026, 12, 28), True),
        (date(2026, 12, 31), False),  # Nyårsafton
        (date(2027, 1, 1), False),  # Nyårsdagen
        (date(2027, 1, 6), False),  # Trettondedag jul
        (date(2026, 4, 3), False),  # Långfredagen
        (date(2026, 4, 6), False),  # Annandag påsk
        (date(2026, 4, 7), True),
        (date(2026, 5, 14), False),  # Kristi himmelsfärd
        (date(2026, 5, 15), True),  # klämdag: a working day unless the municipality closes it
        (date(2026, 6, 6), False),  # Nationaldagen, a Saturday
        (date(2027, 6, 4), True),  # Friday before Nationaldagen on Sunday
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 11, 29), False),  # Sunday
    ],
)
def test_working_days(day: date, working: bool) -> None:
    assert cal.is_working_day(day) is working


def test_thursday_before_midsommar_plus_five_working_days_is_the_next_friday() -> None:
    thursday = at(2026, 6, 18, 10, 30)
    due = cal.add_working_days(thursday, 5)
    # Fri 19 (Midsommarafton) and the weekend skipped: Mon 22 … Fri 26.
    assert due == at(2026, 6, 26, 10, 30)
    assert cal.working_days_between(thursday, due) == 5
    assert cal.working_days_between(thursday, at(2026, 6, 25, 16)) == 4


def test_christmas_and_new_year() -> None:
    # Wed 23 Dec 2026: 24, 25 (Thu, Fri) off, weekend, Mon 28, Tue 29, Wed 30, Nyårsafton and
    # Nyårsdagen off, weekend, Mon 4 Jan, Tue 5, Trettondagen off, Thu 7.
    assert cal.add_working_days(at(2026, 12, 23), 3) == at(2026, 12, 30)
    assert cal.add_working_days(at(2026, 12, 23), 4) == at(2027, 1, 4)
    assert cal.add_working_days(at(2026, 12, 23), 6) == at(2027, 1, 7)
    assert cal.working_days_between(at(2026, 12, 23), at(2027, 1, 7)) == 6


def test_easter() -> None:
    # Thu 2 Apr 2026 → Good Friday, Easter weekend and Monday skipped.
    assert cal.add_working_days(at(2026, 4, 2), 1) == at(2026, 4, 7)


def test_a_weekend_moment_counts_from_the_next_working_day() -> None:
    saturday = at(2026, 11, 28, 14)
    assert cal.add_working_days(saturday, 1) == at(2026, 11, 30, 14)
    assert cal.add_working_days(saturday, 0) == saturday.astimezone(UTC)


def test_results_are_utc() -> None:
    assert cal.add_working_days(at(2026, 6, 15), 1).tzinfo is UTC
    assert cal.next_office_moment(at(2026, 6, 15, 22)).tzinfo is UTC


def test_local_time_of_day_survives_daylight_saving_changes() -> None:
    # Summer time starts Sunday 29 March 2026 and ends Sunday 25 October 2026.
    before_spring = at(2026, 3, 27, 9)  # Friday, UTC+1
    after = cal.add_working_days(before_spring, 1)
    assert after == at(2026, 3, 30, 9)
    assert after.hour == 7  # 09:00 in summer time is 07:00 UTC
    before_autumn = at(2026, 10, 23, 9)  # Friday, UTC+2
    assert cal.add_working_days(before_autumn, 1).hour == 8  # 09:00 CET = 08:00 UTC
    assert cal.next_office_moment(at(2026, 10, 24, 12)) == at(2026, 10, 26, 8)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 6, 15, 9), at(2026, 6, 15, 9)),  # inside: unchanged
        (at(2026, 6, 15, 7, 59), at(2026, 6, 15, 8)),  # early morning: opening time
        (at(2026, 6, 15, 17), at(2026, 6, 16, 8)),  # closing time is already closed
        (at(2026, 6, 15, 22), at(2026, 6, 16, 8)),  # 22:00 Monday → 08:00 Tuesday
        (at(2026, 6, 18, 22), at(2026, 6, 22, 8)),  # Thursday before Midsommar → Monday
        (at(2026, 6, 19, 10), at(2026, 6, 22, 8)),  # Midsommarafton
        (at(2026, 12, 23, 18), at(2026, 12, 28, 8)),  # Christmas
        (at(2026, 12, 30, 17, 30), at(2027, 1, 4, 8)),  # New Year
    ],
)
def test_next_office_moment(moment: datetime, expected: datetime) -> None:
    assert cal.next_office_moment(moment) == expected
    assert cal.is_office_moment(cal.next_office_moment(moment))


def test_office_hours_are_configurable() -> None:
    late = WorkingCalendar(office_start=time(9, 30), office_end=time(15, 0))
    assert late.next_office_moment(at(2026, 6, 15, 9)) == at(2026, 6, 15, 9, 30)
    assert late.next_office_moment(at(2026, 6, 15, 15)) == at(2026, 6, 16, 9, 30)
    settings_ = Settings.from_env({"IDESLUSS_OFFICE_HOURS": "07:30-16:00"})
    assert settings_.calendar().office_start == time(7, 30)
    assert settings_.calendar().office_end == time(16, 0)


def test_a_municipality_may_close_extra_days() -> None:
    closed = WorkingCalendar(closed_days=frozenset({date(2026, 5, 15)}))
    assert not closed.is_working_day(date(2026, 5, 15))
    assert closed.add_working_days(at(2026, 5, 13), 1) == at(2026, 5, 18)


@pytest.mark.parametrize("raw", ["8-17", "17:00-08:00", "08:00", "soon"])
def test_bad_office_hours_are_explained(raw: str) -> None:
    with pytest.raises(CalendarError, match="08:00-17:00"):
        parse_office_hours(raw)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(CalendarError, match="naive"):
        cal.next_office_moment(datetime(2026, 6, 15, 9))


moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=200, deadline=None)
@given(moment=moments, days=st.integers(min_value=0, max_value=40))
def test_adding_and_counting_agree(moment: datetime, days: int) -> None:
    later = cal.add_working_days(moment, days)
    assert later >= moment - timedelta(hours=1)  # same wall time; DST may shift an hour
    assert cal.working_days_between(moment, later) == days
    if days:
        assert cal.is_working_day(cal.local(later).date())


@settings(max_examples=200, deadline=None)
@given(moment=moments)
def test_next_office_moment_is_the_first_one(moment: datetime) -> None:
    opening = cal.next_office_moment(moment)
    assert opening >= moment
    assert cal.is_office_moment(opening)
    # Nothing in between is office time (checked on the quarter hours).
    probe = moment
    while probe < opening - timedelta(minutes=15):
        probe += timedelta(minutes=15)
        assert not cal.is_office_moment(probe) or probe >= opening
