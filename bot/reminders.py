"""Reminders: no idea is forgotten, no idea giver waits in silence.

`sweep(now)` is one idempotent call (APScheduler only triggers it). It finds what is due and
writes outbox rows; the dispatcher delivers them in office hours.

What is due, counted in working days since the idea's last activity (`ideas.last_activity_at`):

- **idle** — the idea has rested in its stage for the stage's `idle_days`: its assignee is
  reminded, or every coordinator when nobody is assigned;
- **escalation** — after the stage's `escalate_days`: the admins hear of it (every coordinator
  when no admin has talked to the bot);
- **parked** — a parked idea gets a check-in to the coordinator after `check_in_days`, every
  `check_in_days`, instead of the two above;
- **giver** — the idea giver hears "your idea is still with us" every `giver_update_days`;
- **nudge** — someone who started describing an idea and went quiet for one working day is
  invited to continue, once (until they write again).

**Cost follows the due count.** Each idea keeps `next_due_at`, the next moment any of the above
falls due (indexed). The sweep reads only ideas with `next_due_at <= now`, and after handling
one moves its `next_due_at` on. Every activity on an idea must call `mark_activity` (it resets
the idle count and recomputes `next_due_at`); a change that is not activity but moves the
schedule (a snooze, a new policy) calls `reschedule`.

**Exactly once.** Every row's dedupe key names the idea, the kind, the idle period (the
moment of the last activity) and the repetition, and the recipient. Two sweeps at once (two
replicas) or a sweep run twice write each key once (the outbox's unique constraint); on
PostgreSQL the sweeps also split the due ideas between them with `FOR UPDATE SKIP LOCKED`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.calendar import DEFAULT_CALENDAR, WorkingCalendar
from bot.config import Settings
from bot.dispatcher import payload_of
from bot.process import default_process
from bot.retention import RetentionReport, apply_retention
from bot.roles import admin_people, coordinator_people
from conversations.i18n import LANGUAGES, person_language, tr
from conversations.reply import Reply
from storage.database import Database
from storage.dialogues import drafts_to_nudge, mark_nudged
from storage.ideas import due_ideas, people_by_id, set_next_due
from storage.models import Idea, Person
from storage.outbox import enqueue_many
from storage.people import first_name

log = logging.getLogger(__name__)

IDLE, ESCALATION, PARKED, GIVER, NUDGE = "idle", "escalation", "parked", "giver", "nudge"
# Kinds that a snooze holds back (the idea giver's "still with us" is never snoozed).
SNOOZABLE = frozenset({IDLE, ESCALATION, PARKED})


# The policy ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StagePolicy:
    names: Mapping[str, str]  # language → the stage's name
    idle_days: int | None = None
    escalate_days: int | None = None
    check_in_days: int | None = None
    terminal: bool = False

    def name(self, lang: str) -> str:
        return self.names.get(lang) or next(iter(self.names.values()))


@dataclass(frozen=True)
class ReminderPolicy:
    """Thresholds in working days. `from_process` reads them from the process file."""

    stages: Mapping[str, StagePolicy]
    giver_update_days: int | None = 15
    nudge_after_days: int = 1
    nudge_flows: frozenset[str] = frozenset({"intake"})

    @classmethod
    def default(cls) -> ReminderPolicy:
        """The shipped process file's thresholds and stage names."""
        return _default_policy()

    @classmethod
    def from_process(cls, process: Any, **overrides: Any) -> ReminderPolicy:
        """From a process object with `stages` (each with `names`, `terminal`, `idle_days`,
        `escalate_days`, `check_in_days`) and `giver_update_days`."""
        return cls(
            stages={
                stage_id: StagePolicy(
                    names=dict(stage.names),
                    idle_days=stage.idle_days,
                    escalate_days=stage.escalate_days,
                    check_in_days=stage.check_in_days,
                    terminal=stage.terminal,
                )
                for stage_id, stage in process.stages.items()
            },
            giver_update_days=process.giver_update_days,
            **overrides,
        )

    def stage(self, stage_id: str) -> StagePolicy:
        # An unknown stage (the process file changed) is treated as open, without reminders
        # to coordinators; the idea giver still hears from us.
        return self.stages.get(stage_id) or StagePolicy(names={"sv": stage_id})


@cache
def _default_policy() -> ReminderPolicy:
    return ReminderPolicy.from_process(default_process())


# The schedule (pure) ------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    kind: str
    at: datetime
    repetition: int = 1


def _once(kind: str, last: datetime, days: int | None, cal: WorkingCalendar) -> list[Due]:
    return [] if not days else [Due(kind, cal.add_working_days(last, days))]


def _repeating(
    kind: str, last: datetime, every: int | None, now: datetime, cal: WorkingCalendar
) -> list[Due]:
    """The latest repetition at or before `now` (if any) and the first after it."""
    if not every:
        return []
    k = max(1, cal.working_days_between(last, now) // every)
    while k > 1 and cal.add_working_days(last, k * every) > now:
        k -= 1
    while cal.add_working_days(last, (k + 1) * every) <= now:
        k += 1
    found = [Due(kind, cal.add_working_days(last, k * every), k)]
    if found[0].at <= now:
        found.append(Due(kind, cal.add_working_days(last, (k + 1) * every), k + 1))
    return found


def schedule(
    stage_id: str,
    last_activity: datetime,
    now: datetime,
    policy: ReminderPolicy,
    cal: WorkingCalendar,
    snoozed_until: datetime | None = None,
) -> list[Due]:
    """Everything that falls due for an idea in this idle period, as far as it matters at
    `now`: every one-off, and for repeating kinds the latest one due and the next one."""
    stage = policy.stage(stage_id)
    if stage.terminal:
        return []
    dues = _repeating(GIVER, last_activity, policy.giver_update_days, now, cal)
    if stage.check_in_days:
        dues += _repeating(PARKED, last_activity, stage.check_in_days, now, cal)
    else:
        dues += _once(IDLE, last_activity, stage.idle_days, cal)
        dues += _once(ESCALATION, last_activity, stage.escalate_days, cal)
    if snoozed_until is not None:
        dues = [
            Due(d.kind, max(d.at, snoozed_until), d.repetition) if d.kind in SNOOZABLE else d
            for d in dues
        ]
    return dues


def next_due(dues: Iterable[Due], now: datetime) -> datetime | None:
    return min((d.at for d in dues if d.at > now), default=None)


def mark_activity(
    idea: Idea,
    now: datetime,
    policy: ReminderPolicy | None = None,
    calendar: WorkingCalendar | None = None,
) -> None:
    """Something happened to the idea (submitted, moved, a note, a message from the idea
    giver): idle time starts again from `now`. Call it on EVERY activity."""
    idea.last_activity_at = now
    reschedule(idea, now, policy, calendar)


def reschedule(
    idea: Idea,
    now: datetime,
    policy: ReminderPolicy | None = None,
    calendar: WorkingCalendar | None = None,
) -> None:
    """Recompute `next_due_at` without resetting the idle count (after a snooze)."""
    dues = schedule(
        idea.stage,
        idea.last_activity_at,
        now,
        policy or ReminderPolicy.default(),
        calendar or DEFAULT_CALENDAR,
        idea.snoozed_until,
    )
    idea.next_due_at = next_due(dues, now)


# The sweep ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """One message the sweep wrote (or, in a dry run, would write)."""

    kind: str
    idea_id: int | None
    recipient: str
    text: str
    not_before: datetime


@dataclass
class SweepReport:
    ideas: int = 0
    dialogues: int = 0
    messages: list[Planned] = field(default_factory=list)
    retention: RetentionReport | None = None


@dataclass(frozen=True)
class _Recipient:
    id: int
    name: str | None
    display: str
    lang: str
    reachable: bool

    @classmethod
    def of(cls, person: Person) -> _Recipient:
        return cls(
            id=person.id,
            name=first_name(person.display_name),
            display=person.display_name or person.platform_user_id,
            lang=person_language(person),
            reachable=person.reachable,
        )


class _Sweep:
    def __init__(
        self,
        db: Database,
        now: datetime,
        policy: ReminderPolicy,
        cal: WorkingCalendar,
        settings: Settings,
        dry_run: bool,
        batch_size: int,
    ) -> None:
        self.db, self.now, self.policy, self.cal = db, now, policy, cal
        self.settings, self.dry_run, self.batch_size = settings, dry_run, batch_size
        self.report = SweepReport()
        # Reminders wait for office hours, unless the organisation works around the clock.
        any_time = getattr(settings, "deliver_any_time", False)
        self.deliver_at = now if any_time else cal.next_office_moment(now)

    async def run(self) -> SweepReport:
        async with self.db.sessions() as session:
            await session.begin()
            try:
                self.coordinators = [
                    _Recipient.of(p) for p in await coordinator_people(session, self.settings)
                ]
                self.admins = [
                    _Recipient.of(p) for p in await admin_people(session, self.settings)
                ] or self.coordinators
                if self.dry_run:
                    # One transaction, rolled back: the report says what would be written.
                    await self._ideas(session)
                    await self._nudges(session)
                    await self._retention(session)
                    await session.rollback()
                    return self.report
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
        await self._ideas(None)
        async with self.db.transaction() as session:
            await self._nudges(session)
            await self._retention(session)
        return self.report

    async def _retention(self, session: AsyncSession) -> None:
        # After the nudges, in their transaction: a draft is nudged long before it is deleted.
        self.report.retention = await apply_retention(session, self.now, self.settings)

    async def _ideas(self, shared: AsyncSession | None) -> None:
        # Each batch moves its ideas' next_due_at past `now`, so the next batch simply takes
        # the next ones still due: an index range scan in next_due_at order, no sorting.
        while True:
            if shared is not None:
                count = await self._idea_batch(shared)
            else:
                async with self.db.transaction() as session:
                    count = await self._idea_batch(session)
            if count < self.batch_size:
                return

    async def _idea_batch(self, session: AsyncSession) -> int:
        ideas = await due_ideas(session, now=self.now, limit=self.batch_size)
        if not ideas:
            return 0
        wanted = {i.person_id for i in ideas} | {i.assignee_id for i in ideas if i.assignee_id}
        people = {
            person_id: _Recipient.of(person)
            for person_id, person in (await people_by_id(session, wanted)).items()
        }
        rows: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for idea in ideas:
            dues = schedule(
                idea.stage,
                idea.last_activity_at,
                self.now,
                self.policy,
                self.cal,
                idea.snoozed_until,
            )
            for due in dues:
                if due.at <= self.now:
                    rows += self._messages(idea, due, people)
            updates.append({"id": idea.id, "next_due_at": next_due(dues, self.now)})
        await self._write(session, rows)
        await set_next_due(session, updates)
        self.report.ideas += len(ideas)
        return len(ideas)

    def _messages(
        self, idea: Idea, due: Due, people: Mapping[int, _Recipient]
    ) -> list[dict[str, Any]]:
        stage = self.policy.stage(idea.stage)
        assignee = people.get(idea.assignee_id) if idea.assignee_id else None
        days = self.cal.working_days_between(idea.last_activity_at, self.now)
        if due.kind == GIVER:
            giver = people.get(idea.person_id)
            if giver is None:
                return []
            lang = idea.language if idea.language in LANGUAGES else giver.lang
            coordinator = assignee.display if assignee else tr(lang, "someone.coordinators")
            text = tr(
                lang,
                "reminder.giver",
                first_name=giver.name,
                title=idea.title,
                stage=stage.name(lang),
                coordinator=coordinator,
            )
            return [self._row(idea, due, giver, text)]
        if due.kind == ESCALATION:
            recipients = self.admins
        else:
            recipients = [assignee] if assignee and assignee.reachable else self.coordinators
        out = []
        for person in recipients:
            key = "reminder.parked" if due.kind == PARKED else f"reminder.{due.kind}"
            values: dict[str, Any] = {
                "title": idea.title,
                "number": idea.id,
                "stage": stage.name(person.lang),
                "days": days,
            }
            if due.kind == ESCALATION:
                values["responsible"] = (
                    assignee.display
                    if assignee
                    else tr(person.lang, "someone.coordinators.subject")
                )
            out.append(
                self._row(idea, due, person, tr(person.lang, key, first_name=person.name, **values))
            )
        return out

    def _row(self, idea: Idea, due: Due, person: _Recipient, text: str) -> dict[str, Any]:
        period = int(idea.last_activity_at.timestamp())
        return {
            "dedupe_key": f"{due.kind}:{idea.id}:{period}:{due.repetition}:{person.id}",
            "recipient_id": person.id,
            "idea_id": idea.id,
            "kind": f"reminder_{due.kind}",
            "payload": payload_of(Reply(text)),
            "created_at": self.now,
            "not_before": self.deliver_at,
            "_who": person.display,
            "_text": text,
            "_reachable": person.reachable,
        }

    async def _write(self, session: AsyncSession, rows: list[dict[str, Any]]) -> None:
        rows = [r for r in rows if r["_reachable"]]
        clean = [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]
        written = await enqueue_many(session, clean)
        for row in rows:
            if row["dedupe_key"] in written:
                self.report.messages.append(
                    Planned(
                        row["kind"], row["idea_id"], row["_who"], row["_text"], row["not_before"]
                    )
                )

    async def _nudges(self, session: AsyncSession) -> None:
        # A working day is at least 24 hours: the index narrows, the calendar decides.
        newest = self.now - timedelta(days=self.policy.nudge_after_days)
        rows, nudged = [], []
        drafts = await drafts_to_nudge(
            session, untouched_since=newest, flows=self.policy.nudge_flows
        )
        for dialogue, person in drafts:
            if self.cal.add_working_days(dialogue.updated_at, self.policy.nudge_after_days) > (
                self.now
            ):
                continue
            if not any(key != "workplace" for key in dialogue.answers):
                # Only a "hej" and the first question: nothing was begun that could be
                # finished, so "du började berätta om en idé" would not be true.
                nudged.append(person.id)
                continue
            who = _Recipient.of(person)
            text = tr(who.lang, "reminder.nudge", first_name=who.name)
            period = int(dialogue.updated_at.timestamp())
            rows.append(
                {
                    "dedupe_key": f"nudge:{person.id}:{period}",
                    "recipient_id": person.id,
                    "idea_id": None,
                    "kind": "reminder_nudge",
                    "payload": payload_of(Reply(text)),
                    "created_at": self.now,
                    "not_before": self.deliver_at,
                    "_who": who.display,
                    "_text": text,
                    "_reachable": who.reachable,
                }
            )
            nudged.append(person.id)
        await self._write(session, rows)
        await mark_nudged(session, nudged, now=self.now)
        self.report.dialogues += len(nudged)


async def sweep(
    db: Database,
    now: datetime,
    *,
    policy: ReminderPolicy | None = None,
    calendar: WorkingCalendar | None = None,
    settings: Settings | None = None,
    dry_run: bool = False,
    batch_size: int = 500,
) -> SweepReport:
    """Write every reminder due at `now` to the outbox (idempotent). With `dry_run`, write
    nothing and report what would be written."""
    settings = settings or Settings()
    run = _Sweep(
        db,
        now,
        policy or ReminderPolicy.default(),
        calendar or settings.calendar(),
        settings,
        dry_run,
        batch_size,
    )
    report = await run.run()
    log.info(
        "reminder sweep",
        extra={
            "ideas": report.ideas,
            "dialogues": report.dialogues,
            "messages": len(report.messages),
        },
    )
    return report


async def snooze_idea(
    session: AsyncSession,
    idea: Idea,
    *,
    days: int,
    reason: str | None,
    actor: Person | None,
    now: datetime,
    policy: ReminderPolicy | None = None,
    calendar: WorkingCalendar | None = None,
) -> datetime:
    """A coordinator's `snooze N <days>`: no reminders to coordinators or admins for this idea
    for `days` working days (the idea giver still hears from us). The reason is kept as an
    event. Returns the moment reminders resume (opening time on that working day)."""
    from storage.ideas import add_event

    if days < 1:
        raise ValueError("snooze for at least one working day")
    cal = calendar or DEFAULT_CALENDAR
    # Reminders resume when the office opens on the last working day of the snooze.
    resume = cal.local(cal.add_working_days(now, days))
    until = cal.next_office_moment(resume.replace(hour=0, minute=0, second=0, microsecond=0))
    idea.snoozed_until = until
    reschedule(idea, now, policy, cal)
    await add_event(
        session,
        idea,
        actor=actor,
        kind="snoozed",
        now=now,
        text=reason,
        data={"days": days, "until": until.isoformat()},
    )
    return until
