"""DATABASE_URL, migrations from an empty database, and the migrated schema matching the
models, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from storage.database import Database, DatabaseUnavailable, InvalidDatabaseUrl, async_url
from storage.models import Base

# ── DATABASE_URL ─────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("raw", "driver", "database"),
    [
        ("sqlite:///idesluss.db", "sqlite+aiosqlite", "idesluss.db"),
        ("sqlite:///./data/idesluss.db", "sqlite+aiosqlite", "./data/idesluss.db"),
        (
            "sqlite:////var/lib/idesluss/idesluss.db",
            "sqlite+aiosqlite",
            "/var/lib/idesluss/idesluss.db",
        ),
        ("sqlite+aiosqlite:///idesluss.db", "sqlite+aiosqlite", "idesluss.db"),
        ("postgresql://idesluss:secret@db.example:5432/idesluss", "postgresql+asyncpg", "idesluss"),
        ("postgres://idesluss@db.example/idesluss", "postgresql+asyncpg", "idesluss"),
        ("postgresql+asyncpg://db.example/idesluss", "postgresql+asyncpg", "idesluss"),
        ("postgresql+psycopg2://db.example/idesluss", "postgresql+asyncpg", "idesluss"),
        ("  sqlite:///idesluss.db\n", "sqlite+aiosqlite", "idesluss.db"),
    ],
)
def test_database_urls_get_the_async_driver(raw: str, driver: str, database: str) -> None:
    url = async_url(raw)
    assert (url.drivername, url.database) == (driver, database)


def test_libpq_sslmode_becomes_asyncpgs_ssl() -> None:
    url = async_url("postgresql://db.example/idesluss?sslmode=require&application_name=idesluss")
    assert dict(url.query) == {"ssl": "require", "application_name": "idesluss"}


def test_a_password_stays_out_of_the_printable_url() -> None:
    database = Database("postgresql://idesluss:hemligt@db.example/idesluss")
    assert "hemligt" not in database.safe_url and "***" in database.safe_url


@pytest.mark.parametrize(
    ("raw", "explanation"),
    [
        ("", "DATABASE_URL is empty"),
        ("   ", "DATABASE_URL is empty"),
        ("idesluss.db", "is not a database address"),
        ("not a url at all", "is not a database address"),
        ("postgresql://user@host:notaport/db", "is not a database address"),
        ("postgresql://user@host:99999/db", "a port is 1–65535"),
        ("mysql://user@host/db", "Idésluss supports sqlite:///… and postgresql://…"),
        ("http://example.org", "Idésluss supports sqlite:///… and postgresql://…"),
        ("sqlite://", "must name a SQLite file"),
        ("sqlite:///:memory:", "must name a SQLite file"),
        ("sqlite://idesluss.db", "must name a SQLite file"),
    ],
)
def test_bad_database_urls_are_explained(raw: str, explanation: str) -> None:
    with pytest.raises(InvalidDatabaseUrl, match=re.escape(explanation)):
        async_url(raw)


@pytest.mark.parametrize("password", ["hemligt", "hem@ligt", "hem:ligt"])
def test_a_malformed_url_does_not_print_its_password(password: str) -> None:
    with pytest.raises(InvalidDatabaseUrl) as caught:
        async_url(f"postgresql://anna:{password}@host:port/db")
    assert "ligt" not in str(caught.value) and "anna:***@host" in str(caught.value)


async def test_an_unreachable_server_is_explained() -> None:
    database = Database("postgresql://idesluss:hemligt@127.0.0.1:1/idesluss")
    try:
        with pytest.raises(DatabaseUnavailable, match="Cannot reach the database at") as caught:
            await database.upgrade()
        assert "hemligt" not in str(caught.value)
    finally:
        await database.close()


async def test_a_missing_postgresql_database_or_user_is_explained(pg_url: str) -> None:
    server = make_url(pg_url)
    for url, reason in (
        (server.set(database="idesluss_no_such_database"), "does not exist"),
        (server.set(username="idesluss_no_such_user"), "does not exist"),
        (server.update_query_dict({"no_such_option": "1"}), "no_such_option"),
    ):
        database = Database(url.render_as_string(hide_password=False))
        try:
            with pytest.raises(DatabaseUnavailable, match=reason):
                await database.upgrade()
        finally:
            await database.close()


async def test_a_sqlite_file_in_a_missing_folder_is_explained(tmp_path) -> None:
    path = tmp_path / "no" / "such" / "folder" / "idesluss.db"
    database = Database(f"sqlite:///{path}")
    try:
        with pytest.raises(DatabaseUnavailable, match=r"folder .* does not exist"):
            await database.upgrade()
    finally:
        await database.close()
    assert not path.parent.exists()


async def test_a_file_that_is_not_a_database_is_explained(tmp_path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"Mina anteckningar om ideer. " * 200)
    database = Database(f"sqlite:///{path}")
    try:
        with pytest.raises(DatabaseUnavailable, match="file is not a database"):
            await database.upgrade()
    finally:
        await database.close()
    assert path.read_bytes() == b"Mina anteckningar om ideer. " * 200  # left untouched


async def test_a_database_from_a_newer_version_is_explained(db: Database) -> None:
    async with db.transaction() as session:
        await session.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(DatabaseUnavailable, match="Is a newer version of Idésluss using it"):
        await db.upgrade()
    async with db.transaction() as session:
        version = (await session.execute(text("SELECT version_num FROM alembic_version"))).all()
        await session.execute(text("UPDATE alembic_version SET version_num = '0007'"))
    assert version == [("0099",)]


# ── migrations ───────────────────────────────────────────────────────────────────────────


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return request.getfixturevalue("fresh_pg_url")


def _schema_differences(sync_connection) -> list:
    context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
    return compare_metadata(context, Base.metadata)


async def test_migrations_build_the_models_schema_from_an_empty_database(
    empty_database_url: str,
) -> None:
    database = Database(empty_database_url)
    try:
        async with database.engine.connect() as conn:
            tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        assert tables == []

        await database.upgrade()
        async with database.engine.connect() as conn:
            tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
            differences = await conn.run_sync(_schema_differences)
            version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
        assert tables == {*Base.metadata.tables, "alembic_version"}
        assert differences == []
        assert version == [("0007",)]

        await database.upgrade()  # again: nothing to do, nothing breaks
        async with database.engine.connect() as conn:
            version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
        assert version == [("0007",)]

        # The comparison can fail: a table the models do not know is reported.
        async with database.engine.begin() as conn:
            await conn.execute(text("CREATE TABLE stray (id INTEGER PRIMARY KEY)"))
        async with database.engine.connect() as conn:
            differences = await conn.run_sync(_schema_differences)
        assert [d[0] for d in differences] == ["remove_table"]
    finally:
        await database.close()


async def test_upgrading_keeps_what_is_stored(db: Database) -> None:
    async with db.transaction() as session:
        await session.execute(
            text(
                "INSERT INTO coordinators (qualified_id, added_by, created_at) "
                "VALUES ('console:maria', NULL, CURRENT_TIMESTAMP)"
            )
        )
    await db.upgrade()
    async with db.transaction() as session:
        rows = (await session.execute(text("SELECT qualified_id FROM coordinators"))).all()
    assert rows == [("console:maria",)]


def test_every_migration_names_itself_in_one_line() -> None:
    # Alembic logs a migration's first paragraph as "Running upgrade 0004 -> 0005, <it>": a
    # second line would be a log line of its own, without time or level.
    from pathlib import Path

    versions = Path(__file__).resolve().parents[2] / "storage" / "migrations" / "versions"
    for script in sorted(versions.glob("0*.py")):
        docstring = script.read_text(encoding="utf-8").split('"""')[1]
        assert "\n" not in docstring.split("\n\n")[0], script.name


def test_the_newest_revision_known_in_code_is_alembics_head() -> None:
    # A new migration must move HEAD_REVISION too, or an up-to-date database would look
    # out of date (harmless, Alembic runs) and a migrated one would be skipped (not).
    from alembic.script import ScriptDirectory

    from storage.database import HEAD_REVISION, alembic_config

    assert ScriptDirectory.from_config(alembic_config()).get_heads() == [HEAD_REVISION]


async def test_a_database_at_head_is_opened_without_alembic(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storage.database

    def alembic_ran(_connection: object) -> None:
        raise AssertionError("Alembic ran")

    monkeypatch.setattr(storage.database, "_run_alembic_upgrade", alembic_ran)
    await db.upgrade()  # at head: nothing to do, and Alembic is not asked

    async with db.transaction() as session:
        await session.execute(text("UPDATE alembic_version SET version_num = '0006'"))
    with pytest.raises(AssertionError, match="Alembic ran"):
        await db.upgrade()  # one migration behind: Alembic is asked (and here refuses)
    async with db.transaction() as session:
        await session.execute(text("UPDATE alembic_version SET version_num = '0007'"))
