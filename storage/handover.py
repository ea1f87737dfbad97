"""Ideas changing hands: a coordinator away, removed or gone, and whose open ideas are
theirs."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Idea, IdeaEvent


async def open_ideas_assigned_to(
    session: AsyncSession, person_id: int, open_stages: Sequence[str], *, lock: bool = False
) -> list[Idea]:
    """The ideas in an open stage that `person_id` has, oldest first (ix_ideas_queue)."""
    query = (
        select(Idea)
        .where(Idea.assignee_id == person_id, Idea.stage.in_(list(open_stages)))
        .order_by(Idea.stage_changed_at, Idea.id)
    )
    if lock:
        query = query.with_for_update()
    return list((await session.execute(query)).scalars())


async def open_counts(
    session: AsyncSession, person_ids: Collection[int], open_stages: Sequence[str]
) -> dict[int, int]:
    """How many open ideas each of `person_ids` has (0 for none)."""
    if not person_ids:
        return {}
    query = (
        select(Idea.assignee_id, func.count())
        .where(Idea.assignee_id.in_(list(person_ids)), Idea.stage.in_(list(open_stages)))
        .group_by(Idea.assignee_id)
    )
    counts = {int(pid): int(n) for pid, n in (await session.execute(query)).all() if pid}
    return {pid: counts.get(pid, 0) for pid in person_ids}


async def open_ideas_not_of(
    session: AsyncSession, members: Collection[int], open_stages: Sequence[str]
) -> list[Idea]:
    """Open ideas assigned to someone who is not one of `members` (no longer a coordinator)."""
    query = select(Idea).where(Idea.assignee_id.is_not(None), Idea.stage.in_(list(open_stages)))
    if members:
        query = query.where(Idea.assignee_id.not_in(list(members)))
    return list((await session.execute(query.order_by(Idea.id))).scalars())


async def gone_noticed(session: AsyncSession, idea_ids: Iterable[int]) -> set[tuple[int, int]]:
    """(idea id, person id) for each idea whose history says that person was noticed gone."""
    wanted = list(set(idea_ids))
    if not wanted:
        return set()
    query = select(IdeaEvent.idea_id, IdeaEvent.data).where(
        IdeaEvent.kind == "gone", IdeaEvent.idea_id.in_(wanted)
    )
    found = set()
    for idea_id, data in (await session.execute(query)).all():
        person_id = (data or {}).get("person_id")
        if isinstance(person_id, int):
            found.add((int(idea_id), person_id))
    return found


async def events_since(
    session: AsyncSession, idea_ids: Iterable[int], since: datetime, *, not_by: int
) -> dict[int, int]:
    """How many events each idea had since `since` by anyone but `not_by` (for "while you
    were away")."""
    wanted = list(set(idea_ids))
    if not wanted:
        return {}
    query = (
        select(IdeaEvent.idea_id, func.count())
        .where(
            IdeaEvent.idea_id.in_(wanted),
            IdeaEvent.created_at > since,
            (IdeaEvent.actor_id.is_(None)) | (IdeaEvent.actor_id != not_by),
        )
        .group_by(IdeaEvent.idea_id)
    )
    return {int(i): int(n) for i, n in (await session.execute(query)).all()}


async def submitted_since(session: AsyncSession, since: datetime) -> int:
    query = select(func.count()).select_from(Idea).where(Idea.submitted_at > since)
    return int((await session.execute(query)).scalar_one())
