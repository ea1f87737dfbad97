"""Admins name coordinators and admins by e-mail address (IDESLUSS_COORDINATORS,
IDESLUSS_ADMINS, `coordinator add maria.berg@kommun.se`): whoever's platform gave that
address is that coordinator or admin, on every platform; someone named who never wrote keeps
a row of their own on the platform "email", whose work the chat person takes over."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import IdeaBot
from bot.config import Settings, role_entry
from bot.dispatcher import Dispatcher
from bot.incoming import Incoming, cleaned
from bot.roles import (
    admin_people,
    coordinator_people,
    is_admin,
    is_coordinator,
    keep_coordinator_people,
)
from storage.models import (
    Absence,
    Coordinator,
    CoordinatorNews,
    Idea,
    OutboxMessage,
    Person,
)
from storage.outbox import enqueue
from storage.people import EMAIL_ONLY, find_person, take_over_email_person, upsert_person
from tests.bot.ideas import submit_idea
from tests.chat import Chat

MARIA = "maria.berg@kommun.se"


class MailChat(Chat):
    """A person whose platform gives their work e-mail with every turn (as Slack's
    users.info and the Teams member do)."""

    def __init__(self, bot: Any, *, email: str | None, **kwargs: Any) -> None:
        super().__init__(bot, **kwargs)
        self.email = email

    def _incoming(self, **kwargs: Any) -> Incoming:
        return super()._incoming(email=self.email, email_checked=True, **kwargs)


def bot_with(db, clock, database_url, *, coordinators=(), admins=()) -> IdeaBot:
    settings = Settings.from_env(
        {
            "DATABASE_URL": database_url,
            "IDESLUSS_COORDINATORS": ",".join(coordinators),
            "IDESLUSS_ADMINS": ",".join(admins),
        }
    )
    return IdeaBot(db, settings=settings, clock=clock)


# ── the settings ─────────────────────────────────────────────────────────────────────────


def test_the_lists_take_addresses_and_ids_mixed() -> None:
    settings = Settings.from_env(
        {
            "IDESLUSS_COORDINATORS": " Maria.Berg@Kommun.SE , slack:U024BE7LH,msteams:29:1abc-D ",
            "IDESLUSS_ADMINS": "email:Boss@kommun.se,console:boss",
        }
    )
    assert settings.coordinators == {
        "email:maria.berg@kommun.se",
        "slack:U024BE7LH",
        "msteams:29:1abc-D",
    }
    assert settings.admins == {"email:boss@kommun.se", "console:boss"}


@pytest.mark.parametrize(
    "bad", ["U024BE7LH", "maria.berg@", "maria berg@kommun.se", "Slack:U1", "email:nobody", ":x"]
)
def test_an_entry_that_is_neither_is_refused_with_a_clear_error(bad: str) -> None:
    with pytest.raises(ValueError) as refused:
        Settings.from_env({"IDESLUSS_COORDINATORS": f"slack:U1,{bad}"})
    message = str(refused.value)
    assert message.startswith("IDESLUSS_COORDINATORS takes e-mail addresses")
    assert repr(bad.strip()) in message
    assert role_entry(bad) is None


def test_the_admins_list_is_checked_too() -> None:
    with pytest.raises(ValueError, match="IDESLUSS_ADMINS takes e-mail addresses"):
        Settings.from_env({"IDESLUSS_ADMINS": "boss"})


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("  Maria.Berg@Kommun.se ", "maria.berg@kommun.se"),
        ("maria.berg@kommun", None),  # no dot in the domain
        ("Maria <maria@kommun.se>", None),
        ("maria@kommun.se\x00", None),
        ("a" * 65 + "@kommun.se", None),
        ("a" * 64 + "@" + "k" * 300 + ".se", None),
        (42, None),
    ],
)
def test_the_incoming_address_is_cleaned_or_dropped(given: Any, kept: str | None) -> None:
    assert cleaned(Incoming("slack", "U1", email=given)).email == kept


# ── matching ─────────────────────────────────────────────────────────────────────────────


async def test_a_stored_address_makes_a_coordinator_and_an_admin_on_every_platform(
    db, clock, database_url
) -> None:
    bot = bot_with(
        db, clock, database_url, coordinators=[MARIA, "slack:ULARS"], admins=["BOSS@kommun.se"]
    )
    async with db.transaction() as session:
        now = clock.now()
        slack = await upsert_person(
            session, "slack", "UMARIA", now=now, email="Maria.Berg@kommun.se"
        )
        teams = await upsert_person(session, "msteams", "29:1m", now=now, email=MARIA)
        boss = await upsert_person(session, "msteams", "29:1b", now=now, email="boss@kommun.se")
        lars = await upsert_person(session, "slack", "ULARS", now=now)
        other = await upsert_person(session, "slack", "UOTHER", now=now, email="x@kommun.se")
        assert slack.email == MARIA
        for person in (slack, teams, lars):
            assert await is_coordinator(session, bot.settings, person)
            assert await is_coordinator(session, bot.settings, person.qualified_id)
        assert not await is_coordinator(session, bot.settings, other)
        assert not await is_coordinator(session, bot.settings, boss)
        assert is_admin(bot.settings, boss) and not is_admin(bot.settings, slack)
        people = await coordinator_people(session, bot.settings)
        assert [p.qualified_id for p in people] == [
            "slack:UMARIA",
            "msteams:29:1m",
            "slack:ULARS",
        ]
        assert [p.id for p in await admin_people(session, bot.settings)] == [boss.id]


async def test_an_address_in_the_table_counts_too(db, clock, database_url) -> None:
    bot = bot_with(db, clock, database_url)
    async with db.transaction() as session:
        person = await upsert_person(session, "slack", "UMARIA", now=clock.now(), email=MARIA)
        assert not await is_coordinator(session, bot.settings, person)
        session.add(Coordinator(qualified_id=f"email:{MARIA}", created_at=clock.now()))
        await session.flush()
        assert await is_coordinator(session, bot.settings, person)
        assert [p.id for p in await coordinator_people(session, bot.settings)] == [person.id]


async def test_the_address_is_asked_for_at_most_once_a_day(db, clock) -> None:
    async with db.transaction() as session:
        person = await upsert_person(session, "slack", "U1", now=clock.now())
        assert person.email_checked_at is None
        await upsert_person(session, "slack", "U1", now=clock.now(), email_checked=True)
        assert person.email_checked_at == clock.now() and person.email is None
    from bot.people import known_person

    bot = IdeaBot(db, clock=clock)
    known = await known_person(bot, "slack:U1")
    assert known is not None
    assert not known.email_due(clock.now() + timedelta(hours=23))
    assert known.email_due(clock.now() + timedelta(days=1))


# ── in the chat ──────────────────────────────────────────────────────────────────────────


async def test_a_coordinator_named_by_address_is_one_from_their_first_message(
    db, clock, database_url
) -> None:
    bot = bot_with(db, clock, database_url, coordinators=[MARIA])
    maria = MailChat(bot, user="UMARIA", name="Maria Berg", platform="slack", email=MARIA)
    await maria.says("lista")
    maria.hears("Inga idéer väntar här just nu.")
    stranger = MailChat(bot, user="UX", name="Xe", platform="slack", email="x@kommun.se")
    await stranger.says("/idea lista")
    stranger.hears("Det där kan bara idéslussare göra.")


async def test_whoami_shows_the_address_the_bot_knows(db, clock, database_url) -> None:
    bot = bot_with(db, clock, database_url)
    maria = MailChat(bot, user="UMARIA", name="Maria Berg", platform="slack", email=MARIA)
    await maria.says("vem är jag")
    maria.hears("Du är slack:UMARIA – idégivare.", f"Din e-postadress här är {MARIA}")
    anna = Chat(bot, user="anna", name="Anna")
    await anna.says("vem är jag")
    anna.does_not_hear("e-postadress")


async def test_an_admin_adds_and_removes_a_coordinator_by_address(
    db, clock, database_url, caplog
) -> None:
    bot = bot_with(db, clock, database_url, admins=["console:boss"])
    boss = Chat(bot, user="boss", name="Britt")
    caplog.set_level(logging.INFO)
    await boss.says("/idea coordinator add Maria.Berg@Kommun.se")
    boss.hears(f"Klart: {MARIA} är nu idéslussare. Ingen med den adressen har skrivit till mig än")
    async with db.transaction() as session:
        assert await session.get(Coordinator, f"email:{MARIA}") is not None
        waiting = await find_person(session, f"{EMAIL_ONLY}:{MARIA}")
        assert waiting is not None and waiting.email == MARIA and waiting.address is None
    await boss.says("/idea coordinator add email:maria.berg@kommun.se")
    boss.hears(f"{MARIA} är redan idéslussare.")
    await boss.says("/idea idéslussare lista")
    boss.hears(f"Idéslussare: {MARIA}")

    maria = MailChat(bot, user="29:1m", name="Maria Berg", platform="msteams", email=MARIA)
    await maria.says("lista")
    maria.hears("Inga idéer väntar här just nu.")
    # Named by her Teams id now, she is the same coordinator: already one.
    await boss.says("/idea coordinator add msteams:29:1m")
    boss.hears("msteams:29:1m är redan idéslussare.")

    await boss.says(f"/idea coordinator remove {MARIA}")
    boss.hears(f"Klart: {MARIA} är inte längre idéslussare.")
    await maria.says("/idea lista")
    maria.hears("Det där kan bara idéslussare göra.")
    assert MARIA not in caplog.text  # no address in the log


async def test_removing_by_chat_id_someone_added_by_address(db, clock, database_url) -> None:
    bot = bot_with(db, clock, database_url, admins=["console:boss"])
    boss = Chat(bot, user="boss", name="Britt")
    maria = MailChat(bot, user="maria", name="Maria Berg", email=MARIA)
    await maria.says("hej")
    await boss.says(f"/idea coordinator add {MARIA}")
    boss.hears(f"Klart: {MARIA} är nu idéslussare.")
    boss.does_not_hear("Ingen med den adressen")
    await boss.says("/idea coordinator remove @maria")
    boss.hears("Klart: console:maria är inte längre idéslussare.")
    async with db.transaction() as session:
        assert await session.get(Coordinator, f"email:{MARIA}") is None


async def test_a_coordinator_from_the_settings_by_address_is_not_removed_in_the_chat(
    db, clock, database_url
) -> None:
    bot = bot_with(db, clock, database_url, coordinators=[MARIA], admins=["console:boss"])
    boss = Chat(bot, user="boss", name="Britt")
    await boss.says(f"/idea coordinator remove {MARIA}")
    boss.hears("via inställningen IDESLUSS_COORDINATORS")
    await boss.says("/idea idéslussare lista")
    boss.hears(f"Idéslussare: {MARIA} (från IDESLUSS_COORDINATORS)")


# ── people never seen ────────────────────────────────────────────────────────────────────


async def test_news_of_a_new_idea_waits_for_a_coordinator_never_seen(
    db, clock, database_url
) -> None:
    bot = bot_with(db, clock, database_url, coordinators=[MARIA])
    anna = Chat(bot, user="anna", name="Anna Andersson")
    assert await submit_idea(anna, "Tryggare tunnlar") == 1
    async with db.transaction() as session:
        waiting = await find_person(session, f"{EMAIL_ONLY}:{MARIA}")
        assert waiting is not None and waiting.email == MARIA and waiting.reachable
        news = list(await session.scalars(select(CoordinatorNews)))
        assert [(n.recipient_id, n.kind) for n in news] == [(waiting.id, "new_idea")]
        await enqueue(
            session,
            dedupe_key="for-maria",
            recipient_id=waiting.id,
            kind="digest",
            payload={"replies": [{"text": "Nyheter"}]},
            now=clock.now(),
        )

    # A dispatcher with no sender for "email" leaves her row pending, and goes on.
    class Console:
        platform = "console"

        async def send(self, address: dict[str, Any], replies: Any) -> None:
            return None

    dispatcher = Dispatcher(db, [Console()], settings=bot.settings, clock=clock)
    await dispatcher.run_until_idle()
    async with db.transaction() as session:
        row = (
            await session.execute(
                select(OutboxMessage).where(OutboxMessage.dedupe_key == "for-maria")
            )
        ).scalar_one()
        assert row.status == "pending" and row.attempts == 0


async def test_the_chat_person_takes_over_everything_waiting(db, clock, database_url) -> None:
    bot = bot_with(db, clock, database_url, coordinators=[MARIA, "console:per"])
    anna = Chat(bot, user="anna", name="Anna Andersson")
    per = Chat(bot, user="per", name="Per Ek")
    await per.says("hej")
    assert await submit_idea(anna, "Tryggare tunnlar") == 1
    now = clock.now()
    async with db.transaction() as session:
        waiting = await find_person(session, f"{EMAIL_ONLY}:{MARIA}")
        per_row = await find_person(session, "console:per")
        assert waiting is not None and per_row is not None
        idea = await session.get(Idea, 1)
        idea.assignee_id = waiting.id
        session.add(Absence(person_id=waiting.id, starts_at=now, ends_at=now + timedelta(days=3),
                            stand_in_id=per_row.id, created_at=now))  # fmt: skip
        session.add(Absence(person_id=per_row.id, starts_at=now, ends_at=now + timedelta(days=9),
                            stand_in_id=waiting.id, created_at=now))  # fmt: skip
        for key in ("pending-1", "sent-1"):
            assert await enqueue(session, dedupe_key=key, recipient_id=waiting.id, kind="digest",
                                 payload={"replies": []}, now=now)  # fmt: skip
        sent = (
            await session.execute(select(OutboxMessage).where(OutboxMessage.dedupe_key == "sent-1"))
        ).scalar_one()
        sent.status = "sent"
        waiting_id = waiting.id

    # She writes from Teams for the first time: her address arrives with the turn.
    maria = MailChat(bot, user="29:1m", name="Maria Berg", platform="msteams", email=MARIA)
    await maria.says("lista")
    maria.hears("Tryggare tunnlar")  # her idea now, in her queue

    async with db.transaction() as session:
        me = await find_person(session, "msteams:29:1m")
        assert me is not None and me.email == MARIA
        assert (await session.get(Idea, 1)).assignee_id == me.id
        absences = list(await session.scalars(select(Absence).order_by(Absence.id)))
        assert absences[0].person_id == me.id and absences[1].stand_in_id == me.id
        news = list(await session.scalars(select(CoordinatorNews)))
        assert {n.recipient_id for n in news} >= {me.id}
        assert waiting_id not in {n.recipient_id for n in news}
        rows = {r.dedupe_key: r.recipient_id for r in await session.scalars(select(OutboxMessage))}
        assert rows["pending-1"] == me.id
        assert rows["sent-1"] == waiting_id  # what went out stays where it went
        old = await session.get(Person, waiting_id)
        assert old.email is None and not old.reachable
        # Only the chat person answers for her now.
        people = await coordinator_people(session, bot.settings)
        assert waiting_id not in [p.id for p in people] and me.id in [p.id for p in people]
        # A new idea does not bring the e-mail-only row back.
        await keep_coordinator_people(session, bot.settings, now=now)
        assert (await session.get(Person, waiting_id)).email is None


async def test_news_both_had_is_told_once(db, clock, database_url) -> None:
    bot = bot_with(db, clock, database_url)
    assert await submit_idea(Chat(bot, user="anna", name="Anna"), "Tryggare tunnlar") == 1
    now = clock.now()
    async with db.transaction() as session:
        waiting = await upsert_person(session, EMAIL_ONLY, MARIA, now=now, email=MARIA)
        chat = await upsert_person(session, "slack", "UMARIA", now=now)
        for who in (waiting, chat):
            session.add(CoordinatorNews(dedupe_key=f"new_idea:1:{who.id}", recipient_id=who.id,
                                        idea_id=1, kind="new_idea", created_at=now))  # fmt: skip
        session.add(CoordinatorNews(dedupe_key="idle:1", recipient_id=waiting.id, idea_id=1,
                                    kind="idle", created_at=now))  # fmt: skip
        await session.flush()
        assert await take_over_email_person(session, MARIA, chat, now=now)
        assert not await take_over_email_person(session, MARIA, chat, now=now)  # once
        kept = list(await session.scalars(select(CoordinatorNews).order_by(CoordinatorNews.id)))
        assert [(n.recipient_id, n.kind) for n in kept] == [
            (chat.id, "new_idea"),
            (chat.id, "idle"),
        ]


async def test_the_address_is_in_the_persons_own_data_and_goes_with_an_erasure(db, clock) -> None:
    from storage.privacy import erase_person, personal_data

    async with db.transaction() as session:
        person = await upsert_person(session, "slack", "UMARIA", now=clock.now(), email=MARIA)
        session.add(Coordinator(qualified_id=f"email:{MARIA}", created_at=clock.now()))
        await session.flush()
        data = await personal_data(session, person, internal_notes=False)
        assert data["person"]["email"] == MARIA and data["person"]["coordinator_in_table"]
        await erase_person(session, person, now=clock.now(), pseudonym="Person 1")
        assert person.email is None and person.email_checked_at is None
        assert await session.get(Coordinator, f"email:{MARIA}") is None
