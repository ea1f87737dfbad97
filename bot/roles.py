"""Who may do what. Coordinators come from IDESLUSS_COORDINATORS and from the `coordinators`
table (managed by admins in the chat); admins only from IDESLUSS_ADMINS. Ids are
platform-qualified ("console:maria", "slack:U024BE7LH", "msteams:29:1abc…")."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from storage.coordinators import add_coordinator, added_coordinators, in_table, remove_coordinator
from storage.models import Person
from storage.people import people_by_qualified_id

__all__ = [
    "add_coordinator",
    "added_coordinators",
    "admin_people",
    "all_coordinators",
    "coordinator_people",
    "is_admin",
    "is_coordinator",
    "people_by_qualified_id",
    "remove_coordinator",
]


def is_admin(settings: Settings, qualified_id: str) -> bool:
    return qualified_id in settings.admins


async def is_coordinator(session: AsyncSession, settings: Settings, qualified_id: str) -> bool:
    if qualified_id in settings.coordinators:
        return True
    return await in_table(session, qualified_id)


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
