"""Answers that only the asker may read, asked where others read along.

In a Teams channel or group chat everyone in the conversation sees what the bot posts there,
and Teams has no ephemeral messages. An idea's details, notes, a person's data, the queue,
the statistics, even "idea 7 moved to assessment" are not for all of them. So the answer of
a command (or a button click) in such a conversation is written to the outbox as a row to
the person, in the same transaction as the turn, and the dispatcher brings it to their
personal chat at any hour (`DIRECT_ANSWER`: it is a reply, not a reminder). The group hears
one short note that names nothing but the person it is addressed to.

The row needs the person's personal-chat address (stored from their personal chat or the
app's installation, never from a group). Without one the row waits, like any outbox row
for someone without an address, and the note asks them to open a chat with the bot: the
first turn there stores the address and the dispatcher delivers it. To someone who blocked
or removed the bot (not reachable) nothing is written: the row would only fail, so the
note asks them to open the chat and ask again.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.i18n import tr
from conversations.reply import Reply, payload_of
from storage.models import Person
from storage.outbox import DIRECT_ANSWER, enqueue

log = logging.getLogger(__name__)


async def answer_privately(
    session: AsyncSession,
    person: Person,
    replies: list[Reply],
    *,
    lang: str,
    name: str | None,
    now: datetime,
    event_id: str | None,
) -> list[Reply]:
    """Queue `replies` for the person's personal chat; return what the group may hear.

    `replies` must already carry no attachments: an outbox row holds text, choices, facts
    and references to kept files (bot/files.py), never a file's bytes. The caller keeps the
    files, or explains in words where to get them."""
    if not replies:
        return []
    if not person.reachable:
        log.info("private answer not sent: person unreachable", extra={"person": person.id})
        return [_note(lang, "group.cannot_reach", name)]
    # One row per turn. A platform's repeated delivery never gets here (the turn claims
    # the event first); a turn run again after a conflict rolled the first row back.
    turn = event_id or uuid.uuid4().hex
    await enqueue(
        session,
        dedupe_key=f"answer:{person.id}:{turn}"[:255],
        recipient_id=person.id,
        kind=DIRECT_ANSWER,
        payload=payload_of(*replies),
        now=now,
    )
    log.info(
        "answer sent to the personal chat",
        extra={"person": person.id, "address": person.address is not None},
    )
    key = "group.answered_privately" if person.address else "group.open_personal_chat"
    return [_note(lang, key, name)]


def _note(lang: str, key: str, name: str | None) -> Reply:
    return Reply(tr(lang, key, first_name=name))
