"""What coordinators should hear about, waiting for their next digest (bot/digest.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
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


async def pending_news(session: AsyncSession, *, limit: int = 5000) -> list[CoordinatorNews]:
    """News no digest has carried yet, per recipient, oldest first (the pending index)."""
    rows = await session.execute(
        select(CoordinatorNews)
        .where(CoordinatorNews.digested_at.is_(None))
        .order_by(CoordinatorNews.recipient_id, CoordinatorNews.id)
        .limit(limit)
    )
    return list(rows.scalars())


async def mark_digested(session: AsyncSession, ids: Iterable[int], *, now: datetime) -> None:
    wanted = list(ids)
    if wanted:
        await session.execute(
            update(CoordinatorNews)
            .where(CoordinatorNews.id.in_(wanted), CoordinatorNews.digested_at.is_(None))
            .values(digested_at=now)
            .execution_options(synchronize_session=False)
        )


async def add_news_many(session: AsyncSession, rows: list[dict[str, Any]]) -> set[str]:
    """Many pieces of news in one statement (each row: the arguments of `add_news`),
    skipping dedupe keys kept already; returns the keys actually written."""
    if not rows:
        return set()
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    values = [{"idea_id": None, "data": None, **row} for row in rows]
    result = await session.execute(
        insert(CoordinatorNews.__table__)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(CoordinatorNews.__table__.c.dedupe_key),
        values,
    )
    return set(result.scalars())
