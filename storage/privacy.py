"""Personal data: everything stored about one person (the right of access), pseudonymising a
person (the right to erasure, within what public-records law allows), and the audit trail.

Submitted ideas are official documents (allmänna handlingar) once the municipality has
received them, so erasure keeps them and cuts the link to the person instead: the person row
stays, under a pseudonym and a random id that no platform user has; everything that could
identify them (name, platform id, address, language, workplace) is erased or replaced in
every table that can hold it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import summary
from storage.absences import forget_absences_of
from storage.coordinators import any_in_table, forget_added, keys_naming
from storage.database import rowcount
from storage.files import drop_files_of
from storage.models import (
    AuditEvent,
    Coordinator,
    Dialogue,
    Idea,
    IdeaEvent,
    OpenQuestion,
    OutboxMessage,
    Person,
)
from storage.people import first_name
from storage.relay import RELAY_EVENTS

FORGOTTEN_PREFIX = "forgotten-"


async def audit(
    session: AsyncSession,
    kind: str,
    *,
    actor: Person | None,
    subject: Person,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEvent(
            kind=kind,
            actor_id=actor.id if actor else None,
            subject_id=subject.id,
            data=data,
            created_at=now,
        )
    )
    await session.flush()


ERASE_ASKED = "gdpr_erase_asked"


async def erase_question_asked(
    session: AsyncSession, person: Person, nonce: str
) -> datetime | None:
    """When the bot asked this person "shall I forget you?" with the button `nonce`, or
    None if it never did: a forged button, or one replayed after the erasure (the person
    who clicks it is then someone new to the bot)."""
    asked = (
        await session.execute(
            select(AuditEvent)
            .where(AuditEvent.kind == ERASE_ASKED, AuditEvent.subject_id == person.id)
            .order_by(AuditEvent.id.desc())
            .limit(20)
        )
    ).scalars()
    for event in asked:
        if (event.data or {}).get("nonce") == nonce:
            return event.created_at
    return None


# The personal-data document (`mina uppgifter`, `gdpr export`): its JSON, key by key.
# Moments are ISO 8601 strings.


class PersonRecord(TypedDict):
    platform: str
    platform_user_id: str
    display_name: str | None
    language: str | None  # the one they chose; None: the platform's
    platform_locale: str | None
    workplace: str | None
    administration: str | None  # where the workplace is counted (the organisation file)
    unit: str | None
    address: dict[str, Any] | None
    email: str | None  # the work address their platform gave
    reachable: bool
    coordinator_in_table: bool
    first_seen: str | None
    last_seen: str | None


class HistoryRecord(TypedDict):
    when: str | None
    kind: str
    from_stage: str | None
    to_stage: str | None
    text: str | None


class IdeaRecord(TypedDict):
    number: int
    title: str
    need: str
    idea: str
    benefit: str
    first_test: str | None
    involved: str | None
    participate: bool
    workplace: str | None
    administration: str | None
    unit: str | None
    language: str
    anonymous: bool
    stage: str
    submitted: str | None
    satisfaction: int | None
    satisfaction_comment: str | None
    history: list[HistoryRecord]


class DraftRecord(TypedDict):
    step: str
    answers: dict[str, Any]
    started: str | None
    last_answer: str | None


class MessageRecord(TypedDict):
    kind: str
    status: str
    created: str | None
    sent: str | None
    content: dict[str, Any] | None  # None once its content was removed


class ActionRecord(TypedDict):
    idea: int
    kind: str
    when: str | None


class LogRecord(TypedDict):
    kind: str
    when: str | None


class PersonalData(TypedDict):
    person: PersonRecord
    ideas: list[IdeaRecord]
    idea_in_progress: DraftRecord | None
    messages_to_you: list[MessageRecord]
    actions_on_ideas: list[ActionRecord]
    privacy_log: list[LogRecord]


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


async def personal_data(
    session: AsyncSession, person: Person, *, internal_notes: bool
) -> PersonalData:
    """Everything stored about `person`, as JSON-ready data. Coordinators' notes are internal
    working material: they are in a coordinator's export (`gdpr export`), where the
    municipality decides what to release, not in the person's own `mina uppgifter`."""
    ideas = list(
        (
            await session.execute(select(Idea).where(Idea.person_id == person.id).order_by(Idea.id))
        ).scalars()
    )
    events: dict[int, list[IdeaEvent]] = {}
    if ideas:
        rows = await session.execute(
            select(IdeaEvent)
            .where(IdeaEvent.idea_id.in_([i.id for i in ideas]))
            .order_by(IdeaEvent.id)
        )
        for event in rows.scalars():
            if event.kind == "note" and not internal_notes:
                continue
            events.setdefault(event.idea_id, []).append(event)
    dialogue = await session.get(Dialogue, person.id)
    messages = (
        await session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.recipient_id == person.id)
            .order_by(OutboxMessage.id)
        )
    ).scalars()
    acted = (
        await session.execute(
            select(IdeaEvent.idea_id, IdeaEvent.kind, IdeaEvent.created_at)
            .where(IdeaEvent.actor_id == person.id)
            .order_by(IdeaEvent.id)
        )
    ).all()
    audits = (
        await session.execute(
            select(AuditEvent.kind, AuditEvent.created_at)
            .where(AuditEvent.subject_id == person.id)
            .order_by(AuditEvent.id)
        )
    ).all()
    coordinator = await any_in_table(session, keys_naming(person.qualified_id, person.email))
    return {
        "person": {
            "platform": person.platform,
            "platform_user_id": person.platform_user_id,
            "display_name": person.display_name,
            "language": person.locale,
            "platform_locale": person.platform_locale,
            "workplace": person.workplace,
            "administration": person.administration,
            "unit": person.unit,
            "address": person.address,
            "email": person.email,
            "reachable": person.reachable,
            "coordinator_in_table": coordinator,
            "first_seen": _when(person.created_at),
            # Kept to the day (storage/people.py `seen_on_the_day`): the Swedish date.
            "last_seen": person.updated_at.astimezone(summary.STOCKHOLM).date().isoformat(),
        },
        "ideas": [
            {
                "number": idea.id,
                "title": idea.title,
                "need": idea.need,
                "idea": idea.description,
                "benefit": idea.benefit,
                "first_test": idea.first_test,
                "involved": idea.involved,
                "participate": idea.participate,
                "workplace": idea.workplace,
                "administration": idea.administration,
                "unit": idea.unit,
                "language": idea.language,
                "anonymous": idea.anonymous,
                "stage": idea.stage,
                "submitted": _when(idea.submitted_at),
                "satisfaction": idea.satisfaction,
                "satisfaction_comment": idea.satisfaction_comment,
                "history": [
                    {
                        "when": _when(e.created_at),
                        "kind": e.kind,
                        "from_stage": e.from_stage,
                        "to_stage": e.to_stage,
                        "text": e.text,
                    }
                    for e in events.get(idea.id, [])
                ],
            }
            for idea in ideas
        ],
        "idea_in_progress": (
            {
                "step": dialogue.step,
                "answers": dialogue.answers,
                "started": _when(dialogue.started_at),
                "last_answer": _when(dialogue.updated_at),
            }
            if dialogue
            else None
        ),
        "messages_to_you": [
            {
                "kind": m.kind,
                "status": m.status,
                "created": _when(m.created_at),
                "sent": _when(m.sent_at),
                "content": None if m.content_removed_at else m.payload,
            }
            for m in messages
        ],
        "actions_on_ideas": [
            {"idea": idea_id, "kind": kind, "when": _when(when)} for idea_id, kind, when in acted
        ],
        "privacy_log": [{"kind": kind, "when": _when(when)} for kind, when in audits],
    }


@dataclass(frozen=True)
class Erasure:
    pseudonym: str
    ideas: int
    messages_dropped: int
    rows_scrubbed: int


def _scrubber(names: list[str], pseudonym: str) -> re.Pattern[str] | None:
    names = sorted({n for n in names if n and len(n) >= 2}, key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)")


def _scrub(value: Any, pattern: re.Pattern[str] | None, pseudonym: str) -> Any:
    if pattern is None:
        return value
    if isinstance(value, str):
        return pattern.sub(pseudonym, value)
    if isinstance(value, list):
        return [_scrub(v, pattern, pseudonym) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, pattern, pseudonym) for k, v in value.items()}
    return value


async def erase_person(
    session: AsyncSession, person: Person, *, now: datetime, pseudonym: str
) -> Erasure:
    """Cut every link between `person` and the data. Runs in the caller's transaction, so
    it happens wholly or not at all."""
    qualified = person.qualified_id
    full = (person.display_name or "").strip()
    # The full name and the platform id are distinctive enough to replace wherever they
    # occur; the first name alone only where the row concerns this person.
    everywhere = _scrubber([full, person.platform_user_id, qualified], pseudonym)
    linked = _scrubber(
        [full, first_name(full) or "", person.platform_user_id, qualified], pseudonym
    )
    idea_ids = set(
        (await session.execute(select(Idea.id).where(Idea.person_id == person.id))).scalars()
    )
    scrubbed = 0

    # Messages to them: never sent now, and nothing of their content kept.
    dropped = rowcount(
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.recipient_id == person.id, OutboxMessage.status == "pending")
            .values(status="dropped", claimed_until=None, claim_token=None)
        )
    )
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.recipient_id == person.id)
        .values(payload={}, last_error=None, content_removed_at=now)
    )
    # Messages to others that name them (a coordinator's notification of their idea).
    # Erasure is rare, so a scan of what still has content is affordable.
    others = await session.execute(
        select(OutboxMessage).where(
            OutboxMessage.recipient_id != person.id, OutboxMessage.content_removed_at.is_(None)
        )
    )
    for message in others.scalars():
        pattern = linked if message.idea_id in idea_ids else everywhere
        payload = _scrub(message.payload, pattern, pseudonym)
        error = _scrub(message.last_error, pattern, pseudonym)
        if payload != message.payload or error != message.last_error:
            message.payload, message.last_error = payload, error
            scrubbed += 1
    # The messages between them and the coordinators about their ideas are their own words
    # (or words to them): the events keep that a message was written, not what it said,
    # and a coordinator's copy of their words is neither sent nor kept.
    if idea_ids:
        await session.execute(
            update(IdeaEvent)
            .where(IdeaEvent.idea_id.in_(idea_ids), IdeaEvent.kind.in_(RELAY_EVENTS))
            .values(text=None, data=None)
            # (Messages are neither moves nor undos: nothing `stats` counts changes.)
            .execution_options(**summary.KEPT_BY_CALLER)
        )
        await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.idea_id.in_(idea_ids),
                OutboxMessage.kind.in_(RELAY_EVENTS),
                OutboxMessage.status == "pending",
            )
            .values(status="dropped", claimed_until=None, claim_token=None)
        )
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.idea_id.in_(idea_ids), OutboxMessage.kind.in_(RELAY_EVENTS))
            .values(payload={}, last_error=None, content_removed_at=now)
        )
        # Nobody can answer them now.
        await session.execute(
            update(Idea).where(Idea.id.in_(idea_ids)).values(giver_waiting_since=None)
        )
    # The history keeps every event (who moved what, when) but not their name: the one
    # place where an event is changed after it was written, because the law requires it.
    events = await session.execute(
        select(IdeaEvent).where(or_(IdeaEvent.text.is_not(None), IdeaEvent.data.is_not(None)))
    )
    for event in events.scalars():
        concerns = (
            event.idea_id in idea_ids
            or event.actor_id == person.id
            or (event.data or {}).get("assignee_id") == person.id
        )
        pattern = linked if concerns else everywhere
        text = _scrub(event.text, pattern, pseudonym)
        data = _scrub(event.data, pattern, pseudonym)
        if text != event.text or data != event.data:
            event.text, event.data = text, data
            scrubbed += 1

    await session.execute(
        delete(Dialogue.__table__).where(Dialogue.__table__.c.person_id == person.id)
    )
    # When they were away says something about them: gone, and nobody stands in as them
    # (their colleagues' ideas go to the other coordinators instead).
    await forget_absences_of(session, person.id)
    # An open question can hold what the person wrote ("Ska vi göra en idé av det?").
    await session.execute(delete(OpenQuestion).where(OpenQuestion.person_id == person.id))
    # A file waiting for them (their own data, an export) is theirs: gone, delivered or not.
    await drop_files_of(session, person.id)
    # Also an admin's entry naming their address: it would name them again.
    forget_added(session)
    await session.execute(
        delete(Coordinator).where(
            Coordinator.qualified_id.in_(keys_naming(person.qualified_id, person.email))
        )
    )
    await session.execute(
        update(Coordinator).where(Coordinator.added_by == qualified).values(added_by=None)
    )
    person.display_name = pseudonym
    # No platform user has this id, so their next message meets a new, empty person.
    person.platform_user_id = FORGOTTEN_PREFIX + secrets.token_hex(12)
    person.address = None
    person.email = None
    person.email_checked_at = None
    person.locale = None
    person.platform_locale = None
    person.workplace = None
    person.administration = None
    person.unit = None
    person.reachable = False
    person.updated_at = now
    await session.flush()
    return Erasure(pseudonym, len(idea_ids), dropped or 0, scrubbed)
