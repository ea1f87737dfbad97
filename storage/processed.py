"""Platform deliveries already handled. A retry carries the same event id; claiming it in the
turn's own transaction makes the retry a no-op, and a crash forgets the claim with the work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import rowcount
from storage.models import ProcessedEvent


async def claim_event(session: AsyncSession, key: str, *, now: datetime) -> bool:
    """True the first time `key` is seen; False for a repeat."""
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    result = await session.execute(
        insert(ProcessedEvent)
        .values(key=key[:255], created_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    return bool(rowcount(result))


async def forget_events_before(session: AsyncSession, moment: datetime) -> int:
    """Drop ids older than any retry (Slack retries for minutes; keep at least an hour)."""
    result = await session.execute(delete(ProcessedEvent).where(ProcessedEvent.created_at < moment))
    return rowcount(result) or 0
