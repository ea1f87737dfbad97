"""The outbox: messages to other people, written in the same transaction as the change
that caused them and delivered later by the dispatcher. The dedupe key makes writing the
same message twice a no-op."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage

# Set in `session.info` when a transaction wrote outbox rows, so whoever commits it can wake
# the dispatcher at once instead of waiting for its next tick.
WROTE_OUTBOX = "wrote_outbox"
# The answer to what a person just asked in a channel or group chat, sent to their personal
# chat instead. It is a reply, not a reminder: the dispatcher sends it at any hour.
DIRECT_ANSWER = "direct_answer"


def wrote_outbox(session: AsyncSession) -> bool:
    return bool(session.info.get(WROTE_OUTBOX))


async def enqueue(
    session: AsyncSession,
    *,
    dedupe_key: str,
    recipient_id: int,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    not_before: datetime | None = None,
    idea_id: int | None = None,
) -> bool:
    """Write a message unless one with the same dedupe key exists. True if written."""
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    result = await session.execute(
        insert(OutboxMessage)
        .values(
            dedupe_key=dedupe_key,
            recipient_id=recipient_id,
            idea_id=idea_id,
            kind=kind,
            payload=payload,
            status="pending",
            attempts=0,
            not_before=not_before or now,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    if result.rowcount:
        session.info[WROTE_OUTBOX] = True
    return bool(result.rowcount)


async def pending_for(session: AsyncSession, recipient_id: int) -> list[OutboxMessage]:
    """Pending messages for one person, oldest first (per-recipient order is kept)."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.recipient_id == recipient_id, OutboxMessage.status == "pending")
        .order_by(OutboxMessage.id)
    )
    return list((await session.execute(query)).scalars())


async def mark_sent(session: AsyncSession, message: OutboxMessage, *, now: datetime) -> None:
    message.status = "sent"
    message.sent_at = now
    message.attempts += 1
    await session.flush()


async def enqueue_many(session: AsyncSession, rows: list[dict[str, Any]]) -> set[str]:
    """Write many messages in one statement, skipping dedupe keys that exist. Each row has
    the columns of `enqueue`; returns the dedupe keys actually written."""
    if not rows:
        return set()
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    values = [
        {
            "status": "pending",
            "attempts": 0,
            "idea_id": None,
            **row,
            "not_before": row.get("not_before") or row["created_at"],
        }
        for row in rows
    ]
    # One statement, compiled once and cached, run over all rows ("insertmanyvalues").
    result = await session.execute(
        insert(OutboxMessage.__table__)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.__table__.c.dedupe_key),
        values,
    )
    written = set(result.scalars())
    if written:
        session.info[WROTE_OUTBOX] = True
    return written


async def outbox_summary(session: AsyncSession, *, failed_limit: int = 10) -> dict[str, Any]:
    """For admins (`/idea outbox`, `/idea stats`): messages by status, and the latest failed
    ones with their last error."""
    counts = dict(
        (
            await session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            )
        ).all()
    )
    failed = (
        await session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.status == "failed")
            .order_by(OutboxMessage.id.desc())
            .limit(failed_limit)
        )
    ).scalars()
    return {
        "counts": {status: counts.get(status, 0) for status in ("pending", "sent", "failed")},
        "failed": [
            {
                "id": row.id,
                "kind": row.kind,
                "recipient_id": row.recipient_id,
                "idea_id": row.idea_id,
                "attempts": row.attempts,
                "last_error": row.last_error,
            }
            for row in failed
        ],
    }
