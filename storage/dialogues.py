"""Dialogues in progress: one per person, saved after every turn."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from storage.models import Dialogue


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
    else:
        dialogue = existing
        if existing.flow != flow:
            dialogue.started_at = now
        dialogue.flow = flow
        dialogue.step = step
        dialogue.answers = dict(answers)
        dialogue.context = dict(context)
        dialogue.updated_at = now
        dialogue.nudged_at = None
        # Every turn is a save, even one that changed nothing (help, a re-asked question):
        # it bumps the version, so a concurrent turn that read the old state cannot win.
        flag_modified(dialogue, "updated_at")
    await session.flush()
    return dialogue


async def delete_dialogue(session: AsyncSession, dialogue: Dialogue) -> None:
    await session.delete(dialogue)
    await session.flush()
