"""Ideas and their history."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, case, func, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage import summary
from storage.models import Idea, IdeaEvent, Person, Promise, StatsSummary
from storage.text_match import ESCAPE, contains, folded, starts, starts_word


async def create_idea(
    session: AsyncSession,
    person: Person,
    answers: dict[str, Any],
    *,
    language: str,
    now: datetime,
    stage: str,
    event_data: dict[str, Any] | None = None,
    decide: Callable[[Idea], None] | None = None,
) -> Idea:
    """Store a submitted idea and its first event. The id is the idea's public number.
    `stage` is where new ideas start: the process file's `first_stage`. `decide` sets what
    the bot decides about the new idea (its due times) before it is stored, so that the
    INSERT carries it (no UPDATE after). The event is written with the transaction's next
    flush."""
    idea = Idea(
        person_id=person.id,
        title=answers["title"],
        need=answers["need"],
        description=answers["idea"],
        benefit=answers["benefit"],
        first_test=answers.get("first_test"),
        involved=answers.get("involved"),
        participate=bool(answers.get("participate")),
        workplace=answers.get("workplace"),
        administration=answers.get("administration"),
        unit=answers.get("unit"),
        language=language,
        stage=stage,
        anonymous=False,
        submitted_at=now,
        stage_changed_at=now,
        last_activity_at=now,
        # The giver's "Tack! Din idé har kommit fram" is the first news of it.
        giver_heard_at=now,
        updated_at=now,
    )
    if decide is not None:
        decide(idea)
    session.add(idea)
    await session.flush()
    await add_event(
        session, idea, actor=person, kind="submitted", to_stage=stage, now=now,
        data=event_data, flush=False,
    )  # fmt: skip
    return idea


async def add_event(
    session: AsyncSession,
    idea: Idea,
    *,
    actor: Person | None,
    kind: str,
    now: datetime,
    from_stage: str | None = None,
    to_stage: str | None = None,
    text: str | None = None,
    data: dict[str, Any] | None = None,
    flush: bool = True,
) -> IdeaEvent:
    """`flush=False`: written with the next flush (its id is not known until then)."""
    event = IdeaEvent(
        idea_id=idea.id,
        actor_id=actor.id if actor else None,
        kind=kind,
        from_stage=from_stage,
        to_stage=to_stage,
        text=text,
        data=data,
        created_at=now,
    )
    session.add(event)
    if flush:
        await session.flush()
    return event


# ── reading: every query here is one statement over an index, never one per idea ─────────


async def get_idea(session: AsyncSession, idea_id: int, *, lock: bool = False) -> Idea | None:
    query = select(Idea).where(Idea.id == idea_id)
    if lock:
        query = query.with_for_update()
    return (
        await session.execute(query.execution_options(populate_existing=True))
    ).scalar_one_or_none()


async def idea_with_people(
    session: AsyncSession, idea_id: int
) -> tuple[Idea, Person | None, Person | None] | None:
    """The idea with its giver and its assignee (None: nobody has it), in one statement."""
    row = (await session.execute(_WITH_PEOPLE, {"idea_id": idea_id})).first()
    return None if row is None else (row[0], row[1], row[2])


async def ideas_of(session: AsyncSession, person_id: int) -> list[Idea]:
    """One person's ideas, newest first (ix_ideas_person_id)."""
    query = select(Idea).where(Idea.person_id == person_id).order_by(Idea.id.desc())
    return list((await session.execute(query)).scalars())


async def count_waiting(session: AsyncSession, stages: Sequence[str]) -> int:
    """How many ideas are in these stages (the new ones waiting for a first answer)."""
    query = select(func.count()).select_from(Idea).where(Idea.stage.in_(list(stages)))
    return int((await session.execute(query)).scalar_one())


async def has_ideas(session: AsyncSession, person_id: int) -> bool:
    query = select(Idea.id).where(Idea.person_id == person_id).limit(1)
    return (await session.execute(query)).first() is not None


# The people an idea names, as aliases made once: an alias made per query costs more to
# build than the query does to run (SQLAlchemy adapts every column to it afresh).
_GIVER = aliased(Person, name="giver")
_ASSIGNEE = aliased(Person, name="assignee")
_ACTOR = aliased(Person, name="actor")


@dataclass(frozen=True)
class QueueRow:
    id: int
    title: str
    stage: str
    stage_changed_at: datetime
    # Who has it: their name, or their platform id when they have not used the bot yet (an
    # idea assigned to them by id made a person row without a name). None: nobody.
    assignee_name: str | None
    assignee_id: int | None
    giver_heard_at: datetime | None = None  # when the giver last heard from us about it
    giver_waiting_since: datetime | None = None  # the giver waits for an answer since


async def queue(
    session: AsyncSession,
    stages: Sequence[str],
    *,
    unassigned: bool = False,
    assignee_id: int | None = None,
    workplace: str | None = None,
    giver: str | None = None,
    offset: int = 0,
    limit: int = 20,
) -> tuple[list[QueueRow], int]:
    """One page of the ideas in these stages, oldest first (ix_ideas_stage_changed,
    ix_ideas_queue), and how many there are in all. `workplace` matches a part of the
    workplace's name, `giver` the start of any word of the giver's name (both case folded,
    å, ä and ö kept apart)."""
    page, counted = _queue_statements(
        unassigned, assignee_id is not None, bool(workplace), bool(giver)
    )
    values: dict[str, Any] = {"stages": list(stages), "assignee_id": assignee_id}
    if workplace:
        values["workplace"] = contains(workplace)
    if giver:
        values |= {"giver_start": starts(giver), "giver_word": starts_word(giver)}
    rows = await session.execute(page, values | {"offset": offset, "limit": limit})
    total = (await session.execute(counted, values)).scalar_one()
    return [QueueRow(*row) for row in rows], total


@functools.cache
def _queue_statements(
    unassigned: bool, by_assignee: bool, by_workplace: bool, by_giver: bool
) -> tuple[Select[Any], Select[tuple[int]]]:
    """`queue`'s page and count for one shape of filters, built once with bound parameters:
    a coordinator's `lista` runs the same two statements every time."""
    conditions: list[ColumnElement[bool]] = [Idea.stage.in_(bindparam("stages", expanding=True))]
    if unassigned:
        conditions.append(Idea.assignee_id.is_(None))
    if by_assignee:
        conditions.append(Idea.assignee_id == bindparam("assignee_id"))
    if by_workplace:
        conditions.append(folded(Idea.workplace).like(bindparam("workplace"), escape=ESCAPE))
    if by_giver:
        name = folded(func.coalesce(_GIVER.display_name, ""))
        conditions.append(
            or_(
                name.like(bindparam("giver_start"), escape=ESCAPE),
                name.like(bindparam("giver_word"), escape=ESCAPE),
            )
        )
    page = select(
        Idea.id,
        Idea.title,
        Idea.stage,
        Idea.stage_changed_at,
        func.coalesce(_ASSIGNEE.display_name, _ASSIGNEE.platform_user_id),
        Idea.assignee_id,
        Idea.giver_heard_at,
        Idea.giver_waiting_since,
    ).outerjoin(_ASSIGNEE, _ASSIGNEE.id == Idea.assignee_id)
    counted = select(func.count()).select_from(Idea)
    if by_giver:
        page = page.join(_GIVER, _GIVER.id == Idea.person_id)
        counted = counted.join(_GIVER, _GIVER.id == Idea.person_id)
    page = (
        page.where(*conditions)
        .order_by(Idea.stage_changed_at, Idea.id)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )
    return page, counted.where(*conditions)


_WITH_PEOPLE = (
    select(Idea, _GIVER, _ASSIGNEE)
    .outerjoin(_GIVER, _GIVER.id == Idea.person_id)
    .outerjoin(_ASSIGNEE, _ASSIGNEE.id == Idea.assignee_id)
    .where(Idea.id == bindparam("idea_id"))
    .execution_options(populate_existing=True)
)
_TITLES = select(Idea.id, Idea.title).where(Idea.id.in_(bindparam("ids", expanding=True)))
_HISTORY = (
    select(IdeaEvent, _ACTOR.display_name)
    .outerjoin(_ACTOR, _ACTOR.id == IdeaEvent.actor_id)
    .where(IdeaEvent.idea_id == bindparam("idea_id"))
    .order_by(IdeaEvent.id)
)


@dataclass(frozen=True)
class HistoryRow:
    event: IdeaEvent
    actor_name: str | None
    person_name: str | None  # who the idea was given to, for "assigned"


async def history(session: AsyncSession, idea_id: int) -> list[HistoryRow]:
    """An idea's events in order, with the names of the people in them (ix_idea_events_idea_id)."""
    rows = await session.execute(_HISTORY, {"idea_id": idea_id})
    return [
        HistoryRow(event, name, (event.data or {}).get("assignee_name")) for event, name in rows
    ]


async def people_by_id(session: AsyncSession, ids: Iterable[int | None]) -> dict[int, Person]:
    """The people with these ids (an unset id, such as an idea's missing assignee, is skipped)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await session.execute(select(Person).where(Person.id.in_(wanted)))
    return {person.id: person for person in rows.scalars()}


async def ideas_by_id(session: AsyncSession, ids: Iterable[int | None]) -> dict[int, Idea]:
    """The ideas with these ids (an unset id is skipped)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await session.execute(select(Idea).where(Idea.id.in_(wanted)))
    return {idea.id: idea for idea in rows.scalars()}


async def titles(session: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
    wanted = list(ids)
    if not wanted:
        return {}
    rows = await session.execute(_TITLES, {"ids": wanted})
    return dict(rows.tuples().all())


async def recent_for_similarity(
    session: AsyncSession, *, limit: int
) -> list[tuple[int, str, str, str]]:
    """The newest ideas (primary key order): id, title, need, description."""
    rows = await session.execute(
        select(Idea.id, Idea.title, Idea.need, Idea.description)
        .order_by(Idea.id.desc())
        .limit(limit)
    )
    return list(rows.tuples())


# ── statistics ─────────────────────────────────────────────────────────────────────────


@dataclass
class Stats:
    per_stage: dict[str, int]
    per_workplace: list[tuple[str | None, int]]
    # stage → {whole days spent there: how many finished stays}, a histogram for the median
    days_in_stage: dict[str, dict[int, int]]
    answered_in_time: int  # ideas whose giver heard back by the promised time
    answer_due: int  # ideas answered, or whose promised time has passed
    satisfaction: dict[int, int]  # score → how many
    # administration (None: matched none) → ideas, the largest first
    per_administration: list[tuple[str | None, int]] = field(default_factory=list)


async def stats(
    session: AsyncSession,
    *,
    now: datetime,
    top_workplaces: int = 10,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Stats:
    """The figures of all time, or with `since`/`until` of the ideas submitted in that period
    and the stays in a stage that ended in it (for the medians). All time and whole Swedish
    months or years (what `stats 2026` names) are read from the summary kept on write
    (storage/summary.py): four statements over a few hundred rows, whatever the number of
    ideas. Other periods count the ideas and events themselves (`stats_from_rows`)."""
    buckets = summary.period_buckets(since, until)
    if buckets is None:
        return await stats_from_rows(
            session, now=now, top_workplaces=top_workplaces, since=since, until=until
        )
    figures = await session.execute(
        summary.summed(buckets).where(StatsSummary.figure.not_in(("workplace", "administration")))
    )
    per_stage: dict[str, int] = {}
    days_in_stage: dict[str, dict[int, int]] = {}
    satisfaction: dict[int, int] = {}
    answered = in_time = unanswered = 0
    for figure, label, detail, count in summary.rows_of(figures.tuples()):
        if figure == "stage" and label is not None:
            per_stage[label] = count
        elif figure == "days" and label is not None:
            days_in_stage.setdefault(label, {})[detail] = count
        elif figure == "satisfaction":
            satisfaction[detail] = count
        elif figure == "answered":
            answered = count
        elif figure == "in_time":
            in_time = count
        elif figure == "unanswered":
            unanswered = count
    places = {}
    for figure, limit in (("workplace", top_workplaces), ("administration", None)):
        total = func.sum(StatsSummary.count).label("n")
        # The order of the counted rows' ORDER BY n DESC, name: a missing name (detail 1)
        # sorts as NULL does, first on SQLite and last on PostgreSQL.
        missing_first = session.get_bind().dialect.name == "sqlite"
        query = (
            select(StatsSummary.figure, StatsSummary.label, StatsSummary.detail, total)
            .where(summary.counted(buckets), StatsSummary.figure == figure)
            .group_by(StatsSummary.figure, StatsSummary.label, StatsSummary.detail)
            .having(total != 0)
            .order_by(
                total.desc(),
                StatsSummary.detail.desc() if missing_first else StatsSummary.detail,
                StatsSummary.label,
            )
            .limit(limit)
        )
        rows = summary.rows_of((await session.execute(query)).tuples())
        places[figure] = [(label, count) for _, label, _, count in rows]
    # Past its promised answer: moves with the clock, so counted live, as the unanswered
    # ideas minus those whose promised time has not come: the last days' few, read from
    # ix_ideas_unanswered alone. (Their period is checked here: with the submission times in
    # the WHERE, SQLite would rather scan the period's ideas by ix_ideas_administration.)
    not_yet_due = await session.execute(
        select(Idea.submitted_at).where(
            Idea.first_response_at.is_(None), Idea.response_due_at >= now
        )
    )
    not_due = sum(
        1
        for (submitted,) in not_yet_due.tuples()
        if (since is None or submitted >= since) and (until is None or submitted < until)
    )
    return Stats(
        per_stage,
        places["workplace"],
        days_in_stage,
        in_time,
        answered + unanswered - not_due,
        satisfaction,
        places["administration"],
    )


async def stats_from_rows(
    session: AsyncSession,
    *,
    now: datetime,
    top_workplaces: int = 10,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Stats:
    """`stats` counted from the ideas and events themselves (any period): every figure one
    grouped or aggregate statement, read from an index where one fits. What the summary must
    always agree with (tests/storage/test_stats_summary.py)."""
    submitted: list[ColumnElement[bool]] = []
    ended: list[ColumnElement[bool]] = []
    if since is not None:
        submitted.append(Idea.submitted_at >= since)
        ended.append(IdeaEvent.created_at >= since)
    if until is not None:
        submitted.append(Idea.submitted_at < until)
        ended.append(IdeaEvent.created_at < until)
    per_stage = dict(
        (
            await session.execute(
                select(Idea.stage, func.count()).where(*submitted).group_by(Idea.stage)
            )
        )
        .tuples()
        .all()
    )
    workplace_count = func.count().label("n")
    per_workplace = list(
        (
            await session.execute(
                select(Idea.workplace, workplace_count)
                .where(*submitted)
                .group_by(Idea.workplace)
                .order_by(workplace_count.desc(), Idea.workplace)
                .limit(top_workplaces)
            )
        ).tuples()
    )
    administration_count = func.count().label("n")
    per_administration = list(
        (
            await session.execute(
                select(Idea.administration, administration_count)
                .where(*submitted)
                .group_by(Idea.administration)
                .order_by(administration_count.desc(), Idea.administration)
            )
        ).tuples()
    )
    days = (IdeaEvent.seconds_in_stage // 86400).label("days")  # whole days: few groups
    days_in_stage: dict[str, dict[int, int]] = {}
    rows = await session.execute(
        select(IdeaEvent.from_stage, days, func.count())
        .where(
            IdeaEvent.from_stage.is_not(None),
            IdeaEvent.seconds_in_stage.is_not(None),
            # An undone move was no stay: the idea is back, and its real move counts it.
            IdeaEvent.id.not_in(undone_moves()),
            *ended,
        )
        .group_by(IdeaEvent.from_stage, days)
    )
    for stage, whole_days, count in rows.tuples():
        if stage is None or whole_days is None:  # not found: the WHERE excludes them
            continue
        histogram = days_in_stage.setdefault(stage, {})
        histogram[int(whole_days)] = histogram.get(int(whole_days), 0) + count
    in_time = case((Idea.first_response_at <= Idea.response_due_at, 1), else_=0)
    due = case((Idea.first_response_at.is_not(None), 1), (Idea.response_due_at < now, 1), else_=0)
    answered_in_time, answer_due = (
        await session.execute(
            select(func.coalesce(func.sum(in_time), 0), func.coalesce(func.sum(due), 0)).where(
                *submitted
            )
        )
    ).one()
    satisfaction = {
        score: n
        for score, n in (
            await session.execute(
                select(Idea.satisfaction, func.count())
                .where(Idea.satisfaction.is_not(None), *submitted)
                .group_by(Idea.satisfaction)
            )
        ).tuples()
        if score is not None  # (the WHERE excludes it)
    }
    return Stats(
        per_stage,
        per_workplace,
        days_in_stage,
        int(answered_in_time),
        int(answer_due),
        satisfaction,
        per_administration,
    )


def median_of_histogram(histogram: dict[int, int]) -> float:
    """The median of values given as {value: count}."""
    ordered = sorted(histogram.items())
    total = sum(histogram.values())

    def nth(n: int) -> int:
        seen = 0
        for value, count in ordered:
            seen += count
            if seen > n:
                return value
        return ordered[-1][0]

    if total % 2:
        return float(nth(total // 2))
    return (nth(total // 2 - 1) + nth(total // 2)) / 2


# ── export ─────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class ExportRow:
    """One idea for an export: its giver's and assignee's names and its whole history, each
    event with the name of who acted (None: nobody, or a person without a name)."""

    idea: Idea
    giver_name: str | None
    assignee_name: str | None
    events: list[tuple[IdeaEvent, str | None]]


async def export_rows(
    session: AsyncSession,
    *,
    since: datetime | None = None,
    kinds: Collection[str] | None = None,
) -> list[ExportRow]:
    """Every idea (or those submitted or changed since `since`), in number order, with its
    history oldest first (only events of `kinds`, when given)."""
    giver, assignee, actor = _GIVER, _ASSIGNEE, _ACTOR
    query = (
        select(Idea, giver.display_name, assignee.display_name)
        .join(giver, giver.id == Idea.person_id)
        .outerjoin(assignee, assignee.id == Idea.assignee_id)
        .order_by(Idea.id)
    )
    if since is not None:
        query = query.where(or_(Idea.submitted_at >= since, Idea.updated_at >= since))
    ideas = list((await session.execute(query)).tuples())
    history: dict[int, list[tuple[IdeaEvent, str | None]]] = {}
    numbers = [idea.id for idea, _, _ in ideas]
    for start in range(0, len(numbers), 1000):  # bounded IN lists
        events = await session.execute(
            select(IdeaEvent, actor.display_name)
            .outerjoin(actor, actor.id == IdeaEvent.actor_id)
            .where(IdeaEvent.idea_id.in_(numbers[start : start + 1000]))
            .where(IdeaEvent.kind.in_(sorted(kinds)) if kinds is not None else true())
            .order_by(IdeaEvent.idea_id, IdeaEvent.id)
        )
        for event, actor_name in events.tuples():
            history.setdefault(event.idea_id, []).append((event, actor_name))
    return [
        ExportRow(idea, giver_name, assignee_name, history.get(idea.id, []))
        for idea, giver_name, assignee_name in ideas
    ]


async def due_ideas(session: AsyncSession, *, now: datetime, limit: int) -> list[Idea]:
    """Up to `limit` ideas whose `next_due_at` has come, soonest first (an index range scan);
    on PostgreSQL locked with SKIP LOCKED, so two sweeps split them."""
    query = (
        select(Idea)
        .where(Idea.next_due_at <= now)
        .order_by(Idea.next_due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(query)).scalars())


async def set_next_due(session: AsyncSession, updates: list[dict[str, Any]]) -> None:
    """Many ideas' `next_due_at` in one statement: each update is {"id", "next_due_at"}."""
    if updates:
        await session.execute(update(Idea).execution_options(synchronize_session=False), updates)


async def open_satisfaction_question(session: AsyncSession, person_id: int) -> Idea | None:
    """The person's latest idea whose satisfaction question is asked and not yet answered."""
    return (
        await session.execute(_SATISFACTION_ASKED, {"person_id": person_id})
    ).scalar_one_or_none()


_SATISFACTION_ASKED = (
    select(Idea)
    .where(
        Idea.person_id == bindparam("person_id"),
        Idea.satisfaction_asked_at.is_not(None),
        Idea.satisfaction.is_(None),
    )
    .order_by(Idea.satisfaction_asked_at.desc(), Idea.id.desc())
    .limit(1)
)


# The events that change an idea's stage: a move, and the undoing of one.
STAGE_CHANGES = ("stage", "undo")


async def last_stage_change_by(
    session: AsyncSession, actor_id: int, *, idea_id: int | None = None
) -> IdeaEvent | None:
    """The latest move or undo this person made (on this idea, when given). Read newest
    first, so it stops at their latest; over an idea it reads ix_idea_events_idea_id."""
    query = select(IdeaEvent).where(
        IdeaEvent.actor_id == actor_id, IdeaEvent.kind.in_(STAGE_CHANGES)
    )
    if idea_id is not None:
        query = query.where(IdeaEvent.idea_id == idea_id)
    return (
        await session.execute(query.order_by(IdeaEvent.id.desc()).limit(1))
    ).scalar_one_or_none()


async def last_stage_change(
    session: AsyncSession, idea_id: int
) -> tuple[IdeaEvent, str | None] | None:
    """The idea's latest move or undo, with the name of who made it."""
    actor = _ACTOR
    row = (
        await session.execute(
            select(IdeaEvent, actor.display_name)
            .outerjoin(actor, actor.id == IdeaEvent.actor_id)
            .where(IdeaEvent.idea_id == idea_id, IdeaEvent.kind.in_(STAGE_CHANGES))
            .order_by(IdeaEvent.id.desc())
            .limit(1)
        )
    ).first()
    return None if row is None else (row[0], row[1])


def undone_moves() -> Select[tuple[int]]:
    """The ids of the moves that were undone (each undo event names the one it undid)."""
    undo = aliased(IdeaEvent)
    undone = undo.data["undoes"].as_integer()
    # (No NULL in the list: `NOT IN` a list with a NULL is never true.)
    return select(undone).where(undo.kind == "undo", undone.is_not(None))


async def stage_before(session: AsyncSession, idea_id: int, stage: str) -> str | None:
    """The stage the idea was in before it last entered `stage` (to return from parked/closed,
    or to go back a step). A move back (`flytta N tillbaka`) does not count: after going back
    from Prövas to Bedömning, the stage before Bedömning is still the one before it."""
    command = IdeaEvent.data["command"].as_string()
    return (
        await session.execute(
            select(IdeaEvent.from_stage)
            .where(
                IdeaEvent.idea_id == idea_id,
                IdeaEvent.kind == "stage",
                IdeaEvent.to_stage == stage,
                or_(command.is_(None), command != "back"),
            )
            .order_by(IdeaEvent.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


@dataclass(frozen=True)
class MonthFigures:
    """The headline figures of a period, for the admins' monthly digest."""

    new: int  # ideas submitted
    moved: int  # moves between stages (an undone one is no move)
    implemented: int  # moves into an implemented stage
    closed: int  # moves into the closing stage
    promises_due: int  # promises that fell due and are settled (kept or broken)
    promises_kept: int
    scores: dict[int, int]  # satisfaction answers given: score → how many


async def month_figures(
    session: AsyncSession,
    *,
    since: datetime,
    until: datetime,
    implemented: Collection[str],
    closed: Collection[str],
) -> MonthFigures:
    """Each figure one aggregate statement over the period [since, until)."""
    new = (
        await session.execute(
            select(func.count())
            .select_from(Idea)
            .where(Idea.submitted_at >= since, Idea.submitted_at < until)
        )
    ).scalar_one()
    in_period = (IdeaEvent.created_at >= since, IdeaEvent.created_at < until)
    into = IdeaEvent.to_stage
    moved, into_implemented, into_closed = (
        await session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((into.in_(list(implemented) or [""]), 1), else_=0)), 0),
                func.coalesce(func.sum(case((into.in_(list(closed) or [""]), 1), else_=0)), 0),
            ).where(IdeaEvent.kind == "stage", IdeaEvent.id.not_in(undone_moves()), *in_period)
        )
    ).one()
    due, kept = (
        await session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((Promise.status == "kept", 1), else_=0)), 0),
            ).where(
                Promise.due_at >= since,
                Promise.due_at < until,
                Promise.status.in_(("kept", "broken")),
            )
        )
    ).one()
    score = IdeaEvent.data["score"].as_integer()
    scores = {
        int(value): int(count)
        for value, count in (
            await session.execute(
                select(score, func.count())
                .where(IdeaEvent.kind == "satisfaction", score.is_not(None), *in_period)
                .group_by(score)
            )
        ).tuples()
        if value is not None
    }
    return MonthFigures(
        int(new), int(moved), int(into_implemented), int(into_closed), int(due), int(kept), scores
    )
