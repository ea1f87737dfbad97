"""Coordinators' absences: who is away now, and who stands in."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

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
