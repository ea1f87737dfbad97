"""Acknowledged Slack work survives a crash, and one person's messages are handled in the
order they were written, across replicas that die and come back.

Real `idesluss serve` processes on loopback, signed Slack requests from the test, and a fake
Slack Web API in the test process. `kill -9` gives a process no chance to finish anything:
what it acknowledged must be in the database already (the inbox) and be run, and answered
exactly once, by whichever process comes next."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from bench.slack_load import DIALOGUE, _click_body, _event_body
from storage.database import Database
from storage.models import Idea, InboxItem, Person
from tests.fakes.slack_api import FakeSlackApi
from tests.replicas import Replica, replica_env, until


@pytest.fixture(params=["sqlite", "postgresql"])
def crash_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'crash.db'}"
    return request.getfixturevalue("fresh_pg_url")


def crash_env(database_url: str, api: FakeSlackApi) -> dict[str, str]:
    return {
        **replica_env(database_url, api),
        # A dead poster's replies are taken over soon, and orphans looked for often.
        "IDESLUSS_INBOX_LEASE_SECONDS": "2",
        "IDESLUSS_INBOX_RECOVERY_SECONDS": "0.3",
    }


def kill_hard(replica: Replica) -> None:
    assert replica.process is not None
    replica.process.send_signal(signal.SIGKILL)


async def inbox_items(database_url: str) -> list[InboxItem]:
    database = Database(database_url)
    try:
        async with database.transaction() as session:
            return list((await session.execute(select(InboxItem))).scalars())
    finally:
        await database.close()


async def test_kill_9_after_acknowledged_events_loses_none_and_answers_each_once(
    crash_database_url: str, slack_api: FakeSlackApi, http: aiohttp.ClientSession
) -> None:
    env = crash_env(crash_database_url, slack_api)
    replica = await Replica(env).start()
    await replica.healthy(http)

    # What one answer to "Hej!" is: the messages a person who is not interrupted gets.
    control = "UCONTROL1"
    assert await replica.post(http, *_event_body(control, "Hej!", 0)) == 200

    async def control_answered() -> bool:
        return slack_api.posted["D" + control[1:]] > 0

    await until(control_answered, what="the control answer")
    await asyncio.sleep(0.5)  # every message of that answer
    one_answer = slack_api.posted["D" + control[1:]]

    # Slack is slow now: turns are queued and half-posted when the process dies.
    slack_api.delays["chat.postMessage"] = 0.15
    users = [f"UKILL{n:04d}" for n in range(60)]

    async def one(user: str) -> str | None:
        status = await replica.post(http, *_event_body(user, "Hej!", 0))
        return user if status == 200 else None

    acknowledged = [u for u in await asyncio.gather(*(one(u) for u in users)) if u]
    kill_hard(replica)
    await replica.process.wait()
    dead_err = (await replica.process.stderr.read()).decode()
    print(
        "DEAD:",
        "\n".join(
            line
            for line in dead_err.splitlines()
            if "warn" in line.lower() or "error" in line.lower()
        )[:3000],
    )
    answered_before = sum(1 for u in acknowledged if slack_api.posted["D" + u[1:]] > 0)
    assert len(acknowledged) == 60
    assert answered_before < 60  # the kill really came in the middle of the work

    slack_api.delays.clear()
    restarted = await Replica(env).start()
    try:
        await restarted.healthy(http)

        async def all_posted() -> bool:
            items = await inbox_items(crash_database_url)
            return len(items) == 61 and all(item.status == "posted" for item in items)

        await until(all_posted, seconds=30, what="every acknowledged turn to be answered")
        await asyncio.sleep(0.5)  # nothing more arrives late
    finally:
        code, err = await restarted.stop()
    print(
        "\n".join(
            line for line in err.splitlines() if "warn" in line.lower() or "error" in line.lower()
        )[:3000]
    )
    assert code == 0, err[-2000:]
    for user in acknowledged:
        # Run once and answered once: as many messages as one uninterrupted answer.
        assert slack_api.posted["D" + user[1:]] == one_answer, (
            user,
            slack_api.posted["D" + user[1:]],
            one_answer,
        )
    database = Database(crash_database_url)
    try:
        async with database.transaction() as session:
            people = (await session.execute(select(Person.platform_user_id))).scalars().all()
    finally:
        await database.close()
    assert set(acknowledged) <= set(people)


@pytest.mark.parametrize("stop", ["kill -9", "sigterm"])
async def test_two_replicas_with_one_restarted_mid_traffic_complete_every_dialogue_in_order(
    fresh_pg_url: str, slack_api: FakeSlackApi, http: aiohttp.ClientSession, stop: str
) -> None:
    """40 people tell an idea, each message to the other replica than the one before, as a
    load balancer without sticky sessions would. One replica is stopped half-way and started
    again; a message that finds it gone is resent to the other (Slack retries). Every idea
    arrives whole, every answer in its own field."""
    env = crash_env(fresh_pg_url, slack_api)
    replicas = [await Replica(env).start(), await Replica(env).start()]
    await asyncio.gather(*(replica.healthy(http) for replica in replicas))
    people = [f"UPAIR{n:04d}" for n in range(40)]
    restarted = asyncio.Event()

    async def send(n: int, body: tuple[bytes, str]) -> None:
        for attempt in range(40):
            replica = replicas[(n + attempt) % 2]
            try:
                if await replica.post(http, *body) == 200:
                    return
            except aiohttp.ClientError:
                pass  # that replica is down: Slack sends it again, the balancer elsewhere
            await asyncio.sleep(0.05)
        raise AssertionError("no replica took the message")

    async def tell(person: str) -> None:
        for n, (kind, what) in enumerate(DIALOGUE):
            body = _event_body(person, what, n) if kind == "say" else _click_body(person, what)
            await send(n, body)
            await asyncio.sleep(0.3)

    async def restart_one() -> None:
        await asyncio.sleep(1.5)
        victim = replicas[1]
        if stop == "kill -9":
            kill_hard(victim)
            await victim.process.wait()
        else:
            code, err = await victim.stop()
            assert code == 0, err[-2000:]
        await asyncio.sleep(1.0)
        replicas[1] = await Replica(env).start()
        await replicas[1].healthy(http)
        restarted.set()

    try:
        await asyncio.gather(restart_one(), *(tell(person) for person in people))
        assert restarted.is_set()

        async def all_posted() -> bool:
            items = await inbox_items(fresh_pg_url)
            return all(item.status == "posted" for item in items)

        await until(all_posted, seconds=30, what="every turn to be answered")
        database = Database(fresh_pg_url)
        try:
            async with database.transaction() as session:
                ideas = (await session.execute(select(Idea))).scalars().all()
                owners = dict(
                    (await session.execute(select(Person.id, Person.platform_user_id))).all()
                )
        finally:
            await database.close()
    finally:
        for replica in replicas:
            await replica.stop()
    by_person = {owners[idea.person_id]: idea for idea in ideas}
    assert sorted(by_person) == people, f"{len(by_person)} of {len(people)} ideas arrived"
    assert len(ideas) == len(people)  # and none twice
    for person, idea in by_person.items():
        assert idea.title == "Tryggare tunnlar", person
        assert idea.need.startswith("Många är rädda"), person
        assert idea.description.startswith("Bättre belysning"), person
        assert idea.benefit.startswith("Invånare som går där"), person
        assert idea.workplace == "Kultur och fritid, fritidsgården Väster", person
