"""What the core tells a platform about a person outside a turn: who they are, as stored
(Slack keeps a short cache of it), their home screen (Slack's App Home), and the platform's
word that they installed or removed the app (Teams' installationUpdate). Adapters ask here
and never open a transaction of their own.

E-mail addresses: a platform asks for a person's address (Slack users.info, the Teams
member) only when `KnownPerson.email_due` says so (none kept, or asked over a day ago), and
passes it on `Incoming.email`. A platform that can find people by address (Slack's
users.lookupByEmail) asks `addresses_to_find` for the addresses admins named that no chat
person has yet and tells `found_by_email` / `not_found_by_email` what it found."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.incoming import Incoming
from bot.roles import is_coordinator, named_emails, split_entries
from conversations.clean import clean_email
from storage.models import Dialogue, OpenQuestion, Person
from storage.overview import IdeaLine, ideas_of, queue_of
from storage.people import (
    emails_without_chat_person,
    ensure_email_people,
    find_person,
    person_in_turn,
    upsert_person,
)
from storage.processed import claim_event

if TYPE_CHECKING:
    from bot.app import IdeaBot

log = logging.getLogger(__name__)

# How often a platform is asked for a person's e-mail address (not on every turn).
EMAIL_RECHECK = timedelta(days=1)


async def person_of(
    session: AsyncSession,
    incoming: Incoming,
    *,
    now: datetime,
    heard_from: bool,
    lock: bool = True,
) -> Person:
    """The person a delivery comes from, with what the platform just told about them (name,
    locale, where to reach them); `heard_from`: they wrote where the bot can write back."""
    return await upsert_person(
        session,
        incoming.platform,
        incoming.user_id,
        now=now,
        display_name=incoming.display_name,
        platform_locale=incoming.locale,
        address=incoming.address,
        lock=lock,
        heard_from=heard_from,
        email=incoming.email,
        email_checked=incoming.email_checked,
    )


async def turn_party_of(
    session: AsyncSession, incoming: Incoming, *, now: datetime, heard_from: bool
) -> tuple[Person, Dialogue | None, OpenQuestion | None]:
    """`person_of` for the person whose turn it is, locked, with their dialogue in progress
    and their open question (storage/people.py `person_in_turn`: one statement)."""
    return await person_in_turn(
        session,
        incoming.platform,
        incoming.user_id,
        now=now,
        display_name=incoming.display_name,
        platform_locale=incoming.locale,
        address=incoming.address,
        heard_from=heard_from,
        email=incoming.email,
        email_checked=incoming.email_checked,
    )


@dataclass(frozen=True)
class KnownPerson:
    """A person as stored: the names and hints a platform would otherwise ask for again."""

    display_name: str | None
    platform_locale: str | None
    language: str | None  # what they chose in the bot, if anything
    address: dict[str, Any] | None
    email: str | None = None
    email_checked_at: datetime | None = None

    def email_due(self, now: datetime) -> bool:
        """Whether to ask the platform for their address this turn."""
        checked = self.email_checked_at
        return checked is None or now - checked >= EMAIL_RECHECK


@dataclass(frozen=True)
class Home:
    mine: list[IdeaLine]  # their own ideas, newest change first
    queue: list[IdeaLine] | None  # a coordinator's queue; None for everyone else


async def known_person(bot: IdeaBot, qualified_id: str) -> KnownPerson | None:
    async with bot.db.transaction() as session:
        person = await find_person(session, qualified_id)
        if person is None:
            return None
        return KnownPerson(
            display_name=person.display_name,
            platform_locale=person.platform_locale,
            language=person.locale,
            address=person.address,
            email=person.email,
            email_checked_at=person.email_checked_at,
        )


async def home_of(
    bot: IdeaBot, qualified_id: str, *, limit: int, closed_stages: Collection[str] | None = None
) -> Home:
    """Up to `limit` of the person's ideas and, for a coordinator, of their queue (ideas
    assigned to them or to nobody that are not closed)."""
    closed = bot.process.terminal_stages if closed_stages is None else closed_stages
    async with bot.db.transaction() as session:
        person = await find_person(session, qualified_id)
        mine = await ideas_of(session, person.id, limit=limit) if person else []
        queue = None
        if await is_coordinator(session, bot.settings, person or qualified_id):
            queue = await queue_of(
                session, person.id if person else -1, closed_stages=closed, limit=limit
            )
    return Home(mine=mine, queue=queue)


async def installation_changed(bot: IdeaBot, incoming: Incoming, *, installed: bool) -> bool:
    """The person added the app (their address is kept, and they count as reachable again)
    or removed it (they are marked unreachable, and nothing more is sent). A turn like any
    other: its account checked, within the person's turn limit, the platform's delivery id
    claimed so a resent one changes nothing. False when nothing was recorded."""
    incoming = bot.prepare(incoming)
    if bot.refusal(incoming) is not None:
        return False

    async def record(session: Any) -> bool:
        now = bot.clock.now()
        if incoming.event_id and not await claim_event(
            session, f"{incoming.platform}:{incoming.event_id}", now=now
        ):
            return False
        if installed:
            # Installed again after a removal or a block: reachable again.
            await person_of(session, incoming, now=now, heard_from=True, lock=False)
            return True
        person = await find_person(session, incoming.qualified_id)
        if person is not None:
            person.reachable = False
            person.updated_at = now
        return True

    return bool(await bot.in_turn(incoming.platform, record))


def names_anyone_by_email(settings: Settings) -> bool:
    """Whether IDESLUSS_COORDINATORS or IDESLUSS_ADMINS name someone by address."""
    return bool(split_entries(settings.coordinators | settings.admins)[1])


async def addresses_to_find(bot: IdeaBot, *, limit: int = 50) -> list[str]:
    """Addresses that name a coordinator or an admin and that no chat person has yet (at
    most `limit`, so a platform's lookups stay within its rate limits)."""
    async with bot.db.transaction() as session:
        emails = await named_emails(session, bot.settings)
        return (await emails_without_chat_person(session, emails))[:limit]


async def found_by_email(
    bot: IdeaBot,
    platform: str,
    user_id: str,
    email: str,
    *,
    address: dict[str, Any] | None = None,
    display_name: str | None = None,
) -> None:
    """The platform found the person an admin named by `email`: they get (or keep) their
    row there, so that messages reach them before they ever write; a person known only by
    that address hands its work over to them (storage/people.py)."""
    address_shape = clean_email(email)
    if address_shape is None:
        return
    async with bot.db.transaction() as session:
        await record_found(
            session, platform, user_id, address_shape,
            now=bot.clock.now(), address=address, display_name=display_name,
        )  # fmt: skip


async def record_found(
    session: AsyncSession,
    platform: str,
    user_id: str,
    email: str,
    *,
    now: datetime,
    address: dict[str, Any] | None,
    display_name: str | None,
) -> None:
    """The person the platform found by `email`, in this transaction (the bot's background
    lookups and `idesluss doctor` alike)."""
    await upsert_person(
        session,
        platform,
        user_id,
        now=now,
        address=address,
        display_name=display_name,
        email=email,
        email_checked=True,
        lock=False,
    )


async def not_found_by_email(bot: IdeaBot, emails: Collection[str]) -> None:
    """No platform knows these addresses yet: each gets a row on the platform "email", so
    news and digests for them wait there instead of vanishing."""
    async with bot.db.transaction() as session:
        await ensure_email_people(session, emails, now=bot.clock.now())
