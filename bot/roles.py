"""Who may do what. Coordinators come from IDESLUSS_COORDINATORS and from the `coordinators`
table (managed by admins in the chat); admins only from IDESLUSS_ADMINS. Ids are
platform-qualified ("console:maria", "slack:U024BE7LH", "msteams:29:1abc…")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from storage.models import Coordinator, Person


def is_admin(settings: Settings, qualified_id: str) -> bool:
    return qualified_id in settings.admins


async def is_coordinator(session: AsyncSession, settings: Settings, qualified_id: str) -> bool:
    if qualified_id in settings.coordinators:
        return True
    return await session.get(Coordinator, qualified_id) is not None


async def added_coordinators(session: AsyncSession) -> list[str]:
    rows = await session.execute(
        select(Coordinator.qualified_id).order_by(Coordinator.qualified_id)
    )
    return list(rows.scalars())


async def all_coordinators(session: AsyncSession, settings: Settings) -> list[str]:
    """Everyone who is a coordinator, from the settings first, without repeats."""
    seen = dict.fromkeys(sorted(settings.coordinators))
    seen.update(dict.fromkeys(await added_coordinators(session)))
    return list(seen)


async def coordinator_people(session: AsyncSession, settings: Settings) -> list[Person]:
    """The coordinators who have a person row (they talked to the bot, or a message already
    waits for them), oldest first."""
    return await people_by_qualified_id(session, set(await all_coordinators(session, settings)))


async def admin_people(session: AsyncSession, settings: Settings) -> list[Person]:
    return await people_by_qualified_id(session, set(settings.admins))


async def people_by_qualified_id(session: AsyncSession, qualified: set[str]) -> list[Person]:
    if not qualified:
        return []
    conditions = []
    for qid in sorted(qualified):
        platform, _, user_id = qid.partition(":")
        conditions.append(and_(Person.platform == platform, Person.platform_user_id == user_id))
    query = select(Person).where(or_(*conditions)).order_by(Person.id)
    return list((await session.execute(query)).scalars())


async def add_coordinator(
    session: AsyncSession, qualified_id: str, *, added_by: str, now: datetime
) -> bool:
    """False if they were in the table already."""
    if await session.get(Coordinator, qualified_id) is not None:
        return False
    session.add(Coordinator(qualified_id=qualified_id, added_by=added_by, created_at=now))
    await session.flush()
    return True


async def remove_coordinator(session: AsyncSession, qualified_id: str) -> bool:
    row = await session.get(Coordinator, qualified_id)
    if row is None:
        return False
    await session.delete(row)
    await session.flush()
    return True
