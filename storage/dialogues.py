"""Dialogues in progress: one per person, saved after every turn."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from storage.database import rowcount
from storage.models import Dialogue, Person


async def load_dialogue(session: AsyncSession, person_id: int) -> Dialogue | None:
    return await session.get(Dialogue, person_id, populate_existing=True)


async def save_dialogue(
    session: AsyncSession,
    person_id: int,
    existing: Dialogue | None,
    *,
    flow: str,
    step: str,
    answers: dict[str, Any],
    context: dict[str, Any],
    now: datetime,
) -> Dialogue:
    """Insert or update. The version column makes a concurrent save of the same dialogue fail
    with StaleDataError (or IntegrityError for two inserts); the caller retries the turn."""
    if existing is None:
        dialogue = Dialogue(
            person_id=person_id,
            flow=flow,
            step=step,
            answers=answers,
            context=context,
            started_at=now,
            updated_at=now,
        )
        session.add(dialogue)
        await session.flush()
        return dialogue
    # Every turn is a save, even one that changed nothing (help, a re-asked question): it
    # bumps the version, so a concurrent turn that read the old state cannot win. One
    # prepared UPDATE, as the ORM's versioned flush would send it, without the flush.
    saved = {
        "flow": flow,
        "step": step,
        "answers": dict(answers),
        "context": dict(context),
        "version": existing.version + 1,
        "started_at": now if existing.flow != flow else existing.started_at,
        "updated_at": now,
        "nudged_at": None,
    }
    result = await session.execute(
        _SAVE,
        {"saved_person_id": existing.person_id, "old_version": existing.version}
        | {f"new_{name}": value for name, value in saved.items()},
    )
    if rowcount(result) != 1:
        raise StaleDataError(
            f"dialogue of person {existing.person_id} was saved or deleted by another turn"
        )
    for name, value in saved.items():
        set_committed_value(existing, name, value)
    return existing


async def delete_dialogue(session: AsyncSession, dialogue: Dialogue) -> None:
    await session.delete(dialogue)
    await session.flush()


async def drafts_to_nudge(
    session: AsyncSession, *, untouched_since: datetime, flows: Collection[str]
) -> list[tuple[Dialogue, Person]]:
    """Dialogues of these flows, not nudged yet and untouched since `untouched_since`, with
    their person; on PostgreSQL locked with SKIP LOCKED (two sweeps take different ones)."""
    query = (
        select(Dialogue, Person)
        .join(Person, Person.id == Dialogue.person_id)
        .where(
            Dialogue.nudged_at.is_(None),
            Dialogue.updated_at <= untouched_since,
            Dialogue.flow.in_(sorted(flows)),
        )
        .with_for_update(of=Dialogue, skip_locked=True)
    )
    return [(dialogue, person) for dialogue, person in (await session.execute(query)).all()]


async def mark_nudged(session: AsyncSession, person_ids: Collection[int], *, now: datetime) -> None:
    """Not through the ORM: the nudge is no new version of the dialogue."""
    if not person_ids:
        return
    table = Dialogue.__table__
    await session.execute(
        update(table).where(table.c.person_id.in_(sorted(person_ids))).values(nudged_at=now)
    )


async def delete_drafts_untouched_since(session: AsyncSession, before: datetime) -> int:
    """Delete every dialogue last saved before `before`; returns how many. A Core statement,
    not the ORM: a deletion is no new version of the dialogue, and a turn holding the old
    version simply finds it gone and starts afresh."""
    table = Dialogue.__table__
    result = await session.execute(delete(table).where(table.c.updated_at < before))
    return rowcount(result) or 0


_TABLE = Dialogue.__table__
_SAVED = ("flow", "step", "answers", "context", "version", "started_at", "updated_at", "nudged_at")
_SAVE = (
    update(_TABLE)
    .where(
        _TABLE.c.person_id == bindparam("saved_person_id"),
        _TABLE.c.version == bindparam("old_version"),
    )
    .values({name: bindparam(f"new_{name}") for name in _SAVED})
)
