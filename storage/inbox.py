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

from sqlalchemy import bindparam, delete, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from storage.database import rowcount
from storage.models import InboxItem

PENDING, ANSWERED, POSTED = "pending", "answered", "posted"
# Rows read per look at a person's queue (a burst is taken over several looks).
MAX_TAKEN = 50

# The statements of every message are built once, with parameters: built per call, their
# construction and (for the INSERT … ON CONFLICT, which SQLAlchemy does not cache) their
# compilation cost about as much CPU as the database's work itself (bench/RESULTS.md).
_COLUMNS = InboxItem.__table__.c
# ON CONFLICT … DO NOTHING: the same words on SQLite (3.24+) and PostgreSQL.
_ACCEPT = text(
    "INSERT INTO inbox (delivery_key, platform, user_id, written_at, incoming, reply_to, "
    "status, attempts, created_at) VALUES (:delivery_key, :platform, :user_id, :written_at, "
    ":incoming, :reply_to, :status, 0, :created_at) ON CONFLICT (delivery_key) DO NOTHING"
).bindparams(
    *(
        bindparam(name, type_=_COLUMNS[name].type)
        for name in ("written_at", "incoming", "reply_to", "created_at")
    )
)
_NEXT = (
    select(InboxItem)
    .where(
        InboxItem.platform == bindparam("platform"),
        InboxItem.user_id == bindparam("user_id"),
        or_(
            InboxItem.status == PENDING,
            (InboxItem.status == ANSWERED) & (InboxItem.lease_until < bindparam("now")),
        ),
    )
    .order_by(InboxItem.status != ANSWERED, InboxItem.written_at, InboxItem.id)
    .limit(MAX_TAKEN)
)
_ANSWER = (
    update(InboxItem.__table__)
    .where(_COLUMNS.id == bindparam("item_id"))
    .values(
        status=ANSWERED,
        replies=bindparam("replies"),
        answered_at=bindparam("now"),
        lease_until=bindparam("lease_until"),
    )
)
_POSTED = (
    update(InboxItem.__table__)
    .where(_COLUMNS.id.in_(bindparam("ids", expanding=True)), _COLUMNS.status == ANSWERED)
    .values(status=POSTED, replies=None)
)


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
    result = await session.execute(
        _ACCEPT,
        {
            "delivery_key": delivery_key[:255],
            "platform": platform,
            "user_id": user_id,
            "written_at": written_at,
            "incoming": incoming,
            "reply_to": reply_to,
            "status": PENDING,
            "created_at": now,
        },
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
    unposted: list[InboxItem] = []
    pending: list[InboxItem] = []
    found = await session.execute(_NEXT, {"platform": platform, "user_id": user_id, "now": now})
    for item in found.scalars():
        if item.status == ANSWERED:
            item.lease_until = lease_until
            unposted.append(item)
        else:
            pending.append(item)
    return unposted, (pending[0] if pending else None), len(pending) > 1


async def find(session: AsyncSession, item_id: int) -> InboxItem | None:
    return await session.get(InboxItem, item_id)


async def mark_answered(
    session: AsyncSession,
    item: InboxItem,
    replies: dict[str, Any],
    *,
    now: datetime,
    lease_until: datetime,
) -> None:
    """One UPDATE now, and `item` says so too without the ORM's flush (which would cost as
    much again: its unit of work, and the UPDATE built each time)."""
    values = {
        "status": ANSWERED,
        "replies": replies,
        "answered_at": now,
        "lease_until": lease_until,
    }
    await session.execute(
        _ANSWER, {"item_id": item.id, "replies": replies, "now": now, "lease_until": lease_until}
    )
    for name, value in values.items():
        set_committed_value(item, name, value)


def count_attempt(item: InboxItem) -> int:
    item.attempts += 1
    return item.attempts


async def mark_posted(session: AsyncSession, ids: Sequence[int]) -> None:
    if ids:
        await session.execute(_POSTED, {"ids": list(ids)})


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
