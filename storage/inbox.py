"""The inbox: platform deliveries stored before they are acknowledged, handled after.

Why: Slack does not resend a delivery it got 200 for, so a turn that only lives in memory
after the answer is lost on a crash. Here the delivery is committed first (`accept`), then
answered; any replica may run it afterwards. One person's items are taken one at a time and
in the order the person wrote them, under a per-person lock, so two replicas never run two
turns of one person at once or out of order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import rowcount
from storage.models import InboxItem

PENDING, ANSWERED, POSTED = "pending", "answered", "posted"
# Rows read per look at a person's queue (a burst is taken over several looks).
MAX_TAKEN = 50


async def accept(
    session: AsyncSession,
    *,
    delivery_key: str,
    platform: str,
    user_id: str,
    written_at: datetime,
    incoming: dict[str, Any],
    reply_to: dict[str, Any],
    now: datetime,
) -> bool:
    """Store a delivery; False if one with the same key is already stored (a retry or a
    replay), which is then not stored again."""
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    result = await session.execute(
        insert(InboxItem)
        .values(
            delivery_key=delivery_key[:255],
            platform=platform,
            user_id=user_id,
            written_at=written_at,
            incoming=incoming,
            reply_to=reply_to,
            status=PENDING,
            attempts=0,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["delivery_key"])
    )
    return bool(rowcount(result))


async def lock_person(session: AsyncSession, platform: str, user_id: str) -> None:
    """Hold this person's queue until the transaction ends (PostgreSQL; a crashed holder's
    lock goes with its connection). SQLite transactions here take the one write lock at
    BEGIN, which serialises them already."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"inbox:{platform}:{user_id}"},
        )


async def next_for(
    session: AsyncSession, platform: str, user_id: str, *, now: datetime, lease_until: datetime
) -> tuple[list[InboxItem], InboxItem | None, bool]:
    """In one query: the person's answered items whose poster did not finish in time (it
    died), leased to the caller to be posted first; their oldest item not yet handled (by
    when they wrote it); and whether another one waits after it."""
    query = (
        select(InboxItem)
        .where(
            InboxItem.platform == platform,
            InboxItem.user_id == user_id,
            or_(
                InboxItem.status == PENDING,
                (InboxItem.status == ANSWERED) & (InboxItem.lease_until < now),
            ),
        )
        .order_by(InboxItem.status != ANSWERED, InboxItem.written_at, InboxItem.id)
    )
    unposted: list[InboxItem] = []
    pending: list[InboxItem] = []
    for item in (await session.execute(query.limit(MAX_TAKEN))).scalars():
        if item.status == ANSWERED:
            item.lease_until = lease_until
            unposted.append(item)
        else:
            pending.append(item)
    return unposted, (pending[0] if pending else None), len(pending) > 1


async def find(session: AsyncSession, item_id: int) -> InboxItem | None:
    return await session.get(InboxItem, item_id)


def mark_answered(
    item: InboxItem, replies: dict[str, Any], *, now: datetime, lease_until: datetime
) -> None:
    item.status = ANSWERED
    item.replies = replies
    item.answered_at = now
    item.lease_until = lease_until


def count_attempt(item: InboxItem) -> int:
    item.attempts += 1
    return item.attempts


async def mark_posted(session: AsyncSession, ids: Sequence[int]) -> None:
    if ids:
        await session.execute(
            update(InboxItem)
            .where(InboxItem.id.in_(list(ids)), InboxItem.status == ANSWERED)
            .values(status=POSTED, replies=None)
        )


async def people_waiting(
    session: AsyncSession, *, now: datetime, pending_since: datetime | None, limit: int = 500
) -> list[tuple[str, str]]:
    """People whose items nobody is working on: pending since before `pending_since` (None:
    any pending item), or answered with the poster's lease run out."""
    stale = InboxItem.status == PENDING
    if pending_since is not None:
        stale = stale & (InboxItem.created_at < pending_since)
    query = (
        select(InboxItem.platform, InboxItem.user_id)
        .where(
            or_(
                stale,
                (InboxItem.status == ANSWERED) & (InboxItem.lease_until < now),
            )
        )
        .group_by(InboxItem.platform, InboxItem.user_id)
        .limit(limit)
    )
    return [(platform, user_id) for platform, user_id in (await session.execute(query)).all()]


async def forget_posted_before(session: AsyncSession, moment: datetime) -> int:
    """Drop handled items older than any retry (their keys stop guarding after that)."""
    result = await session.execute(
        delete(InboxItem).where(InboxItem.status == POSTED, InboxItem.created_at < moment)
    )
    return rowcount(result) or 0
