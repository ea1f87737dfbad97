"""Where everyone in a conversation reads the bot's replies (`in_group` without
`private_replies`: a Teams channel or group chat), the answer of a command or a button goes
to the person's personal chat as an outbox row written in the turn's transaction, and the
group hears only a neutral note. Driven here through the core with a fake sender; the same
over real HTTP in Teams is in tests/adapters/teams/test_channel_privacy.py."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.dispatcher import Dispatcher
from bot.incoming import Incoming
from bot.ports import RetryLater
from conversations.reply import Reply, payload_of
from storage.models import OutboxMessage, Person
from storage.outbox import DIRECT_ANSWER, enqueue
from storage.people import find_person
from tests.chat import Chat
from tests.conftest import STOCKHOLM
from tests.fakes.senders import FakeSender

NIGHT = datetime(2026, 6, 15, 23, 30, tzinfo=STOCKHOLM)  # a Monday night
TO_MARIA = "Jag har svarat dig i vår privata chatt, Maria."
TO_ANNA = "Jag har svarat dig i vår privata chatt, Anna."
SECRETS = ("Tryggare tunnlar", "Andersson", "rädda", "belysning")


def shared(user: str, text: str | None = None, **fields) -> Incoming:
    """A message in a conversation where everyone reads the answers (Teams' channels)."""
    return Incoming(
        platform="console",
        user_id=user,
        text=text,
        display_name=fields.pop("display_name", "Maria" if user == "maria" else "Anna Andersson"),
        in_group=True,
        **fields,
    )


def dispatcher(bot, sender: FakeSender) -> Dispatcher:
    async def wait(seconds: float) -> None:
        bot.clock.advance(seconds=seconds)

    return Dispatcher(bot.db, [sender], settings=bot.settings, clock=bot.clock, sleep=wait)


def console_sender(bot) -> FakeSender:
    return FakeSender(platform="console", now=bot.clock.now)


async def rows(bot, kind: str | None = None) -> list[OutboxMessage]:
    async with bot.db.transaction() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind:
            query = query.where(OutboxMessage.kind == kind)
        return list((await session.execute(query)).scalars())


@pytest.fixture
async def team(maria_anna) -> tuple[Chat, Chat]:
    """Idea 1 from Anna; Maria, a coordinator, has opened her personal chat with the bot."""
    maria, anna = maria_anna
    await maria.opens()
    return maria, anna


def texts(replies: list[Reply]) -> list[str]:
    return [reply.text for reply in replies]


async def test_a_command_in_a_shared_group_is_answered_privately_at_any_hour(bot, team) -> None:
    bot.clock.set(NIGHT)
    replies = await bot.handle(shared("maria", "visa 1", event_id="ev-1"))
    assert texts(replies) == [TO_MARIA]
    assert not replies[0].choices and not replies[0].facts
    [row] = await rows(bot, DIRECT_ANSWER)
    assert row.status == "pending" and row.not_before == row.created_at

    sender = console_sender(bot)
    assert await dispatcher(bot, sender).run_until_idle() == 1
    [delivery] = sender.delivered
    assert delivery.address == {"user": "maria"}
    assert "Tryggare tunnlar" in str((await rows(bot, DIRECT_ANSWER))[0].payload)  # the card
    assert (await rows(bot, DIRECT_ANSWER))[0].status == "sent"
    assert await dispatcher(bot, sender).run_until_idle() == 0  # once


async def test_a_reminder_held_for_the_morning_does_not_hold_back_the_answer(bot, team) -> None:
    bot.clock.set(NIGHT)
    async with bot.db.transaction() as session:
        maria = await find_person(session, "console:maria")
        await enqueue(
            session,
            dedupe_key="reminder:test",
            recipient_id=maria.id,
            kind="reminder",
            payload=payload_of(Reply("Påminnelse")),
            now=bot.clock.now(),
        )
    await bot.handle(shared("maria", "lista"))
    sender = console_sender(bot)
    assert await dispatcher(bot, sender).run_until_idle() == 1
    assert "Påminnelse" not in sender.texts_for("maria")
    assert any("Tryggare tunnlar" in text for text in sender.texts_for("maria"))

    bot.clock.set(datetime(2026, 6, 16, 8, 0, tzinfo=STOCKHOLM))  # Tuesday morning
    assert await dispatcher(bot, sender).run_until_idle() == 1
    assert sender.texts_for("maria")[-1] == "Påminnelse"


async def test_an_answer_retried_at_night_is_not_put_off_to_the_morning(bot, team) -> None:
    bot.clock.set(NIGHT)
    await bot.handle(shared("maria", "statistik"))
    sender = console_sender(bot)
    sender.script = [RetryLater("busy", 30)]
    assert await dispatcher(bot, sender).run_until_idle() == 1
    [row] = await rows(bot, DIRECT_ANSWER)
    assert row.status == "pending"
    assert row.not_before - bot.clock.now() < timedelta(minutes=1)
    bot.clock.advance(seconds=40)
    assert await dispatcher(bot, sender).run_until_idle() == 1
    assert (await rows(bot, DIRECT_ANSWER))[0].status == "sent"


async def test_without_a_personal_chat_address_the_answer_waits_for_one(bot) -> None:
    replies = await bot.handle(shared("berit", "hjälp", display_name="Berit Holm"))
    assert texts(replies) == [
        "Berit, svaret skickar jag i en privat chatt med mig. Öppna en chatt med bara mig, "
        "så kommer det där."
    ]
    nameless = await bot.handle(shared("x", "help", display_name=None, locale="en-GB"))
    assert texts(nameless) == [
        "I will send the answer in a private chat with me. Open a chat with just me "
        "and it will be there."
    ]
    sender = console_sender(bot)
    assert await dispatcher(bot, sender).run_until_idle() == 0  # nowhere to send it yet

    berit = Chat(bot, user="berit", name="Berit Holm")
    await berit.opens()  # her personal chat: now the bot knows where she is
    assert await dispatcher(bot, sender).run_until_idle() == 1
    assert "Det här kan du skriva till mig" in "\n".join(sender.texts_for("berit"))


async def test_the_terminal_chat_shows_a_waiting_answer_when_opened(bot) -> None:
    await bot.handle(shared("berit", "hjälp", display_name="Berit Holm"))
    berit = Chat(bot, user="berit", name="Berit Holm")
    await berit.opens()
    assert "Det här kan du skriva till mig" in await berit.receives()


async def test_someone_who_blocked_the_bot_is_asked_to_open_the_chat_and_ask_again(
    bot, team
) -> None:
    async with bot.db.transaction() as session:
        (await find_person(session, "console:maria")).reachable = False
    replies = await bot.handle(shared("maria", "visa 1"))
    assert texts(replies) == [
        "Maria, det svaret ger jag bara i en privat chatt med mig, och där når jag dig inte "
        "just nu. Öppna en chatt med mig och fråga där."
    ]
    assert await rows(bot, DIRECT_ANSWER) == []


async def test_personal_data_and_files_never_reach_the_group(bot, team) -> None:
    replies = await bot.handle(shared("anna", "mina uppgifter"))
    assert texts(replies) == [TO_ANNA]
    assert all(not reply.attachments and not reply.facts for reply in replies)
    [row] = await rows(bot, DIRECT_ANSWER)
    [answer] = row.payload["replies"]
    assert "attachments" not in answer
    assert "kan jag inte skicka i den här chatten" in answer["text"]
    assert any(fact["value"] == "Anna Andersson" for fact in answer["facts"])


async def test_every_answer_in_a_shared_group_names_nothing(bot, team) -> None:
    maria, _ = team
    await maria.says("notera 1 Internt: budgeten räcker inte")
    for user, typed in [
        ("maria", "visa 1"),
        ("maria", "lista"),
        ("maria", "statistik"),
        ("maria", "notera 1 Ring om budgeten"),
        ("maria", "tilldela 1 mig"),
        ("maria", "flytta 1 bedömning Vi tittar på den"),
        ("maria", "snooza 1 5"),
        ("maria", "export"),
        ("maria", "gdpr exportera @anna"),
        ("anna", "mina"),
        ("anna", "glöm mig"),
        ("anna", "anonym 1"),
    ]:
        replies = await bot.handle(shared(user, typed))
        assert texts(replies) == [TO_MARIA if user == "maria" else TO_ANNA], typed
    assert len(await rows(bot, DIRECT_ANSWER)) == 12
    sender = console_sender(bot)
    await dispatcher(bot, sender).run_until_idle()
    assert {row.status for row in await rows(bot, DIRECT_ANSWER)} == {"sent"}
    assert "budgeten räcker inte" in str((await rows(bot, DIRECT_ANSWER))[0].payload)


async def test_buttons_clicked_in_a_shared_group_are_answered_privately(bot, team) -> None:
    assert texts(await bot.handle(shared("maria", action="cmd:assign:1:me"))) == [TO_MARIA]
    assert texts(await bot.handle(shared("anna", action="satisfaction:1:5"))) == [TO_ANNA]
    assert texts(await bot.handle(shared("anna", action="privacy:keep"))) == [TO_ANNA]
    assert len(await rows(bot, DIRECT_ANSWER)) == 3
    # A button of the idea dialogue is not a command: the pointer, said in the group.
    [pointer] = await bot.handle(shared("anna", action="skip"))
    assert "i en chatt med bara mig" in pointer.text
    assert len(await rows(bot, DIRECT_ANSWER)) == 3


async def test_a_stale_forget_me_confirmed_in_a_group_does_not_reveal_the_pseudonym(
    bot, team
) -> None:
    _maria, anna = team
    await anna.says("glöm mig")  # asked in her personal chat …
    yes = next(c.value for r in anna.replies for c in r.choices if c.label == "Ja, glöm mig")
    replies = await bot.handle(shared("anna", action=yes))  # … the card clicked in a channel
    [note] = texts(replies)
    assert note.startswith("Anna, ") and "Tidigare medarbetare" not in note
    async with bot.db.transaction() as session:
        assert await find_person(session, "console:anna") is None  # a new person next time
        names = (await session.execute(select(Person.display_name))).scalars().all()
        assert any(name.startswith("Tidigare medarbetare") for name in names)
    assert await rows(bot, DIRECT_ANSWER) == []  # nobody to send it to any more


async def test_an_idea_in_a_shared_group_gets_the_pointer_and_no_row(bot) -> None:
    [pointer] = await bot.handle(shared("anna", "Vi borde ha bättre belysning i tunnlarna"))
    assert pointer.text.startswith("Hej Anna! En idé beskriver du bäst")
    assert await rows(bot) == []


async def test_a_repeated_delivery_writes_no_second_row(bot, team) -> None:
    first = await bot.handle(shared("maria", "visa 1", event_id="same"))
    again = await bot.handle(shared("maria", "visa 1", event_id="same"))
    assert texts(first) == [TO_MARIA] and again == []
    assert len(await rows(bot, DIRECT_ANSWER)) == 1


async def test_a_file_asked_for_in_a_group_goes_with_the_private_answer_as_a_reference(
    bot, team
) -> None:
    """On a platform that delivers files (Teams, by consent in the personal chat), the
    outbox row carries the file's reference, never its bytes; the group hears the note."""
    replies = await bot.handle(shared("anna", "mina uppgifter", keeps_files=True))
    assert texts(replies) == [TO_ANNA]
    assert all(not reply.attachments and not reply.files for reply in replies)
    [row] = await rows(bot, DIRECT_ANSWER)
    [answer] = row.payload["replies"]
    [file] = answer["files"]
    assert file["name"].startswith("mina-uppgifter") and file["media_type"] == "application/json"
    assert "kommer strax här i vår chatt" in answer["text"]
    assert "platform_user_id" not in str(row.payload)  # nothing of the file's content
