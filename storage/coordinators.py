"""The `coordinators` table: coordinators added by admins in the chat (bot/roles.py decides
who may do what, with the settings' lists)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Coordinator


async def in_table(session: AsyncSession, qualified_id: str) -> bool:
    return await session.get(Coordinator, qualified_id) is not None


async def added_coordinators(session: AsyncSession) -> list[str]:
    """Everyone in the table, by id."""
    rows = await session.execute(
        select(Coordinator.qualified_id).order_by(Coordinator.qualified_id)
    )
    return list(rows.scalars())


async def add_coordinator(
    session: AsyncSession, qualified_id: str, *, added_by: str, now: datetime
) -> bool:
    """False if they were in the table already."""
    if await in_table(session, qualified_id):
        return False
    session.add(Coordinator(qualified_id=qualified_id, added_by=added_by, created_at=now))
    await session.flush()
    return True


async def remove_coordinator(session: AsyncSession, qualified_id: str) -> bool:
    """False if they were not in the table."""
    row = await session.get(Coordinator, qualified_id)
    if row is None:
        return False
    await session.delete(row)
    await session.flush()
    return True
