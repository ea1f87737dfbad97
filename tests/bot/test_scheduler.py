"""The scheduler triggers the sweep and the dispatcher with explicit job settings."""

from __future__ import annotations

import asyncio

from bot.scheduler import (
    DISPATCH_JOB,
    SWEEP_JOB,
    ScheduleSettings,
    start_scheduler,
    stop_scheduler,
    wake_dispatcher,
)


async def test_jobs_run_at_start_with_explicit_settings_and_wake_up_on_demand() -> None:
    sweeps: list[int] = []
    dispatched = asyncio.Event()
    runs: list[int] = []

    async def sweep() -> None:
        sweeps.append(1)

    async def dispatch() -> None:
        runs.append(1)
        dispatched.set()

    scheduler = start_scheduler(
        sweep, dispatch, ScheduleSettings(sweep_every_s=3600, dispatch_every_s=3600)
    )
    try:
        await asyncio.wait_for(dispatched.wait(), 5)
        for job_id in (SWEEP_JOB, DISPATCH_JOB):
            job = scheduler.get_job(job_id)
            assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 60)
        assert sweeps == [1]
        dispatched.clear()
        wake_dispatcher(scheduler)  # an hour early: a turn just enqueued something
        await asyncio.wait_for(dispatched.wait(), 5)
        assert len(runs) == 2
    finally:
        stop_scheduler(scheduler)
    await asyncio.sleep(0)
    assert not scheduler.running
    wake_dispatcher(scheduler)  # harmless once stopped
    stop_scheduler(scheduler)


async def test_a_failing_tick_does_not_stop_the_next() -> None:
    calls: list[int] = []
    first, again = asyncio.Event(), asyncio.Event()

    async def flaky() -> None:
        calls.append(1)
        if len(calls) == 1:
            first.set()
            raise RuntimeError("database away")
        again.set()

    scheduler = start_scheduler(None, flaky, ScheduleSettings(dispatch_every_s=3600))
    try:
        await asyncio.wait_for(first.wait(), 5)
        await asyncio.sleep(0.05)  # let the failed run finish before waking the job again
        wake_dispatcher(scheduler)
        await asyncio.wait_for(again.wait(), 5)
    finally:
        stop_scheduler(scheduler)


async def test_start_delivery_sweeps_and_delivers_until_stopped(db, clock) -> None:
    from bot.config import Settings
    from bot.dispatcher import payload_of
    from bot.scheduler import start_delivery
    from conversations.reply import Reply
    from storage.outbox import enqueue
    from storage.people import upsert_person
    from tests.fakes.senders import FakeSender

    sender = FakeSender(now=clock.now)
    background = start_delivery(
        db,
        Settings(),
        [sender],
        clock=clock,
        schedule=ScheduleSettings(sweep_every_s=3600, dispatch_every_s=3600),
    )
    try:
        async with db.transaction() as session:
            anna = await upsert_person(
                session, "fake", "anna", now=clock.now(), address={"user": "anna"}
            )
            await enqueue(
                session,
                dedupe_key="k1",
                recipient_id=anna.id,
                kind="stage_changed",
                payload=payload_of(Reply("Din idé har gått vidare.")),
                now=clock.now(),
            )
        await asyncio.sleep(0.1)  # let the first (empty) dispatcher pass finish
        background.wake()
        await asyncio.wait_for(sender.entered.wait(), 5)
        await asyncio.wait_for(_until(lambda: background.dispatcher.stats.delivered == 1), 5)
        assert sender.texts_for("anna") == ["Din idé har gått vidare."]
    finally:
        await background.stop_and_finish()


async def _until(condition) -> None:
    # The scheduler runs the job on its own task: poll its visible outcome.
    while not condition():  # noqa: ASYNC110
        await asyncio.sleep(0.01)


async def test_a_wake_during_a_pass_runs_one_more_round() -> None:
    """The scheduler skips a run while one is going; the wake must not be lost with it."""
    from bot.scheduler import DispatchPasses

    rounds = 0
    inside = asyncio.Event()
    go_on = asyncio.Event()

    async def work() -> None:
        nonlocal rounds
        rounds += 1
        if rounds == 1:
            inside.set()
            await go_on.wait()

    passes = DispatchPasses(work)
    running = asyncio.create_task(passes())
    await asyncio.wait_for(inside.wait(), 5)
    passes.again = True  # what Background.wake does while the pass claims
    go_on.set()
    await asyncio.wait_for(running, 5)
    assert rounds == 2
    await passes()  # no wake: one round
    assert rounds == 3


async def test_the_sweep_job_forgets_processed_events_older_than_a_day(db, clock) -> None:
    from datetime import timedelta

    from sqlalchemy import select

    from bot.scheduler import forget_processed_events
    from storage.models import ProcessedEvent
    from storage.processed import claim_event

    async with db.transaction() as session:
        await claim_event(session, "slack:old", now=clock.now() - timedelta(days=1, minutes=1))
        await claim_event(session, "slack:recent", now=clock.now() - timedelta(hours=23))
    assert await forget_processed_events(db, clock.now()) == 1
    async with db.transaction() as session:
        keys = (await session.execute(select(ProcessedEvent.key))).scalars().all()
    assert keys == ["slack:recent"]
