"""Who may do what. Coordinators come from IDESLUSS_COORDINATORS and from the `coordinators`
table (managed by admins in the chat); admins only from IDESLUSS_ADMINS.

Both name people by platform-qualified id ("console:maria", "slack:U024BE7LH",
"msteams:29:1abc…") or by e-mail address, kept as "email:maria.berg@kommun.se"
(bot/config.py `role_entry`). A person whose stored e-mail (persons.email, lower case, as
their platform gave it) is a named address has that role on every platform. Deciding it
reads only the database (one indexed query), never a platform."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import EMAIL_PREFIX, Settings, role_entry
from storage.coordinators import (
    add_coordinator,
    added_coordinators,
    any_in_table,
    keys_naming,
    remove_coordinator,
)
from storage.models import Person
from storage.people import (
    EMAIL_ONLY,
    ensure_email_people,
    ensure_people,
    find_person,
    people_matching,
)

__all__ = [
    "EMAIL_ONLY",
    "add_coordinator",
    "added_coordinators",
    "admin_people",
    "all_coordinators",
    "coordinator_people",
    "is_admin",
    "is_coordinator",
    "keep_coordinator_people",
    "keys_naming",
    "named_emails",
    "remove_coordinator",
    "shown_entry",
    "split_entries",
]


def split_entries(entries: Iterable[str]) -> tuple[set[str], set[str]]:
    """(platform-qualified ids, e-mail addresses) among role entries. Entries made in code
    (tests, the benchmark) may hold a bare address; an entry that is neither is ignored."""
    ids, emails = _split(frozenset(entries))
    return set(ids), set(emails)


@lru_cache(maxsize=64)
def _split(entries: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
    # The settings' lists are split once, not on every turn's role check.
    ids: set[str] = set()
    emails: set[str] = set()
    for raw in entries:
        entry = role_entry(raw)
        if entry is None:
            continue
        if entry.startswith(EMAIL_PREFIX):
            emails.add(entry.removeprefix(EMAIL_PREFIX))
        else:
            ids.add(entry)
    return frozenset(ids), frozenset(emails)


def shown_entry(entry: str) -> str:
    """An entry as an admin wrote it: the address without "email:"."""
    return entry.removeprefix(EMAIL_PREFIX)


def _named(entries: frozenset[str], person: Person | None, qualified_id: str) -> bool:
    ids, emails = _split(entries)
    if qualified_id in ids and not qualified_id.startswith(EMAIL_PREFIX):
        return True
    return person is not None and person.email is not None and person.email in emails


async def _person(session: AsyncSession, who: Person | str) -> tuple[Person | None, str]:
    if isinstance(who, Person):
        return who, who.qualified_id
    return await find_person(session, who), who


def is_admin(settings: Settings, person: Person) -> bool:
    return _named(settings.admins, person, person.qualified_id)


async def is_coordinator(session: AsyncSession, settings: Settings, who: Person | str) -> bool:
    """`who`: the person (their stored e-mail counts), or a platform-qualified id."""
    person, qualified_id = await _person(session, who)
    if _named(settings.coordinators, person, qualified_id):
        return True
    email = person.email if person is not None else None
    return await any_in_table(session, keys_naming(qualified_id, email))


async def all_coordinators(session: AsyncSession, settings: Settings) -> list[str]:
    """Every coordinator entry (ids and "email:" addresses), from the settings first,
    without repeats."""
    seen = dict.fromkeys(sorted(settings.coordinators))
    seen.update(dict.fromkeys(await added_coordinators(session)))
    return list(seen)


async def named_emails(session: AsyncSession, settings: Settings) -> set[str]:
    """Every address that names a coordinator or an admin."""
    entries = [*await all_coordinators(session, settings), *settings.admins]
    return split_entries(entries)[1]


async def coordinator_people(session: AsyncSession, settings: Settings) -> list[Person]:
    """The coordinators who have a person row (they talked to the bot, a message already
    waits for them, or they are known by e-mail only), oldest first."""
    ids, emails = split_entries(await all_coordinators(session, settings))
    return await people_matching(session, ids, emails)


async def admin_people(session: AsyncSession, settings: Settings) -> list[Person]:
    ids, emails = split_entries(settings.admins)
    return await people_matching(session, ids, emails)


async def keep_coordinator_people(
    session: AsyncSession, settings: Settings, *, now: datetime
) -> None:
    """A person row for every coordinator (and every admin named by address), so that what
    is meant for them is kept until they can be reached: by id on their platform, or (named
    by an address no chat person has yet) on the platform "email"."""
    ids, emails = split_entries(await all_coordinators(session, settings))
    emails |= split_entries(settings.admins)[1]
    chat_ids = []
    for qualified in ids:
        platform, _, user_id = qualified.partition(":")
        if platform and user_id and platform != EMAIL_ONLY:
            chat_ids.append(qualified)
    await ensure_people(session, chat_ids, now=now)
    await ensure_email_people(session, emails, now=now)
