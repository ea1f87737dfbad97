"""Open questions: what the bot asked outside a dialogue's steps and waits to hear about."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OpenQuestion


async def ask_question(
    session: AsyncSession,
    person_id: int,
    kind: str,
    data: dict[str, Any],
    *,
    now: datetime,
    expires_at: datetime,
) -> OpenQuestion:
    """Remember the question; it replaces any earlier one of this person."""
    question = await session.get(OpenQuestion, person_id)
    if question is None:
        question = OpenQuestion(person_id=person_id)
        session.add(question)
    question.kind = kind
    question.data = dict(data)
    question.asked_at = now
    question.expires_at = expires_at
    await session.flush()
    return question


async def waiting_question(
    session: AsyncSession, person_id: int, *, now: datetime
) -> OpenQuestion | None:
    """The person's open question, unless it has expired (then it is forgotten)."""
    question = await session.get(OpenQuestion, person_id, populate_existing=True)
    return await still_waiting(session, question, now=now)


async def still_waiting(
    session: AsyncSession, question: OpenQuestion | None, *, now: datetime
) -> OpenQuestion | None:
    """A question read already (with the person, at the start of the turn), unless it has
    expired (then it is forgotten)."""
    if question is None:
        return None
    if question.expires_at <= now:
        await session.delete(question)
        await session.flush()
        return None
    return question


async def drop_question(session: AsyncSession, person_id: int) -> None:
    await session.execute(delete(OpenQuestion).where(OpenQuestion.person_id == person_id))
