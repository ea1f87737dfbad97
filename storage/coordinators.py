"""The `coordinators` table: coordinators added by admins in the chat (bot/roles.py decides
who may do what, with the settings' lists). `qualified_id` holds a platform-qualified id
("slack:U024BE7LH") or, for someone named by e-mail, "email:<address in lower case>"."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Coordinator
from storage.people import EMAIL_ONLY


def keys_naming(qualified_id: str, email: str | None) -> list[str]:
    """The entries that would name this person: their id, and their address if known."""
    keys = [qualified_id]
    if email and f"{EMAIL_ONLY}:{email}" != qualified_id:
        keys.append(f"{EMAIL_ONLY}:{email}")
    return keys


async def in_table(session: AsyncSession, qualified_id: str) -> bool:
    return await session.get(Coordinator, qualified_id) is not None


async def any_in_table(session: AsyncSession, keys: Collection[str]) -> bool:
    """Whether one of these ids or "email:" entries is in the table (one query)."""
    if not keys:
        return False
    query = select(Coordinator.qualified_id).where(Coordinator.qualified_id.in_(sorted(keys)))
    return (await session.execute(query.limit(1))).first() is not None


# A submission asks who the coordinators are three times (to keep their rows, to find who
# answers for the idea, to word the receipt): read once per transaction. Every write to the
# table forgets it (`forget_added`), so a transaction always sees its own changes.
_ADDED = "added_coordinators"


async def added_coordinators(session: AsyncSession) -> list[str]:
    """Everyone in the table, by id."""
    known: list[str] | None = session.info.get(_ADDED)
    if known is None:
        rows = await session.execute(
            select(Coordinator.qualified_id).order_by(Coordinator.qualified_id)
        )
        known = session.info[_ADDED] = list(rows.scalars())
    return list(known)


def forget_added(session: AsyncSession) -> None:
    """The table is about to change in this transaction: read it afresh next time."""
    session.info.pop(_ADDED, None)


async def add_coordinator(
    session: AsyncSession, qualified_id: str, *, added_by: str, now: datetime
) -> bool:
    """False if they were in the table already."""
    if await in_table(session, qualified_id):
        return False
    forget_added(session)
    session.add(Coordinator(qualified_id=qualified_id, added_by=added_by, created_at=now))
    await session.flush()
    return True


async def remove_coordinator(session: AsyncSession, qualified_id: str) -> bool:
    """False if they were not in the table."""
    row = await session.get(Coordinator, qualified_id)
    if row is None:
        return False
    forget_added(session)
    await session.delete(row)
    await session.flush()
    return True
