"""What holds in Teams when the database fails after the Bot Connector took a proactive
message and before the outbox row is marked sent (bot/dispatcher.py, adapters/teams/
sender.py): nothing is lost, and each such failure shows the message at most once more,
only after the row's lease ran out — the connector has no idempotency key and Teams cannot
list a conversation's activities, so the sender is not given one."""

from __future__ import annotations

import asyncio
import random

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.clock import FrozenClock
from bot.dispatcher import Dispatcher, DispatchPolicy, payload_of
from conversations.reply import Reply
from storage.database import Database
from storage.models import OutboxMessage
from storage.outbox import enqueue
from tests.adapters.teams.harness import TeamsUser
from tests.adapters.teams.test_dialogue import stored_person
from tests.fakes.bot_connector import FakeBotConnector
from tests.faults.injection import FailingAt

TEXT = "Hej Anna! Maria har läst din idé ”Tryggare tunnlar” och hör av sig i veckan."


def dispatcher(database, sender, clock: FrozenClock) -> Dispatcher:
    async def sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)
        await asyncio.sleep(0)

    return Dispatcher(database, [sender], clock=clock, sleep=sleep, rng=random.Random(4))


@pytest.mark.parametrize("failures", [1, 2])
async def test_each_failure_after_the_connector_took_it_shows_it_at_most_once_more(
    teams,
    anna: TeamsUser,
    connector: FakeBotConnector,
    db: Database,
    clock: FrozenClock,
    failures: int,
) -> None:
    await anna.installs()
    person = await stored_person(db, anna.user_id)
    async with db.transaction() as session:
        await enqueue(
            session,
            dedupe_key="idea:1:event:2",
            recipient_id=person.id,
            kind="follow_up",
            payload=payload_of(Reply(TEXT)),
            now=clock.now(),
        )
    connector.sent.clear()
    assert getattr(teams.sender, "accepts_delivery_key", False) is False
    lease = DispatchPolicy().lease

    def shown() -> list[str]:
        return [s.activity.get("text") for s in connector.to(anna.conversation_id)]

    for failure in range(failures):
        with pytest.raises(OperationalError):
            await dispatcher(FailingAt(db, 2), teams.sender, clock).run_until_idle()
        assert shown() == [TEXT] * (failure + 1)
        # Not before the lease runs out...
        clock.advance(seconds=lease.total_seconds() - 1)
        assert await dispatcher(db, teams.sender, clock).run_until_idle() == 0
        assert shown() == [TEXT] * (failure + 1)
        clock.advance(seconds=2)

    # ...then once more, and marked sent.
    restarted = dispatcher(db, teams.sender, clock)
    assert await restarted.run_until_idle() == 1
    assert shown() == [TEXT] * (failures + 1)
    assert restarted.stats.redelivered == 1 and restarted.stats.already_delivered == 0
    async with db.transaction() as session:
        row = (await session.execute(select(OutboxMessage))).scalar_one()
    assert (row.status, row.attempts) == ("sent", failures + 1)
    clock.advance(hours=1)
    assert await restarted.run_until_idle() == 0
    assert shown() == [TEXT] * (failures + 1)
