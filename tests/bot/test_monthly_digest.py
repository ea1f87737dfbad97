"""The admins' monthly digest: the month before in figures, on the first working day of the
month, in office hours, once per admin and month — the clock travels, nothing sleeps."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from sqlalchemy import select

from bot.app import IdeaBot
from bot.calendar import DEFAULT_CALENDAR, STOCKHOLM
from bot.monthly import first_working_day
from bot.reminders import sweep
from conversations.reply import replies_from_payload
from storage.models import OutboxMessage
from tests.bot.ideas import submit_idea
from tests.chat import Chat


@pytest.fixture
def bot(db, clock, settings) -> IdeaBot:
    return IdeaBot(db, settings=replace(settings, admins=frozenset({"console:boss"})), clock=clock)


async def _sweep_at(bot: IdeaBot, moment: datetime) -> list[str]:
    bot.clock.set(moment)
    report = await sweep(bot.db, moment, settings=bot.settings, policy=bot.reminder_policy,
                         calendar=bot.calendar)  # fmt: skip
    return [m.text for m in report.messages if m.kind == "monthly_digest"]


async def _monthly_rows(db) -> list[OutboxMessage]:
    async with db.transaction() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == "monthly_digest")
        return list((await session.execute(query)).scalars())


def test_the_first_working_day_of_a_month() -> None:
    def first(day: int, month: int) -> bool:
        return first_working_day(DEFAULT_CALENDAR, datetime(2026, month, day, 10, tzinfo=STOCKHOLM))

    assert first(1, 7)  # Wednesday 1 July 2026
    assert not first(2, 7)
    assert not first(1, 8) and first(3, 8)  # 1 August is a Saturday: Monday the 3rd
    assert not first(1, 1) and first(2, 1)  # New Year's Day is a holiday


async def test_the_month_before_reaches_each_admin_once(bot: IdeaBot, db) -> None:
    boss = Chat(bot, user="boss", name="Britt Berg")
    await boss.says("hej")
    maria = Chat(bot, user="maria", name="Maria")
    anna = Chat(bot, user="anna", name="Anna")
    await submit_idea(anna, "Tryggare tunnlar", workplace="Hemtjänst Norrmalm")  # 15 June
    await submit_idea(anna, "Digital matsedel")
    await maria.says("flytta 1")
    await maria.says("avsluta 2 Finns redan i appen.")

    assert await _sweep_at(bot, datetime(2026, 6, 30, 10, tzinfo=STOCKHOLM)) == []
    # Wednesday 1 July, before office hours: it waits.
    assert await _sweep_at(bot, datetime(2026, 7, 1, 6, tzinfo=STOCKHOLM)) == []
    [text] = await _sweep_at(bot, datetime(2026, 7, 1, 9, 15, tzinfo=STOCKHOLM))
    assert text.startswith("Hej Britt! Så här gick det för idéerna i juni 2026.")
    [row] = await _monthly_rows(db)
    [reply] = replies_from_payload(row.payload)
    facts = {fact.label: fact.value for fact in reply.facts}
    assert facts["Nya idéer"] == "2" and facts["Flyttade ett steg"] == "2"
    assert (facts["Införda"], facts["Avslutade"]) == ("0", "1")
    assert facts["Nöjdhet"] == "–"
    assert row.dedupe_key.endswith(":2026-06")
    # Later the same day, and the day after: nothing more.
    assert await _sweep_at(bot, datetime(2026, 7, 1, 14, tzinfo=STOCKHOLM)) == []
    assert await _sweep_at(bot, datetime(2026, 7, 2, 9, 15, tzinfo=STOCKHOLM)) == []
    assert len(await _monthly_rows(db)) == 1
    # August's: the first working day is Monday the 3rd, about July (nothing happened).
    assert await _sweep_at(bot, datetime(2026, 8, 1, 10, tzinfo=STOCKHOLM)) == []
    [august] = await _sweep_at(bot, datetime(2026, 8, 3, 10, tzinfo=STOCKHOLM))
    assert "juli 2026" in august
    assert len(await _monthly_rows(db)) == 2
