"""APScheduler (3.x) only *triggers* work; the work itself (`sweep(now)`, a dispatcher pass)
is a plain, idempotent call tested on its own.

Every replica may run a scheduler: 3.x cannot share a job store safely, so nothing relies on
one. The sweep's outbox rows have unique dedupe keys and the dispatcher claims rows with
`FOR UPDATE SKIP LOCKED`, so two replicas doing the same job at once is harmless.

The server calls `start_delivery` on startup (a dispatcher and a scheduler running the sweep
and the dispatcher passes) and keeps the `Background` it returns: a turn that enqueued something
calls its `.wake()` so the message goes out now, not at the next tick, and cleanup calls
`.stop_and_finish()`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)

SWEEP_JOB = "reminder-sweep"
DISPATCH_JOB = "dispatch-outbox"


@dataclass(frozen=True)
class ScheduleSettings:
    sweep_every_s: float = 15 * 60
    dispatch_every_s: float = 15
    # A tick missed (the process was busy or asleep) still runs if this late, at most once.
    misfire_grace_s: int = 60


class DispatchPasses:
    """The dispatcher job. A wake while a pass runs is not lost: the scheduler skips the
    extra run (one instance at a time), so the running pass goes round once more instead,
    and a row committed just after its last claim is not left for the next tick."""

    def __init__(self, work: Callable[[], Awaitable[object]]) -> None:
        self.work = work
        self.again = False
        self.running: asyncio.Task[Any] | None = None

    async def __call__(self) -> None:
        self.running = asyncio.current_task()
        try:
            while True:
                self.again = False
                await self.work()
                if not self.again:
                    return
        finally:
            self.running = None

    def no_more_rounds(self) -> None:
        self.again = False


@dataclass
class Background:
    """What the server keeps between startup and cleanup."""

    scheduler: AsyncIOScheduler
    dispatcher: Any
    passes: DispatchPasses | None = None
    # Jobs running right now (the scheduler starts each as a task of its own).
    running: set[asyncio.Task[Any]] = field(default_factory=set)

    def wake(self) -> None:
        if self.passes is not None:
            self.passes.again = True
        wake_dispatcher(self.scheduler)

    def stop(self) -> None:
        stop_scheduler(self.scheduler)

    async def stop_and_finish(self, seconds: float = 10.0) -> None:
        """Stop triggering, let jobs in progress end (a send is not cut in half; shutting
        the scheduler down would cancel them), then shut down. What still runs after
        `seconds` is cancelled."""
        if self.scheduler.running:
            self.scheduler.pause()
        if self.passes is not None:
            self.passes.no_more_rounds()
        tasks = [task for task in self.running if task is not asyncio.current_task()]
        if tasks:
            await asyncio.wait(tasks, timeout=seconds)
        self.stop()


def start_delivery(
    database: Any,
    settings: Any,
    senders: Any,
    *,
    clock: Any = None,
    policy: Any = None,
    schedule: ScheduleSettings | None = None,
    mail: Any = None,
) -> Background:
    """The server's one call on startup: a dispatcher for `senders` (a Sender per platform)
    and a scheduler running the reminder sweep and the dispatcher. Keep the result; call
    `.wake()` after a turn that enqueued something and `.stop()` on cleanup. `mail`: the
    e-mail sender for those the chat cannot reach (bot/mail.py), or None."""
    from bot.clock import SystemClock
    from bot.dispatcher import Dispatcher
    from bot.reminders import sweep

    clock = clock or SystemClock()
    from bot.dispatcher import DispatchPolicy

    dispatcher = Dispatcher(
        database,
        senders,
        settings=settings,
        clock=clock,
        policy=DispatchPolicy(any_time=getattr(settings, "deliver_any_time", False)),
        mail=mail,
    )
    if schedule is None and settings is not None:
        schedule = ScheduleSettings(
            sweep_every_s=getattr(settings, "sweep_every_s", ScheduleSettings.sweep_every_s),
            dispatch_every_s=getattr(
                settings, "dispatch_every_s", ScheduleSettings.dispatch_every_s
            ),
        )

    async def run_sweep() -> None:
        now = clock.now()
        await sweep(database, now, policy=policy, settings=settings)
        await forget_processed_events(database, now)

    passes = DispatchPasses(dispatcher.run_until_idle)
    running: set[asyncio.Task[Any]] = set()
    scheduler = start_scheduler(run_sweep, passes, schedule, running=running)
    return Background(scheduler, dispatcher, passes, running)


# Platforms retry a delivery for minutes at most; a day is far beyond any retry.
PROCESSED_EVENTS_KEPT = timedelta(days=1)


async def forget_processed_events(database: Any, now: datetime) -> int:
    """Drop the records of handled deliveries older than any retry could be (processed
    event ids, and inbox items whose replies were posted)."""
    from storage.inbox import forget_posted_before
    from storage.processed import forget_events_before

    async with database.transaction() as session:
        events = await forget_events_before(session, now - PROCESSED_EVENTS_KEPT)
        return events + await forget_posted_before(session, now - PROCESSED_EVENTS_KEPT)


def start_scheduler(
    sweep: Callable[[], Awaitable[object]] | None,
    dispatch: Callable[[], Awaitable[object]] | None,
    settings: ScheduleSettings | None = None,
    *,
    running: set[asyncio.Task[Any]] | None = None,
) -> AsyncIOScheduler:
    """Start a scheduler on the running event loop with the sweep and the dispatcher."""
    settings = settings or ScheduleSettings()
    scheduler = AsyncIOScheduler(timezone=UTC)
    common = {
        "coalesce": True,
        "max_instances": 1,
        "misfire_grace_time": settings.misfire_grace_s,
        "replace_existing": True,
    }
    now = datetime.now(UTC)
    if sweep is not None:
        scheduler.add_job(
            _logged(sweep, SWEEP_JOB, running),
            "interval",
            seconds=settings.sweep_every_s,
            id=SWEEP_JOB,
            next_run_time=now,
            **common,
        )
    if dispatch is not None:
        scheduler.add_job(
            _logged(dispatch, DISPATCH_JOB, running),
            "interval",
            seconds=settings.dispatch_every_s,
            id=DISPATCH_JOB,
            next_run_time=now,
            **common,
        )
    scheduler.start()
    return scheduler


def wake_dispatcher(scheduler: AsyncIOScheduler | None) -> None:
    """Run the dispatcher now (a turn enqueued a message). If a pass is already running it
    picks the new row up itself: a pass keeps claiming until nothing is due."""
    if scheduler is None or not scheduler.running:
        return
    job = scheduler.get_job(DISPATCH_JOB)
    if job is not None:
        job.modify(next_run_time=datetime.now(UTC))


def stop_scheduler(scheduler: AsyncIOScheduler | None) -> None:
    """Stop triggering; a job already running finishes on its own (its work is safe to cut:
    an unfinished dispatcher claim simply expires)."""
    if scheduler is not None and scheduler.running:
        scheduler.shutdown(wait=False)


def _logged(
    job: Callable[[], Awaitable[object]],
    name: str,
    running: set[asyncio.Task[Any]] | None = None,
) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        task = asyncio.current_task()
        if running is not None and task is not None:
            running.add(task)
            task.add_done_callback(running.discard)
        try:
            await job()
        except Exception:
            # One failed tick must not stop the next; the traceback only when debugging.
            log.error("%s failed", name, exc_info=log.isEnabledFor(logging.DEBUG))

    run.__name__ = name
    return run
