"""Delivering one person's pending outbox messages through a `Sender`.

This is the small, synchronous path the terminal chat uses: when the person at the keyboard
opens the chat or finishes a turn, their messages appear. The dispatcher for the platforms
(retries with backoff, rate limits, office hours, replicas) builds on the same outbox rows.
"""

from __future__ import annotations

from adapters.base import DeliveryError, Sender
from bot.clock import Clock
from conversations.reply import Reply
from storage.database import Database
from storage.models import OutboxMessage
from storage.outbox import mark_sent, pending_for
from storage.people import find_person


def replies_of(message: OutboxMessage) -> list[Reply]:
    return [Reply.from_dict(item) for item in message.payload.get("replies", [])]


async def deliver_pending_for(
    database: Database, qualified_id: str, sender: Sender, clock: Clock
) -> int:
    """Send this person's due messages, oldest first; return how many were sent. A message the
    platform did not take stays pending (the dispatcher retries it); later ones wait too, so
    the order of a person's messages is kept."""
    sent = 0
    async with database.transaction() as session:
        person = await find_person(session, qualified_id)
        if person is None:
            return 0
        now = clock.now()
        for message in await pending_for(session, person.id):
            if message.not_before > now:
                break
            try:
                await sender.send(person.address or {}, replies_of(message))
            except DeliveryError:
                break
            await mark_sent(session, message, now=now)
            sent += 1
    return sent
