"""A per-person limit on turns: told once, kindly; nothing of the refused turns is kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot import turn_limit
from bot.app import IdeaBot
from bot.turn_limit import TurnLimiter
from storage.models import Dialogue
from tests.chat import Chat


async def _answers(db) -> dict:
    async with db.transaction() as session:
        dialogue = await session.get(Dialogue, 1)  # Anna's
        return dict(dialogue.answers)


async def test_too_many_turns_in_a_minute_are_refused_kindly(db, clock, settings) -> None:
    bot = IdeaBot(db, settings=replace(settings, turns_per_minute=3), clock=clock)
    anna, bo = Chat(bot, user="anna", name="Anna"), Chat(bot, user="bo", name="Bo")
    await anna.says("Hej!")
    await anna.says("Cykelparkering")
    await anna.says("Det finns för få platser.")
    before = await _answers(db)
    await anna.says("Fler ställ vid entrén.")
    anna.hears("Vänta en minut", "det du skrev nyss har jag inte sparat")
    assert await _answers(db) == before
    assert await anna.says("Och ännu ett") == []  # told once; not a reply per message
    await bo.says("Hej!")  # someone else is not affected
    bo.hears("Hej Bo")
    clock.advance(seconds=61)
    await anna.says("Fler ställ vid entrén.")
    anna.does_not_hear("Vänta en minut")
    assert len(await _answers(db)) == len(before) + 1


async def test_english_speakers_are_told_in_english(db, clock, settings) -> None:
    bot = IdeaBot(db, settings=replace(settings, turns_per_minute=1), clock=clock)
    eve = Chat(bot, user="eve", language="en")
    await eve.says("Hi")
    await eve.says("Hi again")
    eve.hears("Wait a minute")


def test_memory_stays_bounded(monkeypatch) -> None:
    monkeypatch.setattr(turn_limit, "MAX_TRACKED", 100)
    limiter = TurnLimiter(per_minute=2)
    start = datetime(2026, 6, 15, tzinfo=UTC)
    for n in range(1000):
        assert limiter.check(f"slack:U{n}", start + timedelta(seconds=n)) == "ok"
    assert len(limiter._turns) <= 100


def test_people_quiet_for_a_minute_are_forgotten() -> None:
    # 10,000 people who each wrote once are not kept for ever (well under MAX_TRACKED).
    limiter = TurnLimiter(per_minute=2)
    start = datetime(2026, 6, 15, tzinfo=UTC)
    for n in range(10_000):
        limiter.check(f"slack:U{n}", start + timedelta(milliseconds=n))
    assert limiter.tracked() == 10_000  # all within the minute
    later = start + timedelta(minutes=2)
    assert limiter.check("slack:U1", later) == "ok"
    assert limiter.tracked() == 1
    # … and a person forgotten starts afresh, within the limit.
    assert limiter.check("slack:U1", later) == "ok"
    assert limiter.check("slack:U1", later) == "tell"


async def test_a_command_text_longer_than_it_may_be_stored_is_refused_whole(bot, db) -> None:
    from sqlalchemy import func, select

    from storage.models import IdeaEvent
    from tests.bot.ideas import submit_idea

    anna = Chat(bot, user="anna", name="Anna")
    maria = Chat(bot, user="maria", name="Maria")
    number = await submit_idea(anna, "Tryggare tunnlar")
    await maria.says(f"notera {number} " + "x" * 2001)
    maria.hears("högst 2000 tecken", "Inget är ändrat")
    await maria.says(f'hänvisa {number} "{"y" * 201}" Hej')
    maria.hears("högst 200 tecken")
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(IdeaEvent)) == 1
    await maria.says(f"notera {number} " + "x" * 2000)
    maria.hears("Anteckningen är sparad")
