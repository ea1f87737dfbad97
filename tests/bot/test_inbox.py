"""The inbox: a delivery is durable before it is acknowledged, one person's deliveries run in
the order they were written, a retry or replay runs once, and a crash at any point loses
nothing. Driven against the real core and database with a frozen clock; the platform is a
recording stand-in (the Slack tests drive the same inbox over signed HTTP)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import IdeaBot
from bot.clock import FrozenClock
from bot.inbox import MAX_ATTEMPTS, ORPHANED_AFTER, Answered, Delivery, Inbox
from bot.incoming import Incoming
from bot.scheduler import forget_processed_events
from storage.database import Database
from storage.models import Dialogue, Idea, InboxItem, Person
from tests.chat import ANSWERS_TO_SUMMARY


class RecordingPlatform:
    """Posts nothing anywhere: records what it was asked to post, and can fail."""

    name = "test"

    def __init__(self) -> None:
        self.posted: list[Answered] = []
        self.fail_posting = False

    async def person_context(self, user_id: str) -> str:
        return user_id

    def complete(self, incoming: Incoming, reply_to: dict[str, Any], context: Any) -> Incoming:
        return replace(incoming, display_name="Anna Andersson", address={"user": context})

    async def post_answer(self, answered: Answered, context: Any) -> None:
        if self.fail_posting:
            raise ConnectionError("the platform is away")
        self.posted.append(answered)

    def texts(self) -> list[str]:
        return [reply.text for answered in self.posted for reply in answered.replies]


class Tasks:
    """The server's InFlight in small: background work the test can wait for."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(work, name=name)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def settle(self) -> None:
        while self.tasks:
            await asyncio.gather(*list(self.tasks))


@pytest.fixture
def tasks() -> Tasks:
    return Tasks()


@pytest.fixture
def platform() -> RecordingPlatform:
    return RecordingPlatform()


def new_inbox(bot: IdeaBot, tasks: Tasks, platform: RecordingPlatform) -> Inbox:
    """What each server process builds at start: a new one is a restarted process."""
    inbox = Inbox(bot, spawn=tasks.spawn)
    inbox.register(platform)
    return inbox


@pytest.fixture
def inbox(bot: IdeaBot, tasks: Tasks, platform: RecordingPlatform) -> Inbox:
    return new_inbox(bot, tasks, platform)


def says(text: str, n: int, clock: FrozenClock, *, key: str | None = None) -> Delivery:
    return Delivery(
        key=key or f"test:event:{n}",
        incoming=Incoming("test", "anna", text=text),
        reply_to={"channel": "D1"},
        written_at=clock.now() + timedelta(milliseconds=n),
    )


async def stored_items(db: Database) -> list[InboxItem]:
    async with db.transaction() as session:
        return list((await session.execute(select(InboxItem).order_by(InboxItem.id))).scalars())


async def test_a_delivery_is_committed_before_anything_runs(
    inbox: Inbox, db: Database, clock: FrozenClock, platform: RecordingPlatform
) -> None:
    assert await inbox.accept(says("Hej!", 0, clock))
    [item] = await stored_items(db)
    assert (item.status, item.user_id, item.incoming["text"]) == ("pending", "anna", "Hej!")
    assert platform.posted == []  # nothing ran: accepting is only keeping


async def test_a_retried_or_replayed_delivery_is_kept_once_and_runs_once(
    inbox: Inbox, db: Database, clock: FrozenClock, platform: RecordingPlatform, tasks: Tasks
) -> None:
    first = says("Tryggare tunnlar", 0, clock)
    assert await inbox.accept(first)
    inbox.wake("test", "anna")
    await tasks.settle()
    for _ in range(3):
        assert not await inbox.accept(first)  # Slack's retry, or a replay of the same body
        inbox.wake("test", "anna")
    await tasks.settle()
    assert len(platform.posted) == 1
    assert len(await stored_items(db)) == 1


async def test_one_persons_deliveries_run_in_the_order_written_not_the_order_received(
    inbox: Inbox, db: Database, clock: FrozenClock, platform: RecordingPlatform, tasks: Tasks
) -> None:
    """Two replicas: the title reaches one, the greeting (written first) the other a moment
    later. The greeting still runs first, and the title lands in the title."""
    assert await inbox.accept(says("Tryggare tunnlar", 2, clock))
    assert await inbox.accept(says("Hej!", 1, clock))
    inbox.wake("test", "anna")
    await tasks.settle()
    async with db.transaction() as session:
        dialogue = (await session.execute(select(Dialogue))).scalar_one()
    assert dialogue.answers["title"] == "Tryggare tunnlar"
    assert [a.key for a in platform.posted] == ["test:event:1", "test:event:2"]


async def test_a_whole_idea_told_through_the_inbox(
    inbox: Inbox, db: Database, clock: FrozenClock, platform: RecordingPlatform, tasks: Tasks
) -> None:
    for n, text in enumerate(["Hej!", *ANSWERS_TO_SUMMARY, "skicka"]):
        assert await inbox.accept(says(text, n, clock))
    inbox.wake("test", "anna")
    await tasks.settle()
    async with db.transaction() as session:
        [idea] = (await session.execute(select(Idea))).scalars().all()
        person = (
            await session.execute(select(Person).where(Person.platform == "test"))
        ).scalar_one()
    assert idea.title == ANSWERS_TO_SUMMARY[0]
    assert person.display_name == "Anna Andersson"  # what the platform adds at turn time
    assert all(item.status == "posted" for item in await stored_items(db))
    assert any("nummer 1" in text for text in platform.texts())


async def test_a_crash_after_the_acknowledgement_loses_nothing(
    bot: IdeaBot, db: Database, clock: FrozenClock, platform: RecordingPlatform, tasks: Tasks
) -> None:
    """The process dies after accepting (Slack has its 200) and before the turn: the next
    process runs the item when it starts."""
    dead = new_inbox(bot, tasks, platform)
    assert await dead.accept(says("Hej!", 0, clock))
    # … killed here: no wake, no turn.
    restarted = new_inbox(bot, tasks, platform)
    assert await restarted.recover(everything=True) == 1
    await tasks.settle()
    assert len(platform.posted) == 1
    assert [item.status for item in await stored_items(db)] == ["posted"]


async def test_another_replica_takes_over_what_a_dead_one_left_pending(
    bot: IdeaBot, db: Database, clock: FrozenClock, platform: RecordingPlatform, tasks: Tasks
) -> None:
    dead = new_inbox(bot, tasks, platform)
    assert await dead.accept(says("Hej!", 0, clock))
    alive = new_inbox(bot, tasks, platform)
    assert await alive.recover() == 0  # just accepted: its own replica is on it
    clock.advance(seconds=ORPHANED_AFTER.total_seconds() + 1)
    assert await alive.recover() == 1
    await tasks.settle()
    assert len(platform.posted) == 1


async def test_replies_committed_but_not_posted_are_posted_after_the_lease_and_marked(
    inbox: Inbox, db: Database, clock: FrozenClock, platform: RecordingPlatform, tasks: Tasks
) -> None:
    """The turn committed, then posting failed (or the process died): the replies are kept
    with the item, and posted later, flagged as perhaps posted already."""
    platform.fail_posting = True
    assert await inbox.accept(says("Hej!", 0, clock))
    inbox.wake("test", "anna")
    await tasks.settle()
    [item] = await stored_items(db)
    assert item.status == "answered" and item.replies
    platform.fail_posting = False

    assert await inbox.recover() == 0  # the poster's lease still runs
    clock.advance(seconds=inbox.lease.total_seconds() + 1)
    assert await inbox.recover() == 1
    await tasks.settle()
    [answered] = platform.posted
    assert answered.maybe_posted  # the platform checks before posting a second time
    [item] = await stored_items(db)
    assert item.status == "posted" and item.replies is None  # posted text is not kept


async def test_earlier_unposted_replies_go_out_before_newer_ones(
    inbox: Inbox, db: Database, clock: FrozenClock, platform: RecordingPlatform, tasks: Tasks
) -> None:
    platform.fail_posting = True
    assert await inbox.accept(says("Hej!", 0, clock))
    inbox.wake("test", "anna")
    await tasks.settle()
    platform.fail_posting = False
    clock.advance(seconds=inbox.lease.total_seconds() + 1)
    assert await inbox.accept(says("Tryggare tunnlar", 1, clock))
    inbox.wake("test", "anna")
    await tasks.settle()
    assert [a.key for a in platform.posted] == ["test:event:0", "test:event:1"]


async def test_a_delivery_whose_turn_keeps_failing_is_answered_and_does_not_block_the_queue(
    inbox: Inbox,
    bot: IdeaBot,
    db: Database,
    clock: FrozenClock,
    platform: RecordingPlatform,
    tasks: Tasks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = bot.run_turn

    async def broken_for_the_title(session: Any, incoming: Incoming) -> Any:
        if incoming.text == "boom":
            raise RuntimeError("a bug")
        return await real(session, incoming)

    monkeypatch.setattr(bot, "run_turn", broken_for_the_title)
    assert await inbox.accept(says("boom", 0, clock))
    assert await inbox.accept(says("Hej!", 1, clock))
    for _ in range(MAX_ATTEMPTS):
        inbox.wake("test", "anna")
        await tasks.settle()
    assert [a.key for a in platform.posted] == ["test:event:0", "test:event:1"]
    assert "försök igen" in platform.posted[0].replies[0].text.lower()
    assert [item.status for item in await stored_items(db)] == ["posted", "posted"]


async def test_a_database_failure_keeps_the_delivery_for_later(
    inbox: Inbox,
    bot: IdeaBot,
    db: Database,
    clock: FrozenClock,
    platform: RecordingPlatform,
    tasks: Tasks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sqlalchemy.exc import OperationalError

    assert await inbox.accept(says("Hej!", 0, clock))
    real = bot.run_turn

    async def database_away(session: Any, incoming: Incoming) -> Any:
        raise OperationalError("SELECT", {}, ConnectionError("gone"))

    monkeypatch.setattr(bot, "run_turn", database_away)
    inbox.wake("test", "anna")
    await tasks.settle()
    assert platform.posted == []
    [item] = await stored_items(db)
    assert (item.status, item.attempts) == ("pending", 1)

    monkeypatch.setattr(bot, "run_turn", real)  # the database is back
    clock.advance(seconds=ORPHANED_AFTER.total_seconds() + 1)
    assert await inbox.recover() == 1
    await tasks.settle()
    assert len(platform.posted) == 1


async def test_two_inboxes_on_one_database_never_run_one_persons_turns_at_once(
    bot: IdeaBot, db: Database, clock: FrozenClock, platform: RecordingPlatform, tasks: Tasks
) -> None:
    """Two replicas both woken for Anna at once: the per-person lock lets one run, the other
    finds nothing left; each item runs once, in order."""
    first, second = new_inbox(bot, tasks, platform), new_inbox(bot, tasks, platform)
    texts = ["Hej!", *ANSWERS_TO_SUMMARY[:4]]
    for n, text in enumerate(texts):
        assert await first.accept(says(text, n, clock))
    first.wake("test", "anna")
    second.wake("test", "anna")
    await tasks.settle()
    assert [a.key for a in platform.posted] == [f"test:event:{n}" for n in range(len(texts))]
    async with db.transaction() as session:
        dialogue = (await session.execute(select(Dialogue))).scalar_one()
    assert dialogue.answers["title"] == ANSWERS_TO_SUMMARY[0]
    assert dialogue.answers["need"] == ANSWERS_TO_SUMMARY[1]


async def test_handled_items_are_forgotten_after_a_day(
    inbox: Inbox, db: Database, clock: FrozenClock, tasks: Tasks
) -> None:
    assert await inbox.accept(says("Hej!", 0, clock))
    inbox.wake("test", "anna")
    await tasks.settle()
    assert await forget_processed_events(db, clock.now()) == 0
    clock.advance(days=1, seconds=1)
    # The delivery's item, and the key the core recorded in the turn.
    assert await forget_processed_events(db, clock.now()) == 2
    assert await stored_items(db) == []
