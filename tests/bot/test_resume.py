"""The bot remembers: a new process (new IdeaBot, new Database object, same database)
carries on where the person stopped."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import IdeaBot
from storage.database import Database
from storage.models import Dialogue, Idea
from tests.bot.test_intake_navigation import ANSWERS, answer_up_to
from tests.chat import Chat


async def restarted(database_url: str, clock, settings) -> tuple[Database, IdeaBot]:
    database = Database(database_url)
    await database.upgrade()  # as the app does on start; harmless when up to date
    return database, IdeaBot(database, settings=settings, clock=clock)


async def test_opening_the_chat_again_welcomes_back_and_repeats_the_question(
    anna: Chat, db, database_url, clock, settings
) -> None:
    await answer_up_to(anna, "benefit")
    anna.hears("Vem har nytta av idén")
    await db.close()  # the first process ends

    database, bot = await restarted(database_url, clock, settings)
    try:
        anna_again = Chat(bot, user="anna", name="Anna Andersson")
        await anna_again.opens()
        anna_again.hears(
            "Välkommen tillbaka, Anna! Vi höll på att beskriva din idé.", "Vem har nytta av idén"
        )
        anna_again.does_not_hear("Jag är Idéslussen")
        await anna_again.says("Invånare som går där.")
        anna_again.hears("prövas i liten skala")
        for answer in list(ANSWERS.values())[4:]:
            await anna_again.says(answer)
        anna_again.hears("Namn: Tryggare tunnlar", "Nytta: Invånare som går där.")
        await anna_again.clicks("Skicka in")
        anna_again.hears("Tack, Anna!", "nummer 1.")
        async with database.transaction() as session:
            idea = (await session.execute(select(Idea))).scalar_one()
            assert idea.need == ANSWERS["need"] and idea.benefit == "Invånare som går där."
    finally:
        await database.close()


async def test_after_a_restart_a_plain_message_is_taken_as_the_answer(
    anna: Chat, db, database_url, clock, settings
) -> None:
    await answer_up_to(anna, "participate")
    await db.close()

    database, bot = await restarted(database_url, clock, settings)
    try:
        anna_again = Chat(bot, user="anna", name="Anna Andersson")
        await anna_again.says("ja")
        anna_again.hears("Var arbetar du?")
        async with database.transaction() as session:
            dialogue = (await session.execute(select(Dialogue))).scalar_one()
        assert dialogue.answers["participate"] is True
        assert dialogue.answers["involved"] == ANSWERS["involved"]
    finally:
        await database.close()


async def test_resume_in_english_at_the_summary(bot, db, database_url, clock, settings) -> None:
    ben = Chat(bot, user="ben", name="Ben Baker", language="en")
    await answer_up_to(ben, "summary")
    await db.close()

    database, bot_again = await restarted(database_url, clock, settings)
    try:
        ben_again = Chat(bot_again, user="ben", name="Ben Baker")  # no --lang this time
        await ben_again.opens()
        ben_again.hears("Welcome back, Ben!", "This is your idea.", "Name: Tryggare tunnlar")
        assert ben_again.buttons() == ["Submit", "Change something", "Cancel"]
    finally:
        await database.close()


async def test_opening_the_chat_with_nothing_in_progress_greets(anna: Chat, db) -> None:
    await anna.opens()
    anna.hears("Hej Anna! Jag är Idéslussen.", "Vad vill du kalla din idé?")
    anna.does_not_hear("Välkommen tillbaka")
    await anna.opens()  # again before answering anything: a greeting, not the introduction
    anna.hears("Hej Anna!", "Vad vill du kalla din idé?")
    anna.does_not_hear("Jag är Idéslussen")
    anna.does_not_hear("Välkommen tillbaka")
    async with db.transaction() as session:
        dialogue = (await session.execute(select(Dialogue))).scalar_one()
    assert (dialogue.step, dialogue.answers) == ("title", {})
