"""Promises made to idea givers (bot/promises.py says what they are)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Promise


async def make_promise(
    session: AsyncSession, idea_id: int, *, due_at: datetime, kind: str, now: datetime
) -> Promise:
    """Written with the transaction's next flush (its id is not needed before)."""
    made = Promise(idea_id=idea_id, kind=kind, made_at=now, due_at=due_at, status="open")
    session.add(made)
    return made


async def settle_open_promises(
    session: AsyncSession, idea_id: int, *, status: str, kept_by: str | None, now: datetime
) -> None:
    await session.execute(
        update(Promise)
        .where(Promise.idea_id == idea_id, Promise.status == "open")
        .values(status=status, kept_by=kept_by, settled_at=now)
        .execution_options(synchronize_session=False)
    )


async def open_promises(session: AsyncSession, idea_ids: Iterable[int]) -> dict[int, Promise]:
    """The open promise of each of these ideas that has one (idea id → promise)."""
    wanted = list(set(idea_ids))
    if not wanted:
        return {}
    rows = await session.execute(
        select(Promise)
        .where(Promise.idea_id.in_(wanted), Promise.status == "open")
        .order_by(Promise.id)
    )
    return {made.idea_id: made for made in rows.scalars()}


async def promises_of(session: AsyncSession, idea_id: int) -> list[Promise]:
    """Every promise made about an idea, oldest first."""
    rows = await session.execute(
        select(Promise).where(Promise.idea_id == idea_id).order_by(Promise.id)
    )
    return list(rows.scalars())
