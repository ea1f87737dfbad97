"""`idesluss serve`: one aiohttp server hosting every configured chat platform, the health
check and the background services (the reminder scheduler and the outbox dispatcher).

Start: each configured platform is mounted (routes, a Sender for proactive messages), then
the background services start. Stop (SIGTERM, SIGINT): the listening socket closes, requests
in progress are answered, turns still running after their answer (Slack acks first and works
afterwards) are finished, the background services stop, and the database is closed.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Coroutine, Sequence
from typing import Any, Protocol

from aiohttp import web

from adapters.base import Sender
from adapters.registry import ConfiguredPlatform
from bot import observability
from bot.app import IdeaBot
from bot.inbox import Inbox, run_recovery
from bot.scheduler import Background, start_delivery

log = logging.getLogger(__name__)

DEFAULT_HOST = "0.0.0.0"
DEFAULT_PORT = 3978
# How long a stopping server waits for turns that are still running.
DRAIN_SECONDS = 20.0
HEALTH_CHECK_SECONDS = 3.0


class BackgroundService(Protocol):
    """Something that runs beside the web server for its whole life."""

    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class InFlight:
    """Work that goes on after its HTTP answer was sent (a Slack turn after ack()). Tracked
    so that a stopping server finishes it instead of cutting a turn in half."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def __len__(self) -> int:
        return len(self._tasks)

    def spawn(self, work: Coroutine[Any, Any, Any], *, name: str = "turn") -> asyncio.Task[Any]:
        task = asyncio.create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            # The type only: exception texts may quote what a person wrote.
            log.error(
                "background work %s failed: %s",
                task.get_name(),
                type(exc).__name__,
                exc_info=exc if log.isEnabledFor(logging.DEBUG) else None,
            )

    async def drain(self, seconds: float = DRAIN_SECONDS) -> bool:
        """Wait for everything in flight (also work started while waiting). False if some
        work was still running after that many `seconds`; that work is then cancelled."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while self._tasks:
            remaining = deadline - loop.time()
            if remaining <= 0:
                for task in list(self._tasks):
                    task.cancel()
                log.warning("stopped with %d turns unfinished", len(self._tasks))
                return False
            await asyncio.wait(list(self._tasks), timeout=remaining)
        return True


BOT = web.AppKey("bot", IdeaBot)
INFLIGHT = web.AppKey("inflight", InFlight)
INBOX = web.AppKey("inbox", Inbox)
SENDERS = web.AppKey("senders", dict[str, Sender])
SERVICES = web.AppKey("services", list[BackgroundService])
PLATFORMS = web.AppKey("platforms", list[str])


def add_service(app: web.Application, service: BackgroundService) -> None:
    """Run `service` for the server's life: started after every platform is mounted, stopped
    (in reverse order) after the last turn has finished."""
    app[SERVICES].append(service)


class DeliveryService:
    """The reminder sweep and the outbox dispatcher (bot/scheduler.py), delivering through
    every mounted platform's Sender. Turns that wrote outbox rows wake it at once."""

    name = "delivery"

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.background: Background | None = None

    async def start(self) -> None:
        bot = self.app[BOT]
        self.background = start_delivery(
            bot.db,
            bot.settings,
            list(self.app[SENDERS].values()),
            clock=bot.clock,
            policy=bot.reminder_policy,
        )
        bot.on_outbox = self.wake

    def wake(self) -> None:
        if self.background is not None:
            self.background.wake()

    async def stop(self) -> None:
        bot = self.app[BOT]
        if bot.on_outbox == self.wake:
            bot.on_outbox = None
        if self.background is not None:
            await self.background.stop_and_finish()
            self.background = None


class InboxRecovery:
    """Runs the inbox queues nobody else runs: at start everything left pending (this server
    or another died with deliveries acknowledged but not handled), then every few seconds
    what a dead replica left behind."""

    name = "inbox recovery"

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox
        self.every = inbox.bot.settings.inbox_recovery_s
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if not self.inbox.platforms:
            return
        self._stop.clear()
        self._task = asyncio.create_task(
            run_recovery(self.inbox, self.every, self._stop, at_start=True), name="inbox recovery"
        )

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None


def background_services(app: web.Application) -> list[BackgroundService]:
    """The services every server runs beside the platforms: the inbox recovery, the reminder
    scheduler and the outbox dispatcher, which delivers through app[SENDERS]."""
    return [InboxRecovery(app[INBOX]), DeliveryService(app)]


async def build_app(
    bot: IdeaBot,
    platforms: Sequence[ConfiguredPlatform] = (),
    *,
    close_database: bool = True,
    extra_services: Sequence[BackgroundService] = (),
) -> web.Application:
    """The whole server as an aiohttp application (tests run it on a loopback port)."""
    app = web.Application()
    app[BOT] = bot
    app[INFLIGHT] = InFlight()
    app[INBOX] = Inbox(bot, spawn=lambda work, name: app[INFLIGHT].spawn(work, name=name))
    app[SENDERS] = {}
    app[SERVICES] = []
    app[PLATFORMS] = []
    app.router.add_get("/healthz", _healthz)
    observability.install(app, bot.db)
    for platform in platforms:
        app[SENDERS][platform.name] = await platform.mount(app, bot)
        app[PLATFORMS].append(platform.name)
        log.info("platform mounted", extra={"platform": platform.name})
    for service in (*background_services(app), *extra_services):
        add_service(app, service)

    async def start_services(app: web.Application) -> None:
        for service in app[SERVICES]:
            await service.start()
            log.info("service started", extra={"service": service.name})

    async def stop_everything(app: web.Application) -> None:
        await app[INFLIGHT].drain()
        for service in reversed(app[SERVICES]):
            try:
                await service.stop()
            except Exception as exc:  # stop the others all the same
                log.error("service %s did not stop cleanly: %s", service.name, type(exc).__name__)
        if close_database:
            await bot.db.close()

    app.on_startup.append(start_services)
    app.on_cleanup.append(stop_everything)
    return app


async def _healthz(request: web.Request) -> web.Response:
    app = request.app
    try:
        async with asyncio.timeout(HEALTH_CHECK_SECONDS):
            await app[BOT].db.check()
    except Exception as exc:
        log.warning("health check: database unavailable (%s)", type(exc).__name__)
        return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)
    return web.json_response(
        {
            "status": "ok",
            "database": "ok",
            "platforms": app[PLATFORMS],
            "turns_in_flight": len(app[INFLIGHT]),
        }
    )


async def serve(
    app: web.Application,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    stop: asyncio.Event | None = None,
) -> None:
    """Run until SIGTERM/SIGINT (or until `stop` is set), then shut down gracefully."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        log.warning("Idésluss is listening on http://%s:%d", host, port)
        await stop.wait()
        log.warning("stopping: finishing turns in progress")
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        await runner.cleanup()
