"""The chat platform answers 5xx (or times out) for minutes, or for hours: the dispatcher
backs off exponentially, delivers exactly once when the platform is back, and gives up with
the error on record when it never comes back."""

from __future__ import annotations

from datetime import timedelta

from bot.dispatcher import DispatchPolicy
from bot.ports import RetryLater
from tests.bot.test_dispatcher import dispatcher, person, put, rows
from tests.fakes.senders import FakeSender


async def test_ten_minutes_of_503_then_one_delivery(db, clock) -> None:
    anna = await person(db, "anna", now=clock.now())
    await put(db, anna, "k1", "Din idé har gått vidare.", clock.now())
    start = clock.now()
    outage = [RetryLater("503 Service Unavailable")] * 6 + [RetryLater("timeout")]
    sender = FakeSender(now=clock.now, script=[*outage, None])
    d = dispatcher(db, sender, clock)
    base = DispatchPolicy().base_delay

    waits = []
    for attempt in range(1, 8):
        await d.run_until_idle()
        [row] = await rows(db)
        assert row.status == "pending" and row.attempts == attempt
        wait = (row.not_before - clock.now()).total_seconds()
        # base · 2^(n−1), jittered between half and whole: never a tight loop.
        assert base * 2 ** (attempt - 1) / 2 <= wait <= base * 2 ** (attempt - 1), attempt
        waits.append(wait)
        clock.advance(seconds=wait / 2)
        assert await d.run_until_idle() == 0  # nothing before its time
        clock.set(row.not_before)
    await d.run_until_idle()
    [row] = await rows(db)
    assert (row.status, row.attempts, row.last_error) == ("sent", 8, None)
    assert sender.texts_for("anna") == ["Din idé har gått vidare."]  # once
    assert clock.now() - start >= timedelta(minutes=10)


async def test_an_outage_of_hours_ends_in_failed_with_the_error(db, clock) -> None:
    anna = await person(db, "anna", now=clock.now())
    await put(db, anna, "k1", "Hej", clock.now())
    sender = FakeSender(now=clock.now, script=[RetryLater("502 Bad Gateway")] * 20)
    d = dispatcher(db, sender, clock)
    for _ in range(20):
        await d.run_until_idle()
        [row] = await rows(db)
        if row.status != "pending":
            break
        clock.set(row.not_before)
    assert (row.status, row.last_error) == ("failed", "502 Bad Gateway")
    assert sender.calls == DispatchPolicy().max_attempts and sender.delivered == []
