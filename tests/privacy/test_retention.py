"""Retention in the scheduled sweep: old drafts go, old messages keep only their envelope."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.reminders import sweep
from storage.models import Dialogue, OutboxMessage
from tests.bot.ideas import submit_idea
from tests.chat import Chat


async def _sweep(bot, clock, settings) -> None:
    await sweep(bot.db, clock.now(), policy=bot.reminder_policy, settings=settings)


async def _drafts(db) -> list[int]:
    async with db.transaction() as session:
        return list((await session.execute(select(Dialogue.person_id))).scalars())


async def _outbox(db) -> list[tuple]:
    async with db.transaction() as session:
        rows = await session.execute(
            select(
                OutboxMessage.kind,
                OutboxMessage.status,
                OutboxMessage.payload,
                OutboxMessage.sent_at.is_not(None),
                OutboxMessage.content_removed_at.is_not(None),
            ).order_by(OutboxMessage.id)
        )
        return [tuple(r) for r in rows]


async def test_an_abandoned_draft_is_deleted_after_the_retention_time(
    bot, anna: Chat, clock, settings, db
) -> None:
    await anna.says("Hej!")
    await anna.says("Cykelparkering vid stadshuset")
    clock.advance(days=29)
    await _sweep(bot, clock, settings)
    assert await _drafts(db) == [1]  # still within 30 days (and nudged, not deleted)
    clock.advance(days=2)
    await _sweep(bot, clock, settings)
    assert await _drafts(db) == []
    # Coming back is simply a new start, not an error.
    await anna.says("Hej igen")
    anna.hears("Hej Anna")


async def test_a_draft_in_use_is_kept_however_old_it_started(
    bot, anna: Chat, clock, settings, db
) -> None:
    await anna.says("Hej!")
    for _ in range(3):
        clock.advance(days=20)
        await anna.says("Cykelparkering vid stadshuset")
        await _sweep(bot, clock, settings)
    assert await _drafts(db) == [1]


async def test_sent_messages_lose_their_content_but_keep_the_delivery_record(
    bot, anna: Chat, maria: Chat, clock, settings, db
) -> None:
    await submit_idea(anna, "Tryggare tunnlar")
    await _sweep(bot, clock, settings)  # the new idea, in Maria's digest
    await maria.receives()  # the digest is delivered
    await maria.says("flytta 1 Hej Anna!")  # a message to Anna, still pending
    clock.advance(days=89)
    await _sweep(bot, clock, settings)
    (notification, news, *_) = await _outbox(db)
    assert notification[1:] == ("sent", notification[2], True, False) and notification[2]
    clock.advance(days=2)
    await _sweep(bot, clock, settings)
    (notification, news, *_) = await _outbox(db)
    assert notification[1:] == ("sent", {}, True, True)
    # Never sent yet (Anna has not been reached): the message is kept whole.
    assert news[1] == "pending" and news[2] and not news[4]


async def test_shorter_retention_times_come_from_the_environment(
    bot, anna: Chat, clock, db
) -> None:
    settings = Settings.from_env(
        {"IDESLUSS_DRAFT_RETENTION_DAYS": "2", "IDESLUSS_OUTBOX_RETENTION_DAYS": "7"}
    )
    assert (settings.draft_retention_days, settings.outbox_retention_days) == (2, 7)
    await anna.says("Hej!")
    clock.advance(days=3)
    await _sweep(bot, clock, settings)
    assert await _drafts(db) == []


@pytest.mark.parametrize("raw", ["0", "-1", "30d", "tre"])
def test_a_bad_retention_setting_stops_the_start(raw: str) -> None:
    with pytest.raises(ValueError, match="IDESLUSS_DRAFT_RETENTION_DAYS"):
        Settings.from_env({"IDESLUSS_DRAFT_RETENTION_DAYS": raw})


async def test_a_dry_run_reports_what_retention_would_delete_and_deletes_nothing(
    bot, anna: Chat, clock, settings, db
) -> None:
    await anna.says("Hej!")
    clock.advance(days=31)
    report = await sweep(
        bot.db, clock.now(), policy=bot.reminder_policy, settings=settings, dry_run=True
    )
    assert report.retention.drafts_deleted == 1
    assert await _drafts(db) == [1]
