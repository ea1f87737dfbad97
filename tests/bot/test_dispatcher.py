"""The dispatcher: retries, backoff, office hours, order, crashes, replicas, rate limits."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.config import Settings
from bot.dispatcher import Dispatcher, DispatchPolicy, payload_of
from bot.incoming import Incoming
from bot.platforms import rate_limits
from bot.ports import RetryLater, Unreachable
from conversations.reply import Reply
from storage.database import Database
from storage.models import OutboxMessage, Person
from storage.outbox import enqueue
from storage.people import upsert_person
from tests.fakes.senders import FakeSender

SE = ZoneInfo("Europe/Stockholm")


class Crash(BaseException):
    """Stands in for the process dying (not an Exception, so nothing catches it)."""


def fake_sleep(clock: FrozenClock):
    async def sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)
        await asyncio.sleep(0)

    return sleep


async def person(db: Database, user: str, *, platform: str = "fake", now: datetime) -> int:
    async with db.transaction() as session:
        found = await upsert_person(
            session,
            platform,
            user,
            now=now,
            display_name=user.title(),
            address={"user": user},
        )
        return found.id


async def put(db: Database, recipient: int, key: str, text: str, now: datetime, **kw) -> None:
    async with db.transaction() as session:
        await enqueue(
            session,
            dedupe_key=key,
            recipient_id=recipient,
            kind=kw.pop("kind", "test"),
            payload=payload_of(Reply(text)),
            now=now,
            **kw,
        )


async def rows(db: Database) -> list[OutboxMessage]:
    async with db.transaction() as session:
        return list(
            (await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars()
        )


def dispatcher(db, sender, clock, **kw) -> Dispatcher:
    return Dispatcher(
        db,
        [sender],
        clock=clock,
        sleep=fake_sleep(clock),
        rng=random.Random(4),
        settings=kw.pop("settings", None),
        policy=kw.pop("policy", None),
        **kw,
    )


async def test_each_reply_goes_out_knowing_the_recipients_language(
    db: Database, clock: FrozenClock
) -> None:
    # What a platform writes of its own (Teams' label on a choice list) follows the person.
    anna = await person(db, "anna", now=clock.now())
    async with db.transaction() as session:
        await upsert_person(session, "fake", "john", now=clock.now(), platform_locale="en-GB",
                            address={"user": "john"})  # fmt: skip
        john = await session.execute(select(Person.id).where(Person.platform_user_id == "john"))
        john_id = john.scalar_one()
    await put(db, anna, "k1", "Hej Anna!", clock.now())
    await put(db, john_id, "k2", "Hello John!", clock.now())
    sender = FakeSender(now=clock.now)
    assert await dispatcher(db, sender, clock).run_until_idle() == 2
    assert sorted(d.languages[0] or "" for d in sender.delivered) == ["en", "sv"]


async def test_delivers_marks_sent_and_records_latency(db: Database, clock: FrozenClock) -> None:
    anna = await person(db, "anna", now=clock.now())
    await put(db, anna, "k1", "Hej Anna!", clock.now())
    sender = FakeSender(now=clock.now, new_address={"user": "anna", "dm": "D1"})
    clock.advance(seconds=3)
    d = dispatcher(db, sender, clock)

    assert await d.run_until_idle() == 1

    assert sender.texts_for("anna") == ["Hej Anna!"]
    [row] = await rows(db)
    assert (row.status, row.attempts, row.sent_at) == ("sent", 1, clock.now())
    assert d.stats.latencies == [3.0]
    async with db.transaction() as session:
        assert (await session.get(Person, anna)).address == {"user": "anna", "dm": "D1"}
    assert await d.run_until_idle() == 0  # nothing twice


async def test_429_then_500_then_success_arrives_once_after_the_waits(
    db: Database, clock: FrozenClock
) -> None:
    anna = await person(db, "anna", now=clock.now())
    await put(db, anna, "k1", "Hej Anna!", clock.now())
    start = clock.now()
    sender = FakeSender(
        now=clock.now,
        script=[RetryLater("429 Too Many Requests", retry_after=30), RetryLater("500"), None],
    )
    d = dispatcher(db, sender, clock)

    await d.run_until_idle()  # 429
    [row] = await rows(db)
    assert row.status == "pending" and row.last_error == "429 Too Many Requests"
    assert 30 <= (row.not_before - start).total_seconds() <= 33  # Retry-After plus jitter

    clock.advance(seconds=29)
    assert await d.run_until_idle() == 0  # still waiting
    clock.set(row.not_before)
    await d.run_until_idle()  # 500
    [row] = await rows(db)
    assert row.status == "pending" and row.last_error == "500"
    wait = (row.not_before - clock.now()).total_seconds()
    assert 10 <= wait <= 20  # 10 s · 2^1, jittered between half and whole

    clock.set(row.not_before)
    await d.run_until_idle()  # success
    assert sender.calls == 3
    assert len(sender.delivered) == 1
    [row] = await rows(db)
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)
    assert row.sent_at >= start + timedelta(seconds=40)


async def test_gives_up_after_the_last_attempt_with_its_error(
    db: Database, clock: FrozenClock
) -> None:
    anna = await person(db, "anna", now=clock.now())
    await put(db, anna, "k1", "Hej!", clock.now())
    sender = FakeSender(script=[RetryLater("503 Service Unavailable")] * 3)
    d = dispatcher(db, sender, clock, policy=DispatchPolicy(max_attempts=3, base_delay=1))
    for _ in range(3):
        await d.run_until_idle()
        clock.advance(minutes=1)
    [row] = await rows(db)
    assert (row.status, row.attempts, row.last_error) == ("failed", 3, "503 Service Unavailable")
    assert sender.delivered == []
    assert d.stats.failed == 1


async def test_an_unexpected_sender_error_is_retried_not_fatal(
    db: Database, clock: FrozenClock
) -> None:
    anna = await person(db, "anna", now=clock.now())
    await put(db, anna, "k1", "Hej!", clock.now())
    sender = FakeSender(script=[KeyError("address")])
    d = dispatcher(db, sender, clock)
    await d.run_until_idle()
    [row] = await rows(db)
    assert row.status == "pending" and "KeyError" in row.last_error
    clock.advance(minutes=1)
    await d.run_until_idle()
    assert sender.texts_for("anna") == ["Hej!"]


async def test_unreachable_person_stops_sending_and_coordinators_are_told(
    db: Database, clock: FrozenClock
) -> None:
    maria = await person(db, "maria", now=clock.now())
    anna = await person(db, "anna", now=clock.now())
    for n in range(3):
        await put(db, anna, f"k{n}", f"message {n}", clock.now())
    sender = FakeSender(now=clock.now, script=[Unreachable("403 MessageWritesBlocked")])
    settings = Settings(coordinators=frozenset({"fake:maria"}))
    d = dispatcher(db, sender, clock, settings=settings)

    await d.run_until_idle()

    assert sender.texts_for("anna") == []
    [notice] = sender.texts_for("maria")
    assert "Hej Maria!" in notice and "Anna" in notice and "3 meddelanden" in notice
    statuses = [(r.recipient_id, r.status) for r in await rows(db)]
    assert statuses == [(anna, "failed")] * 3 + [(maria, "sent")]
    async with db.transaction() as session:
        assert (await session.get(Person, anna)).reachable is False
    # A new message to Anna is not even tried.
    await put(db, anna, "k9", "later", clock.now())
    await d.run_until_idle()
    assert sender.calls == 2 and (await rows(db))[-1].status == "failed"


async def test_a_persons_messages_arrive_in_order_even_when_the_first_backs_off(
    db: Database, clock: FrozenClock
) -> None:
    anna = await person(db, "anna", now=clock.now())
    bo = await person(db, "bo", now=clock.now())
    for n in range(1, 4):
        await put(db, anna, f"a{n}", f"anna {n}", clock.now())
    await put(db, bo, "b1", "bo 1", clock.now())
    sender = FakeSender(now=clock.now, script=[RetryLater("429", retry_after=60)])
    d = dispatcher(db, sender, clock)

    await d.run_until_idle()
    # Anna's first message waits; her later ones wait behind it. Bo is not held up.
    assert sender.texts_for("anna") == []
    assert sender.texts_for("bo") == ["bo 1"]
    clock.advance(seconds=70)
    await d.run_until_idle()
    assert sender.texts_for("anna") == ["anna 1", "anna 2", "anna 3"]


async def test_a_reminder_due_at_22_is_delivered_at_8_the_next_working_day(
    db: Database, clock: FrozenClock
) -> None:
    # Thursday 18 June 2026, 22:00, the evening before Midsommarafton.
    clock.set(datetime(2026, 6, 18, 22, 0, tzinfo=SE))
    anna = await person(db, "anna", now=clock.now())
    await put(db, anna, "k1", "Påminnelse", clock.now(), kind="reminder_idle")
    sender = FakeSender(now=clock.now)
    d = dispatcher(db, sender, clock)

    for moment in (
        datetime(2026, 6, 18, 22, 0, tzinfo=SE),
        datetime(2026, 6, 19, 10, 0, tzinfo=SE),  # Midsommarafton
        datetime(2026, 6, 22, 7, 59, tzinfo=SE),
    ):
        clock.set(moment)
        await d.run_until_idle()
        assert sender.delivered == []
    clock.set(datetime(2026, 6, 22, 8, 0, tzinfo=SE))
    await d.run_until_idle()
    assert [d_.at for d_ in sender.delivered] == [datetime(2026, 6, 22, 8, 0, tzinfo=SE)]


async def test_immediate_kinds_may_go_out_at_night(db: Database, clock: FrozenClock) -> None:
    clock.set(datetime(2026, 6, 15, 23, 0, tzinfo=SE))
    anna = await person(db, "anna", now=clock.now())
    await put(db, anna, "k1", "now", clock.now(), kind="echo")
    await put(db, anna, "k2", "morning", clock.now(), kind="reminder_idle")
    sender = FakeSender(now=clock.now)
    d = dispatcher(db, sender, clock, policy=DispatchPolicy(immediate_kinds=frozenset({"echo"})))
    await d.run_until_idle()
    assert sender.texts_for("anna") == ["now"]


async def test_platforms_without_a_sender_are_left_alone(db: Database, clock: FrozenClock) -> None:
    # Messages to people in the terminal chat wait until they open it.
    maria = await person(db, "maria", platform="console", now=clock.now())
    await put(db, maria, "k1", "Hej", clock.now())
    d = dispatcher(db, FakeSender(), clock)
    assert await d.run_until_idle() == 0
    assert (await rows(db))[0].status == "pending"


@pytest.mark.parametrize("idempotent", [True, False])
async def test_crash_between_send_and_marking_sent_loses_nothing(
    db: Database, clock: FrozenClock, idempotent: bool
) -> None:
    anna = await person(db, "anna", now=clock.now())
    await put(db, anna, "k1", "Hej Anna!", clock.now())
    await put(db, anna, "k2", "Andra", clock.now())
    sender = FakeSender(now=clock.now, idempotent=idempotent)
    crashing = dispatcher(db, sender, clock)

    async def die(*_args) -> None:
        raise Crash

    crashing._sent = die  # the platform took the message, then the process died
    with pytest.raises(Crash):
        await crashing.run_until_idle()
    assert sender.texts_for("anna") == ["Hej Anna!"]
    assert [r.status for r in await rows(db)] == ["pending", "pending"]

    restarted = dispatcher(db, sender, clock)
    assert await restarted.run_until_idle() == 0  # the lease still holds
    clock.advance(minutes=6)
    await restarted.run_until_idle()

    assert [r.status for r in await rows(db)] == ["sent", "sent"]
    assert restarted.stats.redelivered == 1
    # Only the redelivery made the sender look for an earlier arrival.
    assert sender.lookups == (1 if idempotent else 0)
    # With the delivery key the platform shows it once; without, at most once more.
    expected = ["Hej Anna!", "Andra"] if idempotent else ["Hej Anna!", "Hej Anna!", "Andra"]
    assert sender.texts_for("anna") == expected


async def test_a_killed_dispatcher_task_leaves_the_row_for_the_next_one(
    db: Database, clock: FrozenClock
) -> None:
    anna = await person(db, "anna", now=clock.now())
    await put(db, anna, "k1", "Hej Anna!", clock.now())
    stuck = FakeSender(now=clock.now, gate=asyncio.Event())
    task = asyncio.create_task(dispatcher(db, stuck, clock).run_until_idle())
    await stuck.entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert stuck.delivered == []

    sender = FakeSender(now=clock.now)
    clock.advance(minutes=6)
    await dispatcher(db, sender, clock).run_until_idle()
    assert sender.texts_for("anna") == ["Hej Anna!"]
    assert [r.status for r in await rows(db)] == ["sent"]


async def test_two_dispatchers_at_once_deliver_each_message_exactly_once(
    database_url: str, db: Database, clock: FrozenClock
) -> None:
    people = [await person(db, f"p{n}", now=clock.now()) for n in range(12)]
    for n in range(120):
        await put(db, people[n % 12], f"k{n}", f"p{n % 12} #{n}", clock.now())
    sender = FakeSender(now=clock.now)
    second_db = Database(database_url)
    try:
        first = dispatcher(db, sender, clock, policy=DispatchPolicy(batch_size=5))
        second = dispatcher(second_db, sender, clock, policy=DispatchPolicy(batch_size=5))
        counts = await asyncio.gather(first.run_until_idle(), second.run_until_idle())
    finally:
        await second_db.close()

    texts = [t for d in sender.delivered for t in d.texts]
    assert sorted(texts) == sorted(f"p{n % 12} #{n}" for n in range(120))
    assert len(set(texts)) == 120
    assert sum(counts) == 120
    for n in range(12):  # each person's messages in the order they were written
        theirs = sender.texts_for(f"p{n}")
        assert theirs == sorted(theirs, key=lambda text: int(text.split("#")[1]))
    assert {r.status for r in await rows(db)} == {"sent"}


async def test_teams_rate_limits_are_never_exceeded(db: Database, clock: FrozenClock) -> None:
    people = [await person(db, f"t{n}", platform="msteams", now=clock.now()) for n in range(3)]
    for n in range(60):
        await put(db, people[n % 3], f"k{n}", f"#{n}", clock.now())
    sender = FakeSender(platform="msteams", now=clock.now)
    await dispatcher(db, sender, clock).run_until_idle()

    assert len(sender.delivered) == 60
    [conversation_rule, tenant_rule] = rate_limits()["msteams"]
    tenant_times = sorted(d.at.timestamp() for d in sender.delivered)
    groups = {
        user: [d.at.timestamp() for d in sender.delivered if d.address["user"] == user]
        for user in ("t0", "t1", "t2")
    }
    checks = [(tenant_rule, [tenant_times]), (conversation_rule, list(groups.values()))]
    for rule, series in checks:
        for times in series:
            for window in rule.windows:
                for i in range(len(times) - window.count):
                    assert times[i + window.count] - times[i] >= window.seconds, (window, i)


async def test_admins_see_failed_messages_with_their_error(
    db: Database, clock: FrozenClock
) -> None:
    from storage.outbox import outbox_summary

    anna = await person(db, "anna", now=clock.now())
    await put(db, anna, "k1", "one", clock.now())
    await put(db, anna, "k2", "two", clock.now())
    sender = FakeSender(now=clock.now, script=[RetryLater("502 Bad Gateway")])
    d = dispatcher(db, sender, clock, policy=DispatchPolicy(max_attempts=1))
    await d.run_until_idle()
    async with db.transaction() as session:
        summary = await outbox_summary(session)
    assert summary["counts"] == {"pending": 0, "sent": 1, "failed": 1, "withdrawn": 0}
    [failed] = summary["failed"]
    assert (failed["attempts"], failed["last_error"]) == (1, "502 Bad Gateway")


async def test_an_unreachable_person_who_writes_again_is_reachable(
    db: Database, clock: FrozenClock, bot
) -> None:
    anna = await person(db, "anna", now=clock.now())
    async with db.transaction() as session:
        (await session.get(Person, anna)).reachable = False

    async def reachable() -> bool:
        async with db.transaction() as session:
            return (await session.get(Person, anna)).reachable

    # Said in a Teams channel: nothing shows her personal chat works again.
    await bot.handle(Incoming(platform="fake", user_id="anna", text="mina", in_group=True))
    assert await reachable() is False
    # A new turn in her own chat, same address as before.
    await bot.handle(
        Incoming(platform="fake", user_id="anna", text="mina", address={"user": "anna"})
    )
    assert await reachable() is True
