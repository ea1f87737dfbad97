"""What `stats` counts, kept up to date as ideas change, so that `stats` (and `/metrics`) read
a few hundred summary rows instead of every idea and every event.

Each idea *contributes* a few facts to the summary: it is in stage S, names workplace W and
administration A, was answered (in time), still waits for its first answer, got score N.
Each move contributes a finished stay of D whole days in the stage it left, and an undo takes
back the contribution of the move it undid. A fact is counted in its Swedish month (yyyymm:
the idea's submission, or the end of the stay), in that month's year (yyyy00) and in all time
(0), so that a month, a year and all time are each one bucket to read.

The summary is kept by the session, not by each write path: before every flush, the facts of
each changed idea and event as they were are taken away and their facts as they are now are
added, in the same transaction (`SummaryKeepingSession`). A bulk UPDATE, INSERT or DELETE of
a counted column bypasses that, so it is refused (`guard`) unless the statement says it keeps
the summary itself (`KEPT_BY_CALLER`, then `adjust` or `rebuild`).

The one figure that moves with the clock, how many unanswered ideas are past their promised
answer, is what the summary counts as waiting minus those not due yet: a live range count
over the last days' ideas (ix_ideas_unanswered)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, delete, event, func, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from storage.models import Idea, IdeaEvent, StatsSummary

# The months of `stats 2026` and `stats januari` (bot/periods.py: bot.calendar.STOCKHOLM).
STOCKHOLM = ZoneInfo("Europe/Stockholm")
ALL_TIME = 0

# A fact: (figure, label, detail), counted in the buckets of a moment.
Fact = tuple[str, str, int]
Key = tuple[int, str, str, int]  # (bucket, figure, label, detail)

# The columns whose values `stats` counts (the flush compares their values before and after).
IDEA_COLUMNS = (
    "submitted_at",
    "stage",
    "workplace",
    "administration",
    "first_response_at",
    "response_due_at",
    "satisfaction",
)
EVENT_COLUMNS = ("kind", "from_stage", "seconds_in_stage", "created_at", "data")
COUNTED = {Idea.__tablename__: set(IDEA_COLUMNS), IdeaEvent.__tablename__: set(EVENT_COLUMNS)}

# Execution option of a bulk statement on ideas or idea_events whose caller keeps the summary
# itself (with `adjust` or `rebuild`).
KEPT_BY_CALLER = {"stats_summary_kept": True}


def month_of(moment: datetime) -> int:
    local = moment.astimezone(STOCKHOLM)
    return local.year * 100 + local.month


def buckets_of(moment: datetime) -> tuple[int, int, int]:
    month = month_of(moment)
    return month, month // 100 * 100, ALL_TIME


def _named(value: str | None) -> tuple[str, int]:
    """A label that may be missing, as (label, detail): detail 1 marks "names none"."""
    return ("", 1) if value is None else (value, 0)


def idea_facts(values: Mapping[str, Any]) -> list[Fact]:
    """What an idea with these column values counts for, in its submission month."""
    facts: list[Fact] = [
        ("stage", values["stage"], 0),
        ("workplace", *_named(values["workplace"])),
        ("administration", *_named(values["administration"])),
    ]
    answered, due = values["first_response_at"], values["response_due_at"]
    if answered is not None:
        facts.append(("answered", "", 0))
        if due is not None and answered <= due:
            facts.append(("in_time", "", 0))
    elif due is not None:
        facts.append(("unanswered", "", 0))
    if values["satisfaction"] is not None:
        facts.append(("satisfaction", "", int(values["satisfaction"])))
    return facts


def stay_fact(values: Mapping[str, Any]) -> Fact | None:
    """A move's finished stay in the stage it left (whole days), or None."""
    if values["from_stage"] is None or values["seconds_in_stage"] is None:
        return None
    return ("days", values["from_stage"], int(values["seconds_in_stage"]) // 86400)


def undone_id(values: Mapping[str, Any]) -> int | None:
    """The move an undo event undid (as storage.ideas.undone_moves reads it)."""
    if values["kind"] != "undo" or not isinstance(values["data"], dict):
        return None
    undoes = values["data"].get("undoes")
    return int(undoes) if isinstance(undoes, int) else None


def _count(counts: Counter[Key], moment: datetime, facts: Iterable[Fact], sign: int) -> None:
    for bucket in buckets_of(moment):
        for figure, label, detail in facts:
            counts[(bucket, figure, label, detail)] += sign


def _count_idea(counts: Counter[Key], values: Mapping[str, Any], sign: int) -> None:
    _count(counts, values["submitted_at"], idea_facts(values), sign)


def _count_stay(counts: Counter[Key], values: Mapping[str, Any], sign: int) -> None:
    fact = stay_fact(values)
    if fact is not None:
        _count(counts, values["created_at"], [fact], sign)


# ── kept by the session ────────────────────────────────────────────────────────────────


class SummaryKeepingSession(Session):
    """The sessions of storage.database.Database: each flush also moves the summary's counts
    from what the changed ideas and events were to what they are (see the module's text)."""


def _values_before(obj: Any, columns: Iterable[str]) -> dict[str, Any]:
    """The column values as the database has them (before this flush)."""
    before: dict[str, Any] = {}
    for name in columns:
        history = inspect(obj).attrs[name].history  # (loads nothing)
        if history.deleted:
            before[name] = history.deleted[0]
        elif history.unchanged:
            before[name] = history.unchanged[0]
        elif not history.added:
            before[name] = getattr(obj, name)  # not loaded and not changed: load it
        else:  # (active_history on the counted columns loads the old value when it is set)
            raise RuntimeError(f"stats summary: the value of {name} before the change is lost")
    return before


def _values_now(obj: Any, columns: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in columns}


def _values_of_new(obj: Any, columns: Iterable[str]) -> dict[str, Any]:
    """A new row's values. The counted columns it leaves unset are set to None (what the
    INSERT writes anyway), so that a later change of one has a value before it."""
    state = inspect(obj)
    for name in columns:
        if name not in state.dict:
            setattr(obj, name, None)
    return _values_now(obj, columns)


def _undone_move(session: Session, move_id: int) -> dict[str, Any] | None:
    with session.no_autoflush:
        move = session.get(IdeaEvent, move_id)
    return None if move is None else _values_now(move, EVENT_COLUMNS)


def _count_event(
    session: Session, counts: Counter[Key], values: Mapping[str, Any], sign: int
) -> None:
    _count_stay(counts, values, sign)
    undone = undone_id(values)
    if undone is not None and (move := _undone_move(session, undone)) is not None:
        _count_stay(counts, move, -sign)  # an undone move was no stay


@event.listens_for(SummaryKeepingSession, "before_flush")
def _before_flush(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    counts: Counter[Key] = Counter()
    with session.no_autoflush:
        for obj in session.new:
            if isinstance(obj, Idea):
                _count_idea(counts, _values_of_new(obj, IDEA_COLUMNS), +1)
            elif isinstance(obj, IdeaEvent):
                _count_event(session, counts, _values_of_new(obj, EVENT_COLUMNS), +1)
        for obj in session.dirty:
            if isinstance(obj, Idea) and inspect(obj).persistent:
                _count_idea(counts, _values_before(obj, IDEA_COLUMNS), -1)
                _count_idea(counts, _values_now(obj, IDEA_COLUMNS), +1)
            elif isinstance(obj, IdeaEvent) and inspect(obj).persistent:
                _count_event(session, counts, _values_before(obj, EVENT_COLUMNS), -1)
                _count_event(session, counts, _values_now(obj, EVENT_COLUMNS), +1)
        for obj in session.deleted:
            if isinstance(obj, Idea):
                _count_idea(counts, _values_before(obj, IDEA_COLUMNS), -1)
            elif isinstance(obj, IdeaEvent):
                _count_event(session, counts, _values_before(obj, EVENT_COLUMNS), -1)
    apply(session.connection(), counts)


@event.listens_for(SummaryKeepingSession, "do_orm_execute")
def guard(state: ORMExecuteState) -> None:
    """Refuse a bulk statement that changes what the summary counts behind its back."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    if state.execution_options.get("stats_summary_kept"):
        return
    table_name = str(getattr(getattr(state.statement, "table", None), "name", ""))
    counted = COUNTED.get(table_name)
    if counted is None:
        return
    if state.is_delete or state.is_insert:
        touched = counted
    else:
        touched = {_column_name(c) for c in getattr(state.statement, "_values", None) or {}}
        parameters: Any = state.parameters
        for row in parameters if isinstance(parameters, list) else [parameters or {}]:
            touched |= {str(name) for name in row}
    if touched & counted:
        raise RuntimeError(
            f"a bulk statement on {table_name} changes {sorted(touched & counted)}, which "
            "`stats` counts: change the rows through the ORM, or keep the summary yourself "
            "(execution_options(**storage.summary.KEPT_BY_CALLER), then summary.adjust or "
            "summary.rebuild)"
        )


def _column_name(column: object) -> str:
    return str(getattr(column, "key", column))


def apply(connection: Connection, counts: Mapping[Key, int]) -> None:
    """Add these counts to the summary: one upsert (a change moves a few dozen rows), its
    rows in key order (two transactions then lock the rows they share in the same order)."""
    rows = [
        {"bucket": b, "figure": f, "label": label, "detail": d, "count": n}
        for (b, f, label, d), n in sorted(counts.items())
        if n
    ]
    if not rows:
        return
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    for start in range(0, len(rows), 1000):  # (a rebuild: within the drivers' 32,767 values)
        statement = insert(StatsSummary).values(rows[start : start + 1000])
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["bucket", "figure", "label", "detail"],
                set_={"count": StatsSummary.count + statement.excluded.count},
            )
        )


def adjust(
    connection: Connection,
    ideas: Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]],
) -> None:
    """Keep the summary for ideas a bulk statement changed: (values before, values after)."""
    counts: Counter[Key] = Counter()
    for before, after in ideas:
        _count_idea(counts, before, -1)
        _count_idea(counts, after, +1)
    apply(connection, counts)


def rebuild(connection: Connection) -> None:
    """Count the whole summary again from the ideas and their events (migration 0007, and
    after bulk loads that bypass the session)."""
    connection.execute(delete(StatsSummary))
    counts: Counter[Key] = Counter()
    ideas = connection.execute(select(*(getattr(Idea, c) for c in IDEA_COLUMNS)))
    for idea in ideas.mappings():
        _count_idea(counts, dict(idea), +1)
    stays = select(IdeaEvent.id, *(getattr(IdeaEvent, c) for c in EVENT_COLUMNS)).where(
        (IdeaEvent.seconds_in_stage.is_not(None)) | (IdeaEvent.kind == "undo")
    )
    moves: dict[int, Mapping[str, Any]] = {}
    undos: list[int] = []
    for found in connection.execute(stays).mappings():
        row = dict(found)
        _count_stay(counts, row, +1)
        moves[row["id"]] = row
        if (undone := undone_id(row)) is not None:
            undos.append(undone)
    for undone in undos:
        if undone in moves:
            _count_stay(counts, moves[undone], -1)
    apply(connection, counts)


# ── read by `stats` and `/metrics` ─────────────────────────────────────────────────────


def period_buckets(since: datetime | None, until: datetime | None) -> list[int] | None:
    """The buckets that add up to [since, until): all time, whole years and whole months.
    None when the period is not made of whole Swedish months (`stats` then counts rows)."""
    if since is None and until is None:
        return [ALL_TIME]
    if since is None or until is None or not (_month_start(since) and _month_start(until)):
        return None
    first, end = month_of(since), month_of(until)
    buckets: list[int] = []
    month = first
    while month < end:
        year = month // 100
        if month % 100 == 1 and (year + 1) * 100 + 1 <= end:
            buckets.append(year * 100)  # the whole year
            month = (year + 1) * 100 + 1
            continue
        buckets.append(month)
        month = month + 1 if month % 100 < 12 else (year + 1) * 100 + 1
    return buckets


def _month_start(moment: datetime) -> bool:
    local = moment.astimezone(STOCKHOLM)
    return local.day == 1 and local.time() == time(0)


def counted(buckets: list[int]) -> ColumnElement[bool]:
    return StatsSummary.bucket.in_(buckets)


def rows_of(
    rows: Iterable[tuple[str, str, int, int]],
) -> Iterator[tuple[str, str | None, int, int]]:
    """(figure, label, detail, count) with the missing labels as None, the empty counts
    left out."""
    for figure, label, detail, count in rows:
        if not count:
            continue
        missing = figure in ("workplace", "administration") and detail == 1
        yield figure, None if missing else label, detail, int(count)


def summed(buckets: list[int]) -> Any:
    """The summary's rows for these buckets, summed: (figure, label, detail, count)."""
    total = func.sum(StatsSummary.count)
    return (
        select(StatsSummary.figure, StatsSummary.label, StatsSummary.detail, total)
        .where(counted(buckets))
        .group_by(StatsSummary.figure, StatsSummary.label, StatsSummary.detail)
    )


async def rebuild_in(session: AsyncSession) -> None:
    """`rebuild` in the session's transaction (after a bulk statement in it)."""
    await session.run_sync(lambda sync: rebuild(sync.connection()))
