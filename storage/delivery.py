"""The dispatcher's queries (bot/dispatcher.py says why each is shaped as it is): claim a batch
of due outbox rows under a lease, and record each outcome only while the lease is ours."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.database import rowcount
from storage.models import OutboxMessage, Person

PENDING, SENT, FAILED = "pending", "sent", "failed"


@dataclass(frozen=True)
class ClaimedRow:
    """One claimed outbox row and what the dispatcher needs of its recipient, read before
    the claim changed it (`attempts` and `claimed_until` as they were)."""

    id: int
    dedupe_key: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    claimed_until: datetime | None
    created_at: datetime
    recipient_id: int
    platform: str
    address: dict[str, Any] | None
    reachable: bool
    # For mail, when the chat cannot reach them (bot/mail.py).
    email: str | None = None
    display_name: str | None = None
    locale: str | None = None
    platform_locale: str | None = None
    # "email": this row was moved to mail after its chat attempts ran out.
    sent_via: str | None = None


async def next_pending_at(session: AsyncSession) -> datetime | None:
    """The earliest moment a pending row becomes due."""
    return (
        await session.execute(
            select(OutboxMessage.not_before)
            .where(OutboxMessage.status == PENDING)
            .order_by(OutboxMessage.not_before)
            .limit(1)
        )
    ).scalar_one_or_none()


async def claim_due(
    session: AsyncSession,
    *,
    now: datetime,
    platforms: Iterable[str],
    token: str,
    lease: timedelta,
    limit: int,
    only_kinds: Collection[str] | None = None,
    by_mail: bool = False,
) -> list[ClaimedRow]:
    """Claim up to `limit` due rows for people on `platforms`, oldest first, each the oldest
    pending row of its recipient; on PostgreSQL locked with SKIP LOCKED. The claim sets the
    lease and counts the attempt.

    `only_kinds`: claim only these kinds (at night), and let only earlier rows of these kinds
    hold a row back (a reminder waiting for the morning does not hold back tonight's answer).

    `by_mail`: also rows for anyone with an e-mail address (whatever their platform or chat
    address); the dispatcher decides which of them go by mail."""
    earlier = aliased(OutboxMessage)
    holds_back = [earlier.kind.in_(sorted(only_kinds))] if only_kinds is not None else []
    query = (
        select(OutboxMessage.id)
        .join(Person, Person.id == OutboxMessage.recipient_id)
        .where(
            OutboxMessage.status == PENDING,
            OutboxMessage.not_before <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now),
            or_(
                and_(
                    Person.platform.in_(sorted(platforms)),
                    # Someone who never talked to the bot has no address yet (a coordinator
                    # named in the settings): without mail, their messages wait for the day
                    # they do.
                    cast(Person.address, String) != "null",
                ),
                *([Person.email.is_not(None)] if by_mail else []),
            ),
            ~exists().where(
                and_(
                    earlier.recipient_id == OutboxMessage.recipient_id,
                    earlier.status == PENDING,
                    earlier.id < OutboxMessage.id,
                    *holds_back,
                )
            ),
        )
        .order_by(OutboxMessage.not_before, OutboxMessage.id)
        .limit(limit)
        .with_for_update(of=OutboxMessage, skip_locked=True)
    )
    if only_kinds is not None:
        query = query.where(OutboxMessage.kind.in_(sorted(only_kinds)))
    ids = list((await session.execute(query)).scalars())
    if not ids:
        return []
    rows = (
        await session.execute(
            select(OutboxMessage, Person)
            .join(Person, Person.id == OutboxMessage.recipient_id)
            .where(OutboxMessage.id.in_(ids))
            .order_by(OutboxMessage.id)
        )
    ).all()
    claimed = [
        ClaimedRow(
            id=row.id,
            dedupe_key=row.dedupe_key,
            kind=row.kind,
            payload=dict(row.payload),
            attempts=row.attempts,
            claimed_until=row.claimed_until,
            created_at=row.created_at,
            recipient_id=person.id,
            platform=person.platform,
            address=dict(person.address) if person.address else None,
            reachable=person.reachable,
            email=person.email,
            display_name=person.display_name,
            locale=person.locale,
            platform_locale=person.platform_locale,
            sent_via=row.sent_via,
        )
        for row, person in rows
    ]
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(
            claimed_until=now + lease,
            claim_token=token,
            attempts=OutboxMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return claimed


def _mine(row_id: int, token: str) -> ColumnElement[bool]:
    return and_(
        OutboxMessage.id == row_id,
        OutboxMessage.claim_token == token,
        OutboxMessage.status == PENDING,
    )


async def _if_mine(session: AsyncSession, row_id: int, token: str, **values: Any) -> bool:
    result = await session.execute(
        update(OutboxMessage)
        .where(_mine(row_id, token))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(rowcount(result))


async def record_sent(
    session: AsyncSession, row_id: int, token: str, *, now: datetime, via: str = "chat"
) -> bool:
    """Mark the row sent (by chat or "email") if the lease is still ours. False: the lease
    was lost."""
    return await _if_mine(
        session,
        row_id,
        token,
        status=SENT,
        sent_at=now,
        claimed_until=None,
        last_error=None,
        sent_via=via,
    )


async def record_moved_to_mail(
    session: AsyncSession, row_id: int, token: str, *, now: datetime, reason: str
) -> bool:
    """The chat gave up on this row: release it at once for mail, with mail's own attempts
    (the chat's error kept in last_error), if the lease is still ours."""
    return await _if_mine(
        session,
        row_id,
        token,
        sent_via="email",
        attempts=0,
        not_before=now,
        claimed_until=None,
        claim_token=None,
        last_error=reason,
    )


async def record_retry(
    session: AsyncSession, row_id: int, token: str, *, later: datetime, reason: str
) -> bool:
    """Release the row to be tried again at `later` (now: at once, as when the person's
    channel changed), if the lease is still ours."""
    return await _if_mine(
        session,
        row_id,
        token,
        not_before=later,
        claimed_until=None,
        claim_token=None,
        last_error=reason,
    )


async def record_failed(session: AsyncSession, row_id: int, token: str, *, reason: str) -> bool:
    """Give the row up for good, if the lease is still ours."""
    return await _if_mine(
        session, row_id, token, status=FAILED, claimed_until=None, last_error=reason
    )


async def fail_waiting_for(
    session: AsyncSession, recipient_id: int, *, claimed_id: int, reason: str
) -> int:
    """The recipient cannot be reached: fail the claimed row and every pending row nobody
    has claimed. Returns how many rows failed."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.recipient_id == recipient_id,
            OutboxMessage.status == PENDING,
            or_(OutboxMessage.id == claimed_id, OutboxMessage.claim_token.is_(None)),
        )
        .values(status=FAILED, claimed_until=None, claim_token=None, last_error=reason)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result) or 0
