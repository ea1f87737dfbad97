"""People the bot talks to, identified by platform and platform user id.

A person an admin named by e-mail address whom no chat platform knows yet (Teams cannot look
a user up by address) has a row on the platform "email" (`EMAIL_ONLY`): platform_user_id and
email are the address, and there is no address to chat to. News, digests and messages for
them wait on that row; when the same address arrives from a chat platform, that chat person
takes the row's work over (`take_over_email_person`)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, exists, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from conversations.clean import clean_address, clean_email, clean_line
from storage.models import (
    Absence,
    CoordinatorNews,
    Dialogue,
    Idea,
    OpenQuestion,
    OutboxMessage,
    Person,
    StoredFile,
)
from storage.summary import STOCKHOLM

EMAIL_ONLY = "email"  # the platform of a person known only by their e-mail address


async def upsert_person(
    session: AsyncSession,
    platform: str,
    platform_user_id: str,
    *,
    now: datetime,
    display_name: str | None = None,
    platform_locale: str | None = None,
    address: dict[str, Any] | None = None,
    lock: bool = True,
    heard_from: bool = False,
    email: str | None = None,
    email_checked: bool = False,
) -> Person:
    """Find or create the person, refresh what the platform tells us, and (on PostgreSQL)
    lock the row so that two turns of the same person run one after the other.

    `heard_from`: the person just wrote to the bot (or installed it) where the bot can write
    back, which proves they no longer block it: they are reachable again, whether or not
    their address changed; and they were seen now (`updated_at`, their data export's "last
    seen", kept to the day). Callers that only name someone (an assignee, a coordinator to
    notify) leave it False, so naming a person never undoes a block, and writes their row
    only when something about them changed.

    `email`: the address the platform gave for them (kept; a new one replaces the old, and
    a person known only by that address is taken over); `email_checked`: the platform was
    asked (found or not), so it is not asked again for a day."""
    person, _, _ = await _upsert(
        session, platform, platform_user_id, (), now=now, display_name=display_name,
        platform_locale=platform_locale, address=address, lock=lock, heard_from=heard_from,
        seen=heard_from, email=email, email_checked=email_checked,
    )  # fmt: skip
    return person


async def person_in_turn(
    session: AsyncSession,
    platform: str,
    platform_user_id: str,
    *,
    now: datetime,
    display_name: str | None = None,
    platform_locale: str | None = None,
    address: dict[str, Any] | None = None,
    heard_from: bool = False,
    email: str | None = None,
    email_checked: bool = False,
) -> tuple[Person, Dialogue | None, OpenQuestion | None]:
    """`upsert_person` for the person whose turn it is (their row locked), with their
    dialogue in progress and the question the bot asked them outside it (either None): one
    statement for all three on most turns, instead of one each. (An expired question is
    returned as it is; the reader lets it go.) They wrote, so they were seen now, wherever
    they wrote."""
    return await _upsert(
        session, platform, platform_user_id, (Dialogue, OpenQuestion), now=now,
        display_name=display_name, platform_locale=platform_locale, address=address,
        lock=True, heard_from=heard_from, seen=True, email=email, email_checked=email_checked,
    )  # fmt: skip


async def _upsert(
    session: AsyncSession,
    platform: str,
    platform_user_id: str,
    also: tuple[type[Dialogue], type[OpenQuestion]] | tuple[()],
    *,
    now: datetime,
    display_name: str | None,
    platform_locale: str | None,
    address: dict[str, Any] | None,
    lock: bool,
    heard_from: bool,
    seen: bool,
    email: str | None,
    email_checked: bool,
) -> tuple[Person, Dialogue | None, OpenQuestion | None]:
    # Platforms send what they like; keep within the columns rather than fail the turn.
    # A turn's Incoming is cleaned already (bot/incoming.py); this also covers callers that
    # come straight from a platform (the Teams installation update): no control character,
    # NUL or lone surrogate reaches the row, whoever calls.
    display_name = clean_line(display_name, limit=200)
    platform_locale = clean_line(platform_locale, limit=16)
    address = clean_address(address)
    email = clean_email(email)
    postgres = session.bind.dialect.name == "postgresql"
    # On PostgreSQL a row lock that had to wait does not refresh the other tables of its
    # statement: they are read as of the statement's start, before the turn that held the
    # lock saved the dialogue. So there the dialogue is read after the lock, in a statement
    # of its own. SQLite's writer lock is taken before anything is read (BEGIN IMMEDIATE).
    joined = () if postgres and lock else also
    query = _PERSON_QUERIES[bool(joined), lock]
    key = {"platform": platform, "platform_user_id": platform_user_id}
    # Most turns come from someone we know: read first, insert only for a newcomer.
    row = (await session.execute(query, key)).one_or_none()
    if row is None:
        insert = postgresql.insert if postgres else sqlite.insert
        # Two first messages at once: one insert wins and gets the new row back; the other
        # does nothing and reads (and, on PostgreSQL, locks) the row the first one made.
        created = await session.execute(
            insert(Person)
            .values(
                platform=platform,
                platform_user_id=platform_user_id,
                display_name=display_name,
                platform_locale=platform_locale,
                address=address,
                reachable=True,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["platform", "platform_user_id"])
            .returning(Person)
        )
        row = created.first()
        if row is not None:
            # A row just made has no dialogue nor question yet (nothing else can see it).
            also = joined = ()
        else:
            row = (await session.execute(query, key)).one()
    person: Person = row[0]
    dialogue: Dialogue | None = None
    question: OpenQuestion | None = None
    if joined:
        dialogue, question = row[1], row[2]
    elif also:
        dialogue, question = (await session.execute(_REST, {"person_id": person.id})).one()
    # Written only when something changed (comparing first keeps the row clean, so the
    # flush has nothing to send for it).
    changed = False
    if display_name and person.display_name != display_name:
        person.display_name = display_name
        changed = True
    if platform_locale and person.platform_locale != platform_locale:
        person.platform_locale = platform_locale
        changed = True
    if address and person.address != address:
        # The platform address can change (Teams serviceUrl); the latest one wins.
        person.address = address
        changed = True
    if heard_from and not person.reachable:
        person.reachable = True
        changed = True
    if email_checked or email:
        person.email_checked_at = now
        changed = True
    if email and person.email != email:
        person.email = email
        if person.platform != EMAIL_ONLY:
            await take_over_email_person(session, email, person, now=now)
    if changed or (seen and not seen_on_the_day(person.updated_at, now)):
        person.updated_at = now
    return person, dialogue, question


def seen_on_the_day(last_seen: datetime, now: datetime) -> bool:
    """Whether `last_seen` is already on `now`'s Swedish day. "Last seen" is kept to the day:
    the data export needs no more (data minimisation), and a turn that need not write the
    person's row saves a statement; their first turn of a day writes it."""
    return last_seen.astimezone(STOCKHOLM).date() == now.astimezone(STOCKHOLM).date()


def _with(query: Any, also: tuple[type[Dialogue], type[OpenQuestion]] | tuple[()]) -> Any:
    """The query with the person's dialogue and open question (one row at most: both are
    keyed by the person), as stored now (a turn run again reads afresh)."""
    for entity in also:
        query = query.outerjoin(entity, entity.person_id == Person.id)
    return query.execution_options(populate_existing=True)


# Every turn reads its person with one of these: built once, with bound parameters, so a
# turn does not build (and hash) the same statement again.
_BY_KEY = (
    Person.platform == bindparam("platform"),
    Person.platform_user_id == bindparam("platform_user_id"),
)


def _build_person_query(joined: bool, lock: bool) -> Any:
    also: tuple[type[Dialogue], type[OpenQuestion]] | tuple[()] = (
        (Dialogue, OpenQuestion) if joined else ()
    )
    query = _with(select(Person, *also).where(*_BY_KEY), also)
    return query.with_for_update(of=Person) if lock else query


_PERSON_QUERIES = {
    (joined, lock): _build_person_query(joined, lock)
    for joined in (False, True)
    for lock in (False, True)
}
# On PostgreSQL, after the row lock: the person's dialogue and open question.
_REST = _with(
    select(Dialogue, OpenQuestion).select_from(Person).where(Person.id == bindparam("person_id")),
    (Dialogue, OpenQuestion),
)


async def find_person(session: AsyncSession, qualified_id: str) -> Person | None:
    platform, _, user_id = qualified_id.partition(":")
    return (
        await session.execute(
            select(Person).where(Person.platform == platform, Person.platform_user_id == user_id)
        )
    ).scalar_one_or_none()


async def get_person(session: AsyncSession, person_id: int, *, lock: bool = False) -> Person | None:
    """The person with this row id; `lock` holds the row (FOR UPDATE) until the commit."""
    return await session.get(Person, person_id, with_for_update=lock or None)


async def set_address(
    session: AsyncSession, person_id: int, address: dict[str, Any], *, now: datetime
) -> None:
    """A sender learnt a newer address (a DM channel it opened): the latest one wins."""
    await session.execute(
        update(Person)
        .where(Person.id == person_id)
        .values(address=address, updated_at=now)
        .execution_options(synchronize_session=False)
    )


async def reachable_again(session: AsyncSession, person_id: int, *, now: datetime) -> None:
    """An operator queued a failed message again: its recipient may have come back."""
    await session.execute(
        update(Person)
        .where(Person.id == person_id, Person.reachable.is_(False))
        .values(reachable=True, updated_at=now)
    )


def first_name(display_name: str | None) -> str | None:
    if not display_name or not display_name.strip():
        return None
    return display_name.strip().split()[0]


# ── people named by e-mail ───────────────────────────────────────────────────────────────


async def people_matching(
    session: AsyncSession, qualified: Collection[str], emails: Collection[str]
) -> list[Person]:
    """The people with one of these platform-qualified ids or one of these e-mail addresses
    (lower case), oldest first: one query, on the unique (platform, user id) index and the
    email index."""
    conditions = []
    for qid in sorted(qualified):
        platform, _, user_id = qid.partition(":")
        conditions.append(and_(Person.platform == platform, Person.platform_user_id == user_id))
    if emails:
        conditions.append(Person.email.in_(sorted(emails)))
    if not conditions:
        return []
    query = select(Person).where(or_(*conditions)).order_by(Person.id)
    return list((await session.execute(query)).scalars())


async def ensure_people(
    session: AsyncSession, qualified: Collection[str], *, now: datetime
) -> None:
    """A person row for each of these platform-qualified ids that has none yet (as
    `upsert_person` without a lock does for a person only named): one read for all of them,
    one insert for the missing ones. Existing rows are not touched."""
    wanted = {tuple(qid.partition(":")[::2]) for qid in qualified}
    if not wanted:
        return
    conditions = [
        and_(Person.platform == platform, Person.platform_user_id == user_id)
        for platform, user_id in sorted(wanted)
    ]
    query = select(Person.platform, Person.platform_user_id).where(or_(*conditions))
    missing = wanted - {tuple(row) for row in (await session.execute(query)).all()}
    if not missing:
        return
    postgres = session.bind.dialect.name == "postgresql"
    insert = postgresql.insert if postgres else sqlite.insert
    await session.execute(
        insert(Person)
        .values(
            [
                {
                    "platform": platform,
                    "platform_user_id": user_id,
                    # A person known only by their address is that address (see the top).
                    "email": user_id if platform == EMAIL_ONLY else None,
                    "email_checked_at": now if platform == EMAIL_ONLY else None,
                    "reachable": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for platform, user_id in sorted(missing)
            ]
        )
        # Named by two turns at once: one insert wins, the other does nothing.
        .on_conflict_do_nothing(index_elements=["platform", "platform_user_id"])
    )


async def person_by_email(session: AsyncSession, email: str) -> Person | None:
    """Who has this address: a chat person before one known only by e-mail, oldest first."""
    query = (
        select(Person)
        .where(Person.email == email)
        .order_by((Person.platform == EMAIL_ONLY).asc(), Person.id)
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def emails_without_chat_person(session: AsyncSession, emails: Collection[str]) -> list[str]:
    """Those addresses that no chat person has (yet): nobody wrote from them, and no
    platform found them by address."""
    if not emails:
        return []
    known = await session.execute(
        select(Person.email).where(Person.email.in_(sorted(emails)), Person.platform != EMAIL_ONLY)
    )
    have = set(known.scalars())
    return sorted(set(emails) - have)


async def ensure_email_people(
    session: AsyncSession, emails: Collection[str], *, now: datetime
) -> None:
    """A person row for each address no chat person has, on the platform "email", so that
    what is meant for them (news, digests, messages) is kept until they can be reached.
    Rows there already are left as they are, unless a chat person had taken their address
    over and no longer has it: then the row holds it again. (Every idea submitted asks
    this: it writes nothing when nothing changed.)"""
    missing = await emails_without_chat_person(session, emails)
    if not missing:
        return
    stubs = await session.execute(
        select(Person).where(Person.platform == EMAIL_ONLY, Person.platform_user_id.in_(missing))
    )
    absent = set(missing)
    for stub in stubs.scalars():
        absent.discard(stub.platform_user_id)
        if stub.email != stub.platform_user_id:
            stub.email = stub.platform_user_id
            stub.email_checked_at = stub.updated_at = now
    await ensure_people(session, [f"{EMAIL_ONLY}:{email}" for email in absent], now=now)


async def take_over_email_person(
    session: AsyncSession, email: str, chat_person: Person, *, now: datetime
) -> bool:
    """`chat_person` now has `email`: the person known only by that address hands over, in
    this transaction, what waits for them — the ideas assigned to them, their absences and
    the absences they stand in for, their coordinator news not yet in a digest (less what the
    chat person has already), their pending outbox rows and undelivered files. The e-mail-only
    row stays (its history names it) without the address, so it matches no one any more.
    False when there was nobody to take over."""
    stub = (
        await session.execute(
            select(Person)
            .where(Person.platform == EMAIL_ONLY, Person.platform_user_id == email)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if stub is None or stub.id == chat_person.id or stub.email is None:
        return False
    old, new = stub.id, chat_person.id

    async def move(column: Any, *where: Any) -> None:
        table = column.class_
        await session.execute(
            update(table)
            .where(column == old, *where)
            .values({column.key: new})
            .execution_options(synchronize_session=False)
        )

    await move(Idea.assignee_id)
    await move(Absence.person_id)
    await move(Absence.stand_in_id)
    # The same news for both (a new idea told to every coordinator) is told once.
    mine = aliased(CoordinatorNews)
    await session.execute(
        delete(CoordinatorNews)
        .where(
            CoordinatorNews.recipient_id == old,
            CoordinatorNews.digested_at.is_(None),
            exists().where(
                mine.recipient_id == new,
                mine.digested_at.is_(None),
                mine.kind == CoordinatorNews.kind,
                mine.idea_id == CoordinatorNews.idea_id,
            ),
        )
        .execution_options(synchronize_session=False)
    )
    await move(CoordinatorNews.recipient_id, CoordinatorNews.digested_at.is_(None))
    await move(OutboxMessage.recipient_id, OutboxMessage.status == "pending")
    await move(StoredFile.person_id, StoredFile.delivered_at.is_(None))
    stub.email = None
    stub.reachable = False
    stub.updated_at = now
    return True
