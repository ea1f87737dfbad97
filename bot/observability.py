"""What an operator sees: Prometheus metrics on `GET /metrics`, a request id on every request
and log line, and structured JSON logs (one line per event).

Counters and histograms live in one module-level registry (`REGISTRY`): a process serves one
application, and every replica exposes its own. Figures that describe the shared database –
ideas per stage, outbox rows by status and kind (reminders are outbox rows) – are queried at
scrape time from indexed columns (read-only, cached for a few seconds), so every replica
reports the same numbers for them.

`/metrics` is public on the server's port unless IDESLUSS_METRICS_PORT (its own port, on
IDESLUSS_METRICS_HOST, 127.0.0.1 by default) or IDESLUSS_METRICS_TOKEN (a bearer token) is set.

Nothing here reads message text: labels are platforms, command names, stages, kinds, routes.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import generate_latest

from bot import telemetry
from bot.logs import platform_var, request_id_var
from bot.platforms import route_platforms
from storage.database import Database
from storage.metrics import database_counts
from storage.outbox import STATUSES

# Every status an outbox row can have: those the outbox counts, and rows an erasure dropped.
OUTBOX_STATUSES = (*STATUSES, "dropped")

log = logging.getLogger(__name__)

METRICS_PATH = "/metrics"
REQUEST_ID_HEADER = "X-Request-Id"
# A scrape never waits longer than this for the database figures.
SCRAPE_QUERY_SECONDS = 2.0
# The database figures are read at most once per this many seconds, whatever the scrape rate.
FIGURES_MAX_AGE_SECONDS = 5.0
DEFAULT_METRICS_HOST = "127.0.0.1"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
MIN_TOKEN_LENGTH = 16
# The reminder sweep's outbox kinds are "reminder_idle", "reminder_nudge", …
REMINDER_KIND_PREFIX = "reminder_"

REGISTRY = CollectorRegistry(auto_describe=True)

TURNS = Counter(
    "idesluss_turns",
    "Turns handled, by platform and outcome (ok, repeated delivery, error).",
    ["platform", "outcome"],
    registry=REGISTRY,
)
COMMANDS = Counter(
    "idesluss_commands",
    "Commands run, by command name (parse errors as 'not_understood').",
    ["command"],
    registry=REGISTRY,
)
DELIVERY_LATENCY = Histogram(
    "idesluss_delivery_latency_seconds",
    "From an outbox row's creation to its platform accepting it.",
    buckets=(0.1, 0.5, 1, 2.5, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600),
    registry=REGISTRY,
)
DELIVERIES = Counter(
    "idesluss_deliveries",
    "Outbox delivery attempts by this process, by outcome.",
    ["outcome"],
    registry=REGISTRY,
)
CONNECTIONS_CLOSED = Counter(
    "idesluss_connections_closed",
    "Connections the server closed to protect itself, by reason (slow_head, slow_body, "
    "evicted at the connection limit, refused at the limit).",
    ["reason"],
    registry=REGISTRY,
)
HTTP_LATENCY = Histogram(
    "idesluss_http_request_duration_seconds",
    "HTTP requests by route template, method and status.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)

# Path → platform, for the application whose middleware runs: each mounted platform's
# declared routes (bot.ports.Platform.routes), named by bot/server.py.
PLATFORM_ROUTES = web.AppKey("platform_routes", dict[str, str])


# ── the core's counts (bot/telemetry.py) ─────────────────────────────────────────────────


class _PrometheusSink:
    def count_turn(self, platform: str, outcome: str) -> None:
        TURNS.labels(platform, outcome).inc()

    def count_command(self, name: str) -> None:
        COMMANDS.labels(name).inc()

    def count_closed_connection(self, reason: str) -> None:
        CONNECTIONS_CLOSED.labels(reason).inc()

    def count_delivery(self, outcome: str, latency_s: float | None) -> None:
        if latency_s is not None:
            DELIVERY_LATENCY.observe(latency_s)
        DELIVERIES.labels(outcome).inc()


# Importing this module is what makes the core's counts visible: the server imports it
# before it serves anything.
telemetry.use(_PrometheusSink())


# ── the database figures, read at scrape time ────────────────────────────────────────────


class DatabaseFigures:
    """Ideas per stage and outbox rows per status and kind, read in a read-only transaction
    (it never holds SQLite's writer) and kept for `max_age` seconds: a storm of scrapes costs
    at most one query set per interval, and concurrent scrapes share one refresh. The last
    good answer is kept, so a slow or failed query yields slightly old figures (and
    `idesluss_database_figures_ok 0`), never a failed scrape."""

    def __init__(
        self,
        database: Database,
        *,
        max_age: float = FIGURES_MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.database = database
        self.max_age = max_age
        self.clock = clock
        self.stages: dict[str, int] = {}
        self.outbox: dict[tuple[str, str], int] = {}
        self.ok = False
        self.read_at: float | None = None
        self._refreshing = asyncio.Lock()

    def _fresh(self) -> bool:
        return self.read_at is not None and self.clock() - self.read_at < self.max_age

    async def refresh(self) -> None:
        if self._fresh():
            return
        async with self._refreshing:
            if self._fresh():  # another scrape refreshed while this one waited
                return
            try:
                async with asyncio.timeout(SCRAPE_QUERY_SECONDS):
                    counts = await database_counts(self.database)
                self.stages = counts.stages
                self.outbox = counts.outbox
                self.ok = True
            except Exception as exc:
                self.ok = False
                log.warning("metrics: database figures unavailable (%s)", type(exc).__name__)
            # Also after a failure: a database in trouble is asked once per interval.
            self.read_at = self.clock()

    def collect(self) -> list[GaugeMetricFamily]:
        ideas = GaugeMetricFamily("idesluss_ideas", "Ideas per stage.", labels=["stage"])
        for stage, count in sorted(self.stages.items()):
            ideas.add_metric([stage], count)
        outbox = GaugeMetricFamily(
            "idesluss_outbox_messages",
            "Outbox rows by status (pending, sent, failed, withdrawn, dropped) and kind "
            "(reminders are kinds).",
            labels=["status", "kind"],
        )
        for (status, kind), count in sorted(self.outbox.items()):
            outbox.add_metric([status, kind], count)
        totals = GaugeMetricFamily(
            "idesluss_outbox_status", "Outbox rows by status.", labels=["status"]
        )
        for status in OUTBOX_STATUSES:
            totals.add_metric([status], sum(n for (s, _), n in self.outbox.items() if s == status))
        reminders = GaugeMetricFamily(
            "idesluss_reminders",
            "Reminders queued by the sweep, by kind (idle, escalation, parked, giver, nudge) "
            "and status.",
            labels=["kind", "status"],
        )
        for (status, kind), count in sorted(self.outbox.items()):
            if kind.startswith(REMINDER_KIND_PREFIX):
                reminders.add_metric([kind.removeprefix(REMINDER_KIND_PREFIX), status], count)
        ok = GaugeMetricFamily(
            "idesluss_database_figures_ok", "1 if the last scrape's database queries worked."
        )
        ok.add_metric([], 1 if self.ok else 0)
        return [ideas, outbox, totals, reminders, ok]


# ── who may scrape ───────────────────────────────────────────────────────────────────────


class MetricsConfigError(ValueError):
    """A metrics setting that cannot be used, explained in plain words."""


@dataclass(frozen=True)
class MetricsAccess:
    """Where `/metrics` is served and who may read it.

    - `port` set: `/metrics` is served only on `host:port` (default 127.0.0.1, reachable
      from the host or a sidecar, not from the internet); the public port answers 404.
    - `token` set: `/metrics` (on either port) needs `Authorization: Bearer <token>`.
    - neither: `/metrics` is public on the server's port (the old behaviour), with a warning.
    """

    token: str | None = None
    port: int | None = None
    host: str = DEFAULT_METRICS_HOST

    @property
    def public(self) -> bool:
        return self.token is None and self.port is None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> MetricsAccess:
        token = env.get("IDESLUSS_METRICS_TOKEN", "").strip() or None
        if token is not None:
            if len(token) < MIN_TOKEN_LENGTH:
                raise MetricsConfigError(
                    f"IDESLUSS_METRICS_TOKEN is too short ({len(token)} characters); use at "
                    f"least {MIN_TOKEN_LENGTH}, e.g. the output of `openssl rand -hex 32`."
                )
            if not all(33 <= ord(ch) <= 126 for ch in token):
                raise MetricsConfigError(
                    "IDESLUSS_METRICS_TOKEN may only hold visible ASCII characters (no spaces)."
                )
        raw_port = env.get("IDESLUSS_METRICS_PORT", "").strip()
        port: int | None = None
        if raw_port:
            if not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
                raise MetricsConfigError(
                    f"IDESLUSS_METRICS_PORT must be a port number 1–65535, not {raw_port!r}."
                )
            port = int(raw_port)
        host = env.get("IDESLUSS_METRICS_HOST", "").strip() or DEFAULT_METRICS_HOST
        return cls(token=token, port=port, host=host)

    def authorized(self, request: web.Request) -> bool:
        if self.token is None:
            return True
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(given.strip().encode(), self.token.encode())


def announce(access: MetricsAccess, public_host: str, public_port: int) -> None:
    """Say at start where the metrics are, and warn when anyone can read them."""
    if access.port is not None and access.port == public_port:
        raise MetricsConfigError(
            f"IDESLUSS_METRICS_PORT ({access.port}) is the server's own port; pick another "
            "one, or leave it unset and protect /metrics with IDESLUSS_METRICS_TOKEN."
        )
    if access.public:
        log.warning(
            "/metrics is public on %s:%d: anyone who reaches the server can read it. Set "
            "IDESLUSS_METRICS_TOKEN or IDESLUSS_METRICS_PORT (see DEPLOYMENT.md).",
            public_host,
            public_port,
        )
    elif access.token is None and access.host not in LOOPBACK_HOSTS:
        log.warning(
            "/metrics is served without a token on %s:%d; set IDESLUSS_METRICS_TOKEN unless "
            "only the monitoring network reaches it.",
            access.host,
            access.port or public_port,
        )


# ── the web side ─────────────────────────────────────────────────────────────────────────


FIGURES = web.AppKey("database_figures", DatabaseFigures)
ACCESS = web.AppKey("metrics_access", MetricsAccess)


def install(app: web.Application, database: Database) -> None:
    """Add `/metrics` and the request middleware (request id, latency) to the server."""
    figures = DatabaseFigures(database)
    app[FIGURES] = figures
    # Every known platform's routes (also when a test mounts a route by hand); build_app
    # adds those of the platforms it mounts.
    app[PLATFORM_ROUTES] = route_platforms()
    app.middlewares.append(request_middleware)
    app.router.add_get(METRICS_PATH, _metrics)


def name_routes(app: web.Application, platform: str, routes: tuple[str, ...]) -> None:
    """Requests to these paths are the platform's (its name in their log lines)."""
    app[PLATFORM_ROUTES].update(dict.fromkeys(routes, platform))


def restrict(app: web.Application, access: MetricsAccess) -> None:
    """Apply `access` to the `/metrics` of `app` (before the server starts)."""
    app[ACCESS] = access


def metrics_app(main: web.Application, access: MetricsAccess) -> web.Application:
    """`/metrics` alone, for its own port; it shares the main application's figures."""
    app = web.Application()
    app[FIGURES] = main[FIGURES]
    app[ACCESS] = access
    app.router.add_get(METRICS_PATH, _answer_scrape)
    return app


@web.middleware
async def request_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    incoming_id = request.headers.get(REQUEST_ID_HEADER, "")
    # A caller's id is kept when it looks like one (load balancers set it); else a new one.
    request_id = incoming_id if _plausible_id(incoming_id) else uuid.uuid4().hex
    token = request_id_var.set(request_id)
    platform_token = platform_var.set(request.app.get(PLATFORM_ROUTES, {}).get(request.path))
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        response.headers[REQUEST_ID_HEADER] = request_id
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        HTTP_LATENCY.labels(_route_of(request), request.method, str(status)).observe(
            time.perf_counter() - started
        )
        request_id_var.reset(token)
        platform_var.reset(platform_token)


def _plausible_id(value: str) -> bool:
    return 0 < len(value) <= 64 and all(ch.isalnum() or ch in "-_." for ch in value)


def _route_of(request: web.Request) -> str:
    """The route's template (`/slack/events`), never the raw path: bounded label values."""
    route = request.match_info.route
    resource: web.AbstractResource | None = getattr(route, "resource", None)
    if resource is None:
        return "unmatched"
    return resource.canonical


async def _metrics(request: web.Request) -> web.Response:
    """`/metrics` on the public port: not there when the metrics have a port of their own."""
    access = request.app.get(ACCESS)
    if access is not None and access.port is not None:
        raise web.HTTPNotFound()
    return await _answer_scrape(request)


async def _answer_scrape(request: web.Request) -> web.Response:
    access = request.app.get(ACCESS)
    if access is not None and not access.authorized(request):
        raise web.HTTPUnauthorized(
            text="401: /metrics needs Authorization: Bearer <IDESLUSS_METRICS_TOKEN>.\n",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    figures = request.app[FIGURES]
    await figures.refresh()
    body = generate_latest(REGISTRY) + generate_latest(_OneShot(figures))
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


class _OneShot:
    """Lets generate_latest render the database figures without a registry of their own."""

    def __init__(self, figures: DatabaseFigures) -> None:
        self.figures = figures

    def collect(self) -> list[GaugeMetricFamily]:
        return self.figures.collect()
