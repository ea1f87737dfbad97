"""Coordinators' absences: who is away now, and who stands in."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import rowcount
from storage.models import Absence


async def add_absence(
    session: AsyncSession,
    person_id: int,
    *,
    starts_at: datetime,
    ends_at: datetime,
    stand_in_id: int | None,
    now: datetime,
) -> Absence:
    absence = Absence(
        person_id=person_id,
        starts_at=starts_at,
        ends_at=ends_at,
        stand_in_id=stand_in_id,
        created_at=now,
    )
    session.add(absence)
    await session.flush()
    return absence


async def absences_at(
    session: AsyncSession, now: datetime, person_ids: Iterable[int] | None = None
) -> dict[int, Absence]:
    """Who is away at `now` (person id → their absence), of `person_ids` or of everyone."""
    query = select(Absence).where(
        Absence.starts_at <= now,
        Absence.ends_at > now,
        or_(Absence.ended_at.is_(None), Absence.ended_at > now),
    )
    if person_ids is not None:
        wanted = list(set(person_ids))
        if not wanted:
            return {}
        query = query.where(Absence.person_id.in_(wanted))
    rows = (await session.execute(query.order_by(Absence.starts_at))).scalars()
    return {absence.person_id: absence for absence in rows}


async def absences_of(session: AsyncSession, person_id: int, now: datetime) -> list[Absence]:
    """A person's absences now and ahead (not ended, not over), soonest first."""
    query = (
        select(Absence)
        .where(
            Absence.person_id == person_id,
            Absence.ends_at > now,
            or_(Absence.ended_at.is_(None), Absence.ended_at > now),
        )
        .order_by(Absence.starts_at)
    )
    return list((await session.execute(query)).scalars())


async def current_absence(session: AsyncSession, person_id: int, now: datetime) -> Absence | None:
    """The person's absence going on at `now`, if any."""
    return (await absences_at(session, now, [person_id])).get(person_id)


async def end_absence(session: AsyncSession, absence: Absence, *, now: datetime) -> None:
    """Back early, or taken back before it began: from `now` it no longer counts."""
    absence.ended_at = now
    await session.flush()


async def absences_to_announce(session: AsyncSession, now: datetime) -> list[Absence]:
    """Absences that have begun and whose idea givers have not been told yet."""
    query = (
        select(Absence)
        .where(
            Absence.announced_at.is_(None),
            Absence.starts_at <= now,
            Absence.ends_at > now,
            or_(Absence.ended_at.is_(None), Absence.ended_at > now),
        )
        .order_by(Absence.starts_at, Absence.id)
    )
    return list((await session.execute(query)).scalars())


async def forget_absences_of(session: AsyncSession, person_id: int) -> int:
    """An erasure: the person's own absences go, and nobody stands in as them any more."""
    removed = rowcount(await session.execute(delete(Absence).where(Absence.person_id == person_id)))
    await session.execute(
        update(Absence).where(Absence.stand_in_id == person_id).values(stand_in_id=None)
    )
    return removed
