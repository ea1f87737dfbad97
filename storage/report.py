"""What the steering group's report is made from (bot/report/): ideas, their stage history
and the promises made about them, as plain numbers and moments.

Nothing personal is read here: no title, no text, no name, no e-mail address. A giver and an
assignee appear only as row ids, which the report uses to count (repeat givers, the
coordinators' load) and never shows. Three statements in all, whatever the period: the
figures themselves are computed in bot/report/figures.py, because most of them (working
days, medians, percentiles) are no SQL aggregate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.ideas import undone_moves
from storage.models import Idea, IdeaEvent, Promise


@dataclass(frozen=True)
class IdeaFacts:
    id: int
    giver: int  # the giver's person row id: counted, never shown
    assignee: int | None  # the same for who has it
    stage: str
    administration: str | None  # None: the organisation file did not place it
    submitted_at: datetime
    first_response_at: datetime | None
    response_due_at: datetime | None
    satisfaction: int | None


@dataclass(frozen=True)
class StageEvent:
    """A change of stage in an idea's history: its submission, a move, an undo."""

    id: int
    idea: int
    kind: str  # "submitted", "stage" or "undo"
    from_stage: str | None
    to_stage: str | None
    at: datetime
    seconds_in_stage: int | None  # on a move: how long the idea was in `from_stage`
    undone: bool  # a move a coordinator took back (its stay is counted by the real move)


@dataclass(frozen=True)
class PromiseFacts:
    idea: int
    made_at: datetime
    due_at: datetime
    status: str  # open, kept, broken, replaced
    settled_at: datetime | None


@dataclass(frozen=True)
class ReportRows:
    ideas: list[IdeaFacts]
    events: list[StageEvent]  # in history order (id)
    promises: list[PromiseFacts]


async def report_rows(session: AsyncSession, *, until: datetime) -> ReportRows:
    """Every idea, and the stage changes and promises made before `until` (the end of the
    report's period: what happened later is not the period's). The ideas are all read,
    because open ideas and repeat givers look beyond the period's own submissions. A move
    undone at any time counts as undone (as in `stats`)."""
    ideas = [
        IdeaFacts(*row)
        for row in (
            await session.execute(
                select(
                    Idea.id,
                    Idea.person_id,
                    Idea.assignee_id,
                    Idea.stage,
                    Idea.administration,
                    Idea.submitted_at,
                    Idea.first_response_at,
                    Idea.response_due_at,
                    Idea.satisfaction,
                ).order_by(Idea.id)
            )
        ).tuples()
    ]
    events = [
        StageEvent(*row[:-1], undone=bool(row[-1]))  # (SQLite's truth is 0 or 1)
        for row in (
            await session.execute(
                select(
                    IdeaEvent.id,
                    IdeaEvent.idea_id,
                    IdeaEvent.kind,
                    IdeaEvent.from_stage,
                    IdeaEvent.to_stage,
                    IdeaEvent.created_at,
                    IdeaEvent.seconds_in_stage,
                    IdeaEvent.id.in_(undone_moves()),
                )
                .where(
                    IdeaEvent.kind.in_(("submitted", "stage", "undo")),
                    IdeaEvent.created_at < until,
                )
                .order_by(IdeaEvent.id)
            )
        ).tuples()
    ]
    promises = [
        PromiseFacts(*row)
        for row in (
            await session.execute(
                select(
                    Promise.idea_id,
                    Promise.made_at,
                    Promise.due_at,
                    Promise.status,
                    Promise.settled_at,
                )
                .where(Promise.made_at < until)
                .order_by(Promise.id)
            )
        ).tuples()
    ]
    return ReportRows(ideas, events, promises)
