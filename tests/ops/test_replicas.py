"""Two real `idesluss serve` processes on one PostgreSQL database behave as one bot; a replica
stopped with SIGTERM in the middle of a burst loses no turn it acknowledged.

Slack is played by the test: signed Events API and interactivity requests (the load
generator's, bench/slack_load.py) go to the replicas over loopback, and the replicas talk to
a fake Slack Web API running in the test process."""

from __future__ import annotations

import asyncio
import json

import aiohttp
from sqlalchemy import select, text, update

from adapters.slack.render import render_messages
from bench.slack_load import DIALOGUE, _click_body, _event_body
from conversations.reply import replies_from_payload
from storage.database import Database
from storage.models import Idea, InboxItem, OutboxMessage
from storage.summary import KEPT_BY_CALLER, rebuild_in
from tests.fakes.slack_api import FakeSlackApi
from tests.replicas import COORDINATOR, Replica, metric, replica_env, until


async def test_two_replicas_on_one_database_behave_as_one_bot(
    fresh_pg_url: str, slack_api: FakeSlackApi, http: aiohttp.ClientSession
) -> None:
    env = replica_env(fresh_pg_url, slack_api)
    # Both start at once on an empty database: one migrates, the other waits for it.
    replicas = [await Replica(env).start(), await Replica(env).start()]
    database = Database(fresh_pg_url)
    try:
        await asyncio.gather(*(replica.healthy(http) for replica in replicas))

        async def turn(replica: Replica, user: str, body: bytes, content_type: str) -> None:
            channel = "D" + user[1:]
            before = slack_api.posted[channel]
            assert await replica.post(http, body, content_type) == 200

            async def answered() -> bool:
                return slack_api.posted[channel] > before

            await until(answered, what=f"an answer to {user}")

        # Maria, the coordinator, has talked to the bot (so it knows where to reach her).
        await turn(replicas[0], COORDINATOR, *_event_body(COORDINATOR, "hjälp", 0))

        # Anna tells her idea, every turn to the other replica than the one before.
        anna = "UANNA0001"
        retried: tuple[bytes, str] | None = None
        for n, (kind, what) in enumerate(DIALOGUE):
            body = _event_body(anna, what, n) if kind == "say" else _click_body(anna, what)
            await turn(replicas[n % 2], anna, *body)
            if n == 1:
                retried = body  # the title, "Tryggare tunnlar", handled by replica 1
        said = [call.text for call in slack_api.calls_to("chat.postMessage")]
        assert any("nummer 1" in text_ for text_ in said), said

        # Slack retries the title's delivery, and this time it reaches replica 0.
        assert retried is not None
        repeated_before = metric(
            await replicas[0].metrics(http), "idesluss_turns_total",
            platform="slack", outcome="repeated",
        )  # fmt: skip
        posted_before = slack_api.posted["DANNA0001"]
        assert await replicas[0].post(http, *retried, **{"X-Slack-Retry-Num": "1"}) == 200

        async def recognised() -> bool:
            samples = await replicas[0].metrics(http)
            seen = metric(samples, "idesluss_turns_total", platform="slack", outcome="repeated")
            return seen == repeated_before + 1

        await until(recognised, what="the retry to be recognised")
        assert slack_api.posted["DANNA0001"] == posted_before  # nothing said twice

        async with database.transaction() as session:
            [idea] = (await session.execute(select(Idea))).scalars().all()
        assert idea.title == "Tryggare tunnlar"
        assert idea.need.startswith("Många är rädda")  # the retry was not taken as an answer

        # Both replicas report the shared figures alike.
        for replica in replicas:
            samples = await replica.metrics(http)
            assert metric(samples, "idesluss_ideas", stage="submitted") == 1

        # Long forgotten: reminders fall due, and both replicas' sweeps and dispatchers run.
        async with database.transaction() as session:
            await session.execute(
                update(Idea)
                .values(
                    submitted_at=text("now() - interval '60 days'"),
                    stage_changed_at=text("now() - interval '60 days'"),
                    last_activity_at=text("now() - interval '60 days'"),
                    response_due_at=text("now() - interval '50 days'"),
                    giver_heard_at=text("now() - interval '60 days'"),
                    promise_due_at=text("now() - interval '50 days'"),
                    next_due_at=text("now() - interval '1 minute'"),
                )
                .execution_options(**KEPT_BY_CALLER)
            )
            await rebuild_in(session)

        async def delivered() -> bool:
            async with database.transaction() as session:
                rows = (await session.execute(select(OutboxMessage))).scalars().all()
            kinds = {row.kind for row in rows}
            return (
                any(kind.startswith("reminder_") for kind in kinds)
                and "digest" in kinds
                and all(row.status == "sent" for row in rows)
            )

        try:
            await until(delivered, what="the outbox to be delivered")
        except AssertionError:
            async with database.transaction() as session:
                rows = (await session.execute(select(OutboxMessage))).scalars().all()
            state = [(r.kind, r.status, r.not_before, r.last_error) for r in rows]
            raise AssertionError(f"outbox not delivered: {state}") from None
        await asyncio.sleep(1.0)  # several more sweeps and dispatcher passes on both
        async with database.transaction() as session:
            rows = (await session.execute(select(OutboxMessage))).scalars().all()
        assert all(row.status == "sent" for row in rows)
        posted = [call.params.get("text") for call in slack_api.calls_to("chat.postMessage")]
        for row in rows:
            for message in render_messages(replies_from_payload(row.payload)):
                # Each outbox message reached Slack exactly once, from one replica or the other.
                assert posted.count(message.text) == 1, (row.kind, message.text[:60])

        # Both replicas sent something: the work really was shared.
        deliveries = [
            metric(await replica.metrics(http), "idesluss_deliveries_total", outcome="sent")
            for replica in replicas
        ]
        assert sum(deliveries) == len(rows)
    finally:
        await database.close()
        results = [await replica.stop() for replica in replicas]
    for code, err in results:
        assert code == 0, err[-2000:]
        # The servers' logs: one JSON object per line, ids only, no idea text, no names.
        lines = [json.loads(line) for line in err.splitlines() if line.strip()]
        assert any(line["message"] == "turn handled" for line in lines)
        assert all("time" in line and "level" in line for line in lines)
        for secret in ("Tryggare", "gångtunnlarna", "Fritidsgården", "Väster"):
            assert secret not in err


async def test_sigterm_during_a_burst_loses_no_acknowledged_turn(
    fresh_pg_url: str, slack_api: FakeSlackApi, http: aiohttp.ClientSession
) -> None:
    # Slack answers slowly, so turns are still running after their ack when SIGTERM comes.
    slack_api.delays["chat.postMessage"] = 0.2
    replica = await Replica(replica_env(fresh_pg_url, slack_api)).start()
    await replica.healthy(http)
    users = [f"UBURST{n:04d}" for n in range(60)]
    acked: list[str] = []
    stopping = asyncio.Event()

    async def one(user: str) -> None:
        body, content_type = _event_body(user, "Hej!", 0)
        try:
            status = await replica.post(http, body, content_type)
        except aiohttp.ClientError:
            return  # refused: the listening socket was closed; Slack would retry
        if status == 200:
            acked.append(user)
            if len(acked) == 20:
                stopping.set()

    async def stop_mid_burst() -> tuple[int, str]:
        await stopping.wait()
        return await replica.stop()

    stopper = asyncio.create_task(stop_mid_burst())
    burst = []
    for user in users:
        burst.append(asyncio.create_task(one(user)))
        await asyncio.sleep(0.01)
    await asyncio.gather(*burst)
    code, err = await stopper
    assert code == 0, err[-2000:]
    assert len(acked) >= 20

    database = Database(fresh_pg_url)
    try:
        async with database.transaction() as session:
            items = (await session.execute(select(InboxItem))).scalars().all()
    finally:
        await database.close()
    handled = {item.delivery_key for item in items if item.status == "posted"}
    for user in acked:
        # The turn was committed and its replies posted …
        assert f"slack:event:Ev{user}0000" in handled, user
        # … and answered before the process exited.
        assert slack_api.posted["D" + user[1:]] >= 1, user


async def test_replicas_starting_together_migrate_one_after_the_other(fresh_pg_url: str) -> None:
    databases = [Database(fresh_pg_url) for _ in range(3)]
    try:
        # Without the migration lock these block each other (table locks) until killed.
        async with asyncio.timeout(30):
            await asyncio.gather(*(database.upgrade() for database in databases))
        async with databases[0].transaction() as session:
            versions = await session.execute(text("SELECT version_num FROM alembic_version"))
            assert len(versions.all()) == 1
    finally:
        for database in databases:
            await database.close()
