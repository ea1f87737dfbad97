"""What coordinators should hear about, waiting for their next digest (bot/digest.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import rowcount
from storage.models import CoordinatorNews


async def add_news(
    session: AsyncSession,
    *,
    dedupe_key: str,
    recipient_id: int,
    kind: str,
    now: datetime,
    idea_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> bool:
    """Keep one piece of news for a coordinator's next digest; False when it was kept already
    (the same key: a sweep run twice, two replicas)."""
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    result = await session.execute(
        insert(CoordinatorNews)
        .values(
            dedupe_key=dedupe_key,
            recipient_id=recipient_id,
            idea_id=idea_id,
            kind=kind,
            data=data,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    return bool(rowcount(result))
