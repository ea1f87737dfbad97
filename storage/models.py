"""The tables. One migration per change under storage/migrations/versions/."""

from __future__ import annotations

from datetime import UTC, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy import text as sql
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both SQLite (which stores naive text) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use the clock")

        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None

        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {datetime: UTCDateTime, dict[str, Any]: JSON}

    if TYPE_CHECKING:
        # Every model here maps one table (none maps a join or a select), so the Core
        # statements on `Model.__table__` see a Table.
        __table__: ClassVar[Table]


class Person(Base):
    """Someone the bot talks to, on one platform. `address` is what proactive messages need."""

    __tablename__ = "persons"
    __table_args__ = (UniqueConstraint("platform", "platform_user_id", name="uq_person_platform"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    platform_user_id: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(200))
    # The language the person chose (sv/en); None means "follow the platform's locale".
    locale: Mapped[str | None] = mapped_column(String(8))
    platform_locale: Mapped[str | None] = mapped_column(String(16))
    workplace: Mapped[str | None] = mapped_column(String(200))
    # The person's last workplace as the organisation file names it (offered next time).
    administration: Mapped[str | None] = mapped_column(String(120))
    unit: Mapped[str | None] = mapped_column(String(120))
    address: Mapped[dict[str, Any] | None]
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    # When the bot first introduced itself: the long introduction is said once per person.
    introduced_at: Mapped[datetime | None]
    # The work e-mail address the platform gave (lower case): how admins name people, and
    # where mail goes when the chat cannot reach them. `email_checked_at`: when we last asked.
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    email_checked_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    @property
    def qualified_id(self) -> str:
        return f"{self.platform}:{self.platform_user_id}"


class Idea(Base):
    """A submitted idea. Its id is the reference number people use (`show 12`)."""

    __tablename__ = "ideas"
    __table_args__ = (
        Index("ix_ideas_stage_changed", "stage", "stage_changed_at"),
        # The queue across all open stages, oldest first, read in index order up to the limit.
        Index("ix_ideas_changed", "stage_changed_at", "id"),
        # `list --unassigned` / `--mine` per stage, in queue order.
        Index("ix_ideas_queue", "stage", "assignee_id", "stage_changed_at"),
        # `stats`: grouped counts read from the index instead of the table.
        Index("ix_ideas_workplace", "workplace"),
        Index("ix_ideas_satisfaction", "satisfaction"),
        Index("ix_ideas_next_due", "next_due_at"),
        # `att göra`: the ideas whose giver waits for an answer, the longest-waiting first.
        Index("ix_ideas_waiting", "giver_waiting_since"),
        # Stats and the report per administration and period.
        Index("ix_ideas_administration", "administration", "submitted_at"),
        # `stats`: the unanswered ideas whose promised answer is not due yet (few: the last
        # week's), counted live because "due" moves with the clock (storage/summary.py).
        Index(
            "ix_ideas_unanswered",
            "response_due_at",
            "submitted_at",
            sqlite_where=sql("first_response_at IS NULL"),
            postgresql_where=sql("first_response_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    need: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    benefit: Mapped[str] = mapped_column(Text)
    first_test: Mapped[str | None] = mapped_column(Text)
    involved: Mapped[str | None] = mapped_column(Text)
    participate: Mapped[bool] = mapped_column(Boolean)
    # (active_history on what `stats` counts: storage/summary.py moves a count from the
    # value before a change to the value after it, so the value before is always loaded.)
    workplace: Mapped[str | None] = mapped_column(String(200), active_history=True)
    # The workplace as the organisation file names it (bot/organisation.py): what stats and
    # the report group by. None when the free-text workplace matched nothing (yet).
    administration: Mapped[str | None] = mapped_column(String(120), active_history=True)
    unit: Mapped[str | None] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(8))
    stage: Mapped[str] = mapped_column(String(64), active_history=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[datetime] = mapped_column(active_history=True)
    stage_changed_at: Mapped[datetime]
    # Idle time counts from here: a stage change, a note, a message from the idea giver.
    last_activity_at: Mapped[datetime]
    # The next moment the reminder sweep has something to do for this idea (indexed).
    next_due_at: Mapped[datetime | None]
    snoozed_until: Mapped[datetime | None]
    satisfaction: Mapped[int | None] = mapped_column(Integer, active_history=True)
    satisfaction_comment: Mapped[str | None] = mapped_column(Text)
    # When the 1–5 question was queued (it is asked once per idea).
    satisfaction_asked_at: Mapped[datetime | None]
    # The idea giver is promised news by this moment; the first move is when they got it.
    response_due_at: Mapped[datetime | None] = mapped_column(active_history=True)
    first_response_at: Mapped[datetime | None] = mapped_column(active_history=True)
    # When the idea giver last got a message about this idea (news, a coordinator's words, a
    # "still with us"): the silence nobody may be left in is counted from here. Work the giver
    # does not see (a note, an assignment) does not count.
    giver_heard_at: Mapped[datetime | None]
    # The due moment of the idea's open promise (a copy of it, so that scheduling the
    # reminders stays a pure function of the idea's row); None when no promise is open.
    promise_due_at: Mapped[datetime | None]
    # The idea giver wrote to us about the idea and has waited for an answer since then.
    giver_waiting_since: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class IdeaEvent(Base):
    """The history of an idea: who did what, when. Never updated, only appended."""

    __tablename__ = "idea_events"
    __table_args__ = (
        Index("ix_idea_events_stage_time", "from_stage", "seconds_in_stage"),
        # `ångra`: a coordinator's own latest move, newest first.
        Index("ix_idea_events_actor", "actor_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    kind: Mapped[str] = mapped_column(String(32), active_history=True)
    from_stage: Mapped[str | None] = mapped_column(String(64), active_history=True)
    to_stage: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(active_history=True)
    # On a stage change: how long the idea was in `from_stage` (for median days per stage).
    seconds_in_stage: Mapped[int | None] = mapped_column(Integer, active_history=True)
    created_at: Mapped[datetime] = mapped_column(active_history=True)


class StatsSummary(Base):
    """What `stats` counts, kept as it changes (storage/summary.py): per bucket of time (a
    Swedish month yyyymm, its year yyyy00, or 0 for all time) and figure, how many ideas
    (or, for "days", finished stays in a stage). Written in the transaction of the change."""

    __tablename__ = "stats_summary"

    # The month (yyyymm, Europe/Stockholm) the idea was submitted in; for "days", the month
    # the stay ended in. Also counted in its year (yyyy00) and in all time (0).
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    # stage, workplace, administration, answered, in_time, unanswered, satisfaction, days
    figure: Mapped[str] = mapped_column(String(16), primary_key=True)
    # The stage, workplace or administration counted ("" for the figures without one).
    label: Mapped[str] = mapped_column(String(200), primary_key=True)
    # Whole days (days), the score (satisfaction); for workplace and administration 1 when
    # the idea names none (label ""), else 0. (A key column cannot be NULL.)
    detail: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class Promise(Base):
    """A time the bot told an idea giver they would hear from us by ("inom två veckor"):
    a commitment with a due date, kept by the next message about the idea. At most one is
    open per idea; a new promise settles the one before it.

    open → kept (a message reached the giver in time) | broken (the due date passed; the bot
    said so honestly and made a new, realistic promise) | replaced (a newer promise)."""

    __tablename__ = "promises"
    __table_args__ = (Index("ix_promises_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), index=True)
    # What made it: "stage" (a stage's next step), "renewed" (after a broken one), "snooze"
    # (a coordinator's reason), "away" (a stand-in named), "message" (a coordinator's words).
    kind: Mapped[str] = mapped_column(String(32))
    made_at: Mapped[datetime]
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="open")
    # When the coordinator was asked to keep it, before it falls due.
    warned_at: Mapped[datetime | None]
    settled_at: Mapped[datetime | None]
    # Who kept it: "coordinator" (their move or words) or "bot" (a "still with us" note).
    kept_by: Mapped[str | None] = mapped_column(String(16))


class Absence(Base):
    """A coordinator away (`borta till 2027-08-10`): their ideas' reminders and promises go
    to the stand-in (or the other coordinators) meanwhile."""

    __tablename__ = "absences"
    __table_args__ = (Index("ix_absences_person", "person_id", "ends_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    stand_in_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    created_at: Mapped[datetime]
    # Back early (`tillbaka`), or the absence was taken back.
    ended_at: Mapped[datetime | None]
    # When the idea givers of the coordinator's open ideas were told who has their idea
    # meanwhile (at once for `borta till …`, at its start for a planned one).
    announced_at: Mapped[datetime | None]


class CoordinatorNews(Base):
    """Something a coordinator should hear about (a new idea, an idle idea, a promise about to
    fall due, an idea handed over): collected, and sent as at most one digest a working day
    (bot/digest.py). `dedupe_key` makes writing the same news twice a no-op."""

    __tablename__ = "coordinator_news"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_coordinator_news_dedupe"),
        Index("ix_coordinator_news_pending", "digested_at", "recipient_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(255))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime]
    # When it went out in a digest (None: waiting for the next one).
    digested_at: Mapped[datetime | None]


class Dialogue(Base):
    """A conversation in progress with one person: its step and the answers so far."""

    __tablename__ = "dialogues"
    # The reminder sweep looks for dialogues not yet nudged, by age.
    __table_args__ = (Index("ix_dialogues_nudge", "nudged_at", "updated_at"),)

    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    flow: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict[str, Any]]
    # Where the flow returns to (after an edit, after "are you sure you want to cancel?").
    context: Mapped[dict[str, Any]]
    # Optimistic locking: every save bumps it; a save that finds another version retries.
    version: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(index=True)
    nudged_at: Mapped[datetime | None]

    # Read-only (SQLAlchemy copies it when mapping); a plain attribute as DeclarativeBase
    # declares it, not a ClassVar.
    __mapper_args__ = MappingProxyType({"version_id_col": version})


class OpenQuestion(Base):
    """A question the bot asked outside a dialogue's steps, waiting for the person's answer
    ("Menade du Prövas?", "Ska vi beskriva det som en ny idé?"). One per person: a new
    question replaces the old one; an answer that is not for it lets it go."""

    __tablename__ = "open_questions"

    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    # What the answer needs: the command to run on yes, the text to start an idea with.
    data: Mapped[dict[str, Any]]
    asked_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class OutboxMessage(Base):
    """A message to someone other than the person in the current turn, delivered later."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_outbox_dedupe"),
        Index("ix_outbox_due", "status", "not_before"),
        Index("ix_outbox_recipient", "recipient_id", "id"),
        # The dispatcher's "is an earlier message of this person still pending?" check.
        Index("ix_outbox_recipient_status", "recipient_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(255))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]]
    # pending → sent, or → failed after the last attempt, or → withdrawn (the message of a
    # move its coordinator undid before it went out); → dropped by an erasure.
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    # A dispatcher that claims a row leases it until `claimed_until`; a row still pending
    # after its lease ran out was never confirmed (a crash) and is claimed again.
    claimed_until: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(36))
    # Set when retention (or an erasure) emptied `payload`: the delivery record stays.
    content_removed_at: Mapped[datetime | None]
    # How it went out: None/"chat" on the person's platform, "email" when the chat could not.
    sent_via: Mapped[str | None] = mapped_column(String(16))


class Coordinator(Base):
    """Coordinators (idéslussare) added by an admin, beside those in IDESLUSS_COORDINATORS."""

    __tablename__ = "coordinators"

    qualified_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    added_by: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime]


class ProcessedEvent(Base):
    """Platform event ids already handled, so a retried delivery does nothing twice."""

    __tablename__ = "processed_events"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(index=True)


class AuditEvent(Base):
    """Privacy actions (data exports, erasures): who did what to whose data, and when.
    Not an IdeaEvent, because a person may have no ideas at all. Holds no names: people are
    referred to by their row id, which an erasure leaves pointing at a pseudonym."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    data: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(index=True)


class StoredFile(Base):
    """A file for one person (an export, their own data), kept only until it is delivered
    or `expires_at`: what an upload, a Teams file consent or a download link reads. The
    token is secret and single-use; `data` is emptied once delivered or expired."""

    __tablename__ = "files"
    __table_args__ = (
        UniqueConstraint("token", name="uq_files_token"),
        Index("ix_files_expires", "expires_at"),
        Index("ix_files_person", "person_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    purpose: Mapped[str] = mapped_column(String(32))  # "export", "personal_data"
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


class InboxItem(Base):
    """A platform delivery acknowledged to the platform but perhaps not handled yet.

    A Slack request is answered 200 only once its item is committed here, so a crash after
    the answer loses nothing: any replica runs it later. One person's items run one at a
    time, in the order the person wrote them (`written_at`: Slack's `ts`), and the unique
    `delivery_key` makes a retried or replayed delivery a no-op.

    pending → answered (the turn committed; `replies` wait to be posted) → posted."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("delivery_key", name="uq_inbox_delivery"),
        # The next item of a person, in the order they wrote.
        Index("ix_inbox_person", "platform", "user_id", "status", "written_at", "id"),
        # Recovery: items nobody finished (a crashed replica), oldest first.
        Index("ix_inbox_status", "status", "lease_until"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_key: Mapped[str] = mapped_column(String(255))
    platform: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(255))
    written_at: Mapped[datetime]
    # The Incoming's fields, and where the replies go (the adapter's own shape).
    incoming: Mapped[dict[str, Any]]
    reply_to: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    replies: Mapped[dict[str, Any] | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Whoever answered an item posts its replies until then; after it, anyone may.
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(index=True)
    answered_at: Mapped[datetime | None]
