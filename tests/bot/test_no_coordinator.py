"""With nobody a coordinator (neither IDESLUSS_COORDINATORS nor the coordinators table) new
ideas would reach no one: the admins hear of them instead, the first admin in the chat
learns once how to add a coordinator, the idea giver is promised no coordinator who does
not exist, and `idesluss doctor` and `idesluss serve` say so."""

from __future__ import annotations

import pytest

from bot.app import IdeaBot
from bot.config import Settings
from bot.operations import NO_COORDINATOR, coordinator_problem, doctor
from storage.database import Database
from tests.bot.ideas import run_sweep, submit_idea
from tests.chat import Chat

HINT = "Det finns ingen idéslussare ännu"


@pytest.fixture
def lonely_bot(db, clock, database_url) -> IdeaBot:
    """Boss is an admin (IDESLUSS_ADMINS=console:boss); nobody is a coordinator."""
    settings = Settings(database_url=database_url, admins=frozenset({"console:boss"}))
    return IdeaBot(db, settings=settings, clock=clock)


async def test_the_first_admin_hears_once_how_to_add_a_coordinator(lonely_bot) -> None:
    boss = Chat(lonely_bot, user="boss", name="Britt Boss")
    await boss.opens()
    boss.hears(HINT, "coordinator add @namn")
    await boss.says("Hej")
    boss.does_not_hear(HINT)
    await boss.opens()
    boss.does_not_hear(HINT)


async def test_an_admin_who_wrote_first_hears_it_with_the_answer(lonely_bot) -> None:
    boss = Chat(lonely_bot, user="boss", name="Britt Boss")
    await boss.says("/idea stats")
    boss.hears("Statistik", HINT)  # the answer first, then the hint


async def test_nobody_else_hears_it_and_an_added_coordinator_ends_it(lonely_bot) -> None:
    anna = Chat(lonely_bot, user="anna", name="Anna Andersson")
    await anna.says("Hej")
    anna.does_not_hear(HINT)
    boss = Chat(lonely_bot, user="boss", name="Britt Boss")
    await boss.says("/idea coordinator add console:maria")
    boss.hears("Klart: console:maria är nu idéslussare.")
    boss.does_not_hear(HINT)  # a coordinator exists after this very turn


async def test_an_admin_with_a_coordinator_in_place_hears_nothing_of_it(admin_bot) -> None:
    boss = Chat(admin_bot, user="boss", name="Britt Boss")
    await boss.opens()
    boss.does_not_hear(HINT)


async def test_an_idea_with_no_coordinator_goes_to_the_admins_and_the_giver_is_told(
    lonely_bot,
) -> None:
    boss = Chat(lonely_bot, user="boss", name="Britt Boss")
    await boss.opens()  # the admin has talked to the bot: reachable
    anna = Chat(lonely_bot, user="anna", name="Anna Andersson")
    number = await submit_idea(anna, "Tryggare tunnlar")
    anna.hears(f"har nummer {number}", "Här finns ingen idéslussare ännu")
    anna.hears("den som sköter Idéslussen")
    anna.does_not_hear("En idéslussare läser den")
    await run_sweep(lonely_bot)
    said = await boss.receives()
    assert "Tryggare tunnlar" in said and str(number) in said, said


async def test_with_no_coordinator_and_no_admin_the_giver_is_promised_nobody(
    db, clock, database_url
) -> None:
    bot = IdeaBot(db, settings=Settings(database_url=database_url), clock=clock)
    anna = Chat(bot, user="anna", name="Anna Andersson")
    number = await submit_idea(anna, "Tryggare tunnlar")
    anna.hears(f"har nummer {number}", "Ingen här tar emot idéer ännu")
    anna.does_not_hear("idéslussare läser", "den som sköter")


async def test_with_a_coordinator_the_receipt_is_as_before(bot, anna: Chat) -> None:
    await submit_idea(anna, "Tryggare tunnlar")
    anna.hears("En idéslussare läser den och hör av sig till dig inom en vecka.")


# ── idesluss doctor and serve ─────────────────────────────────────────────────────────────


async def test_doctor_fails_without_a_coordinator_and_says_how_to_add_one(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    database = Database(url)
    await database.upgrade()
    await database.close()
    checkup = await doctor({"DATABASE_URL": url})
    assert NO_COORDINATOR in checkup.problems
    report = checkup.report()
    assert "PROBLEM  no coordinator" in report and "IDESLUSS_COORDINATORS" in report
    assert "coordinator add @name" in report

    settled = await doctor({"DATABASE_URL": url, "IDESLUSS_COORDINATORS": "slack:U024BE7LH"})
    assert NO_COORDINATOR not in settled.problems
    assert "coordinators: at least one" in settled.ok


async def test_a_coordinator_added_in_the_chat_counts(lonely_bot, db) -> None:
    assert await coordinator_problem(db, lonely_bot.settings) == NO_COORDINATOR
    boss = Chat(lonely_bot, user="boss", name="Britt Boss")
    await boss.says("/idea coordinator add console:maria")
    assert await coordinator_problem(db, lonely_bot.settings) is None
