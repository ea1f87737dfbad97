"""Deliveries that are acknowledged only once they are durable, and handled in order.

A platform adapter (Slack) hands each delivery to `Inbox.accept` before it answers the
platform: the delivery is committed to the inbox table, so a crash after the 200 loses
nothing. Then `wake` runs the person's queue: one item at a time, oldest written first,
under a per-person lock shared by all replicas. The turn and the item's stored replies
commit together; the replies are posted afterwards, and an item whose poster died is posted
by whoever finds it next (with the platform's own check that it was not posted already).

A retry or a replay of a delivery has the same delivery key and is stored once, so it runs
at most once, whatever it asks for (a message, a command, a click).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot import telemetry
from bot.app import IdeaBot, TurnResult
from bot.incoming import Incoming
from conversations.reply import Reply, payload_of, replies_from_payload
from storage import inbox as store
from storage.database import DATABASE_ERRORS
from storage.models import InboxItem

log = logging.getLogger(__name__)

# An item pending this long has no live worker (its replica died before running it).
ORPHANED_AFTER = timedelta(seconds=10)
# A delivery whose turn failed this often is answered "try again" and the queue moves on.
MAX_ATTEMPTS = 3
MAX_CONCURRENT_TURNS = 8
_STORED_FIELDS = [f.name for f in fields(Incoming)]


@dataclass(frozen=True)
class Delivery:
    """One delivery from a platform, as the adapter understood it."""

    key: str  # the same for a retry or a replay of this delivery
    incoming: Incoming  # what the person said or clicked (the adapter may add to it later)
    reply_to: dict[str, Any]  # where the replies go, in the adapter's own terms
    written_at: datetime  # when the person wrote it: the order of one person's turns


@dataclass(frozen=True)
class Answered:
    """A handled delivery whose replies are to be posted."""

    id: int
    key: str
    reply_to: dict[str, Any]
    replies: list[Reply]
    answered_at: datetime
    # Posted once already, perhaps (its first poster died): check before posting again.
    maybe_posted: bool = False


# One look at a person's queue: answers a dead poster left, the delivery just answered (if
# any), and whether another one waits.
Step = tuple[list[Answered], Answered | None, bool]


class QueuePlatform(Protocol):
    """What the inbox needs from a platform adapter to run its people's queues."""

    name: str

    async def person_context(self, user_id: str) -> Any:
        """What the adapter knows of the person (profile, DM channel), fetched before the
        turn's transaction so that no platform call is made inside it."""

    def complete(self, incoming: Incoming, reply_to: dict[str, Any], context: Any) -> Incoming:
        """The stored Incoming with what the adapter knows of the person now."""

    async def post_answer(self, answered: Answered, context: Any) -> None:
        """Post the replies where `reply_to` says."""


class Inbox:
    def __init__(
        self,
        bot: IdeaBot,
        *,
        spawn: Callable[[Coroutine[Any, Any, Any], str], asyncio.Task[Any]],
    ) -> None:
        self.bot = bot
        self.spawn = spawn
        self.platforms: dict[str, QueuePlatform] = {}
        # The person's queue being run here, and whether it was woken again meanwhile.
        self._running: dict[tuple[str, str], asyncio.Task[Any]] = {}
        self._again: set[tuple[str, str]] = set()
        self._to_mark: list[int] = []  # posted, not yet marked so
        self._marking: asyncio.Task[Any] | None = None
        # At most this many turns in the core at once (posting replies is outside it, so a
        # slow platform does not hold it): the event loop stays free to acknowledge new
        # deliveries quickly under load, within the database's connection pool.
        self._turns = asyncio.Semaphore(MAX_CONCURRENT_TURNS)

    @property
    def lease(self) -> timedelta:
        """The one who answered an item posts its replies; after this, anyone may (it died)."""
        return timedelta(seconds=self.bot.settings.inbox_lease_s)

    def register(self, platform: QueuePlatform) -> None:
        self.platforms[platform.name] = platform

    async def accept(self, delivery: Delivery) -> bool:
        """Commit the delivery; False for one already stored (a retry or a replay). Raises
        the database's error when it cannot be stored: then do not acknowledge it."""
        incoming = self.bot.prepare(delivery.incoming)  # kept as the turn will see it
        stored = {name: getattr(incoming, name) for name in _STORED_FIELDS}
        now = self.bot.clock.now()
        async with self.bot.db.transaction(urgent=True) as session:
            new = await store.accept(
                session,
                delivery_key=delivery.key,
                platform=incoming.platform,
                user_id=incoming.user_id,
                written_at=delivery.written_at,
                incoming=stored,
                reply_to=delivery.reply_to,
                now=now,
            )
        if not new:
            log.info("repeated delivery ignored", extra={"platform": incoming.platform})
            telemetry.count_turn(incoming.platform, "repeated")
        return new

    def wake(self, platform: str, user_id: str) -> asyncio.Task[Any]:
        """Run this person's queue (in the background), or once more if it is running."""
        person = (platform, user_id)
        running = self._running.get(person)
        if running is not None:
            self._again.add(person)
            return running
        task = self._running[person] = self.spawn(self._drain(person), f"{platform} turns")
        return task

    async def run(self, platform: str, user_id: str) -> None:
        """Run this person's queue now and wait until it is empty (for platforms that answer
        within the request, like Teams)."""
        await asyncio.shield(self.wake(platform, user_id))

    async def _drain(self, person: tuple[str, str]) -> None:
        try:
            while True:
                if await self._next(person):
                    continue
                if person in self._again:  # woken while the last look found nothing
                    self._again.discard(person)
                    continue
                return
        finally:
            self._running.pop(person, None)
            self._again.discard(person)

    async def _next(self, person: tuple[str, str]) -> bool:
        """Handle the person's next item and post what is due. True when another item
        waits; False when none does (a delivery accepted meanwhile wakes the queue again),
        or the database failed (the recovery pass tries again later)."""
        platform = self.platforms[person[0]]
        context = await platform.person_context(person[1])
        try:
            step = await self._turn(platform, person, context)
        except DATABASE_ERRORS as exc:
            log.error("inbox: cannot read the queue: %s", type(exc).__name__)
            return False
        if step is None:
            return False
        unposted, answered, more = step
        to_post = [*unposted, *([answered] if answered else [])]
        posted = []
        for item in to_post:
            try:
                await platform.post_answer(item, context)
            except Exception as exc:  # the lease runs out and it is posted again later
                log.warning("inbox: posting failed: %s", type(exc).__name__)
                break
            posted.append(item.id)
        await self._mark_posted(posted)
        return answered is not None and more

    async def _turn(
        self, platform: QueuePlatform, person: tuple[str, str], context: Any
    ) -> Step | None:
        """In one transaction: lock the person's queue, take over replies a dead poster left,
        and run the oldest pending item's turn. None: nothing to do."""
        bot = self.bot
        holder: dict[str, Any] = {}

        async def work(session: AsyncSession) -> Step:
            now = bot.clock.now()
            await store.lock_person(session, *person)
            leftovers, item, more = await store.next_for(
                session, *person, now=now, lease_until=now + self.lease
            )
            unposted = [_answered(item, maybe_posted=True) for item in leftovers]
            if item is None:
                return unposted, None, False
            holder["item"] = item.id
            # The delivery key goes into the core with the turn: the core's own guard against
            # a repeat, and the key of what the turn writes for this delivery.
            stored = replace(_incoming(item.incoming), event_id=item.delivery_key)
            incoming = bot.prepare(platform.complete(stored, item.reply_to, context))
            replies = bot.refusal(incoming)
            if replies is None:
                result: TurnResult = await bot.run_turn(session, incoming)
                replies = bot.delivered(incoming, result)
            await store.mark_answered(
                session, item, payload_of(*replies), now=now, lease_until=now + self.lease
            )
            return unposted, _answered(item), more

        try:
            async with self._turns:
                step = await bot.in_turn(person[0], work)
        except Exception as exc:  # a bug in a turn: count it like a failure, never loop on it
            log.error(
                "inbox: a turn failed: %s",
                type(exc).__name__,
                exc_info=log.isEnabledFor(logging.DEBUG),
            )
            step = None
        if step is None:
            if "item" in holder:
                return await self._failed(holder["item"])
            return None
        unposted, answered, more = step
        if not unposted and answered is None:
            return None
        return unposted, answered, more

    async def _failed(self, item_id: int) -> Step | None:
        """The turn of an item failed: count it; after the last attempt, answer "try again"
        so the person hears something and their later messages are not held up."""
        now = self.bot.clock.now()
        try:
            async with self.bot.db.transaction() as session:
                item = await store.find(session, item_id)
                if item is None or item.status != store.PENDING:
                    return None
                if store.count_attempt(item) < MAX_ATTEMPTS:
                    return None
                incoming = _incoming(item.incoming)
                await store.mark_answered(
                    session,
                    item,
                    payload_of(*self.bot.try_again(incoming)),
                    now=now,
                    lease_until=now + self.lease,
                )
                log.error("inbox: gave up on a delivery after %d attempts", MAX_ATTEMPTS)
                return [], _answered(item), True  # look again: later ones may wait
        except DATABASE_ERRORS:
            return None

    async def _mark_posted(self, ids: list[int]) -> None:
        """Queue the marks; one transaction marks all that were posted meanwhile (under
        load, many people's at once), so marking costs no transaction per turn."""
        if not ids:
            return
        self._to_mark.extend(ids)
        if self._marking is None:
            self._marking = self.spawn(self._mark_queued(), "inbox marks")

    async def _mark_queued(self) -> None:
        try:
            while self._to_mark:
                await asyncio.sleep(0)  # posts finishing right now join this transaction
                ids, self._to_mark = self._to_mark, []
                try:
                    async with self.bot.db.transaction() as session:
                        await store.mark_posted(session, ids)
                except DATABASE_ERRORS as exc:
                    # Posted but not marked: after the lease they are checked, not posted twice.
                    log.warning("inbox: cannot mark replies posted: %s", type(exc).__name__)
        finally:
            self._marking = None

    async def recover(self, *, everything: bool = False) -> int:
        """Wake the queues nobody is running (a replica died, the database was away), or
        with `everything` every queue with work left (at start). Returns how many people
        were woken."""
        now = self.bot.clock.now()
        async with self.bot.db.transaction() as session:
            people = await store.people_waiting(
                session,
                now=now,
                pending_since=None if everything else now - ORPHANED_AFTER,
            )
        woken = 0
        for platform, user_id in people:
            if platform in self.platforms:
                self.wake(platform, user_id)
                woken += 1
        return woken

    def running(self) -> int:
        return len(self._running)


def _incoming(stored: dict[str, Any]) -> Incoming:
    return Incoming(**{name: stored[name] for name in _STORED_FIELDS if name in stored})


def _answered(item: InboxItem, *, maybe_posted: bool = False) -> Answered:
    return Answered(
        id=item.id,
        key=item.delivery_key,
        reply_to=dict(item.reply_to),
        replies=replies_from_payload(item.replies or {"replies": []}),
        answered_at=item.answered_at or item.created_at,
        maybe_posted=maybe_posted,
    )


async def run_recovery(
    inbox: Inbox, every: float, stop: asyncio.Event, *, at_start: bool = False
) -> None:
    """Look for orphaned queues every `every` seconds until `stop` is set; the first look,
    `at_start`, takes every queue with work left."""
    everything = at_start
    while not stop.is_set():
        try:
            await inbox.recover(everything=everything)
            everything = False
        except DATABASE_ERRORS as exc:
            log.warning("inbox: recovery pass failed: %s", type(exc).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
