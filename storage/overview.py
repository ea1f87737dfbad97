"""Read-only overviews of ideas: what an idea giver has sent, what waits for a coordinator.
Used by the platforms' home screens (Slack's App Home)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Idea, Person


@dataclass(frozen=True)
class IdeaLine:
    """One line of an overview: enough to list an idea, nothing more."""

    id: int
    title: str
    stage: str
    updated_at: datetime
    giver_name: str | None = None
    assigned_to_me: bool = False


async def ideas_of(session: AsyncSession, person_id: int, *, limit: int = 40) -> list[IdeaLine]:
    """The person's own ideas, most recently changed first."""
    query = (
        select(Idea.id, Idea.title, Idea.stage, Idea.updated_at)
        .where(Idea.person_id == person_id)
        .order_by(Idea.updated_at.desc(), Idea.id.desc())
        .limit(limit)
    )
    return [IdeaLine(*row) for row in (await session.execute(query)).all()]


async def queue_of(
    session: AsyncSession,
    coordinator_id: int,
    *,
    closed_stages: Collection[str],
    limit: int = 40,
) -> list[IdeaLine]:
    """Open ideas assigned to the coordinator or to nobody, the longest-waiting first.
    `closed_stages`: the process's terminal stages (bot/process.py)."""
    query = (
        select(
            Idea.id,
            Idea.title,
            Idea.stage,
            Idea.updated_at,
            Person.display_name,
            Idea.assignee_id,
            Idea.anonymous,
        )
        .join(Person, Person.id == Idea.person_id)
        .where(
            or_(Idea.assignee_id == coordinator_id, Idea.assignee_id.is_(None)),
            Idea.stage.not_in(list(closed_stages)),
        )
        .order_by(Idea.last_activity_at, Idea.id)
        .limit(limit)
    )
    return [
        IdeaLine(
            id=row.id,
            title=row.title,
            stage=row.stage,
            updated_at=row.updated_at,
            # An idea sent anonymously does not show who sent it, not even here.
            giver_name=None if row.anonymous else row.display_name,
            assigned_to_me=row.assignee_id == coordinator_id,
        )
        for row in (await session.execute(query)).all()
    ]
