"""Delivering one person's pending outbox messages through a `Sender`.

This is the small, synchronous path the terminal chat uses: when the person at the keyboard
opens the chat or finishes a turn, their messages appear, whatever the hour. The dispatcher
for the platforms (retries with backoff, rate limits, office hours, replicas) builds on the
same outbox rows; it has no console sender, so it never claims a terminal person's rows.
"""

from __future__ import annotations

from bot.clock import Clock
from bot.ports import DeliveryError, Sender
from conversations.reply import replies_from_payload
from storage.database import Database
from storage.outbox import mark_sent, pending_for
from storage.people import find_person


async def deliver_pending_for(
    database: Database, qualified_id: str, sender: Sender, clock: Clock
) -> int:
    """Send this person's waiting messages, oldest first; return how many were sent. The
    person is at the keyboard right now, so a message held back for office hours
    (`not_before` later today or tomorrow morning) is shown too. A message the chat did not
    take stays pending; later ones wait too, so the order of a person's messages is kept."""
    sent = 0
    async with database.transaction() as session:
        person = await find_person(session, qualified_id)
        if person is None:
            return 0
        now = clock.now()
        for message in await pending_for(session, person.id):
            try:
                await sender.send(person.address or {}, replies_from_payload(message.payload))
            except DeliveryError:
                break
            await mark_sent(session, message, now=now)
            sent += 1
    return sent
