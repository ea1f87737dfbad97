"""Who may do what: coordinators work the queue, idea givers see only their own ideas,
admins manage the coordinators. A refusal changes nothing."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from storage.models import Coordinator, Idea, IdeaEvent, OutboxMessage
from tests.bot.ideas import run_sweep, submit_idea
from tests.chat import Chat

COORDINATOR_COMMANDS = [
    "list",
    "lista bedömning --otilldelade",
    "assign 1 me",
    "advance 1",
    "flytta 1 prövas Hej!",
    "park 1 Vi väntar på budgeten.",
    "refer 1 Trafikverket De äger vägen.",
    "close 1 Det finns redan.",
    "reopen 1",
    "note 1 hemlig anteckning",
    "stats",
    "export csv",
    "snooze 1 3 Vi väntar",
    "ångra",
    "undo 1",
    "flytta 1 tillbaka",
]


async def _snapshot(db) -> tuple:
    async with db.transaction() as session:
        idea = await session.get(Idea, 1)
        events = await session.scalar(select(func.count()).select_from(IdeaEvent))
        outbox = await session.scalar(select(func.count()).select_from(OutboxMessage))
        return idea.stage, idea.assignee_id, events, outbox


@pytest.mark.parametrize("command", COORDINATOR_COMMANDS)
async def test_an_idea_giver_is_refused_every_coordinator_command(
    command: str, maria_anna, db, caplog
) -> None:
    _, anna = maria_anna
    before = await _snapshot(db)
    with caplog.at_level(logging.INFO, logger="bot.commands.handlers"):
        await anna.says(f"/idea {command}")
    anna.hears("Det där kan bara idéslussare göra.", "Skriv ”mina”.")
    assert not [r.attachments for r in anna.replies if r.attachments]
    assert await _snapshot(db) == before
    assert any(r.message == "coordinator command refused" for r in caplog.records)


async def test_a_button_from_a_coordinator_message_is_refused_too(maria_anna, db) -> None:
    _, anna = maria_anna
    before = await _snapshot(db)
    await anna.clicks_value("cmd:assign:1:me")
    anna.hears("Det där kan bara idéslussare göra.")
    await anna.clicks_value("cmd:advance:1:assessment")
    anna.hears("Det där kan bara idéslussare göra.")
    assert await _snapshot(db) == before


async def test_an_idea_giver_never_sees_another_persons_idea(bot, maria_anna) -> None:
    _, anna = maria_anna
    bertil = Chat(bot, user="bertil", name="Bertil")
    await bertil.says("visa 1")
    bertil.hears("Jag hittar ingen idé med nummer 1 bland dina idéer.")
    bertil.does_not_hear("Tryggare tunnlar")
    await bertil.says("visa 99")  # the same answer: nothing tells which numbers exist
    bertil.hears("Jag hittar ingen idé med nummer 99 bland dina idéer.")
    await bertil.says("mina")
    bertil.hears("Du har inte skickat in någon idé än.")
    await anna.says("mina")
    anna.hears("1. Tryggare tunnlar – Inkommen, senast ändrad 2026-06-15")


async def test_help_depends_on_the_role(bot, maria_anna) -> None:
    maria, anna = maria_anna
    await anna.says("hjälp")
    anna.hears("mina – dina idéer")
    anna.does_not_hear("Som idéslussare")
    await maria.says("/idea help")
    maria.hears(
        "mina – dina idéer", "Som idéslussare kan du också skriva", "Bedömning (assessment)"
    )
    maria.does_not_hear("administratör")


async def test_admins_manage_coordinators_in_the_chat(admin_bot, db) -> None:
    boss = Chat(admin_bot, user="boss", name="Britt")
    lars = Chat(admin_bot, user="lars", name="Lars", platform="slack")
    maria = Chat(admin_bot, user="maria", name="Maria")

    await lars.says("/idea list")
    lars.hears("Det där kan bara idéslussare göra.")
    await maria.says("/idea coordinator add slack:lars")
    maria.hears("Det där kan bara en administratör göra.")

    await boss.says("/idea coordinator add slack:lars")
    boss.hears("Klart: slack:lars är nu idéslussare.")
    await boss.says("/idea coordinator add slack:lars")
    boss.hears("slack:lars är redan idéslussare.")
    await boss.says("/idea idéslussare lista")
    boss.hears("Idéslussare: console:maria (från IDESLUSS_COORDINATORS), slack:lars")
    await lars.says("/idea list")
    lars.hears("Inga idéer väntar här just nu.")

    # A mention means someone on the speaker's own platform: here the terminal, not Slack.
    await boss.says("/idea coordinator remove <@lars|lars>")
    boss.hears("console:lars finns inte i listan över idéslussare.")
    async with db.transaction() as session:
        assert await session.get(Coordinator, "slack:lars") is not None


async def test_removing_coordinators(admin_bot, db) -> None:
    boss = Chat(admin_bot, user="boss", name="Britt")
    await boss.says("/idea coordinator add console:lars")
    await boss.says("/idea coordinator remove @lars")
    boss.hears("Klart: console:lars är inte längre idéslussare.")
    await boss.says("/idea coordinator remove @lars")
    boss.hears("console:lars finns inte i listan över idéslussare.")
    await boss.says("/idea coordinator remove console:maria")
    boss.hears("via inställningen IDESLUSS_COORDINATORS")
    lars = Chat(admin_bot, user="lars", name="Lars")
    await lars.says("/idea stats")
    lars.hears("Det där kan bara idéslussare göra.")


async def test_assigning_to_someone_who_is_not_a_coordinator_is_refused(
    bot, maria_anna, db
) -> None:
    maria, _ = maria_anna
    before = await _snapshot(db)
    await maria.says("assign 1 @anna")
    maria.hears("console:anna är inte idéslussare")
    assert await _snapshot(db) == before


async def test_a_coordinator_added_in_the_chat_gets_new_ideas(admin_bot, db) -> None:
    boss = Chat(admin_bot, user="boss", name="Britt")
    await boss.says("/idea coordinator add console:lars")
    anna = Chat(admin_bot, user="anna", name="Anna")
    await submit_idea(anna, "Tryggare tunnlar")
    lars = Chat(admin_bot, user="lars", name="Lars")
    await lars.says("hej")  # Lars talks to the bot: the news waits for him until then
    await run_sweep(admin_bot)
    said = await lars.receives()
    assert "1 ”Tryggare tunnlar” – ny idé från Anna (Kultur och fritid)" in said
    await lars.clicks("Ta 1")
    lars.hears("Klart: Lars tar hand om idé 1")
