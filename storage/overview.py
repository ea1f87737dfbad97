"""Read-only overviews of ideas: what an idea giver has sent, what waits for a coordinator
(the platforms' home screens, such as Slack's App Home, and `att göra`), and `sök`."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.ideas import QueueRow
from storage.models import Idea, Person, Promise
from storage.text_match import ESCAPE, contains, folded


@dataclass(frozen=True)
class IdeaLine:
    """One line of an overview: enough to list an idea, nothing more."""

    id: int
    title: str
    stage: str
    updated_at: datetime
    giver_name: str | None = None
    assigned_to_me: bool = False


async def ideas_of(session: AsyncSession, person_id: int, *, limit: int = 40) -> list[IdeaLine]:
    """The person's own ideas, most recently changed first."""
    query = (
        select(Idea.id, Idea.title, Idea.stage, Idea.updated_at)
        .where(Idea.person_id == person_id)
        .order_by(Idea.updated_at.desc(), Idea.id.desc())
        .limit(limit)
    )
    return [IdeaLine(*row) for row in (await session.execute(query)).all()]


async def queue_of(
    session: AsyncSession,
    coordinator_id: int,
    *,
    closed_stages: Collection[str],
    limit: int = 40,
) -> list[IdeaLine]:
    """Open ideas assigned to the coordinator or to nobody, the longest-waiting first.
    `closed_stages`: the process's terminal stages (bot/process.py)."""
    query = (
        select(
            Idea.id,
            Idea.title,
            Idea.stage,
            Idea.updated_at,
            Person.display_name,
            Idea.assignee_id,
            Idea.anonymous,
        )
        .join(Person, Person.id == Idea.person_id)
        .where(
            or_(Idea.assignee_id == coordinator_id, Idea.assignee_id.is_(None)),
            Idea.stage.not_in(list(closed_stages)),
        )
        .order_by(Idea.last_activity_at, Idea.id)
        .limit(limit)
    )
    return [
        IdeaLine(
            id=row.id,
            title=row.title,
            stage=row.stage,
            updated_at=row.updated_at,
            # An idea sent anonymously does not show who sent it, not even here.
            giver_name=None if row.anonymous else row.display_name,
            assigned_to_me=row.assignee_id == coordinator_id,
        )
        for row in (await session.execute(query)).all()
    ]


# ── the coordinator's day: `att göra` and `sök` ─────────────────────────────────────────


@dataclass(frozen=True)
class Answering:
    """Whose ideas a coordinator answers for now (bot/availability.py decides it): `ids`,
    their own and those of the coordinators they stand in for; and, when they are here,
    every idea nobody else answers for: unassigned, or assigned to someone who is neither
    here nor stood in for (`covered` are those someone answers for). `covered` None: they
    are away themselves, and answer for their own only."""

    ids: frozenset[int]
    covered: frozenset[int] | None


def _answered_by(who: Answering) -> ColumnElement[bool]:
    own = Idea.assignee_id.in_(sorted(who.ids))
    if who.covered is None:
        return own
    nobody = or_(Idea.assignee_id.is_(None), Idea.assignee_id.not_in(sorted(who.covered)))
    return or_(own, nobody)


@dataclass(frozen=True)
class DayRow:
    """An idea on a coordinator's list for the day, with what it needs."""

    id: int
    title: str
    stage: str
    assignee_id: int | None
    giver_name: str | None  # None: an anonymous idea, or a person without a name
    submitted_at: datetime
    stage_changed_at: datetime
    giver_heard_at: datetime | None
    giver_waiting_since: datetime | None
    promise_due_at: datetime | None = None
    mine: bool = False  # the coordinator answers for it


@dataclass(frozen=True)
class Day:
    """Three short lists, each oldest first, and how many each has in all."""

    promised: list[DayRow]  # an open promise to the giver falls due by then, or has passed
    waiting: list[DayRow]  # the giver wrote and waits for an answer; the coordinator's first
    new: list[DayRow]  # in the first stage, nobody has it yet
    totals: tuple[int, int, int]


_DAY_COLUMNS = (
    Idea.id,
    Idea.title,
    Idea.stage,
    Idea.assignee_id,
    case((Idea.anonymous, None), else_=Person.display_name),
    Idea.submitted_at,
    Idea.stage_changed_at,
    Idea.giver_heard_at,
    Idea.giver_waiting_since,
)


def _day_row(row: Any, *, promise_due_at: datetime | None = None, mine: bool) -> DayRow:
    (id_, title, stage, assignee_id, giver_name, submitted, changed, heard, waiting) = tuple(row)[
        : len(_DAY_COLUMNS)
    ]
    return DayRow(
        id_, title, stage, assignee_id, giver_name, submitted, changed, heard, waiting,
        promise_due_at=promise_due_at, mine=mine,
    )  # fmt: skip


async def day(
    session: AsyncSession,
    who: Answering,
    *,
    due_by: datetime,
    first_stage: str,
    closed_stages: Collection[str],
    limit: int = 10,
) -> Day:
    """What waits for one coordinator: six statements, each over an index
    (ix_promises_due, ix_ideas_waiting, ix_ideas_queue), whatever the number of ideas."""
    mine = _answered_by(who)
    promised_where = (
        Promise.status == "open",
        Promise.due_at <= due_by,
        mine,
        Idea.stage.not_in(list(closed_stages)),
    )
    promised = [
        _day_row(row, promise_due_at=row[-1], mine=True)
        for row in await session.execute(
            select(*_DAY_COLUMNS, Promise.due_at)
            .join(Idea, Idea.id == Promise.idea_id)
            .join(Person, Person.id == Idea.person_id)
            .where(*promised_where)
            .order_by(Promise.due_at, Idea.id)
            .limit(limit)
        )
    ]
    is_mine = case((mine, 0), else_=1)
    waiting = [
        _day_row(row, mine=row[-1] == 0)
        for row in await session.execute(
            select(*_DAY_COLUMNS, is_mine)
            .join(Person, Person.id == Idea.person_id)
            .where(Idea.giver_waiting_since.is_not(None))
            .order_by(is_mine, Idea.giver_waiting_since, Idea.id)
            .limit(limit)
        )
    ]
    new_where = (Idea.stage == first_stage, Idea.assignee_id.is_(None))
    new = [
        _day_row(row, mine=who.covered is not None)
        for row in await session.execute(
            select(*_DAY_COLUMNS)
            .join(Person, Person.id == Idea.person_id)
            .where(*new_where)
            .order_by(Idea.stage_changed_at, Idea.id)
            .limit(limit)
        )
    ]
    count = select(func.count()).select_from(Idea)
    totals = (
        (
            await session.execute(
                select(func.count())
                .select_from(Promise)
                .join(Idea, Idea.id == Promise.idea_id)
                .where(*promised_where)
            )
        ).scalar_one(),
        (await session.execute(count.where(Idea.giver_waiting_since.is_not(None)))).scalar_one(),
        (await session.execute(count.where(*new_where))).scalar_one(),
    )
    return Day(promised, waiting, new, totals)


def _searched_text() -> ColumnElement[str]:
    """Everything an idea says, in one folded text: its name and its answers."""
    parts: list[Any] = [
        Idea.title,
        Idea.need,
        Idea.description,
        Idea.benefit,
        func.coalesce(Idea.first_test, ""),
        func.coalesce(Idea.involved, ""),
    ]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + "\n" + part
    return folded(joined)


async def search(
    session: AsyncSession,
    words: Sequence[str],
    *,
    giver_id: int | None = None,
    offset: int = 0,
    limit: int = 20,
) -> tuple[list[QueueRow], int]:
    """The ideas whose name or answers hold every one of `words` (each a word or a phrase,
    case folded, å, ä and ö kept apart), newest first, one page of them and how many there
    are; `giver_id`: only that person's own ideas. A scan of the ideas table: no index
    serves a word inside a text on both databases, and ten thousand ideas scan in
    milliseconds (bench/process_queries.py)."""
    text = _searched_text()
    conditions: list[ColumnElement[bool]] = [
        text.like(contains(word), escape=ESCAPE) for word in words
    ]
    if giver_id is not None:
        conditions.append(Idea.person_id == giver_id)
    assignee = aliased(Person)
    rows = list(
        await session.execute(
            select(
                Idea.id,
                Idea.title,
                Idea.stage,
                Idea.stage_changed_at,
                func.coalesce(assignee.display_name, assignee.platform_user_id),
                Idea.assignee_id,
                Idea.giver_heard_at,
                Idea.giver_waiting_since,
                # How many match, from the same scan (one pass over the texts, not two).
                func.count().over(),
            )
            .outerjoin(assignee, assignee.id == Idea.assignee_id)
            .where(*conditions)
            .order_by(Idea.id.desc())
            .offset(offset)
            .limit(limit)
        )
    )
    if rows:
        total = int(rows[0][-1])
    elif offset:  # a page beyond the last: how many there are, for the answer
        total = (
            await session.execute(select(func.count()).select_from(Idea).where(*conditions))
        ).scalar_one()
    else:
        total = 0
    return [QueueRow(*tuple(row)[:-1]) for row in rows], total
