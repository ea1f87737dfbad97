"""The stats summary (storage/summary.py) against the ideas and events themselves: after every
write path the summary kept on write equals the summary counted again from scratch, and
`stats` read from it equals `stats` counted from the rows (`stats_from_rows`), for all time,
a year and each month. A bulk statement that would bypass the summary is refused."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, select, update

from bot.calendar import STOCKHOLM
from bot.periods import month_period, year_period
from storage import summary
from storage.database import Database
from storage.ideas import Stats, stats, stats_from_rows
from storage.models import Idea, StatsSummary
from storage.organisation import place_workplace
from tests.bot.ideas import submit_idea
from tests.chat import Chat
from tests.report.world import REPORT_MOMENT, seed_year

Rows = dict[tuple[int, str, str, int], int]


async def kept(db: Database) -> Rows:
    async with db.read() as session:
        rows = await session.execute(select(StatsSummary).where(StatsSummary.count != 0))
        return {(r.bucket, r.figure, r.label, r.detail): r.count for r in rows.scalars()}


async def recounted(db: Database) -> Rows:
    """The summary counted again from the rows, in a transaction that is then undone."""
    async with db.engine.connect() as conn:
        transaction = await conn.begin()
        await conn.run_sync(summary.rebuild)
        rows = await conn.execute(select(StatsSummary).where(StatsSummary.count != 0))
        counted = {(r.bucket, r.figure, r.label, r.detail): r.count for r in rows}
        await transaction.rollback()
    return counted


async def both_ways(db: Database, now: datetime, since=None, until=None) -> tuple[Stats, Stats]:
    async with db.read() as session:
        read = await stats(session, now=now, since=since, until=until)
        counted = await stats_from_rows(session, now=now, since=since, until=until)
    return read, counted


async def assert_agrees(db: Database, now: datetime) -> None:
    assert await kept(db) == await recounted(db)
    local = now.astimezone(STOCKHOLM)
    periods = [
        (None, None),
        (year_period(local.year).start, year_period(local.year).end),
        (month_period(local.year, local.month).start, month_period(local.year, local.month).end),
    ]
    for since, until in periods:
        read, counted = await both_ways(db, now, since, until)
        assert read == counted, (since, until)


async def test_every_write_path_keeps_the_summary(bot, db, clock) -> None:
    maria = Chat(bot, user="maria", name="Maria")
    anna = Chat(bot, user="anna", name="Anna Andersson")
    karin = Chat(bot, user="karin", name="Karin")
    now = clock.now
    await submit_idea(anna, "Tryggare tunnlar", workplace="Kultur och fritid")  # submit
    await submit_idea(karin, "Elcyklar", workplace="hemtjänsten norrmalm, vård o omsorg")
    await submit_idea(karin, "Kaffe", workplace="Ett kontor ingen känner")
    await assert_agrees(db, now())
    clock.advance(days=3)
    await maria.says("advance 1 Jag läser den.")  # move: first answer, a stay of 3 days
    await assert_agrees(db, now())
    clock.advance(days=2)
    await maria.says("advance 1")
    await maria.says("ångra")  # undo: the second stay is no stay
    maria.hears("Ångrat")
    await assert_agrees(db, now())
    clock.advance(days=20)
    await maria.says("close 1 Det finns redan en lösning.")  # close: asks 1–5
    await anna.receives()
    await anna.says("4")  # satisfaction
    anna.hears("Tack för ditt svar!")
    await assert_agrees(db, now())
    # A coordinator's answer to what the giver wrote is a first answer too.
    await karin.says("svara 2 Hur går det med min idé?")
    await maria.says("skriv 2 Vi tittar på den nästa vecka!")
    async with db.read() as session:
        answered = await session.scalar(select(Idea.first_response_at).where(Idea.id == 2))
    assert answered is not None, "the relay path ran"
    await assert_agrees(db, now())
    async with db.transaction() as session:  # `idesluss organisation match`
        assert await place_workplace(session, "Ett kontor ingen känner", "Servicef.", None)
    await assert_agrees(db, now())
    await anna.says("glöm mig")  # erasure
    await anna.clicks("Ja, glöm mig")
    anna.hears("Jag har glömt dig")
    await assert_agrees(db, now())
    clock.advance(days=40)  # the promised time of idea 3 passes: "due" moves with the clock
    await assert_agrees(db, now())


async def test_a_forgotten_path_is_caught(bot, db, clock) -> None:
    """The check above can fail: a move made while the session does not keep the summary."""
    maria = Chat(bot, user="maria", name="Maria")
    await submit_idea(Chat(bot, user="anna", name="Anna"), "Tryggare tunnlar")
    event.remove(summary.SummaryKeepingSession, "before_flush", summary._before_flush)
    try:
        await maria.says("advance 1")
    finally:
        event.listen(summary.SummaryKeepingSession, "before_flush", summary._before_flush)
    assert await kept(db) != await recounted(db)


async def test_a_year_of_moves_undos_and_answers_reads_the_same_both_ways(db) -> None:
    world = await seed_year(db, ideas=60, givers=30)
    assert world.undone, "the year has undone moves"
    now = REPORT_MOMENT
    assert await kept(db) == await recounted(db)
    periods = [(None, None), (year_period(2026).start, year_period(2026).end)]
    periods += [(month_period(2026, m).start, month_period(2026, m).end) for m in range(1, 13)]
    for since, until in periods:
        read, counted = await both_ways(db, now, since, until)
        assert read == counted, (since, until)
    async with db.read() as session:
        figures = await stats(session, now=now)
    assert sum(figures.per_stage.values()) == 60 and figures.satisfaction
    assert figures.days_in_stage and figures.answer_due
    # Two months together, and a period that is not whole months (counted from the rows).
    march, april = month_period(2026, 3), month_period(2026, 4)
    read, counted = await both_ways(db, now, march.start, april.end)
    assert read == counted
    assert summary.period_buckets(march.start, april.end) == [202603, 202604]
    assert summary.period_buckets(march.start + timedelta(days=3), april.end) is None


def test_a_period_is_read_from_the_fewest_buckets() -> None:
    assert summary.period_buckets(None, None) == [0]
    assert summary.period_buckets(year_period(2025).start, year_period(2027).end) == [
        202500,
        202600,
        202700,
    ]
    assert summary.period_buckets(month_period(2025, 11).start, month_period(2027, 2).end) == [
        202511,
        202512,
        202600,
        202701,
        202702,
    ]
    assert summary.month_of(datetime(2025, 12, 31, 23, 30, tzinfo=STOCKHOLM)) == 202512
    assert summary.month_of(month_period(2026, 1).start) == 202601
    assert summary.STOCKHOLM == STOCKHOLM


async def test_a_bulk_statement_on_what_stats_counts_is_refused(db, bot) -> None:
    await submit_idea(Chat(bot, user="anna", name="Anna"), "Tryggare tunnlar")
    with pytest.raises(RuntimeError, match="`stats` counts"):
        async with db.transaction() as session:
            await session.execute(update(Idea).values(stage="closed"))
    with pytest.raises(RuntimeError, match="`stats` counts"):
        async with db.transaction() as session:
            await session.execute(update(Idea), [{"id": 1, "satisfaction": 5}])
    async with db.transaction() as session:  # not counted: allowed
        await session.execute(update(Idea).values(anonymous=True))
    async with db.transaction() as session:  # kept by the caller
        await session.execute(
            update(Idea).values(stage="closed").execution_options(**summary.KEPT_BY_CALLER)
        )
        await summary.rebuild_in(session)
    assert await kept(db) == await recounted(db)
