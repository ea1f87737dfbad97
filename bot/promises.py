"""Promises to idea givers are commitments the bot keeps.

Every time a message tells an idea giver when they will hear from us next ("inom två
veckor"), that is stored with its due date (`promise`). The next message about the idea that
reaches the giver keeps it (`giver_told`). The reminder sweep asks the coordinator before a
promise falls due, and when one passes unkept, tells the giver so honestly and makes a new
promise the bot can keep (bot/reminders.py).

The moments, all on working days (bot/calendar.py):

- a promise "within N working days" is due at the end of the N-th working day (`due_after`);
- the coordinator is asked at the office's opening `warn_days` working days before that day
  (`warn_moment`);
- if nothing reached the giver by the afternoon of the due day, the bot writes the honest
  note itself (`break_moment`), still on the day it promised;
- with no promise falling due first, the bot's own "still with us" goes at the opening of the
  day the maximum silence runs out (`silence_moment`), so that it is delivered in time.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.calendar import WorkingCalendar
from storage.models import Idea
from storage.promises import make_promise, settle_open_promises

if TYPE_CHECKING:
    from bot.reminders import ReminderPolicy

COORDINATOR, BOT = "coordinator", "bot"
# Kinds of promise: a stage's next step, the first answer after submitting, a snooze's new
# date, the bot's renewal after a broken one.
STAGE, FIRST, SNOOZE, RENEWED = "stage", "first", "snooze", "renewed"
# How long before the end of office hours on the due day the bot writes the honest note.
BREAK_BEFORE_CLOSING = timedelta(hours=2)


async def giver_told(
    session: AsyncSession,
    idea: Idea,
    *,
    now: datetime,
    by: str = COORDINATOR,
    keeps: bool = True,
    policy: ReminderPolicy | None = None,
    calendar: WorkingCalendar | None = None,
) -> None:
    """A message about `idea` goes to its giver now (`by` a coordinator, or the bot): the
    silence ends, and an open promise is kept. `keeps=False`: the message does not answer the
    promise (the bot's "still with us" before a coordinator's promise is due; the honest note
    on a broken one), so the promise stays for the sweep to settle."""
    from bot.reminders import reschedule

    idea.giver_heard_at = now
    if keeps:
        await settle_open_promises(session, idea.id, status="kept", kept_by=by, now=now)
        idea.promise_due_at = None
    reschedule(idea, now, policy, calendar)


async def promise(
    session: AsyncSession,
    idea: Idea,
    *,
    due_at: datetime,
    kind: str,
    now: datetime,
    policy: ReminderPolicy | None = None,
    calendar: WorkingCalendar | None = None,
) -> None:
    """The giver was told they hear from us by `due_at`: that replaces any earlier promise."""
    from bot.reminders import reschedule

    await settle_open_promises(session, idea.id, status="replaced", kept_by=None, now=now)
    await make_promise(session, idea.id, due_at=due_at, kind=kind, now=now)
    idea.promise_due_at = due_at
    reschedule(idea, now, policy, calendar)


async def forget_promise(session: AsyncSession, idea: Idea, *, now: datetime) -> None:
    """The idea's open promise no longer stands (its message was withdrawn before it went)."""
    await settle_open_promises(session, idea.id, status="replaced", kept_by=None, now=now)
    idea.promise_due_at = None


# The moments (pure) -------------------------------------------------------------------------


def due_after(cal: WorkingCalendar, now: datetime, days: int) -> datetime:
    """ "Within `days` working days" of `now`: the end of that working day."""
    return cal.end_of_working_days(now, days)


def due_on(cal: WorkingCalendar, day: date) -> datetime:
    """The end of `day` (a promise "senast tisdag 12 augusti")."""
    return cal.end_of_working_days(datetime.combine(day, time(12), ZoneInfo(cal.timezone)), 0)


def opening(cal: WorkingCalendar, day: date) -> datetime:
    """The office's opening on `day` (a working day), in UTC."""
    return cal.next_office_moment(datetime.combine(day, time(0), ZoneInfo(cal.timezone)))


def working_days_before(cal: WorkingCalendar, day: date, days: int) -> date:
    for _ in range(days):
        day -= timedelta(days=1)
        while not cal.is_working_day(day):
            day -= timedelta(days=1)
    return day


def warn_moment(cal: WorkingCalendar, due_at: datetime, warn_days: int) -> datetime:
    """When the coordinator is asked to keep a promise due at `due_at`."""
    return opening(cal, working_days_before(cal, cal.local(due_at).date(), warn_days))


def break_moment(cal: WorkingCalendar, due_at: datetime) -> datetime:
    """When the bot writes the honest note itself: the afternoon of the due day."""
    day = cal.local(due_at).date()
    closing = datetime.combine(day, cal.office_end, ZoneInfo(cal.timezone))
    return max(opening(cal, day), closing - BREAK_BEFORE_CLOSING).astimezone(due_at.tzinfo)


def silence_day(cal: WorkingCalendar, heard_at: datetime, max_days: int) -> date:
    """The working day the maximum silence after `heard_at` runs out."""
    return cal.local(cal.add_working_days(heard_at, max_days)).date()


def silence_moment(cal: WorkingCalendar, heard_at: datetime, max_days: int) -> datetime:
    """When the bot's "still with us" goes, to be delivered before the silence is too long."""
    return opening(cal, silence_day(cal, heard_at, max_days))
