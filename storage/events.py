"""Platform deliveries already handled. Slack resends an event it thinks was lost (up to three
times); the first delivery writes its key here and every later copy finds it and does nothing.
The record lives in the database so that retries are caught across restarts and replicas."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ProcessedEvent

MAX_KEY_LENGTH = 255


async def first_time(session: AsyncSession, key: str, *, now: datetime) -> bool:
    """Record `key`; True if nobody recorded it before. Atomic: of two concurrent calls with
    the same key exactly one gets True (the primary key decides)."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError("an event key must be 1–255 characters")
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    result = await session.execute(
        insert(ProcessedEvent)
        .values(key=key, created_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    return bool(result.rowcount)


async def forget_before(session: AsyncSession, cutoff: datetime) -> int:
    """Drop records older than `cutoff` (keep at least an hour: Slack's last retry comes
    after about five minutes). Returns how many were removed."""
    result = await session.execute(delete(ProcessedEvent).where(ProcessedEvent.created_at < cutoff))
    return result.rowcount or 0
