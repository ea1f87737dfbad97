"""Engine, sessions and migrations for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import URL, Connection, CursorResult, Result, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.summary import SummaryKeepingSession

if TYPE_CHECKING:
    from alembic.config import Config

DEFAULT_DATABASE_URL = "sqlite:///./idesluss.db"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The newest migration (storage/migrations/versions/). A database already there is seen
# without importing Alembic, which costs a command's start ~0.1 s; tests/storage/
# test_migrations.py checks that this is Alembic's head.
HEAD_REVISION = "0007"
ALEMBIC_VERSION_TABLE = "alembic_version"  # Alembic's default, where it keeps the revision
# The PostgreSQL advisory lock held while migrating (any fixed 64-bit number).
MIGRATION_LOCK = 0x1DE5_5155
# Execution option marking a connection whose transactions only read (see Database.read).
READ_ONLY_OPTION = "idesluss_read_only"


def _driver_errors() -> tuple[type[BaseException], ...]:
    # asyncpg raises its own errors, unwrapped by SQLAlchemy, while connecting.
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return ()
    return (asyncpg.PostgresError, asyncpg.InterfaceError)


# Everything that means "the database could not do it" rather than a bug in our code.
DATABASE_ERRORS: tuple[type[BaseException], ...] = (
    SQLAlchemyError,
    OSError,  # includes ConnectionRefusedError and TimeoutError
    *_driver_errors(),
)
# What `Database.check` explains: those, and TypeError for a connect option the driver lacks.
_CHECK_ERRORS: tuple[type[BaseException], ...] = (*DATABASE_ERRORS, TypeError)


class DatabaseError(Exception):
    """A database problem explained in plain words (shown to the person at the keyboard)."""


class InvalidDatabaseUrl(DatabaseError):
    pass


class DatabaseUnavailable(DatabaseError):
    pass


def async_url(raw: str) -> URL:
    """Turn `sqlite:///path` or `postgresql://…` into a URL with the async driver."""
    raw = (raw or "").strip()
    if not raw:
        raise InvalidDatabaseUrl("DATABASE_URL is empty. Example: sqlite:///./idesluss.db")
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        raise InvalidDatabaseUrl(
            f"DATABASE_URL is not a database address: {_without_password(raw)!r}. "
            "Examples: sqlite:///./idesluss.db or postgresql://user@host:5432/idesluss"
        ) from exc
    if url.port is not None and not 0 < url.port < 65536:
        raise InvalidDatabaseUrl(f"DATABASE_URL has port {url.port}; a port is 1–65535.")
    backend = url.get_backend_name()
    if backend == "sqlite":
        if url.database in (None, "", ":memory:"):
            # An in-memory database would vanish between connections and lose every idea.
            raise InvalidDatabaseUrl(
                "DATABASE_URL must name a SQLite file, e.g. sqlite:///./idesluss.db"
            )
        return url.set(drivername="sqlite+aiosqlite")
    if backend in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+asyncpg")
        if "sslmode" in url.query:
            # libpq's spelling, common in hosted PostgreSQL URLs; asyncpg calls it `ssl`.
            sslmode = url.query["sslmode"]
            url = url.difference_update_query(["sslmode"]).update_query_dict({"ssl": sslmode})
        return url
    raise InvalidDatabaseUrl(
        f"DATABASE_URL uses {backend!r}; Idésluss supports sqlite:///… and postgresql://…"
    )


def _without_password(raw: str) -> str:
    """`scheme://user:secret@host` → `scheme://user:***@host`, for messages."""
    return re.sub(r"(://[^:/@]*:)[^/]*@", r"\1***@", raw)  # up to the host's "@"


def _sqlite_on_connect(dbapi_connection: Any, _record: object) -> None:
    # (The driver's own connection: aiosqlite's, adapted by SQLAlchemy; it has no type.)
    # Let SQLAlchemy, not the driver, decide when transactions begin (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets the console chat read while the server writes; busy_timeout makes concurrent
    # writers wait instead of failing at once; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL keeps the database consistent and loses no commit when the process
    # dies; only a power cut or OS crash can undo the last few commits. It spares an fsync
    # per turn, which under load made turns queue for the disk (Teams p99 786 ms → ~70 ms).
    # Production runs on PostgreSQL; this is the laptop and single-host default.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    if conn.get_execution_options().get(READ_ONLY_OPTION):
        # A deferred transaction that only reads takes a snapshot (WAL) and never the write
        # lock, so it does not make writers wait.
        conn.exec_driver_sql("BEGIN")
        return
    # Take the write lock at the start of every transaction: concurrent turns then queue
    # behind busy_timeout instead of failing half-way when a read is upgraded to a write.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class WriterQueue:
    """SQLite's one writer for this process, handed over in arrival order, except that an
    urgent holder (a delivery to acknowledge: one short INSERT while the platform waits)
    goes before the turns already waiting. Fair among equals, like asyncio.Lock."""

    def __init__(self) -> None:
        self._held = False
        self._urgent: collections.deque[asyncio.Future[None]] = collections.deque()
        self._normal: collections.deque[asyncio.Future[None]] = collections.deque()

    @contextlib.asynccontextmanager
    async def hold(self, *, urgent: bool = False) -> AsyncIterator[None]:
        await self._acquire(urgent)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, urgent: bool) -> None:
        if not self._held and not self._urgent and not self._normal:
            self._held = True
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._urgent if urgent else self._normal
        queue.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release()  # handed over just as we gave up: pass it on
            else:
                queue.remove(waiter)
            raise

    def _release(self) -> None:
        for queue in (self._urgent, self._normal):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)  # still held: ownership passes to the waiter
                    return
        self._held = False


class Database:
    """One engine and its session factory."""

    def __init__(self, url: str = DEFAULT_DATABASE_URL, *, echo: bool = False) -> None:
        self.url = async_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": 30}
        else:
            kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=10)
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_on_connect)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin)
        # (Its sessions keep the stats summary in the transaction of each change.)
        self.sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, sync_session_class=SummaryKeepingSession
        )
        # SQLite has one writer at a time, and every transaction here takes the write lock
        # (BEGIN IMMEDIATE). Waiting for it in SQLite's busy handler means sleeping and
        # polling in a thread; queueing on an asyncio lock instead hands it over at once and
        # in arrival order. (Other processes, such as a terminal chat, still meet
        # busy_timeout.)
        self._sqlite_writer = WriterQueue() if self.is_sqlite else None
        self.sqlite_folder = Path(self.url.database or ".").expanduser().absolute().parent

    @property
    def safe_url(self) -> str:
        """The URL without its password, for messages and logs."""
        return self.url.render_as_string(hide_password=True)

    @contextlib.asynccontextmanager
    async def transaction(self, *, urgent: bool = False) -> AsyncIterator[AsyncSession]:
        """A session whose work is committed on success and rolled back on any error.
        `urgent`: a short write someone is waiting on (a platform's acknowledgement); on
        SQLite it takes the writer before the turns already queued."""
        if self._sqlite_writer is None:
            async with self.sessions() as session, session.begin():
                yield session
            return
        writer = self._sqlite_writer.hold(urgent=urgent)
        async with writer, self.sessions() as session, session.begin():
            yield session

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reading only: one consistent snapshot that never waits for, nor
        holds, the writer. On SQLite a deferred BEGIN outside the writer queue (no write
        lock); on PostgreSQL a READ ONLY transaction. Nothing is committed: the transaction
        is rolled back when the block ends."""
        options = {READ_ONLY_OPTION: True}
        if not self.is_sqlite:
            options["postgresql_readonly"] = True
        async with self.engine.connect() as conn:
            await conn.execution_options(**options)
            async with self.sessions(bind=conn) as session:
                yield session
                await session.rollback()

    async def check(self) -> None:
        """Connect once; raise DatabaseUnavailable with a plain explanation if we cannot."""
        if self.is_sqlite and not self.sqlite_folder.is_dir():
            raise DatabaseUnavailable(
                f"The folder for the SQLite database does not exist: {self.sqlite_folder}"
            )
        try:
            async with asyncio.timeout(15), self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except _CHECK_ERRORS as exc:
            raise DatabaseUnavailable(
                f"Cannot reach the database at {self.safe_url}: {_first_line(exc)}"
            ) from exc

    async def upgrade(self) -> None:
        """Apply every pending Alembic migration (the app does this on start)."""
        await self.check()
        if await self._at_head():
            return
        from alembic.util import CommandError

        try:
            async with self.engine.begin() as conn:
                if not self.is_sqlite:
                    # Replicas starting together migrate one after the other: the second
                    # waits here, then finds the schema at head and does nothing.
                    await conn.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                    )
                await conn.run_sync(_run_alembic_upgrade)
        except CommandError as exc:
            # Typically a database already upgraded by a newer version of Idésluss.
            raise DatabaseUnavailable(
                f"The database at {self.safe_url} has a schema this version does not know "
                f"({_first_line(exc)}). Is a newer version of Idésluss using it?"
            ) from exc
        except DATABASE_ERRORS as exc:
            raise DatabaseUnavailable(
                f"Cannot prepare the database at {self.safe_url}: {_first_line(exc)}"
            ) from exc

    async def _at_head(self) -> bool:
        """Whether the schema is at HEAD_REVISION already (the common start). Anything else
        – a new database, an older schema, one a newer version wrote – goes to Alembic.
        Read outside the migration lock: a schema at head is never migrated again."""
        try:
            async with self.read() as session:
                conn = await session.connection()
                return await conn.run_sync(_revisions) == [HEAD_REVISION]
        except DATABASE_ERRORS:
            return False  # Alembic's upgrade then meets the problem and explains it

    async def close(self) -> None:
        await self.engine.dispose()


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _revisions(sync_connection: Connection) -> list[str]:
    if not inspect(sync_connection).has_table(ALEMBIC_VERSION_TABLE):
        return []
    rows = sync_connection.execute(text(f"SELECT version_num FROM {ALEMBIC_VERSION_TABLE}"))
    return [row[0] for row in rows]


def _run_alembic_upgrade(sync_connection: Connection) -> None:
    from alembic import command

    command.upgrade(alembic_config(sync_connection), "head")


def rowcount(result: Result[Any]) -> int:
    """How many rows an UPDATE, DELETE or INSERT matched. (Session.execute is typed to return
    a plain Result; for those statements it is a CursorResult, which counts them.)"""
    return cast("CursorResult[Any]", result).rowcount


def _first_line(exc: BaseException) -> str:
    text_ = str(getattr(exc, "orig", None) or exc) or type(exc).__name__
    return text_.strip().splitlines()[0] if text_.strip() else type(exc).__name__
