"""When the database fails during a turn, the person gets a polite "try again", nothing
half-done is kept, and everything they wrote before is still there afterwards."""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from bot import app as app_module
from storage.database import Database
from storage.models import Idea
from tests.bot.test_intake_navigation import ANSWERS, answer_up_to, stored_dialogue
from tests.chat import Chat

TRY_AGAIN = "Förlåt, jag kommer inte åt mina anteckningar just nu."


async def test_an_unreachable_database_gets_try_again_and_loses_nothing(
    bot, anna: Chat, db, caplog
) -> None:
    await answer_up_to(anna, "benefit")
    working = bot.db
    bot.db = Database("postgresql://idesluss@127.0.0.1:1/idesluss")  # nothing listens there
    try:
        with caplog.at_level(logging.INFO):
            await anna.says("Invånare som går där.")
        anna.hears(TRY_AGAIN, "Det du har skrivit tidigare är sparat – försök igen")
        assert anna.buttons() == []
        # One plain line in the log: no idea content, no traceback.
        failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert [r.getMessage() for r in failures] == [
            "database failure during a turn: ConnectionRefusedError"
        ]
        assert not failures[0].exc_info
        assert "Invånare" not in caplog.text
    finally:
        await bot.db.close()
        bot.db = working

    await anna.says("Invånare som går där.")
    anna.hears("prövas i liten skala")
    dialogue = await stored_dialogue(db)
    assert dialogue.answers["need"] == ANSWERS["need"]
    assert dialogue.answers["benefit"] == "Invånare som går där."


async def test_an_english_speaker_gets_try_again_in_english(bot, db) -> None:
    ben = Chat(bot, user="ben", language="en")
    await ben.says("hi")
    working = bot.db
    bot.db = Database("postgresql://idesluss@127.0.0.1:1/idesluss")
    try:
        await ben.says("Shared bikes")
    finally:
        await bot.db.close()
        bot.db = working
    ben.hears("Sorry, I can't reach my notes right now. What you wrote earlier is saved")


async def test_a_failure_half_way_through_submitting_keeps_the_dialogue(
    bot, anna: Chat, db, monkeypatch
) -> None:
    await answer_up_to(anna, "summary")

    async def failing_create_idea(*args, **kwargs):
        # The dialogue row was already deleted in this transaction: it must come back.
        raise OperationalError("INSERT INTO ideas", {}, Exception("disk I/O error"))

    monkeypatch.setattr(app_module, "create_idea", failing_create_idea)
    await anna.clicks("Skicka in")
    anna.hears(TRY_AGAIN)
    async with db.transaction() as session:
        assert (await session.execute(select(func.count(Idea.id)))).scalar_one() == 0
    dialogue = await stored_dialogue(db)
    assert dialogue.step == "summary"
    assert dialogue.answers["title"] == ANSWERS["title"]

    monkeypatch.undo()
    await anna.opens()
    anna.hears("Välkommen tillbaka, Anna!", "Så här ser din idé ut.", "Namn: Tryggare tunnlar")
    await anna.clicks("Skicka in")
    anna.hears("Din idé ”Tryggare tunnlar” har kommit fram och har nummer 1.")


async def test_a_conflict_that_never_clears_ends_politely(bot, anna: Chat, db, monkeypatch):
    from sqlalchemy.orm.exc import StaleDataError

    await answer_up_to(anna, "need")

    async def always_conflicting(session, incoming, **kwargs):
        raise StaleDataError("someone else keeps winning")

    monkeypatch.setattr(app_module, "turn_party_of", always_conflicting)
    await anna.says("Det är mörkt i tunnlarna på kvällen.")
    anna.hears(TRY_AGAIN)
    monkeypatch.undo()
    assert (await stored_dialogue(db)).answers == {"title": ANSWERS["title"]}


async def test_a_refused_connection_from_the_driver_gets_try_again(
    bot, anna: Chat, db, monkeypatch
) -> None:
    """asyncpg raises its own errors while connecting, not wrapped by SQLAlchemy."""
    import asyncpg

    await answer_up_to(anna, "need")

    def refusing(*args, **kwargs):
        raise asyncpg.exceptions.CannotConnectNowError("the database system is starting up")

    monkeypatch.setattr(bot.db, "transaction", refusing)
    await anna.says("Det är mörkt i tunnlarna på kvällen.")
    anna.hears(TRY_AGAIN)
    monkeypatch.undo()
    await anna.says("Det är mörkt i tunnlarna på kvällen.")
    anna.hears("Hur skulle idén fungera?")
