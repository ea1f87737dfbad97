"""The PostgreSQL server drops the turn's connection half-way (an administrator, a failover,
a restart): the person is told to try again, nothing half-written is kept, and trying again
works."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from bot import app as app_module
from bot.commands import privacy
from storage.models import CoordinatorNews, Dialogue, Idea, IdeaEvent, OutboxMessage, Person
from tests.bot.test_intake_navigation import answer_up_to
from tests.chat import Chat

TRY_AGAIN = "Förlåt, jag kommer inte åt mina anteckningar just nu."


async def _terminate(database_url: str, session) -> None:
    """Kill the server process behind this session's connection, from another connection."""
    pid = await session.scalar(text("SELECT pg_backend_pid()"))
    url = make_url(database_url)
    admin = await asyncpg.connect(
        host=url.host, port=url.port or 5432, user=url.username, database=url.database
    )
    try:
        await admin.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()


def _kill_once(database_url: str, original):
    killed = []

    async def wrapper(session, *args, **kwargs):
        if not killed:
            killed.append(True)
            await _terminate(database_url, session)
        return await original(session, *args, **kwargs)

    return wrapper, killed


async def _count(db, model) -> int:
    async with db.transaction() as session:
        return await session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def postgres_only(db) -> None:
    if db.is_sqlite:
        pytest.skip("terminates a PostgreSQL server process")


async def test_a_connection_killed_while_submitting_keeps_nothing_half_written(
    postgres_only, bot, anna: Chat, db, database_url, monkeypatch
) -> None:
    await answer_up_to(anna, "summary")
    await anna.says("Kultur och fritid")
    anna.hears("Skicka in")
    wrapper, killed = _kill_once(database_url, app_module.notify_coordinators_of_new_idea)
    monkeypatch.setattr(app_module, "notify_coordinators_of_new_idea", wrapper)

    await anna.says("skicka")  # the idea row is written, then the connection dies
    assert killed
    anna.hears(TRY_AGAIN)
    assert await _count(db, Idea) == 0 and await _count(db, IdeaEvent) == 0
    assert await _count(db, OutboxMessage) == 0 and await _count(db, CoordinatorNews) == 0
    async with db.transaction() as session:
        assert (await session.execute(select(Dialogue.step))).scalar_one() == "summary"

    await anna.says("skicka")  # the pool has replaced the dead connection
    anna.hears("har nummer")
    assert await _count(db, Idea) == 1 and await _count(db, IdeaEvent) == 1
    assert await _count(db, OutboxMessage) == 0
    assert await _count(db, CoordinatorNews) == 1  # Maria's news of it, once, for her digest


async def test_a_connection_killed_while_forgetting_erases_nothing_or_everything(
    postgres_only, bot, db, database_url, monkeypatch
) -> None:
    anna = Chat(bot, user="U07ANNA9X", name="Anna Zetterqvist")
    await answer_up_to(anna, "summary")
    await anna.says("Kultur och fritid")
    await anna.says("skicka")
    original = privacy.erase_person
    killed = []

    async def dying_erasure(session, person, **kwargs):
        result = await original(session, person, **kwargs)
        if not killed:  # after every change is flushed, before the commit
            killed.append(True)
            await _terminate(database_url, session)
        return result

    monkeypatch.setattr(privacy, "erase_person", dying_erasure)
    await anna.says("/idea glöm mig")
    await anna.clicks("Ja, glöm mig")
    anna.hears(TRY_AGAIN)
    async with db.transaction() as session:
        names = list(
            (
                await session.execute(
                    select(Person.display_name).where(Person.display_name.is_not(None))
                )
            ).scalars()
        )
        assert names == ["Anna Zetterqvist"]  # not half-forgotten

    await anna.says("/idea glöm mig")
    await anna.clicks("Ja, glöm mig")
    anna.hears("Jag har glömt dig")
    async with db.transaction() as session:
        names = list(
            (
                await session.execute(
                    select(Person.display_name).where(Person.display_name.is_not(None))
                )
            ).scalars()
        )
        assert names == ["Tidigare medarbetare 1"]
