"""/metrics under load and exposure: a scrape reads without the SQLite writer lock, a storm
of scrapes costs one query set per cache interval, and /metrics can ask for a bearer token
or live on a port of its own (the public port then answers 404)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import IdeaBot
from bot.cli import main
from bot.observability import FIGURES
from bot.server import build_app
from storage.database import Database
from storage.metrics import database_counts
from storage.models import OutboxMessage
from storage.outbox import enqueue
from tests.chat import Chat
from tests.ops.serving import free_port, serving, timed_get

TOKEN = "s3cret-scrape-token-0123456789"


def is_figures_query(statement: str) -> bool:
    """Ideas per stage (the stats summary's all-time rows) or the outbox's grouped counts."""
    return "FROM stats_summary" in statement or (
        "GROUP BY" in statement.upper() and "outbox" in statement
    )


async def queue_one(bot: IdeaBot, key: str) -> None:
    """A write turn's worth: one outbox row for person 1 (Anna, made by her first turn)."""
    async with bot.db.transaction() as session:
        await enqueue(
            session,
            dedupe_key=key,
            recipient_id=1,
            kind="reminder_idle",
            payload={},
            now=bot.clock.now(),
        )


async def test_a_scrape_in_progress_does_not_hold_back_a_write_turn(
    bot: IdeaBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not bot.db.is_sqlite:
        pytest.skip("the writer lock is SQLite's")
    inside = asyncio.Event()
    release = asyncio.Event()
    real_execute = AsyncSession.execute

    async def execute(self, statement, *args, **kwargs):
        result = await real_execute(self, statement, *args, **kwargs)
        if is_figures_query(str(statement)):
            inside.set()  # the scrape is in its transaction, mid-way
            await release.wait()
        return result

    await Chat(bot, user="anna", name="Anna Andersson").says("hjälp")
    monkeypatch.setattr(AsyncSession, "execute", execute)
    server = TestServer(await build_app(bot, close_database=False), host="127.0.0.1")
    await server.start_server()
    try:
        scrape = asyncio.create_task(timed_get(server.port, "/metrics"))
        await asyncio.wait_for(inside.wait(), 5)
        started = asyncio.get_running_loop().time()
        try:
            async with asyncio.timeout(2):
                await queue_one(bot, "during-scrape")  # BEGIN IMMEDIATE, a write, COMMIT
            waited = asyncio.get_running_loop().time() - started
        finally:
            release.set()
        status, _ = await scrape
    finally:
        await server.close()
    assert status == 200
    assert waited < 0.5, f"the write waited {waited:.2f} s for the scrape"


async def test_a_scrape_while_another_process_writes_does_not_wait_nor_lock(
    bot: IdeaBot,
) -> None:
    """Another connection (as another process would) holds SQLite's write lock: the scrape's
    figures are read at once from a deferred BEGIN, never BEGIN IMMEDIATE (which would wait
    out busy_timeout, 30 s)."""
    if not bot.db.is_sqlite:
        pytest.skip("the writer lock is SQLite's")
    await Chat(bot, user="anna", name="Anna Andersson").says("hjälp")
    began: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.upper().startswith("BEGIN"):
            began.append(statement.upper())

    other = Database(bot.db.url.render_as_string(hide_password=False).replace("+aiosqlite", ""))
    event.listen(bot.db.engine.sync_engine, "before_cursor_execute", record)
    try:
        async with other.transaction() as writer:
            await writer.execute(text("UPDATE persons SET locale = 'sv'"))  # holds the lock
            started = asyncio.get_running_loop().time()
            async with asyncio.timeout(5):
                counts = await database_counts(bot.db)
            waited = asyncio.get_running_loop().time() - started
    finally:
        event.remove(bot.db.engine.sync_engine, "before_cursor_execute", record)
        await other.close()
    assert waited < 0.5, f"the scrape waited {waited:.2f} s for the writer"
    assert began == ["BEGIN"], began
    assert counts.stages == {}


async def test_a_storm_of_scrapes_queries_the_database_once_per_interval(
    bot: IdeaBot,
) -> None:
    await Chat(bot, user="anna", name="Anna Andersson").says("hjälp")
    app = await build_app(bot, close_database=False)
    seconds = [1000.0]
    app[FIGURES].clock = lambda: seconds[0]
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        if is_figures_query(statement):
            statements.append(statement)

    event.listen(bot.db.engine.sync_engine, "before_cursor_execute", count)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    url = f"http://127.0.0.1:{server.port}/metrics"
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                async with http.get(url) as response:
                    assert response.status == 200
                    await response.read()
            first = len(statements)
            await queue_one(bot, "new")
            seconds[0] += 5.0  # the cache interval has passed
            bodies = []
            for _ in range(100):
                async with http.get(url) as response:
                    bodies.append(await response.text())
            second = len(statements)
            seconds[0] += 5.0
            # Concurrent scrapes as the cache expires share one refresh.
            await asyncio.gather(*(http.get(url) for _ in range(20)))
            third = len(statements)
    finally:
        event.remove(bot.db.engine.sync_engine, "before_cursor_execute", count)
        await server.close()
    assert first == 2, f"{first} figure queries for 100 scrapes (ideas + outbox = 2)"
    assert second - first == 2
    assert third - second == 2
    assert 'idesluss_reminders{kind="idle",status="pending"} 1.0' in bodies[-1]


async def test_the_read_only_session_really_is_read_only_and_leaves_the_pool_writable(
    db: Database,
) -> None:
    if db.is_sqlite:
        async with db.read() as session:  # a deferred BEGIN: the write lock stays free
            await session.execute(text("SELECT 1"))
            async with asyncio.timeout(2), db.transaction() as writer:
                await writer.execute(text("SELECT 1"))
    else:
        with pytest.raises(Exception, match="read-only"):
            async with db.read() as session:
                await session.execute(
                    insert(OutboxMessage).values(
                        dedupe_key="x", recipient_id=1, kind="k", payload={}, status="pending"
                    )
                )
    for _ in range(12):  # more than the pool holds: every pooled connection writes again
        async with db.transaction() as session:
            await session.execute(text("CREATE TEMP TABLE IF NOT EXISTS t (x int)"))


async def test_with_a_token_metrics_need_the_bearer_token(
    bot: IdeaBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IDESLUSS_METRICS_TOKEN", TOKEN)
    app = await build_app(bot, close_database=False)
    async with serving(app) as port:
        missing = await timed_get(port, "/metrics")
        wrong = await timed_get(port, "/metrics", {"Authorization": "Bearer wrong-token"})
        basic = await timed_get(port, "/metrics", {"Authorization": f"Basic {TOKEN}"})
        right = await timed_get(port, "/metrics", {"Authorization": f"Bearer {TOKEN}"})
        health = await timed_get(port, "/healthz")
    assert (missing[0], wrong[0], basic[0]) == (401, 401, 401)
    assert right[0] == 200
    assert health[0] == 200  # the health check needs no token


async def test_metrics_on_their_own_port_and_404_on_the_public_one(
    bot: IdeaBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    metrics_port = free_port()
    monkeypatch.setenv("IDESLUSS_METRICS_PORT", str(metrics_port))
    caplog.set_level(logging.WARNING)
    app = await build_app(bot, close_database=False)
    async with serving(app) as port:
        public = await timed_get(port, "/metrics")
        private = await timed_get(metrics_port, "/metrics")
        health = await timed_get(port, "/healthz")
    assert public[0] == 404
    assert private[0] == 200
    assert health[0] == 200
    assert not any("/metrics is public" in r.getMessage() for r in caplog.records)


async def test_with_nothing_configured_metrics_stay_public_with_a_warning(
    bot: IdeaBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    for name in ("IDESLUSS_METRICS_TOKEN", "IDESLUSS_METRICS_PORT"):
        monkeypatch.delenv(name, raising=False)
    caplog.set_level(logging.WARNING)
    app = await build_app(bot, close_database=False)
    async with serving(app) as port:
        status, _ = await timed_get(port, "/metrics")
    assert status == 200
    assert any("/metrics is public" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("IDESLUSS_METRICS_TOKEN", "short", "IDESLUSS_METRICS_TOKEN is too short"),
        ("IDESLUSS_METRICS_TOKEN", "has a space in it ok", "visible ASCII"),
        ("IDESLUSS_METRICS_PORT", "metrics", "IDESLUSS_METRICS_PORT must be a port"),
        ("IDESLUSS_METRICS_PORT", "3978", "is the server's own port"),
        ("IDESLUSS_READ_TIMEOUT_SECONDS", "soon", "IDESLUSS_READ_TIMEOUT_SECONDS must be"),
        ("IDESLUSS_MAX_CONNECTIONS", "0", "IDESLUSS_MAX_CONNECTIONS must be"),
    ],
)
def test_serve_refuses_unusable_limit_and_metrics_settings(
    name: str, value: str, says: str, monkeypatch: pytest.MonkeyPatch, capsys, tmp_path: Path
) -> None:
    # A database that cannot open: without the check, serve would fail later, differently.
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'missing' / 'x.db'}")
    for prefix in ("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "MicrosoftAppId"):
        monkeypatch.delenv(prefix, raising=False)
    monkeypatch.setenv(name, value)
    assert main(["serve", "--port", "3978"]) == 2
    assert says in capsys.readouterr().err
