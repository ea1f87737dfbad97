"""The workplaces the organisation file has not placed yet, and placing them (`idesluss
organisation match`): ideas and people whose free-text workplace has no administration."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import summary
from storage.models import Idea, Person


async def unplaced_workplaces(session: AsyncSession) -> dict[str, tuple[int, int]]:
    """Each workplace written on an idea or a person that has no administration yet:
    workplace → (ideas, people). Two grouped statements."""
    found: dict[str, tuple[int, int]] = {}
    ideas = await session.execute(
        select(Idea.workplace, func.count())
        .where(Idea.administration.is_(None), Idea.workplace.is_not(None))
        .group_by(Idea.workplace)
    )
    for workplace, count in ideas.tuples():
        if workplace:
            found[workplace] = (int(count), 0)
    people = await session.execute(
        select(Person.workplace, func.count())
        .where(Person.administration.is_(None), Person.workplace.is_not(None))
        .group_by(Person.workplace)
    )
    for workplace, count in people.tuples():
        if workplace:
            found[workplace] = (found.get(workplace, (0, 0))[0], int(count))
    return found


async def place_workplace(
    session: AsyncSession, workplace: str, administration: str, unit: str | None
) -> tuple[int, int]:
    """Set the administration and unit of every idea and person with exactly this workplace
    and none yet (so a place set in the dialogue is never overwritten): (ideas, people)."""
    placed = Idea.workplace == workplace, Idea.administration.is_(None)
    # The stats summary moves these ideas from "no administration" to this one.
    counted = [getattr(Idea, column) for column in summary.IDEA_COLUMNS]
    before = [
        dict(row) for row in (await session.execute(select(*counted).where(*placed))).mappings()
    ]
    ideas = await session.execute(
        update(Idea)
        .where(*placed)
        .values(administration=administration, unit=unit)
        .execution_options(synchronize_session=False, **summary.KEPT_BY_CALLER)
    )
    changes = [(row, {**row, "administration": administration}) for row in before]
    await session.run_sync(lambda sync: summary.adjust(sync.connection(), changes))
    people = await session.execute(
        update(Person)
        .where(Person.workplace == workplace, Person.administration.is_(None))
        .values(administration=administration, unit=unit)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(ideas, "rowcount", 0) or 0), int(getattr(people, "rowcount", 0) or 0)
