"""Shared fixtures: a database per test (SQLite always, PostgreSQL when TEST_DATABASE_URL is
set), an injected clock, the bot, and transcript-style chats."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.app import IdeaBot
from bot.clock import FrozenClock
from bot.config import Settings
from storage.database import Database
from storage.models import Base
from storage.summary import KEPT_BY_CALLER
from tests.chat import Chat
from tests.fakes.smtp_server import FakeSmtp

STOCKHOLM = ZoneInfo("Europe/Stockholm")
PG_ENV = "TEST_DATABASE_URL"

# Real server processes on loopback (several replicas, kill -9) and their fake Slack.
pytest_plugins = ["tests.replicas"]


def _pg_admin_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def pytest_report_header(config: pytest.Config) -> str:
    admin = _pg_admin_url()
    if admin is None:
        return f"databases: SQLite only; set {PG_ENV} to run the PostgreSQL variants too"
    return f"databases: SQLite and PostgreSQL at {make_url(admin).render_as_string()}"


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """One line for the PostgreSQL variants skipped (instead of one per test); any other
    skip is listed with its reason."""
    skipped = terminalreporter.stats.get("skipped", [])
    postgres = [report for report in skipped if PG_ENV in str(report.longrepr)]
    for report in skipped:
        if report not in postgres:
            terminalreporter.write_line(f"SKIPPED {report.nodeid}: {report.longrepr}")
    if postgres:
        terminalreporter.write_line(
            f"{len(postgres)} PostgreSQL variants skipped: {PG_ENV} is not set "
            "(e.g. postgresql://postgres@127.0.0.1:5432/postgres)."
        )


async def _pg_execute(admin_url: str, statement: str) -> None:
    import asyncpg

    url = make_url(admin_url)
    conn = await asyncpg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        database=url.database or "postgres",
    )
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def create_pg_database(admin_url: str) -> str:
    """Create an empty database on the server in `admin_url`; return its URL."""
    name = f"idesluss_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_execute(admin_url, f'CREATE DATABASE "{name}"'))
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(admin_url: str, url: str) -> None:
    name = make_url(url).database
    asyncio.run(_pg_execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """One PostgreSQL database for the whole run, created and dropped here."""
    admin = _pg_admin_url()
    if admin is None:
        pytest.skip(
            f"PostgreSQL tests need {PG_ENV} (e.g. postgresql://postgres@127.0.0.1/postgres)"
        )
    url = create_pg_database(admin)
    yield url
    drop_pg_database(admin, url)


@pytest.fixture
def fresh_pg_url() -> Iterator[str]:
    """An empty PostgreSQL database of this test's own (for migration tests)."""
    admin = _pg_admin_url()
    if admin is None:
        pytest.skip(f"PostgreSQL tests need {PG_ENV}")
    url = create_pg_database(admin)
    yield url
    drop_pg_database(admin, url)


async def _upgrade(url: str) -> None:
    database = Database(url)
    try:
        await database.upgrade()
    finally:
        await database.close()


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, made once; each test gets a copy (migrating is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "idesluss.db"
    asyncio.run(_upgrade(f"sqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def migrated_pg_url(pg_url: str) -> str:
    asyncio.run(_upgrade(pg_url))
    return pg_url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database for this test."""
    if request.param == "sqlite":
        path = tmp_path / "idesluss.db"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite_file"), path)
        return f"sqlite:///{path}"
    return request.getfixturevalue("migrated_pg_url")


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    if not database.is_sqlite:  # the PostgreSQL database is shared: start every test empty
        async with database.transaction() as session:
            # DELETE and resetting the sequences is much faster than TRUNCATE on tiny tables.
            # (Every table, the stats summary too: nothing is left to keep it for.)
            for table in reversed(Base.metadata.sorted_tables):
                await session.execute(table.delete().execution_options(**KEPT_BY_CALLER))
            for table in Base.metadata.sorted_tables:
                if "id" in table.c and table.c.id.autoincrement in (True, "auto"):
                    await session.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), 1, false)"
                        )
                    )
    yield database
    await database.close()


@pytest.fixture
def clock() -> FrozenClock:
    # A Monday morning in Stockholm.
    return FrozenClock(datetime(2026, 6, 15, 9, 0, tzinfo=STOCKHOLM))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, coordinators=frozenset({"console:maria"}))


@pytest.fixture
def bot(db: Database, clock: FrozenClock, settings: Settings) -> IdeaBot:
    return IdeaBot(db, settings=settings, clock=clock)


@pytest.fixture
def anna(bot: IdeaBot) -> Chat:
    return Chat(bot, user="anna", name="Anna Andersson")


@pytest.fixture
def smtp() -> Iterator[FakeSmtp]:
    """A real SMTP server on loopback, for the test alone."""
    server = FakeSmtp().start()
    yield server
    server.stop()
