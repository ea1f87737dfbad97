"""Moving an idea from one stage to another: the idea, its history and the idea giver's
message change together, in the caller's transaction, or not at all."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.calendar import WorkingCalendar
from bot.notifications import satisfaction_question, stage_message
from bot.process import Process
from bot.reminders import ReminderPolicy, mark_activity
from conversations.reply import payload_of
from storage.ideas import add_event
from storage.models import Idea, IdeaEvent, Person
from storage.outbox import enqueue
from storage.people import get_person


async def move_idea(
    session: AsyncSession,
    process: Process,
    idea: Idea,
    *,
    to_stage: str,
    actor: Person,
    now: datetime,
    note: str | None = None,
    where: str | None = None,
    kind: str = "stage",
    policy: ReminderPolicy | None = None,
    calendar: WorkingCalendar | None = None,
) -> IdeaEvent:
    """Move the idea (the caller has checked the move is allowed), record who did it and what
    they said, and queue the idea giver's message; on a terminal stage, also queue the
    satisfaction question, once per idea."""
    from_stage = idea.stage
    data = {"where": where} if where else None
    event = await add_event(
        session,
        idea,
        actor=actor,
        kind="stage",
        from_stage=from_stage,
        to_stage=to_stage,
        text=note,
        data={**(data or {}), "command": kind} if kind != "stage" else data,
        now=now,
    )
    event.seconds_in_stage = max(0, int((now - idea.stage_changed_at).total_seconds()))
    idea.stage = to_stage
    idea.stage_changed_at = now
    mark_activity(idea, now, policy, calendar)
    idea.updated_at = now
    if idea.first_response_at is None:
        idea.first_response_at = now

    giver = await get_person(session, idea.person_id)
    assert giver is not None  # a foreign key
    message = stage_message(
        process, idea, giver, to_stage, coordinator_name=actor.display_name, note=note, where=where
    )
    await enqueue(
        session,
        dedupe_key=f"idea:{idea.id}:event:{event.id}",
        recipient_id=giver.id,
        kind="stage",
        payload=payload_of(message),
        now=now,
        idea_id=idea.id,
    )
    if process.stage(to_stage).terminal and idea.satisfaction_asked_at is None:
        idea.satisfaction_asked_at = now
        await enqueue(
            session,
            dedupe_key=f"idea:{idea.id}:satisfaction",
            recipient_id=giver.id,
            kind="satisfaction",
            payload=payload_of(satisfaction_question(idea, giver)),
            now=now,
            idea_id=idea.id,
        )
    await session.flush()
    return event
