"""The outbox: messages to other people, written in the same transaction as the change
that caused them and delivered later by the dispatcher. The dedupe key makes writing the
same message twice a no-op."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import rowcount
from storage.models import OutboxMessage, Person

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
    if rowcount(result):
        session.info[WROTE_OUTBOX] = True
    return bool(rowcount(result))


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


# "withdrawn": a message of a move its coordinator undid before it went out (bot/transitions.py).
STATUSES = ("pending", "sent", "failed", "withdrawn")
WITHDRAWN = "withdrawn"


async def withdraw_unsent(
    session: AsyncSession, dedupe_keys: Collection[str], *, now: datetime
) -> dict[str, bool]:
    """Withdraw these messages where they have not gone out: a row still pending that no
    dispatcher has tried (no attempt, so no lease either), or one given up on (`failed`,
    so that `idesluss outbox --retry` cannot send it later). A withdrawn row is never sent
    and keeps no content (its words are in the idea's history).

    Returns, for each row found: True when it was withdrawn, False when it was sent or may
    be on its way (a dispatcher holds it, or tried it and may have got it through). Rows
    dropped by an erasure are left as they are, and count as withdrawn."""
    keys = sorted(dedupe_keys)
    if not keys:
        return {}
    unsent = or_(
        and_(
            OutboxMessage.status == "pending",
            OutboxMessage.attempts == 0,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now),
        ),
        OutboxMessage.status == "failed",
    )
    # One conditional UPDATE: a dispatcher claiming the row at the same moment either holds
    # its lock first (then the row has an attempt and is not withdrawn) or finds it withdrawn.
    withdrawn = set(
        (
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.dedupe_key.in_(keys), unsent)
                .values(
                    status=WITHDRAWN,
                    claimed_until=None,
                    claim_token=None,
                    payload={},
                    content_removed_at=now,
                )
                .returning(OutboxMessage.dedupe_key)
                .execution_options(synchronize_session=False)
            )
        ).scalars()
    )
    found = await session.execute(
        select(OutboxMessage.dedupe_key, OutboxMessage.status).where(
            OutboxMessage.dedupe_key.in_(keys)
        )
    )
    return {
        key: key in withdrawn or status not in ("pending", "sent") for key, status in found.tuples()
    }


async def outbox_counts_by_kind(session: AsyncSession) -> dict[tuple[str, str], int]:
    """How many rows there are of each (status, kind): the one count of the outbox, for
    `/metrics`, `/idea outbox` and `idesluss outbox` (grouped over an indexed column)."""
    rows = await session.execute(
        select(OutboxMessage.status, OutboxMessage.kind, func.count()).group_by(
            OutboxMessage.status, OutboxMessage.kind
        )
    )
    return {(status, kind): n for status, kind, n in rows.all()}


async def outbox_counts(session: AsyncSession) -> dict[str, int]:
    """How many rows are pending, sent, failed and withdrawn (each status present, 0 when
    none; rows dropped by an erasure are not counted)."""
    counts = dict.fromkeys(STATUSES, 0)
    for (status, _), n in (await outbox_counts_by_kind(session)).items():
        counts[status] = counts.get(status, 0) + n
    return {status: counts[status] for status in STATUSES}


async def outbox_summary(session: AsyncSession, *, failed_limit: int = 10) -> dict[str, Any]:
    """For admins (`/idea outbox`, `/idea stats`): messages by status, and the latest failed
    ones with their last error."""
    failed = (
        await session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.status == "failed")
            .order_by(OutboxMessage.id.desc())
            .limit(failed_limit)
        )
    ).scalars()
    return {
        "counts": await outbox_counts(session),
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


async def newest_unsent(
    session: AsyncSession, statuses: Sequence[str], *, limit: int
) -> list[tuple[OutboxMessage, str]]:
    """The newest rows in these statuses, each with its recipient's qualified id."""
    rows = await session.execute(
        select(OutboxMessage, Person.platform, Person.platform_user_id)
        .join(Person, Person.id == OutboxMessage.recipient_id)
        .where(OutboxMessage.status.in_(list(statuses)))
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    return [(row, f"{platform}:{user_id}") for row, platform, user_id in rows.tuples()]


async def get_message(
    session: AsyncSession, row_id: int, *, lock: bool = False
) -> OutboxMessage | None:
    return await session.get(OutboxMessage, row_id, with_for_update=lock or None)


async def queue_again(session: AsyncSession, row_id: int, *, now: datetime) -> None:
    """Pending again, due now, attempts from zero, no lease."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(status="pending", attempts=0, not_before=now, claimed_until=None, claim_token=None)
    )


async def remove_contents_before(session: AsyncSession, before: datetime, *, now: datetime) -> int:
    """Empty the content of every row sent (or given up on) before `before`; the delivery
    record stays. Returns how many rows lost their content."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status != "pending",
            OutboxMessage.content_removed_at.is_(None),
            func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at) < before,
        )
        .values(payload={}, last_error=None, content_removed_at=now)
    )
    return rowcount(result) or 0
