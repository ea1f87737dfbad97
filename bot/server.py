"""`idesluss serve`: one aiohttp server hosting every configured chat platform, the health
check and the background services (the reminder scheduler and the outbox dispatcher).

Start: each configured platform is mounted (routes, a Sender for proactive messages), then
the background services start. Stop (SIGTERM, SIGINT): the listening socket closes, requests
in progress are answered, turns still running after their answer (Slack acks first and works
afterwards) are finished, the background services stop, and the database is closed.

Limits (serve only): a request's head and then its body must each arrive within
IDESLUSS_READ_TIMEOUT_SECONDS; at most IDESLUSS_MAX_CONNECTIONS connections are open per port,
slow ones making room for new ones; accept() errors are logged once a minute. `/metrics` may
have a token or a port of its own (bot/observability.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import signal
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from aiohttp import web
from aiohttp.streams import StreamReader
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest

from bot import observability, telemetry
from bot.app import IdeaBot
from bot.calendar import load_holidays
from bot.inbox import Inbox, run_recovery
from bot.ports import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    BackgroundService,
    Handler,
    Hook,
    MailSender,
    Platform,
    Sender,
)
from bot.scheduler import Background, start_delivery

log = logging.getLogger(__name__)

# How long a stopping server waits for turns that are still running.
DRAIN_SECONDS = 20.0
HEALTH_CHECK_SECONDS = 3.0


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
# E-mail for those the chat cannot reach (bot/mail.py), or None.
MAIL = web.AppKey("mail", MailSender)
SERVICES = web.AppKey("services", list[BackgroundService])
PLATFORMS = web.AppKey("platforms", list[str])


HOST = web.AppKey("host", object)


def inbox_of(app: web.Application, bot: IdeaBot) -> Inbox:
    """The server's inbox. An application made without build_app (a test or a benchmark
    mounting one platform) gets one too, without the recovery service."""
    if INBOX not in app:
        if INFLIGHT not in app:
            app[INFLIGHT] = InFlight()
        inflight = app[INFLIGHT]
        app[INBOX] = Inbox(bot, spawn=lambda work, name: inflight.spawn(work, name=name))
    return app[INBOX]


def add_service(app: web.Application, service: BackgroundService) -> None:
    """Run `service` for the server's life: started after every platform is mounted, stopped
    (in reverse order) after the last turn has finished."""
    app[SERVICES].append(service)


class ServerHost:
    """What a platform gets when it is mounted (bot.ports.Host): the bot, the inbox, work
    after the answer, and the application's routes, services and hooks, and nothing else
    of the server."""

    def __init__(self, app: web.Application, bot: IdeaBot) -> None:
        self.app = app
        self._bot = bot

    @property
    def bot(self) -> IdeaBot:
        return self._bot

    @property
    def inbox(self) -> Inbox:
        return inbox_of(self.app, self._bot)

    def spawn(self, work: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task[Any]:
        return self.app[INFLIGHT].spawn(work, name=name)

    def add_route(self, method: str, path: str, handler: Handler) -> None:
        self.app.router.add_route(method, path, handler)

    def add_service(self, service: BackgroundService) -> None:
        add_service(self.app, service)

    def on_startup(self, hook: Hook) -> None:
        self.app.on_startup.append(hook)

    def on_shutdown(self, hook: Hook) -> None:
        self.app.on_shutdown.append(hook)

    def on_cleanup(self, hook: Hook) -> None:
        self.app.on_cleanup.append(hook)


def host_for(app: web.Application, bot: IdeaBot) -> ServerHost:
    """The host to mount platforms on `app` with. An application made without build_app (a
    test or a benchmark mounting one platform) gets what build_app would give it: the bot,
    the in-flight turns, the inbox, and its platforms' services started and stopped with
    it (but no delivery or recovery service)."""
    host = app.get(HOST)
    if isinstance(host, ServerHost):
        return host
    host = ServerHost(app, bot)
    app[HOST] = host
    if BOT not in app:
        app[BOT] = bot
    inbox_of(app, bot)
    if SERVICES not in app:
        app[SERVICES] = []
        app.on_startup.append(_start_services)
        app.on_cleanup.append(_stop_services)
    return host


async def _start_services(app: web.Application) -> None:
    for service in app[SERVICES]:
        await service.start()
        log.info("service started", extra={"service": service.name})


async def _stop_services(app: web.Application) -> None:
    await app[INFLIGHT].drain()
    services = app[SERVICES]
    for service in reversed(services):
        try:
            await service.stop()
        except Exception as exc:  # stop the others all the same
            log.error("service %s did not stop cleanly: %s", service.name, type(exc).__name__)


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
            mail=self.app.get(MAIL),
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
    platforms: Sequence[Platform] = (),
    *,
    close_database: bool = True,
    extra_services: Sequence[BackgroundService] = (),
    mail: MailSender | None = None,
) -> web.Application:
    """The whole server as an aiohttp application (tests run it on a loopback port).
    `mail`: the e-mail sender for those the chat cannot reach, made by bot/cli.py."""
    load_holidays()  # ~0.1 s, paid here rather than in the first turn that counts days
    app = web.Application()
    app[BOT] = bot
    if mail is not None:
        app[MAIL] = mail
    app[INFLIGHT] = InFlight()
    inbox_of(app, bot)
    app[SENDERS] = {}
    app[SERVICES] = []  # started and stopped below, after the platforms' own hooks
    app[PLATFORMS] = []
    app.router.add_get("/healthz", _healthz)
    observability.install(app, bot.db)
    host = host_for(app, bot)
    for platform in platforms:
        app[SENDERS][platform.name] = await platform.mount(host)
        app[PLATFORMS].append(platform.name)
        observability.name_routes(app, platform.name, platform.routes)
        log.info("platform mounted", extra={"platform": platform.name})
    for service in (*background_services(app), *extra_services):
        add_service(app, service)

    async def stop_everything(app: web.Application) -> None:
        await _stop_services(app)
        if close_database:
            await bot.db.close()

    app.on_startup.append(_start_services)
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


# ── limits that keep slow or greedy clients from taking the server ───────────────────────

# A request's head (request line and headers) and then its body must each arrive within this
# many seconds. Slack and Teams send a few kilobytes from data centres in milliseconds.
DEFAULT_READ_TIMEOUT_SECONDS = 10.0
DEFAULT_MAX_CONNECTIONS = 500
DEFAULT_BACKLOG = 128
# An idle keep-alive connection is closed after this long: longer than a reverse proxy's
# usual upstream keep-alive (nginx: 60 s), so the proxy closes first and never sends a
# request on a connection we are closing. (aiohttp's own default is an hour.)
KEEPALIVE_SECONDS = 75.0
# Messages about slow clients and accept() errors: at most one line per kind per interval.
NOTICE_INTERVAL_SECONDS = 60.0
# accept() failing for want of file descriptors or memory (asyncio retries after 1 s).
ACCEPT_ERRNOS = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})


class ServerConfigError(ValueError):
    """A server setting that cannot be used, explained in plain words."""


def _descriptor_limit() -> int | None:
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):  # pragma: no cover - not on Linux
        return None
    return None if soft == resource.RLIM_INFINITY else soft


def default_max_connections() -> int:
    """500, or half the process's file-descriptor limit if that is lower: the rest is for
    the database, outgoing HTTP, the listening sockets and accept() bursts (below)."""
    limit = _descriptor_limit()
    if limit is None:
        return DEFAULT_MAX_CONNECTIONS
    return max(8, min(DEFAULT_MAX_CONNECTIONS, limit // 2))


def default_backlog() -> int:
    """The listen backlog, which is also how many connections asyncio accepts in one go
    before any of them reaches the connection cap: 128 (aiohttp's default), less when the
    file-descriptor limit is small, so that a burst cannot exhaust it."""
    limit = _descriptor_limit()
    if limit is None:
        return DEFAULT_BACKLOG
    return max(4, min(DEFAULT_BACKLOG, limit // 8))


@dataclass(frozen=True)
class ServerLimits:
    read_timeout: float = DEFAULT_READ_TIMEOUT_SECONDS
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    keepalive: float = KEEPALIVE_SECONDS
    notice_interval: float = NOTICE_INTERVAL_SECONDS
    backlog: int = DEFAULT_BACKLOG

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ServerLimits:
        raw_timeout = env.get("IDESLUSS_READ_TIMEOUT_SECONDS", "").strip()
        raw_max = env.get("IDESLUSS_MAX_CONNECTIONS", "").strip()
        timeout = DEFAULT_READ_TIMEOUT_SECONDS
        if raw_timeout:
            try:
                timeout = float(raw_timeout)
            except ValueError:
                timeout = -1.0
            if not 0 < timeout <= 600:
                raise ServerConfigError(
                    "IDESLUSS_READ_TIMEOUT_SECONDS must be a number of seconds between 0 and "
                    f"600 (default {DEFAULT_READ_TIMEOUT_SECONDS:g}), not {raw_timeout!r}."
                )
        maximum = default_max_connections()
        if raw_max:
            if not raw_max.isdigit() or int(raw_max) < 2:
                raise ServerConfigError(
                    "IDESLUSS_MAX_CONNECTIONS must be a whole number of at least 2 "
                    f"(default {maximum}), not {raw_max!r}."
                )
            maximum = int(raw_max)
        return cls(read_timeout=timeout, max_connections=maximum, backlog=default_backlog())


class Notices:
    """A warning per kind at most once per interval; the ones held back are counted and
    reported with the next line. (A flood of slow clients must not become a flood of logs.)"""

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self.clock = clock
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def note(self, kind: str, message: str, *args: object) -> None:
        now = self.clock()
        last = self._last.get(kind)
        if last is not None and now - last < self.interval:
            self._held[kind] = self._held.get(kind, 0) + 1
            return
        self._last[kind] = now
        held = self._held.pop(kind, 0)
        if held:
            message += f" ({held} more like this in the last {self.interval:g} s)"
        log.warning(message, *args)


class ConnectionGuard:
    """Counts the open connections of one listening port and keeps them under the cap.

    At the cap, a new connection takes the place of the oldest one that is not being served
    (still sending its head or body, or idle between requests): slow clients are the ones
    that go, and a health check or a real delivery, which sends its request at once, gets
    in. Connections whose request has fully arrived and is being answered are never closed;
    if every connection is such a one, the new connection is refused at once (503)."""

    def __init__(self, limits: ServerLimits) -> None:
        self.limits = limits
        self.notices = Notices(limits.notice_interval)
        self.open: dict[GuardedRequestHandler, None] = {}

    def admit(self, handler: GuardedRequestHandler) -> bool:
        if len(self.open) >= self.limits.max_connections:
            victim = next((h for h in self.open if not h.serving), None)
            if victim is None:
                self.closed(
                    "refused",
                    "connection limit (%d) reached and every connection is being answered: "
                    "refusing new connections",
                    self.limits.max_connections,
                )
                return False
            self.forget(victim)
            victim.close_now(b"503 Service Unavailable")
            self.closed(
                "evicted",
                "connection limit (%d) reached: closing the oldest connections that have "
                "not sent a whole request",
                self.limits.max_connections,
            )
        self.open[handler] = None
        return True

    def forget(self, handler: GuardedRequestHandler) -> None:
        self.open.pop(handler, None)

    def closed(self, reason: str, message: str, *args: object) -> None:
        telemetry.count_closed_connection(reason)
        self.notices.note(reason, message, *args)


class BodyReadTimeout(asyncio.TimeoutError):
    """The request body did not arrive within the read timeout."""


class GuardedRequestHandler(RequestHandler):
    """aiohttp's connection protocol with what it lacks (aiohttp 3.14 has no header or body
    read timeout; its keep-alive timer is not re-armed by a request in progress):

    - the request head must arrive within `read_timeout` of the connection opening (or of
      its first byte on a kept-alive connection), else 408 and close;
    - the body must then arrive within another `read_timeout`, else the handler's read
      fails and the client gets 408 (a handler that does not read it: the connection closes);
    - the guard admits the connection under the connection cap."""

    def __init__(
        self,
        guard: ConnectionGuard,
        manager: web.Server,
        *,
        loop: asyncio.AbstractEventLoop,
        **kwargs: Any,
    ) -> None:
        super().__init__(manager, loop=loop, **kwargs)
        self._guard = guard
        self._refused = False
        self._head_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self._body: StreamReader | None = None  # the body still arriving
        self._body_timed_out = False
        # The request has fully arrived and is being answered: never evicted.
        self.serving = False

    # ── connection life ──

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if not self._guard.admit(self):
            self._refused = True
            _answer_raw(cast(asyncio.Transport, transport), b"503 Service Unavailable")
            return
        super().connection_made(transport)
        self._arm_head_timer()

    def connection_lost(self, exc: BaseException | None) -> None:
        self._cancel_timers()
        if self._refused:
            return
        self._guard.forget(self)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._force_close or self._close or self._upgraded:
            super().data_received(data)
            return
        heads_before = self._request_count
        if data and self._body is None and self._head_timer is None and not self.serving:
            self._arm_head_timer()  # the first byte of the next request's head
        super().data_received(data)
        if self._request_count != heads_before:  # a whole head arrived
            self._cancel_head_timer()
            payload = self._messages[-1][1] if self._messages else None
            if payload is not None and not payload.is_eof():
                self._body = payload
                self._arm_body_timer()
            else:
                self.serving = True
        elif self._body is not None and self._body.is_eof():
            self._body = None
            self._cancel_body_timer()
            self.serving = True

    async def finish_response(
        self, request: BaseRequest, resp: web.StreamResponse, start_time: float | None
    ) -> tuple[web.StreamResponse, bool]:
        try:
            return await super().finish_response(request, resp, start_time)
        finally:
            self.serving = False

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if not self._body_timed_out:
            return super().handle_error(request, status, exc, message)
        # Already counted and logged (rate-limited) when the timer fired.
        if request.writer.output_size > 0:
            raise ConnectionError("response already started; closing")
        response = web.Response(status=408, text="408: the request body did not arrive in time.\n")
        response.force_close()
        return response

    # ── timers ──

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self._loop.call_later(
            self._guard.limits.read_timeout, self._head_too_slow
        )

    def _arm_body_timer(self) -> None:
        self._cancel_body_timer()
        self._body_timer = self._loop.call_later(
            self._guard.limits.read_timeout, self._body_too_slow
        )

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _cancel_body_timer(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def _cancel_timers(self) -> None:
        self._cancel_head_timer()
        self._cancel_body_timer()

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self._force_close or self.serving or self._body is not None:
            return
        self._guard.closed(
            "slow_head",
            "closing connections whose request head did not arrive within %g s",
            self._guard.limits.read_timeout,
        )
        self._guard.forget(self)
        self.close_now(b"408 Request Timeout")

    def _body_too_slow(self) -> None:
        self._body_timer = None
        body = self._body
        if self._force_close or body is None or body.is_eof():
            return
        self._guard.closed(
            "slow_body",
            "closing connections whose request body did not arrive within %g s",
            self._guard.limits.read_timeout,
        )
        self._body_timed_out = True
        self._body = None
        # The handler waiting in request.read() gets BodyReadTimeout and the client a 408;
        # no more of this connection is read.
        body.set_exception(BodyReadTimeout())
        self.close()
        if not self._request_in_progress:  # answered already (the rest was being drained)
            self.force_close()

    def close_now(self, status: bytes) -> None:
        """Close at once, with a short answer if no response has begun on this connection."""
        transport = self.transport
        if transport is not None and not self._request_in_progress:
            _answer_raw(transport, status)
        self.force_close()


def _answer_raw(transport: asyncio.Transport, status: bytes) -> None:
    if transport.is_closing():
        return
    with contextlib.suppress(OSError, RuntimeError):
        transport.write(
            b"HTTP/1.1 " + status + b"\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        )
    transport.close()


class GuardedSite(web.TCPSite):
    """A TCPSite whose connections are GuardedRequestHandlers (aiohttp's site takes the
    runner's Server as the protocol factory; this one wraps it)."""

    def __init__(self, runner: web.BaseRunner, host: str, port: int, guard: ConnectionGuard):
        super().__init__(runner, host, port, backlog=guard.limits.backlog)
        self.guard = guard

    async def start(self) -> None:
        await web.BaseSite.start(self)  # registers the site with its runner
        loop = asyncio.get_running_loop()
        server = self._runner.server
        assert server is not None
        kwargs = dict(server._kwargs)  # what AppRunner(...) gave its RequestHandlers

        def protocol() -> GuardedRequestHandler:
            return GuardedRequestHandler(self.guard, server, loop=loop, **kwargs)

        self._server = await loop.create_server(
            protocol,
            self._host,
            self._port,
            backlog=self._backlog,
            reuse_address=self._reuse_address,
            reuse_port=self._reuse_port,
        )
        sockets = self._server.sockets
        self._bound_port = sockets[0].getsockname()[1] if sockets else self._port


def quiet_accept_errors(loop: asyncio.AbstractEventLoop, notices: Notices) -> Callable[[], None]:
    """Log accept() failures (EMFILE: out of file descriptors …) once per interval, without
    a traceback, instead of asyncio's traceback on every retry. Returns the undo."""
    previous = loop.get_exception_handler()

    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, OSError) and exc.errno in ACCEPT_ERRNOS:
            notices.note(
                "accept",
                "cannot accept connections: %s (connection limit: IDESLUSS_MAX_CONNECTIONS)",
                os.strerror(exc.errno),
            )
            return
        if previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(handle)
    return lambda: loop.set_exception_handler(previous)


@dataclass
class RunningServer:
    """What start_server started; `close()` stops it gracefully."""

    runner: web.AppRunner
    site: GuardedSite
    metrics_runner: web.AppRunner | None
    metrics_site: GuardedSite | None
    undo: Callable[[], None]

    @property
    def port(self) -> int:
        return self.site.port

    @property
    def metrics_port(self) -> int | None:
        return self.metrics_site.port if self.metrics_site is not None else None

    @property
    def guard(self) -> ConnectionGuard:
        return self.site.guard

    async def close(self) -> None:
        try:
            if self.metrics_runner is not None:
                await self.metrics_runner.cleanup()
            await self.runner.cleanup()
        finally:
            self.undo()


async def start_server(
    app: web.Application,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    limits: ServerLimits | None = None,
    metrics: observability.MetricsAccess | None = None,
) -> RunningServer:
    """Start listening (port 0: any free port) with the read timeouts, the connection cap
    and the metrics access in force. Unset `limits`/`metrics` come from the environment."""
    limits = limits or ServerLimits.from_env(os.environ)
    metrics = metrics or observability.MetricsAccess.from_env(os.environ)
    observability.announce(metrics, host, port)
    observability.restrict(app, metrics)
    runner_options: dict[str, Any] = {
        "handle_signals": False,
        "access_log": None,
        "keepalive_timeout": limits.keepalive,
    }
    runner = web.AppRunner(app, **runner_options)
    await runner.setup()
    guard = ConnectionGuard(limits)
    undo = quiet_accept_errors(asyncio.get_running_loop(), guard.notices)
    metrics_runner: web.AppRunner | None = None
    metrics_site: GuardedSite | None = None
    try:
        site = GuardedSite(runner, host, port, guard)
        await site.start()
        if metrics.port is not None:
            metrics_runner = web.AppRunner(
                observability.metrics_app(app, metrics), **runner_options
            )
            await metrics_runner.setup()
            metrics_site = GuardedSite(
                metrics_runner, metrics.host, metrics.port, ConnectionGuard(limits)
            )
            await metrics_site.start()
            log.warning(
                "metrics are served on http://%s:%d/metrics", metrics.host, metrics_site.port
            )
    except BaseException:
        if metrics_runner is not None:
            await metrics_runner.cleanup()
        await runner.cleanup()
        undo()
        raise
    return RunningServer(runner, site, metrics_runner, metrics_site, undo)


async def serve(
    app: web.Application,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    stop: asyncio.Event | None = None,
    limits: ServerLimits | None = None,
    metrics: observability.MetricsAccess | None = None,
) -> None:
    """Run until SIGTERM/SIGINT (or until `stop` is set), then shut down gracefully."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        running = await start_server(app, host, port, limits=limits, metrics=metrics)
        try:
            log.warning("Idésluss is listening on http://%s:%d", host, running.port)
            await stop.wait()
            log.warning("stopping: finishing turns in progress")
        finally:
            await running.close()
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
