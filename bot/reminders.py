"""Reminders: no idea is forgotten, no idea giver waits in silence.

`sweep(now)` is one idempotent call (APScheduler only triggers it). It finds what is due,
writes the idea givers' messages to the outbox and the coordinators' news to
`coordinator_news`, and sends each coordinator at most one digest a working day
(bot/digest.py); the dispatcher delivers in office hours.

What is due for an open idea:

- **idle** — the idea has rested in its stage for the stage's `idle_days` (counted from
  `ideas.last_activity_at`), and again every `idle_days`: news for whoever answers for it
  (bot/availability.py: its coordinator, their stand-in, or every coordinator here);
- **escalation** — after the stage's `escalate_days` without a move (counted from
  `ideas.stage_changed_at`: a note is no progress), and again every `escalate_days`: news
  for the admins who are here (else for whoever answers for the idea; the digest shows one
  line per idea, so nobody hears of one idea twice);
- **parked** — a parked idea's check-in, every `check_in_days`, instead of the two above;
- **promise_warn** — `promise_warn_days` working days before the idea's open promise falls
  due (bot/promises.py): news asking whoever answers for it to write, snooze or hand over;
- **promise_broken** — on the afternoon of the due day, nothing has reached the giver: the
  bot tells them so honestly and makes a new promise it can keep (within the maximum);
- **giver** — the giver has heard nothing for `max_silence_days` (counted from
  `ideas.giver_heard_at`: a note or an assignment is no news to them) and no promise falls
  due first: the bot's "still with us", sent at the opening of that day;
- **nudge** — someone who started describing an idea and went quiet for one working day is
  invited to continue, once (until they write again).

**Cost follows the due count.** Each idea keeps `next_due_at`, the next moment any of the above
falls due (indexed). The sweep reads only ideas with `next_due_at <= now`, and after handling
one moves its `next_due_at` on. Every activity on an idea must call `mark_activity` (it resets
the idle count and recomputes `next_due_at`); a change that is not activity but moves the
schedule (a snooze, a message to the giver, a promise) calls `reschedule` (bot/promises.py
does so for `giver_told` and `promise`).

**Exactly once.** Every row's dedupe key names the idea, the kind, the idle period (the
moment of the last activity) or the promise, the repetition, and the recipient. Two sweeps at
once (two replicas) or a sweep run twice write each key once (the unique constraints of the
outbox and of the news); on PostgreSQL the sweeps also split the due ideas between them with
`FOR UPDATE SKIP LOCKED`; a digest's key names its recipient and day.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.availability import admins_here
from bot.availability import team as team_at
from bot.away import start_due_absences
from bot.calendar import DEFAULT_CALENDAR, WorkingCalendar
from bot.config import Settings
from bot.digest import send_digests
from bot.dispatcher import payload_of
from bot.monthly import send_monthly_digests
from bot.process import default_process
from bot.promises import (
    BOT,
    RENEWED,
    break_moment,
    due_after,
    giver_told,
    opening,
    silence_day,
    warn_moment,
)
from bot.promises import promise as make_promise_for
from bot.retention import RetentionReport, apply_retention
from conversations.i18n import LANGUAGES, format_weekday, person_language, tr
from conversations.intake import has_own_answers
from conversations.reply import Reply
from storage.database import Database
from storage.dialogues import drafts_to_nudge, mark_nudged
from storage.ideas import due_ideas, people_by_id, set_next_due
from storage.models import Idea, Person, Promise
from storage.news import add_news_many
from storage.outbox import enqueue_many
from storage.people import first_name
from storage.promises import open_promises, settle_open_promises

log = logging.getLogger(__name__)

IDLE, ESCALATION, PARKED, GIVER, NUDGE = "idle", "escalation", "parked", "giver", "nudge"
WARN, BROKEN = "promise_warn", "promise_broken"
# Kinds that a snooze holds back (the idea giver's messages and their promises never are).
SNOOZABLE = frozenset({IDLE, ESCALATION, PARKED})


# The policy ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StagePolicy:
    names: Mapping[str, str]  # language → the stage's name
    idle_days: int | None = None
    escalate_days: int | None = None
    check_in_days: int | None = None
    terminal: bool = False
    promise_days: int | None = None

    def name(self, lang: str) -> str:
        return self.names.get(lang) or next(iter(self.names.values()))


@dataclass(frozen=True)
class ReminderPolicy:
    """Thresholds in working days. `from_process` reads them from the process file."""

    stages: Mapping[str, StagePolicy]
    # No idea giver goes longer without a message about an open idea (None: no limit).
    max_silence_days: int | None = 10
    promise_warn_days: int = 2
    # Warn before a promise falls due and write the honest note when it passes (off only for
    # a world without the bot's follow-ups: the year simulation's baseline).
    keep_promises: bool = True
    nudge_after_days: int = 1
    nudge_flows: frozenset[str] = frozenset({"intake"})

    @classmethod
    def default(cls) -> ReminderPolicy:
        """The shipped process file's thresholds and stage names."""
        return _default_policy()

    @classmethod
    def from_process(cls, process: Any, **overrides: Any) -> ReminderPolicy:
        """From a process object with `stages` (each with `names`, `terminal`, `idle_days`,
        `escalate_days`, `check_in_days`, `promise_days`), `max_silence_days` (or its old
        name `giver_update_days`) and `promise_warn_days`."""
        return cls(
            stages={
                stage_id: StagePolicy(
                    names=dict(stage.names),
                    idle_days=stage.idle_days,
                    escalate_days=stage.escalate_days,
                    check_in_days=stage.check_in_days,
                    terminal=stage.terminal,
                    promise_days=getattr(stage, "promise_days", None),
                )
                for stage_id, stage in process.stages.items()
            },
            max_silence_days=getattr(
                process, "max_silence_days", getattr(process, "giver_update_days", 10)
            ),
            promise_warn_days=getattr(process, "promise_warn_days", 2),
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
    *,
    heard_at: datetime | None = None,
    promise_due: datetime | None = None,
    stage_since: datetime | None = None,
) -> list[Due]:
    """Everything that falls due for an idea, as far as it matters at `now`: for repeating
    kinds the latest one due and the next one; the open promise's warning and its honest
    note; the giver's "still with us" when no promise falls due before the silence is too
    long (never both on one day)."""
    stage = policy.stage(stage_id)
    if stage.terminal:
        return []
    dues: list[Due] = []
    if stage.check_in_days:
        dues += _repeating(PARKED, last_activity, stage.check_in_days, now, cal)
    else:
        dues += _repeating(IDLE, last_activity, stage.idle_days, now, cal)
        # Escalation counts from the last move: notes are no progress (a forgotten idea).
        dues += _repeating(ESCALATION, stage_since or last_activity, stage.escalate_days, now, cal)
    if snoozed_until is not None:
        dues = [
            Due(d.kind, max(d.at, snoozed_until), d.repetition) if d.kind in SNOOZABLE else d
            for d in dues
        ]
    if promise_due is not None and policy.keep_promises:
        dues.append(Due(WARN, warn_moment(cal, promise_due, policy.promise_warn_days)))
        dues.append(Due(BROKEN, break_moment(cal, promise_due)))
    if policy.max_silence_days:
        day = silence_day(cal, heard_at or last_activity, policy.max_silence_days)
        if promise_due is None or cal.local(promise_due).date() > day:
            dues.append(Due(GIVER, opening(cal, day)))
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
    """Recompute `next_due_at` without resetting the idle count (after a snooze, a message
    to the giver, a promise). Something already due and not yet swept stays due: the sweep
    takes the idea and decides what still matters (a message that keeps no promise, such as
    news of who has the idea, must not skip the promise's warning due this morning)."""
    pending = idea.next_due_at
    if pending is not None and pending <= now:
        return
    idea.next_due_at = next_due(
        _idea_schedule(idea, now, policy or ReminderPolicy.default(), calendar or DEFAULT_CALENDAR),
        now,
    )


def _idea_schedule(
    idea: Idea, now: datetime, policy: ReminderPolicy, cal: WorkingCalendar
) -> list[Due]:
    return schedule(
        idea.stage,
        idea.last_activity_at,
        now,
        policy,
        cal,
        idea.snoozed_until,
        heard_at=idea.giver_heard_at,
        promise_due=idea.promise_due_at,
        stage_since=idea.stage_changed_at,
    )


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
    news: int = 0  # pieces of news kept for coordinators' digests
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
        self.news_rows: list[dict[str, Any]] = []
        # Messages wait for office hours, unless the organisation works around the clock.
        self.any_time = bool(getattr(settings, "deliver_any_time", False))
        self.deliver_at = now if self.any_time else cal.next_office_moment(now)

    async def run(self) -> SweepReport:
        if self.dry_run:
            # One transaction, rolled back: the report says what would be written.
            async with self.db.sessions() as session:
                await session.begin()
                try:
                    await self._absences(session)
                    await self._ideas(session)
                    await self._digests(session)
                    await self._nudges(session)
                    await self._retention(session)
                finally:
                    await session.rollback()
            return self.report
        async with self.db.transaction() as session:
            await self._absences(session)
        await self._ideas(None)
        async with self.db.transaction() as session:
            await self._digests(session)
        async with self.db.transaction() as session:
            await self._nudges(session)
            await self._retention(session)
        return self.report

    async def _absences(self, session: AsyncSession) -> None:
        # First: an absence that begins today hands its ideas' news to the stand-in before
        # any of it is written, and a coordinator who is gone is noticed in today's digest.
        await start_due_absences(session, self.settings, self.now)

    async def _retention(self, session: AsyncSession) -> None:
        # After the nudges, in their transaction: a draft is nudged long before it is deleted.
        self.report.retention = await apply_retention(session, self.now, self.settings)

    async def _digests(self, session: AsyncSession) -> None:
        if not (self.any_time or self.cal.is_office_moment(self.now)):
            return  # news waits for office hours
        for sent in await send_digests(
            session,
            now=self.now,
            settings=self.settings,
            calendar=self.cal,
            stages=self.policy.stages,
        ):
            self.report.messages.append(
                Planned("digest", None, sent.recipient, sent.text, self.deliver_at)
            )
        # The admins' monthly figures, on the first working day of a month (bot/monthly.py).
        for monthly in await send_monthly_digests(
            session, now=self.now, settings=self.settings, calendar=self.cal
        ):
            self.report.messages.append(
                Planned("monthly_digest", None, monthly.recipient, monthly.text, self.deliver_at)
            )

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
        promises = await open_promises(session, [i.id for i in ideas if i.promise_due_at])
        self.team = await team_at(session, self.settings, self.now)
        self.admins = [
            _Recipient.of(p) for p in await admins_here(session, self.settings, self.now)
        ]
        rows: list[dict[str, Any]] = []
        self.news_rows = []
        updates: list[dict[str, Any]] = []
        for idea in ideas:
            due_now = [d for d in _idea_schedule(idea, self.now, self.policy, self.cal)
                       if d.at <= self.now]  # fmt: skip
            kinds = {d.kind for d in due_now}
            made = promises.get(idea.id)
            if BROKEN in kinds:
                rows += await self._broken(session, idea, made, people)
            elif GIVER in kinds:
                rows += await self._still_with_us(session, idea, made, people)
            for due in due_now:
                if due.kind in (IDLE, ESCALATION, PARKED):
                    await self._news(session, idea, due, people)
                elif due.kind == WARN and made is not None and BROKEN not in kinds:
                    await self._warn(session, idea, due, made)
            following = next_due(_idea_schedule(idea, self.now, self.policy, self.cal), self.now)
            updates.append({"id": idea.id, "next_due_at": following})
        await self._write(session, rows)
        self.report.news += len(await add_news_many(session, self.news_rows))
        await session.flush()  # what giver_told and the promises changed on the ideas
        # The rest of the ideas only move their next_due_at: one statement for all.
        await set_next_due(session, updates)
        self.report.ideas += len(ideas)
        return len(ideas)

    # ── the idea giver ────────────────────────────────────────────────────────────────────

    def _giver(self, idea: Idea, people: Mapping[int, _Recipient]) -> tuple[_Recipient, str] | None:
        giver = people.get(idea.person_id)
        if giver is None:
            return None
        return giver, idea.language if idea.language in LANGUAGES else giver.lang

    def _coordinator(self, idea: Idea, people: Mapping[int, _Recipient]) -> _Recipient | None:
        """Who the giver is told has their idea now: its coordinator, or, while they are
        away (or gone), the one who answers for them; None: nobody, or the whole team."""
        if idea.assignee_id is None:
            return None
        if self.team.is_here(idea.assignee_id):
            return people.get(idea.assignee_id)
        answering = self.team.answers_for(idea.assignee_id)
        return _Recipient.of(answering[0]) if len(answering) == 1 else None

    def _renewal_days(self, idea: Idea) -> int:
        most = self.policy.max_silence_days or self.policy.stage(idea.stage).promise_days or 10
        return min(self.policy.stage(idea.stage).promise_days or most, most)

    async def _broken(
        self,
        session: AsyncSession,
        idea: Idea,
        made: Promise | None,
        people: Mapping[int, _Recipient],
    ) -> list[dict[str, Any]]:
        """The promise's day has come and nothing reached the giver: say so, honestly, and
        promise again within what the bot itself keeps."""
        found = self._giver(idea, people)
        if made is None or found is None:
            idea.promise_due_at = None  # nothing open (or nobody to tell)
            return []
        giver, lang = found
        due_day = self.cal.local(made.due_at).date()
        today = self.cal.local(self.now).date()
        renewed = due_after(self.cal, self.now, self._renewal_days(idea))
        coordinator = self._coordinator(idea, people)
        values: dict[str, Any] = {
            "first_name": giver.name,
            "title": idea.title,
            "when": tr(lang, "promise.today")
            if due_day >= today
            else tr(lang, "promise.by_date", date=format_weekday(due_day, lang)),
            "date": format_weekday(self.cal.local(renewed).date(), lang),
        }
        if coordinator is not None:
            text = tr(lang, "promise.broken", coordinator=coordinator.name or coordinator.display,
                      **values)  # fmt: skip
        else:
            text = tr(lang, "promise.broken.nobody", **values)
        made.status, made.settled_at = "broken", self.now
        await settle_open_promises(session, idea.id, status="broken", kept_by=None, now=self.now)
        await giver_told(session, idea, now=self.now, by=BOT, keeps=False,
                         policy=self.policy, calendar=self.cal)  # fmt: skip
        await make_promise_for(session, idea, due_at=renewed, kind=RENEWED, now=self.now,
                               policy=self.policy, calendar=self.cal)  # fmt: skip
        return [self._row(idea, f"{BROKEN}:{made.id}", BROKEN, giver, text)]

    async def _still_with_us(
        self,
        session: AsyncSession,
        idea: Idea,
        made: Promise | None,
        people: Mapping[int, _Recipient],
    ) -> list[dict[str, Any]]:
        found = self._giver(idea, people)
        if found is None:
            return []
        giver, lang = found
        heard = idea.giver_heard_at or idea.last_activity_at
        # The next time we write: the open promise's day, or the next "still with us".
        next_day = silence_day(self.cal, self.now, self.policy.max_silence_days or 10)
        if made is not None:
            next_day = min(next_day, self.cal.local(made.due_at).date())
        coordinator = self._coordinator(idea, people)
        text = tr(
            lang,
            "reminder.giver",
            first_name=giver.name,
            title=idea.title,
            stage=self.policy.stage(idea.stage).name(lang),
            coordinator=coordinator.display if coordinator else tr(lang, "someone.coordinators"),
            date=format_weekday(next_day, lang),
        )
        await giver_told(session, idea, now=self.now, by=BOT, keeps=made is None,
                         policy=self.policy, calendar=self.cal)  # fmt: skip
        key = f"{GIVER}:{idea.id}:{int(heard.timestamp())}"
        return [self._row(idea, key, GIVER, giver, text)]

    # ── the coordinators' news ────────────────────────────────────────────────────────────

    async def _news(
        self, session: AsyncSession, idea: Idea, due: Due, people: Mapping[int, _Recipient]
    ) -> None:
        if due.kind == ESCALATION and self.admins:
            recipients = [admin.id for admin in self.admins]
        else:
            recipients = [p.id for p in self.team.answers_for(idea.assignee_id)]
        since = idea.last_activity_at
        if due.kind == ESCALATION:
            since = idea.stage_changed_at  # notes are no progress
        period = int(since.timestamp())
        data = {
            "days": self.cal.working_days_between(since, self.now),
            "stage": idea.stage,
            "since": since.isoformat(),
        }
        for recipient in recipients:
            key = f"{due.kind}:{idea.id}:{period}:{due.repetition}:{recipient}"
            await self._add_news(session, key, recipient, due.kind, idea, data)

    async def _warn(self, session: AsyncSession, idea: Idea, due: Due, made: Promise) -> None:
        if due.at < made.made_at:
            return  # promised for less time than a warning needs: the honest note will do
        data = {"due": made.due_at.isoformat(), "stage": idea.stage}
        for person in self.team.answers_for(idea.assignee_id):
            key = f"{WARN}:{made.id}:{person.id}"
            await self._add_news(session, key, person.id, WARN, idea, data)
        made.warned_at = made.warned_at or self.now

    async def _add_news(
        self,
        session: AsyncSession,
        key: str,
        recipient: int,
        kind: str,
        idea: Idea,
        data: dict[str, Any],
    ) -> None:
        # Written in one statement at the end of the batch (`_idea_batch`).
        self.news_rows.append(
            {"dedupe_key": key, "recipient_id": recipient, "kind": kind, "idea_id": idea.id,
             "data": data, "created_at": self.now}
        )  # fmt: skip

    # ── the outbox ────────────────────────────────────────────────────────────────────────

    def _row(
        self, idea: Idea, key: str, kind: str, person: _Recipient, text: str
    ) -> dict[str, Any]:
        return {
            "dedupe_key": key,
            "recipient_id": person.id,
            "idea_id": idea.id,
            "kind": f"reminder_{kind}",
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
            if not has_own_answers(dialogue.answers):
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
    """A coordinator's `snooze N <days> [reason]`: no reminders to coordinators or admins for
    this idea for `days` working days. The reason is kept as an event and goes to the idea
    giver ("Maria behöver lite mer tid: ”…”. Du hör av oss senast <date>."): that keeps the
    promise they had and makes a new one, due on the day the snooze ends. Returns the moment
    reminders resume (opening time on that working day)."""
    from storage.ideas import add_event

    if days < 1:
        raise ValueError("snooze for at least one working day")
    cal = calendar or DEFAULT_CALENDAR
    # Reminders resume when the office opens on the last working day of the snooze.
    resume = cal.local(cal.add_working_days(now, days))
    until = cal.next_office_moment(resume.replace(hour=0, minute=0, second=0, microsecond=0))
    idea.snoozed_until = until
    reschedule(idea, now, policy, cal)
    event = await add_event(
        session,
        idea,
        actor=actor,
        kind="snoozed",
        now=now,
        text=reason,
        data={"days": days, "until": until.isoformat(), "told_giver": bool(reason)},
    )
    if reason:
        await _tell_giver_of_snooze(session, idea, reason, actor, event.id, until, now,
                                    policy, cal)  # fmt: skip
    return until


async def _tell_giver_of_snooze(
    session: AsyncSession,
    idea: Idea,
    reason: str,
    actor: Person | None,
    event_id: int,
    until: datetime,
    now: datetime,
    policy: ReminderPolicy | None,
    cal: WorkingCalendar,
) -> None:
    from bot.promises import SNOOZE, due_on
    from storage.outbox import enqueue
    from storage.people import get_person

    giver = await get_person(session, idea.person_id)
    if giver is None:
        return
    lang = giver.locale if giver.locale in LANGUAGES else idea.language
    day = cal.local(until).date()
    name = first_name(actor.display_name) if actor else None
    text = tr(
        lang,
        "promise.snoozed",
        first_name=first_name(giver.display_name),
        coordinator=name or tr(lang, "someone.coordinators.subject"),
        title=idea.title,
        reason=reason,
        date=format_weekday(day, lang),
    )
    await enqueue(
        session,
        dedupe_key=f"idea:{idea.id}:snooze:{event_id}",
        recipient_id=giver.id,
        kind="snoozed",
        payload=payload_of(Reply(text)),
        now=now,
        idea_id=idea.id,
    )
    await giver_told(session, idea, now=now, policy=policy, calendar=cal)
    await make_promise_for(session, idea, due_at=due_on(cal, day), kind=SNOOZE, now=now,
                           policy=policy, calendar=cal)  # fmt: skip
