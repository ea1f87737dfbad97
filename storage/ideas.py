"""Ideas and their history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Idea, IdeaEvent, Person

FIRST_STAGE = "submitted"


async def create_idea(
    session: AsyncSession,
    person: Person,
    answers: dict[str, Any],
    *,
    language: str,
    now: datetime,
    stage: str = FIRST_STAGE,
) -> Idea:
    """Store a submitted idea and its first event. The id is the idea's public number."""
    idea = Idea(
        person_id=person.id,
        title=answers["title"],
        need=answers["need"],
        description=answers["idea"],
        benefit=answers["benefit"],
        first_test=answers.get("first_test"),
        involved=answers.get("involved"),
        participate=bool(answers.get("participate")),
        workplace=answers.get("workplace"),
        language=language,
        stage=stage,
        anonymous=False,
        submitted_at=now,
        stage_changed_at=now,
        last_activity_at=now,
        updated_at=now,
    )
    session.add(idea)
    await session.flush()
    await add_event(session, idea, actor=person, kind="submitted", to_stage=stage, now=now)
    return idea


async def add_event(
    session: AsyncSession,
    idea: Idea,
    *,
    actor: Person | None,
    kind: str,
    now: datetime,
    from_stage: str | None = None,
    to_stage: str | None = None,
    text: str | None = None,
    data: dict[str, Any] | None = None,
) -> IdeaEvent:
    event = IdeaEvent(
        idea_id=idea.id,
        actor_id=actor.id if actor else None,
        kind=kind,
        from_stage=from_stage,
        to_stage=to_stage,
        text=text,
        data=data,
        created_at=now,
    )
    session.add(event)
    await session.flush()
    return event
