"""Promises to idea givers are commitments the bot keeps.

Every time a message tells an idea giver when they will hear from us next ("inom två
veckor"), that is stored with its due date (`promise`). The next message about the idea that
reaches the giver keeps it (`giver_told`). The reminder sweep asks the coordinator before a
promise falls due, and when one passes unkept, tells the giver so honestly and makes a new
promise the bot can keep (bot/reminders.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Idea
from storage.promises import make_promise, settle_open_promises

COORDINATOR, BOT = "coordinator", "bot"


async def giver_told(
    session: AsyncSession, idea: Idea, *, now: datetime, by: str = COORDINATOR
) -> None:
    """A message about `idea` goes to its giver now (`by` a coordinator, or the bot's own
    "still with us"): the silence ends, and an open promise is kept."""
    idea.giver_heard_at = now
    await settle_open_promises(session, idea.id, status="kept", kept_by=by, now=now)


async def promise(
    session: AsyncSession, idea: Idea, *, due_at: datetime, kind: str, now: datetime
) -> None:
    """The giver was told they hear from us by `due_at`: that replaces any earlier promise."""
    await settle_open_promises(session, idea.id, status="replaced", kept_by=None, now=now)
    await make_promise(session, idea.id, due_at=due_at, kind=kind, now=now)
