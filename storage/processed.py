"""Platform deliveries already handled. A retry carries the same event id; claiming it in the
turn's own transaction makes the retry a no-op, and a crash forgets the claim with the work.

The same table remembers what is said to a person once ever (`claim_once`): those keys
carry ONCE and are never forgotten."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, not_
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


# The prefix of keys kept for good (no platform's event id starts with it).
ONCE = "once:"


async def claim_once(session: AsyncSession, what: str, *, now: datetime) -> bool:
    """True the first time ever `what` is claimed (in this transaction's outcome)."""
    return await claim_event(session, f"{ONCE}{what}", now=now)


async def forget_events_before(session: AsyncSession, moment: datetime) -> int:
    """Drop ids older than any retry (Slack retries for minutes; keep at least an hour);
    what was said once stays claimed."""
    result = await session.execute(
        delete(ProcessedEvent).where(
            ProcessedEvent.created_at < moment, not_(ProcessedEvent.key.startswith(ONCE))
        )
    )
    return rowcount(result) or 0
