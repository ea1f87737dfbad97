"""Promises made to idea givers (bot/promises.py says what they are)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Promise


async def make_promise(
    session: AsyncSession, idea_id: int, *, due_at: datetime, kind: str, now: datetime
) -> Promise:
    made = Promise(idea_id=idea_id, kind=kind, made_at=now, due_at=due_at, status="open")
    session.add(made)
    await session.flush()
    return made


async def settle_open_promises(
    session: AsyncSession, idea_id: int, *, status: str, kept_by: str | None, now: datetime
) -> None:
    await session.execute(
        update(Promise)
        .where(Promise.idea_id == idea_id, Promise.status == "open")
        .values(status=status, kept_by=kept_by, settled_at=now)
    )
