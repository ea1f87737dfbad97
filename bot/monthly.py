"""The admins' monthly digest: on the first working day of a month, in office hours, each
admin who is here gets the headline figures of the month before (new ideas, moves, ideas
implemented and closed, the share of promises kept, satisfaction) — one message, through the
outbox. Its dedupe key names the admin and the month, so a sweep run again, or two replicas
sweeping at once, send it once. An admin away that day gets none that month (the same
figures are in `rapport förra månaden` whenever they ask)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.availability import admins_here
from bot.calendar import WorkingCalendar
from bot.config import Settings
from bot.periods import month_before
from bot.process import load_process
from conversations.i18n import person_language
from conversations.reply import payload_of
from conversations.views.admin import period_name
from conversations.views.monthly import MonthlyDigest, monthly_reply
from storage.ideas import month_figures
from storage.outbox import enqueue
from storage.people import first_name


@dataclass(frozen=True)
class SentMonthly:
    recipient: str
    recipient_id: int
    text: str


def first_working_day(calendar: WorkingCalendar, now: datetime) -> bool:
    """Whether `now` is on the month's first working day (Swedish time)."""
    day = calendar.local(now).date()
    return day == calendar.next_working_day(day.replace(day=1) - timedelta(days=1))


async def send_monthly_digests(
    session: AsyncSession,
    *,
    now: datetime,
    settings: Settings,
    calendar: WorkingCalendar,
    process: Any | None = None,
) -> list[SentMonthly]:
    """On the month's first working day, each admin here without this month's digest gets
    it now. `process`: its main line's terminal stages count as implemented, its closing
    stage as closed (the configured process file when None)."""
    if not first_working_day(calendar, now):
        return []
    admins = await admins_here(session, settings, now)
    if not admins:
        return []
    process = process or load_process(settings.process_path)
    period = month_before(now)
    implemented = list(process.implemented_stages)
    closed = [process.close_stage] if process.close_stage else []
    figures = await month_figures(
        session, since=period.start, until=period.end, implemented=implemented, closed=closed
    )
    sent = []
    for admin in admins:
        lang = person_language(admin)
        view = MonthlyDigest(
            name=first_name(admin.display_name),
            period=period_name(lang, period.year, period.month),
            new=figures.new,
            moved=figures.moved,
            implemented=figures.implemented,
            closed=figures.closed,
            promises_due=figures.promises_due,
            promises_kept=figures.promises_kept,
            scores=tuple(sorted(figures.scores.items())),
        )
        reply = monthly_reply(lang, view)
        if await enqueue(
            session,
            dedupe_key=f"monthly:{admin.id}:{period.year}-{period.month:02d}",
            recipient_id=admin.id,
            kind="monthly_digest",
            payload=payload_of(reply),
            now=now,
        ):
            sent.append(
                SentMonthly(admin.display_name or admin.platform_user_id, admin.id, reply.text)
            )
    return sent
