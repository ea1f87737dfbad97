"""What an operator sees: Prometheus metrics on `GET /metrics`, a request id on every request
and log line, and structured JSON logs (one line per event).

Counters and histograms live in one module-level registry (`REGISTRY`): a process serves one
application, and every replica exposes its own. Figures that describe the shared database –
ideas per stage, outbox rows by status and kind (reminders are outbox rows) – are queried at
scrape time from indexed columns, so every replica reports the same numbers for them.

Nothing here reads message text: labels are platforms, command names, stages, kinds, routes.
"""

from __future__ import annotations

import contextvars
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import generate_latest
from sqlalchemy import func, select

from storage.database import Database
from storage.models import Idea, OutboxMessage

log = logging.getLogger(__name__)

METRICS_PATH = "/metrics"
REQUEST_ID_HEADER = "X-Request-Id"
# A scrape never waits longer than this for the database figures.
SCRAPE_QUERY_SECONDS = 2.0
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
HTTP_LATENCY = Histogram(
    "idesluss_http_request_duration_seconds",
    "HTTP requests by route template, method and status.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)

# The request being served (and work it spawned: tasks copy the context).
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
# The platform whose endpoint the request came to, for log lines that do not name one.
platform_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("platform", default=None)
PLATFORM_ROUTES = {"/slack/events": "slack", "/api/messages": "msteams"}


# ── hooks the core calls ─────────────────────────────────────────────────────────────────


def count_turn(platform: str, outcome: str) -> None:
    TURNS.labels(platform or "unknown", outcome).inc()


def count_command(name: str) -> None:
    COMMANDS.labels(name).inc()


def observe_delivery(latency_s: float) -> None:
    DELIVERY_LATENCY.observe(max(0.0, latency_s))
    DELIVERIES.labels("sent").inc()


# ── the database figures, read at scrape time ────────────────────────────────────────────


class DatabaseFigures:
    """Ideas per stage and outbox rows per status and kind, queried when scraped. The last
    good answer is kept, so a slow or failed query yields slightly old figures (and
    `idesluss_database_figures_ok 0`), never a failed scrape."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.stages: dict[str, int] = {}
        self.outbox: dict[tuple[str, str], int] = {}
        self.ok = False

    async def refresh(self) -> None:
        import asyncio

        try:
            async with asyncio.timeout(SCRAPE_QUERY_SECONDS):
                async with self.database.transaction() as session:
                    stages = await session.execute(
                        select(Idea.stage, func.count()).group_by(Idea.stage)
                    )
                    outbox = await session.execute(
                        select(OutboxMessage.status, OutboxMessage.kind, func.count()).group_by(
                            OutboxMessage.status, OutboxMessage.kind
                        )
                    )
                    self.stages = {stage: n for stage, n in stages.all()}
                    self.outbox = {(status, kind): n for status, kind, n in outbox.all()}
            self.ok = True
        except Exception as exc:
            self.ok = False
            log.warning("metrics: database figures unavailable (%s)", type(exc).__name__)

    def collect(self) -> list[GaugeMetricFamily]:
        ideas = GaugeMetricFamily("idesluss_ideas", "Ideas per stage.", labels=["stage"])
        for stage, count in sorted(self.stages.items()):
            ideas.add_metric([stage], count)
        outbox = GaugeMetricFamily(
            "idesluss_outbox_messages",
            "Outbox rows by status (pending, sent, failed) and kind (reminders are kinds).",
            labels=["status", "kind"],
        )
        for (status, kind), count in sorted(self.outbox.items()):
            outbox.add_metric([status, kind], count)
        totals = GaugeMetricFamily(
            "idesluss_outbox_status", "Outbox rows by status.", labels=["status"]
        )
        for status in ("pending", "sent", "failed"):
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


# ── the web side ─────────────────────────────────────────────────────────────────────────


FIGURES = web.AppKey("database_figures", DatabaseFigures)


def install(app: web.Application, database: Database) -> None:
    """Add `/metrics` and the request middleware (request id, latency) to the server."""
    figures = DatabaseFigures(database)
    app[FIGURES] = figures
    app.middlewares.append(request_middleware)
    app.router.add_get(METRICS_PATH, _metrics)


@web.middleware
async def request_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    incoming_id = request.headers.get(REQUEST_ID_HEADER, "")
    # A caller's id is kept when it looks like one (load balancers set it); else a new one.
    request_id = incoming_id if _plausible_id(incoming_id) else uuid.uuid4().hex
    token = request_id_var.set(request_id)
    platform_token = platform_var.set(PLATFORM_ROUTES.get(request.path))
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
    resource = getattr(route, "resource", None)
    if resource is None:
        return "unmatched"
    return resource.canonical


async def _metrics(request: web.Request) -> web.Response:
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


# ── logs ─────────────────────────────────────────────────────────────────────────────────

# Attributes every LogRecord has; anything else on a record came from `extra={...}`.
_RECORD_FIELDS = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, and every
    `extra={...}` field (platform, person, idea, outbox …)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        platform = platform_var.get()
        if platform:
            entry["platform"] = platform
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The terminal's format, with the request id and `extra` fields appended."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = {k: v for k, v in vars(record).items() if k not in _RECORD_FIELDS}
        request_id = request_id_var.get()
        if request_id:
            fields["request_id"] = request_id
        if fields:
            line += " " + " ".join(f"{key}={value}" for key, value in sorted(fields.items()))
        return line


def configure_logging(level: int, log_format: str | None = None) -> None:
    """`IDESLUSS_LOG_FORMAT=json` (the container's default) or `text` (the terminal's)."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter() if (log_format or "").lower() == "json" else TextFormatter()
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
