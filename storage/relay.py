"""What the relay between idea givers and coordinators reads: which of a person's ideas
they have lately heard about (so that what they write back is about one of them), and an
idea's open promise."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Idea, OutboxMessage, Promise

# The two kinds of message between an idea giver and the coordinators, each an event in the
# idea's history and an outbox row (bot/relay.py).
GIVER_MESSAGE = "giver_message"
COORDINATOR_MESSAGE = "coordinator_message"
RELAY_EVENTS = (GIVER_MESSAGE, COORDINATOR_MESSAGE)
# A message that may have reached its recipient: waiting to go out, or gone out. (Not one
# withdrawn by `undo`, dropped after an erasure, or given up on.)
REACHING = ("pending", "sent")


async def ideas_with_news(session: AsyncSession, person_id: int, *, since: datetime) -> list[Idea]:
    """The person's ideas that a message to them was about since `since`, or whose giver
    waits for an answer about; the latest news first. One grouped statement over the
    outbox's idea index and the ideas' person index."""
    news = (
        select(OutboxMessage.idea_id, func.max(OutboxMessage.created_at).label("at"))
        .where(
            OutboxMessage.recipient_id == person_id,
            OutboxMessage.idea_id.is_not(None),
            OutboxMessage.status.in_(REACHING),
            OutboxMessage.created_at >= since,
        )
        .group_by(OutboxMessage.idea_id)
        .subquery()
    )
    query = (
        select(Idea)
        .outerjoin(news, news.c.idea_id == Idea.id)
        .where(
            Idea.person_id == person_id,
            or_(news.c.idea_id.is_not(None), Idea.giver_waiting_since.is_not(None)),
        )
        .order_by(func.coalesce(news.c.at, Idea.giver_waiting_since).desc(), Idea.id.desc())
    )
    return list((await session.execute(query)).scalars())


async def open_promise_due(session: AsyncSession, idea_id: int) -> datetime | None:
    """When the idea's open promise to its giver falls due (None: there is none)."""
    return (
        await session.execute(
            select(Promise.due_at)
            .where(Promise.idea_id == idea_id, Promise.status == "open")
            .order_by(Promise.due_at)
            .limit(1)
        )
    ).scalar_one_or_none()
