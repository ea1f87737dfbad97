"""The database fails after Slack took a proactive message and before the outbox row is marked
sent (the process might as well have died there): the row is redelivered once its lease runs
out, and the person still sees the message once — the Slack sender, over real HTTP to the
fake Slack Web API, finds the first copy by its delivery key in the DM's history. A call that
timed out after Slack took the message is retried the same way. The first attempt of a row
never reads the history; a history it cannot read means posting anyway (at least once)."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from adapters.slack.sender import SlackSender
from bot.clock import FrozenClock
from bot.dispatcher import Dispatcher, payload_of
from conversations.reply import Reply
from storage.database import Database
from storage.models import OutboxMessage, Person
from storage.outbox import enqueue
from storage.people import upsert_person
from tests.fakes.slack_api import FakeSlackApi
from tests.faults.injection import FailingAt

TEXT = "Hej Anna! Maria har läst din idé ”Tryggare tunnlar” och hör av sig i veckan."
DM = "DANNA"


@pytest.fixture
async def api(clock: FrozenClock) -> AsyncIterator[FakeSlackApi]:
    fake = await FakeSlackApi(now=lambda: clock.now().timestamp()).start()
    yield fake
    fake.release()
    await fake.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.5)) as session:
        yield session


def slack_sender(api: FakeSlackApi, http: aiohttp.ClientSession) -> SlackSender:
    """A Slack sender as a (new) process makes it."""
    return SlackSender(AsyncWebClient(token="xoxb-test", base_url=api.url, session=http))


def dispatcher(database, sender: SlackSender, clock: FrozenClock) -> Dispatcher:
    async def sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)
        await asyncio.sleep(0)

    return Dispatcher(database, [sender], clock=clock, sleep=sleep, rng=random.Random(4))


async def anna_with_a_message(db: Database, clock: FrozenClock) -> int:
    """Anna (who wrote to the bot before, so her address is stored; the DM is not opened
    yet) and one follow-up for her in the outbox."""
    async with db.transaction() as session:
        anna = await upsert_person(
            session,
            "slack",
            "UANNA",
            now=clock.now(),
            display_name="Anna",
            address={"user": "UANNA", "team": "T0TEAM"},
        )
        await enqueue(
            session,
            dedupe_key="idea:1:event:2",
            recipient_id=anna.id,
            kind="follow_up",
            payload=payload_of(Reply(TEXT)),
            now=clock.now(),
        )
        return anna.id


async def the_row(db: Database) -> OutboxMessage:
    async with db.transaction() as session:
        return (await session.execute(select(OutboxMessage))).scalar_one()


async def test_a_database_failure_after_slack_took_it_shows_the_message_once(
    db: Database, clock: FrozenClock, api: FakeSlackApi, http: aiohttp.ClientSession
) -> None:
    anna = await anna_with_a_message(db, clock)
    failing = dispatcher(FailingAt(db, 2), slack_sender(api, http), clock)
    with pytest.raises(OperationalError):
        await failing.run_until_idle()
    assert [m["text"] for m in api.messages_in(DM)] == [TEXT]
    assert (await the_row(db)).status == "pending"

    restarted = dispatcher(db, slack_sender(api, http), clock)
    clock.advance(minutes=4)
    assert await restarted.run_until_idle() == 0  # the lease still holds
    clock.advance(minutes=2)
    assert await restarted.run_until_idle() == 1

    assert [m["text"] for m in api.messages_in(DM)] == [TEXT]  # once, not twice
    row = await the_row(db)
    assert (row.status, row.attempts) == ("sent", 2)
    assert restarted.stats.redelivered == 1
    assert restarted.stats.already_delivered == 1
    [history] = api.calls_to("conversations.history")
    assert history.params["channel"] == DM
    assert history.params["include_all_metadata"] in ("1", "true")
    assert float(history.params["oldest"]) <= row.created_at.timestamp()
    assert int(history.params["limit"]) <= 200
    # The DM channel the failed attempt could not save is kept now.
    async with db.transaction() as session:
        assert (await session.get(Person, anna)).address["channel"] == DM


async def test_a_timeout_after_slack_took_it_is_retried_without_a_second_copy(
    db: Database, clock: FrozenClock, api: FakeSlackApi, http: aiohttp.ClientSession
) -> None:
    await anna_with_a_message(db, clock)
    api.answer_late("chat.postMessage", 30)  # Slack takes it; we give up after 0.5 s
    d = dispatcher(db, slack_sender(api, http), clock)
    assert await d.run_until_idle() == 1
    row = await the_row(db)
    assert row.status == "pending" and "Timeout" in (row.last_error or "")
    assert [m["text"] for m in api.messages_in(DM)] == [TEXT]

    clock.set(row.not_before)
    assert await d.run_until_idle() == 1

    assert [m["text"] for m in api.messages_in(DM)] == [TEXT]
    assert (await the_row(db)).status == "sent"
    assert d.stats.already_delivered == 1


async def test_the_first_attempt_posts_with_its_key_and_reads_no_history(
    db: Database, clock: FrozenClock, api: FakeSlackApi, http: aiohttp.ClientSession
) -> None:
    await anna_with_a_message(db, clock)
    d = dispatcher(db, slack_sender(api, http), clock)
    assert await d.run_until_idle() == 1

    assert api.methods() == ["conversations.open", "chat.postMessage"]
    [post] = api.calls_to("chat.postMessage")
    assert post.params["metadata"] == {
        "event_type": "idesluss_delivery",
        "event_payload": {"key": "idea:1:event:2"},
    }
    [message] = api.messages_in(DM)
    assert message["metadata"]["event_payload"] == {"key": "idea:1:event:2"}
    assert (await the_row(db)).status == "sent"


async def test_a_history_it_cannot_read_means_posting_anyway_with_one_warning(
    db: Database,
    clock: FrozenClock,
    api: FakeSlackApi,
    http: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    api.revoke_scope("im:history")  # an app installed before the scope was added
    await anna_with_a_message(db, clock)
    with pytest.raises(OperationalError):
        await dispatcher(FailingAt(db, 2), slack_sender(api, http), clock).run_until_idle()

    sender = slack_sender(api, http)
    restarted = dispatcher(db, sender, clock)
    clock.advance(minutes=6)
    with caplog.at_level(logging.WARNING, logger="adapters.slack.sender"):
        assert await restarted.run_until_idle() == 1
        # A second unreadable history is not warned about again.
        assert await sender.find_delivered(DM, "other", clock.now() - timedelta(hours=1)) == {}

    # Not lost: at least once, so here twice.
    assert [m["text"] for m in api.messages_in(DM)] == [TEXT, TEXT]
    assert (await the_row(db)).status == "sent"
    [warning] = [
        r
        for r in caplog.records
        if r.name == "adapters.slack.sender" and r.levelno >= logging.WARNING
    ]
    assert "missing_scope" in warning.getMessage() and "im:history" in warning.getMessage()
    assert len(api.calls_to("conversations.history")) == 2
