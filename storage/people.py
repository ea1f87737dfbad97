"""People the bot talks to, identified by platform and platform user id."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.clean import clean_address, clean_line
from storage.models import Person


async def upsert_person(
    session: AsyncSession,
    platform: str,
    platform_user_id: str,
    *,
    now: datetime,
    display_name: str | None = None,
    platform_locale: str | None = None,
    address: dict[str, Any] | None = None,
    lock: bool = True,
    heard_from: bool = False,
) -> Person:
    """Find or create the person, refresh what the platform tells us, and (on PostgreSQL)
    lock the row so that two turns of the same person run one after the other.

    `heard_from`: the person just wrote to the bot (or installed it) where the bot can write
    back, which proves they no longer block it: they are reachable again, whether or not
    their address changed. Callers that only name someone (an assignee, a coordinator to
    notify) leave it False, so naming a person never undoes a block."""
    # Platforms send what they like; keep within the columns rather than fail the turn.
    # A turn's Incoming is cleaned already (bot/incoming.py); this also covers callers that
    # come straight from a platform (the Teams installation update): no control character,
    # NUL or lone surrogate reaches the row, whoever calls.
    display_name = clean_line(display_name, limit=200)
    platform_locale = clean_line(platform_locale, limit=16)
    address = clean_address(address)
    query = select(Person).where(
        Person.platform == platform, Person.platform_user_id == platform_user_id
    )
    if lock:
        query = query.with_for_update()
    query = query.execution_options(populate_existing=True)
    # Most turns come from someone we know: read first, insert only for a newcomer.
    person = (await session.execute(query)).scalar_one_or_none()
    if person is None:
        insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
        # Two first messages at once: one insert wins, the other does nothing and both
        # read (and, on PostgreSQL, lock) the same row.
        await session.execute(
            insert(Person)
            .values(
                platform=platform,
                platform_user_id=platform_user_id,
                display_name=display_name,
                platform_locale=platform_locale,
                address=address,
                reachable=True,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["platform", "platform_user_id"])
        )
        person = (await session.execute(query)).scalar_one()
    if display_name and person.display_name != display_name:
        person.display_name = display_name
    if platform_locale and person.platform_locale != platform_locale:
        person.platform_locale = platform_locale
    if address and person.address != address:
        # The platform address can change (Teams serviceUrl); the latest one wins.
        person.address = address
    if heard_from and not person.reachable:
        person.reachable = True
    person.updated_at = now
    return person


async def find_person(session: AsyncSession, qualified_id: str) -> Person | None:
    platform, _, user_id = qualified_id.partition(":")
    return (
        await session.execute(
            select(Person).where(Person.platform == platform, Person.platform_user_id == user_id)
        )
    ).scalar_one_or_none()


async def get_person(session: AsyncSession, person_id: int, *, lock: bool = False) -> Person | None:
    """The person with this row id; `lock` holds the row (FOR UPDATE) until the commit."""
    return await session.get(Person, person_id, with_for_update=lock or None)


async def people_by_qualified_id(session: AsyncSession, qualified: Collection[str]) -> list[Person]:
    """The people among these platform-qualified ids who have a row, oldest first."""
    if not qualified:
        return []
    conditions = []
    for qid in sorted(qualified):
        platform, _, user_id = qid.partition(":")
        conditions.append(and_(Person.platform == platform, Person.platform_user_id == user_id))
    query = select(Person).where(or_(*conditions)).order_by(Person.id)
    return list((await session.execute(query)).scalars())


async def set_address(
    session: AsyncSession, person_id: int, address: dict[str, Any], *, now: datetime
) -> None:
    """A sender learnt a newer address (a DM channel it opened): the latest one wins."""
    await session.execute(
        update(Person)
        .where(Person.id == person_id)
        .values(address=address, updated_at=now)
        .execution_options(synchronize_session=False)
    )


async def reachable_again(session: AsyncSession, person_id: int, *, now: datetime) -> None:
    """An operator queued a failed message again: its recipient may have come back."""
    await session.execute(
        update(Person)
        .where(Person.id == person_id, Person.reachable.is_(False))
        .values(reachable=True, updated_at=now)
    )


def first_name(display_name: str | None) -> str | None:
    if not display_name or not display_name.strip():
        return None
    return display_name.strip().split()[0]
