"""Files that reach people in their chat: an export, their own data (`mina uppgifter`).

A turn's replies are stored as JSON and posted after the commit (bot/inbox.py), or go to a
personal chat through the outbox (bot/private_answers.py); neither may hold a file's bytes.
So on a platform that delivers files itself (Slack uploads them, Teams asks the person's
consent first), the turn keeps each file in the `files` table, in its own transaction,
for the person who asked, for a day (FILE_LIFETIME), under a secret token; the reply
carries only a reference (`FileRef`) and a word about where the file is coming.

After the turn the adapter asks here for the file by its token, *for that person only*,
delivers it to that person's own personal chat (never a channel), and says it was
delivered (the bytes are dropped; a redelivery of the answer finds it delivered and sends
nothing twice), declined (Teams) or that it failed. Each outcome is written to the audit
trail. Adapters never open a transaction themselves: they call these functions.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.i18n import DEFAULT_LANGUAGE, person_language, tr
from conversations.reply import FileRef, Reply
from storage import files as store
from storage.database import DATABASE_ERRORS
from storage.models import Person, StoredFile
from storage.people import find_person
from storage.privacy import audit

if TYPE_CHECKING:
    from bot.app import IdeaBot

log = logging.getLogger(__name__)
_Work = Callable[[AsyncSession, Person, StoredFile], Awaitable[None]]

# A file waits this long for its person (a Teams consent waits for a click), then goes.
FILE_LIFETIME = timedelta(hours=24)
DELIVERED, DECLINED, FAILED = "file_delivered", "file_declined", "file_failed"
# What a person writes to get a new file, by what the file held.
_AGAIN = {
    "personal_data": "file.again.personal_data",
    "gdpr_export": "file.again.gdpr_export",
    "export": "file.again.export",
    "report": "file.again.report",
}


def files_in(replies: Sequence[Reply]) -> list[FileRef]:
    """Every kept file the replies refer to, in order."""
    return [file for reply in replies for file in reply.files]


async def keep_files(
    session: AsyncSession,
    person: Person,
    replies: list[Reply],
    *,
    lang: str,
    now: datetime,
    elsewhere: bool,
) -> list[Reply]:
    """In the turn's transaction: keep every attachment of the replies for `person` and
    put its reference in its place, with a word saying the file is coming — here in this
    chat, or (`elsewhere`) in the person's private chat (an answer in a Slack channel)."""
    kept: list[Reply] = []
    for reply in replies:
        if not reply.attachments:
            kept.append(reply)
            continue
        refs: list[FileRef] = []
        notes: list[str] = []
        for attachment in reply.attachments:
            stored = await store.keep_file(
                session,
                person_id=person.id,
                name=attachment.name,
                media_type=attachment.media_type,
                purpose=attachment.purpose,
                data=attachment.data,
                now=now,
                expires_at=now + FILE_LIFETIME,
            )
            description = attachment.description or tr(lang, "file.about")
            refs.append(
                FileRef(
                    stored.name, stored.media_type, len(attachment.data), stored.token, description
                )
            )
            key = "file.coming.personal_chat" if elsewhere else "file.coming"
            notes.append(tr(lang, key, file=attachment.name))
        log.info("files kept for delivery", extra={"person": person.id, "files": len(refs)})
        text = "\n\n".join(part for part in (reply.text, *notes) if part)
        kept.append(replace(reply, text=text, attachments=(), files=(*reply.files, *refs)))
    return kept


# ── for the adapters, after the turn ───────────────────────────────────────────────────


@dataclass(frozen=True)
class FileToSend:
    """A file to deliver now, to the person it was asked for."""

    token: str
    name: str
    media_type: str
    data: bytes
    purpose: str
    lang: str  # the person's language, for any words around it


@dataclass(frozen=True)
class NoFile:
    """There is nothing to deliver: `reason` is "delivered" (they have it), "expired"
    (gone, or declined), "unknown" (no such file for this person) or "error" (the
    database failed); `reply` says so to the person."""

    reason: str
    reply: Reply
    lang: str


async def file_to_send(bot: IdeaBot, qualified_id: str, token: str) -> FileToSend | NoFile:
    """The file with `token` for the person `qualified_id`, if it is still to be delivered.
    Another person's token finds nothing, exactly as a made-up one."""
    now = bot.clock.now()
    try:
        async with bot.db.transaction() as session:
            person, stored = await _find(session, qualified_id, token)
            lang = person_language(person) if person is not None else DEFAULT_LANGUAGE
            if stored is None:
                return NoFile("unknown", Reply(_gone(lang, None)), lang)
            if stored.delivered_at is not None:
                text = tr(lang, "file.already", file=stored.name, again=_again(lang, stored))
                return NoFile("delivered", Reply(text), lang)
            if stored.data is None or stored.expires_at <= now:
                return NoFile("expired", Reply(_gone(lang, stored)), lang)
            return FileToSend(
                stored.token, stored.name, stored.media_type, stored.data, stored.purpose, lang
            )
    except DATABASE_ERRORS as exc:
        log.error("files: cannot read a file: %s", type(exc).__name__)
        return NoFile("error", Reply(tr(DEFAULT_LANGUAGE, "error.try_again")), DEFAULT_LANGUAGE)


async def file_delivered(bot: IdeaBot, qualified_id: str, token: str, *, platform: str) -> bool:
    """The platform took the file for the person: drop the bytes, keep that it was
    delivered (a redelivered answer then sends nothing twice), write it to the audit
    trail. False when nothing was recorded (no such file, or the database failed: then a
    redelivery may send it again)."""

    async def delivered(session: AsyncSession, person: Person, stored: StoredFile) -> None:
        size = len(stored.data or b"")
        store.mark_delivered(stored, now=bot.clock.now())
        await _audit(session, DELIVERED, person, stored, bot, platform=platform, size=size)

    return await _record(bot, qualified_id, token, delivered)


async def file_declined(bot: IdeaBot, qualified_id: str, token: str, *, platform: str) -> Reply:
    """The person said no to the file (Teams' consent card): it is dropped, and they are
    told how to get a new one."""
    lang = DEFAULT_LANGUAGE
    about: StoredFile | None = None

    async def declined(session: AsyncSession, person: Person, stored: StoredFile) -> None:
        nonlocal lang, about
        lang, about = person_language(person), stored
        if stored.delivered_at is None:
            store.mark_declined(stored, now=bot.clock.now())
            await _audit(session, DECLINED, person, stored, bot, platform=platform)

    await _record(bot, qualified_id, token, declined)
    return Reply(tr(lang, "file.declined", again=_again(lang, about)))


async def file_failed(
    bot: IdeaBot, qualified_id: str, token: str, *, platform: str, reason: str
) -> Reply:
    """The platform could not take the file (its upload failed): the file stays until it
    expires, the failure is audited, and the person is told how to ask again. `reason` is
    short and holds nothing personal (an HTTP status, an error code)."""
    lang = DEFAULT_LANGUAGE
    about: StoredFile | None = None

    async def failed(session: AsyncSession, person: Person, stored: StoredFile) -> None:
        nonlocal lang, about
        lang, about = person_language(person), stored
        await _audit(session, FAILED, person, stored, bot, platform=platform, reason=reason[:100])

    await _record(bot, qualified_id, token, failed)
    if about is None:  # gone meanwhile (erased, expired and purged)
        return Reply(_gone(lang, None))
    return Reply(tr(lang, "file.failed", file=about.name, again=_again(lang, about)))


# ── inside ─────────────────────────────────────────────────────────────────────────────


async def _find(
    session: AsyncSession, qualified_id: str, token: str
) -> tuple[Person | None, StoredFile | None]:
    person = await find_person(session, qualified_id)
    if person is None or not token:
        return person, None
    return person, await store.file_for_delivery(session, token, person_id=person.id)


async def _record(bot: IdeaBot, qualified_id: str, token: str, work: _Work) -> bool:
    try:
        async with bot.db.transaction() as session:
            person, stored = await _find(session, qualified_id, token)
            if person is None or stored is None:
                return False
            await work(session, person, stored)
            return True
    except DATABASE_ERRORS as exc:
        log.error("files: cannot record a file's outcome: %s", type(exc).__name__)
        return False


async def _audit(
    session: AsyncSession,
    kind: str,
    person: Person,
    stored: StoredFile,
    bot: IdeaBot,
    **data: object,
) -> None:
    """One audit row per outcome; no file name or content in it, only what the file was."""
    await audit(
        session,
        kind,
        actor=person,
        subject=person,
        now=bot.clock.now(),
        data={"file": stored.id, "purpose": stored.purpose, **data},
    )
    log.info(kind.replace("_", " "), extra={"person": person.id, "file": stored.id})


def _again(lang: str, stored: StoredFile | None) -> str:
    key = _AGAIN.get(stored.purpose) if stored is not None else None
    return tr(lang, key or "file.again.any")


def _gone(lang: str, stored: StoredFile | None) -> str:
    return tr(lang, "file.gone", again=_again(lang, stored))
