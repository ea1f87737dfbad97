"""The dispatcher: delivers outbox rows through the platform adapters.

One pass (`run_once`):

1. **Claim** a batch in a short transaction: pending rows that are due (`not_before` ≤ now),
   whose lease is free, whose recipient's platform has a sender, and that are the oldest
   pending row of their recipient (so a person's messages arrive in the order they were
   written, and a later one never overtakes an earlier one that is backing off). On
   PostgreSQL the rows are locked with `FOR UPDATE SKIP LOCKED`, so replicas claim disjoint
   rows without waiting for each other; SQLite runs one writer at a time (`BEGIN IMMEDIATE`).
   The claim sets a lease (`claimed_until`, `claim_token`) and counts the attempt.
2. **Send** outside any transaction, within the platform's rate limits (bot/ratelimit.py).
3. **Record** the outcome in its own transaction, only if the lease is still ours:
   sent → `status='sent'`; `RetryLater` → back off (exponential with jitter, or Retry-After
   when the platform said how long) and try again later, until `max_attempts`, then
   `failed` with the last error; `Unreachable` → the person is marked unreachable, their
   pending rows fail, and the coordinators are told.

**E-mail when the chat cannot reach someone** (bot/mail.py; only with mail configured and an
address in `persons.email`). A row goes out by mail instead of chat when its recipient is
marked unreachable, has no sender for their platform or no chat address (a person only
known by e-mail), or when the row's chat attempts ran out (it is then released with mail's
own attempts and `sent_via='email'`). It is the same row with the same dedupe key, claimed
as any other (lease, one person's rows in order, office hours), sent within mail's own rate
limit, and marked `sent_via='email'`; its Message-ID comes from the dedupe key, so a resend
after a crash is the same message. When the chat says Unreachable, the person's pending
rows are not failed: the claimed one is released and they all go by mail, and the
coordinators are told so. Someone who is reachable again (they wrote, or installed the app
again) gets the rest in the chat. A mail server's 4xx is RetryLater; its 5xx for the
address (`Refused`) fails that row with the server's words.

Outside office hours on Swedish working days nothing is claimed (the rows wait for the next
morning), except kinds listed in `DispatchPolicy.immediate_kinds` and direct answers
(`storage.outbox.DIRECT_ANSWER`: what a person asked in a channel, answered in their personal
chat), which go out at any hour and then wait only for earlier rows that may go out too.

**Delivery is at least once.** The platform call and the commit that marks the row sent
cannot be one transaction. When the process dies, or the database fails, between "the
platform accepted" and that commit, the row is still pending with our lease; once the lease
(`DispatchPolicy.lease`, 5 minutes) runs out any dispatcher claims it again and sends it
again. A call that timed out after the platform took the message is retried the same way,
after its backoff. Nothing is lost. Whether the person sees it twice depends on the sender:

- the outbox's unique dedupe key means the *message* exists once: a replayed turn, a second
  sweep or a second replica can never enqueue it again, so the only possible repeat is a
  new attempt of the same row;
- a row is **possibly delivered** when it was claimed before (`attempts` > 0 at the claim:
  an earlier lease ran out without an outcome, or an earlier attempt ended in an error that
  does not prove the platform refused it). The first attempt of a row is never;
- a sender that declares `accepts_delivery_key = True` gets the row's dedupe key as
  `delivery_key`, `possibly_delivered`, and `since` (the row's creation: no attempt is
  older). It marks what it posts with the key and, only when possibly delivered, looks on
  the platform for it first; if it is there it posts nothing and returns `AlreadyDelivered`
  (counted in `stats.already_delivered`), and the row is marked sent. **Slack** does this
  (adapters/slack/sender.py: message metadata, and the DM's newest messages read with
  `im:history`); it is exact as long as the DM's history can be read and the earlier copy is
  among its newest 600 messages; otherwise it posts again (at least once; a history it
  cannot read is logged at warning level, once per reason). A rate-limited history read
  is `RetryLater`, like a rate-limited post;
- **Teams** cannot: the Bot Connector takes no idempotency key and Teams does not support
  listing a conversation's activities (GetConversationActivities), so the sender is not
  given a key. What holds there: each unfinished attempt — a crash or database failure
  between the connector's 2xx and the mark-sent commit, or a connector call that failed or
  timed out after the connector had taken the activity — can show the message **at most
  once more**, when the row is sent again: after the lease ran out (a crash), or after the
  backoff (a failed call). No crash and no failed call, no duplicate;
- a redelivery after an expired lease is logged at warning level with the row id, and
  counted in `stats.redelivered`, so an operator can see how often the window is hit (it
  needs a crash within one HTTP call).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import telemetry
from bot.availability import team
from bot.away import notice_gone
from bot.calendar import DEFAULT_CALENDAR, WorkingCalendar
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.mail import MAIL
from bot.platforms import display_name
from bot.platforms import rate_limits as platform_rate_limits
from bot.ports import (
    AlreadyDelivered,
    MailSender,
    RateRule,
    Refused,
    RetryLater,
    Sender,
    Unreachable,
)
from bot.ratelimit import RateLimiter, tenant_of
from conversations.i18n import person_language, tr
from conversations.reply import Reply, payload_of, replies_from_payload
from storage import delivery as rows
from storage.database import Database
from storage.models import Person
from storage.outbox import DIRECT_ANSWER, enqueue
from storage.people import first_name, get_person, set_address

log = logging.getLogger(__name__)
__all__ = ["DispatchPolicy", "Dispatcher", "payload_of", "replies_from_payload"]

UNREACHABLE_NOTICE = "notice_unreachable"
# The newest latencies kept for percentiles (the metrics histogram has them all).
MAX_KEPT_LATENCIES = 100_000


@dataclass(frozen=True)
class DispatchPolicy:
    max_attempts: int = 8
    # Backoff without Retry-After: base · 2^(attempt−1), capped, times a random 0.5–1.0.
    base_delay: float = 10.0
    max_delay: float = 3600.0
    # How long a claimed row belongs to one dispatcher before it counts as abandoned.
    lease: timedelta = timedelta(minutes=5)
    batch_size: int = 100
    concurrency: int = 50
    # Kinds that may go out at night (none by default: only office hours).
    immediate_kinds: frozenset[str] = frozenset()
    # Every kind at any hour, every day (IDESLUSS_DELIVER_ANY_TIME=1, for shift work).
    any_time: bool = False


@dataclass
class DeliveryStats:
    """What a dispatcher has done since it started; latency is created → sent."""

    delivered: int = 0
    retried: int = 0
    failed: int = 0
    unreachable: int = 0
    redelivered: int = 0
    # Possibly delivered rows the sender found on the platform and did not send again.
    already_delivered: int = 0
    # Rows that went out by e-mail, and rows moved from the chat to mail.
    mailed: int = 0
    moved_to_mail: int = 0
    lost_leases: int = 0
    latencies: list[float] = field(default_factory=list)

    def latency_percentile(self, share: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass(frozen=True)
class _Claimed:
    id: int
    token: str
    dedupe_key: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime
    recipient_id: int
    platform: str
    address: dict[str, Any] | None
    reachable: bool
    # The previous lease ran out without an outcome (a crash): it is sent again.
    was_abandoned: bool
    # An earlier attempt may have reached the platform (the row was claimed before).
    possibly_delivered: bool
    # Where mail goes when the chat cannot reach them, and how to write to them there.
    email: str | None = None
    display_name: str | None = None
    locale: str | None = None
    platform_locale: str | None = None
    # This attempt goes by e-mail (decided at the claim).
    by_mail: bool = False


class Dispatcher:
    def __init__(
        self,
        database: Database,
        senders: Mapping[str, Sender] | Iterable[Sender],
        *,
        settings: Settings | None = None,
        clock: Clock | None = None,
        calendar: WorkingCalendar | None = None,
        policy: DispatchPolicy | None = None,
        rate_limits: Mapping[str, tuple[RateRule, ...]] | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        rng: random.Random | None = None,
        mail: MailSender | None = None,
    ) -> None:
        self.db = database
        self.senders: dict[str, Sender] = (
            dict(senders) if isinstance(senders, Mapping) else {s.platform: s for s in senders}
        )
        self.settings = settings or Settings()
        self.clock = clock or SystemClock()
        self.calendar = calendar or (settings.calendar() if settings else DEFAULT_CALENDAR)
        self.policy = policy or DispatchPolicy()
        self.mail = mail
        limits = dict(platform_rate_limits() if rate_limits is None else rate_limits)
        if mail is not None:
            limits.setdefault(MAIL, mail.rate_limits)
        self.limiter = RateLimiter(limits, now=lambda: self.clock.now().timestamp(), sleep=sleep)
        self.rng = rng or random.Random()
        self.stats = DeliveryStats()
        # A direct answer is a reply the person is waiting for, not a reminder.
        self.immediate_kinds = self.policy.immediate_kinds | {DIRECT_ANSWER}

    # The pass ---------------------------------------------------------------------------

    async def run_once(self) -> int:
        """Claim one batch and deliver it. Returns how many rows were claimed."""
        claimed = await self._claim()
        if not claimed:
            return 0
        limit = asyncio.Semaphore(self.policy.concurrency)

        async def one(item: _Claimed) -> None:
            async with limit:
                await self._deliver(item)

        await asyncio.gather(*(one(item) for item in claimed))
        return len(claimed)

    async def run_until_idle(self, max_batches: int | None = None) -> int:
        """Deliver until nothing is claimable now. Returns how many rows were claimed."""
        total, batches = 0, 0
        while max_batches is None or batches < max_batches:
            count = await self.run_once()
            if not count:
                break
            total, batches = total + count, batches + 1
        return total

    async def next_due(self) -> datetime | None:
        """The earliest moment a pending row becomes due (for scheduling the next pass)."""
        async with self.db.transaction() as session:
            return await rows.next_pending_at(session)

    # Claiming ---------------------------------------------------------------------------

    async def _claim(self) -> list[_Claimed]:
        now = self.clock.now()
        if not self.senders and self.mail is None:
            return []
        office = self.policy.any_time or self.calendar.is_office_moment(now)
        token = uuid.uuid4().hex
        async with self.db.transaction() as session:
            found = await rows.claim_due(
                session,
                now=now,
                platforms=self.senders,
                token=token,
                lease=self.policy.lease,
                limit=self.policy.batch_size,
                # At night only the immediate kinds go out.
                only_kinds=None if office else self.immediate_kinds,
                by_mail=self.mail is not None,
            )
        claimed = [
            _Claimed(
                id=row.id,
                token=token,
                dedupe_key=row.dedupe_key,
                kind=row.kind,
                payload=row.payload,
                attempts=row.attempts + 1,
                created_at=row.created_at,
                recipient_id=row.recipient_id,
                platform=row.platform,
                address=row.address,
                reachable=row.reachable,
                was_abandoned=row.claimed_until is not None,
                possibly_delivered=row.attempts > 0,
                email=row.email,
                display_name=row.display_name,
                locale=row.locale,
                platform_locale=row.platform_locale,
                by_mail=self._goes_by_mail(row),
            )
            for row in found
        ]
        return claimed

    def _mailable(self, email: str | None) -> bool:
        return self.mail is not None and bool(email)

    def _goes_by_mail(self, row: rows.ClaimedRow) -> bool:
        """Mail when the chat cannot carry this row: the person is unreachable there, has no
        sender or no chat address, or the row's chat attempts ran out."""
        if not self._mailable(row.email):
            return False
        return (
            row.sent_via == MAIL
            or not row.reachable
            or row.platform not in self.senders
            or not row.address
        )

    # Delivering -------------------------------------------------------------------------

    async def _deliver(self, item: _Claimed) -> None:
        if item.by_mail:
            await self._deliver_by_mail(item)
            return
        if not item.reachable:
            await self._fail(item, "the person cannot be messaged (blocked or uninstalled)")
            return
        sender = self.senders[item.platform]
        if item.was_abandoned:
            self.stats.redelivered += 1
            log.warning(
                "redelivering an outbox row whose earlier attempt never finished",
                extra={"outbox": item.id, "attempt": item.attempts},
            )
        await self.limiter.acquire(item.platform, str(item.recipient_id), tenant_of(item.address))
        extra: dict[str, Any] = {}
        if getattr(sender, "accepts_delivery_key", False):
            extra["delivery_key"] = item.dedupe_key
            extra["possibly_delivered"] = item.possibly_delivered
            extra["since"] = item.created_at
        try:
            result = await sender.send(item.address or {}, self._replies_of(item), **extra)
        except Unreachable as exc:
            await self._unreachable(item, exc)
        except RetryLater as exc:
            await self._retry(item, str(exc) or type(exc).__name__, exc.retry_after)
        except Exception as exc:
            # An unexpected error in an adapter is treated as passing, but still counted:
            # after max_attempts the row fails instead of looping for ever.
            log.warning(
                "sender raised %s", type(exc).__name__, extra={"outbox": item.id}, exc_info=True
            )
            await self._retry(item, f"{type(exc).__name__}: {exc}", None)
        else:
            if isinstance(result, AlreadyDelivered):
                self.stats.already_delivered += 1
                log.info("already on the platform: marked sent", extra={"outbox": item.id})
                result = result.address
            await self._sent(item, result)

    async def _deliver_by_mail(self, item: _Claimed) -> None:
        assert self.mail is not None and item.email
        if item.was_abandoned:
            # The same Message-ID again: a mail client that has the first shows it once.
            self.stats.redelivered += 1
            log.warning(
                "mailing again an outbox row whose earlier attempt never finished",
                extra={"outbox": item.id, "attempt": item.attempts},
            )
        await self.limiter.acquire(MAIL, str(item.recipient_id))
        try:
            await self.mail.send_mail(
                item.email,
                replies_from_payload(item.payload),
                name=item.display_name,
                language=person_language(item),
                delivery_key=item.dedupe_key,
                answer_on=self._chat_of(item),
            )
        except Refused as exc:
            await self._refused_by_mail(item, exc)
        except RetryLater as exc:
            await self._retry(item, f"e-mail: {exc}", exc.retry_after)
        except Exception as exc:
            log.warning(
                "mail sender raised %s",
                type(exc).__name__,
                extra={"outbox": item.id},
                exc_info=True,
            )
            await self._retry(item, f"e-mail: {type(exc).__name__}: {exc}", None)
        else:
            self.stats.mailed += 1
            await self._sent(item, None, via=MAIL)

    @staticmethod
    def _replies_of(item: _Claimed) -> list[Reply]:
        """The row's replies, each knowing the recipient's language: what a platform writes
        of its own (Teams' label on a choice list) is in it too."""
        lang = person_language(item)
        return [
            reply if reply.lang else replace(reply, lang=lang)
            for reply in replies_from_payload(item.payload)
        ]

    def _chat_of(self, item: _Claimed) -> str | None:
        """The chat the person can answer in ("Teams"), or None for someone known only by
        e-mail."""
        if item.platform in self.senders or item.address:
            return display_name(item.platform)
        return None

    async def _sent(
        self, item: _Claimed, new_address: dict[str, Any] | None, *, via: str = "chat"
    ) -> None:
        now = self.clock.now()
        async with self.db.transaction() as session:
            mine = await rows.record_sent(session, item.id, item.token, now=now, via=via)
            if new_address is not None and new_address != item.address:
                await set_address(session, item.recipient_id, new_address, now=now)
        if not mine:
            self.stats.lost_leases += 1
            log.warning("lease lost before marking sent", extra={"outbox": item.id})
            return
        self.stats.delivered += 1
        latency = (now - item.created_at).total_seconds()
        self.stats.latencies.append(latency)
        if len(self.stats.latencies) > MAX_KEPT_LATENCIES:  # a server runs for months
            del self.stats.latencies[: MAX_KEPT_LATENCIES // 2]
        telemetry.observe_delivery(latency)
        log.debug("delivered", extra={"outbox": item.id, "latency_s": round(latency, 3)})

    def backoff(self, attempts: int, retry_after: float | None) -> float:
        """Seconds to wait before the next attempt."""
        if retry_after is not None and retry_after >= 0:
            # The platform said how long; a little jitter keeps replicas from colliding.
            return retry_after * (1 + 0.1 * self.rng.random())
        delay = min(self.policy.max_delay, self.policy.base_delay * 2.0 ** max(0, attempts - 1))
        return delay * (0.5 + 0.5 * self.rng.random())

    async def _retry(self, item: _Claimed, reason: str, retry_after: float | None) -> None:
        if item.attempts >= self.policy.max_attempts:
            if not item.by_mail and self._mailable(item.email):
                await self._move_to_mail(item, reason)
                return
            await self._fail(item, reason)
            return
        now = self.clock.now()
        later = now + timedelta(seconds=self.backoff(item.attempts, retry_after))
        if not self.policy.any_time and item.kind not in self.immediate_kinds:
            later = self.calendar.next_office_moment(later)
        async with self.db.transaction() as session:
            await rows.record_retry(session, item.id, item.token, later=later, reason=reason)
        self.stats.retried += 1
        telemetry.count_delivery("retried")
        log.info("delivery postponed", extra={"outbox": item.id, "attempt": item.attempts})

    async def _move_to_mail(self, item: _Claimed, reason: str) -> None:
        """The chat's attempts ran out: this row goes by mail, at once, with its own tries."""
        async with self.db.transaction() as session:
            await rows.record_moved_to_mail(
                session, item.id, item.token, now=self.clock.now(), reason=reason
            )
        self.stats.moved_to_mail += 1
        log.info("chat attempts ran out: the row goes by e-mail", extra={"outbox": item.id})

    async def _fail(self, item: _Claimed, reason: str) -> None:
        async with self.db.transaction() as session:
            await rows.record_failed(session, item.id, item.token, reason=reason)
        self.stats.failed += 1
        telemetry.count_delivery("failed")
        log.warning("delivery failed for good", extra={"outbox": item.id})

    async def _refused_by_mail(self, item: _Claimed, exc: Refused) -> None:
        """The mail server refused the address of someone the chat cannot reach either: the
        row fails, and the coordinators here hear once (per address) that the bot reaches
        this person no more, so that someone calls them instead of leaving them in silence."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            if not await rows.record_failed(session, item.id, item.token, reason=f"e-mail: {exc}"):
                return  # another dispatcher has the row now; it decides
            person = await get_person(session, item.recipient_id)
            if person is not None:
                crew = await team(session, self.settings, now)
                address = hashlib.sha256((item.email or "").encode("utf-8")).hexdigest()[:12]
                await self._tell_coordinators(
                    session, crew.here, person, "notice.mail_refused",
                    dedupe=f"mail_refused:{person.id}:{address}", now=now,
                )  # fmt: skip
        self.stats.failed += 1
        telemetry.count_delivery("failed")
        log.warning("the mail server refused a recipient", extra={"outbox": item.id})

    async def _tell_coordinators(
        self,
        session: AsyncSession,
        coordinators: Iterable[Person],
        person: Person,
        key: str,
        *,
        dedupe: str,
        now: datetime,
        **words: Any,
    ) -> None:
        """A notice about `person` (text `key`) to each of these coordinators but them, in
        office hours, once per `dedupe` and coordinator."""
        for coordinator in coordinators:
            if coordinator.id == person.id:
                continue
            text = tr(
                person_language(coordinator),
                key,
                first_name=first_name(coordinator.display_name),
                person=person.display_name or person.qualified_id,
                **words,
            )
            await enqueue(
                session,
                dedupe_key=f"{dedupe}:{coordinator.id}",
                recipient_id=coordinator.id,
                kind=UNREACHABLE_NOTICE,
                payload=payload_of(Reply(text)),
                now=now,
                not_before=self.calendar.next_office_moment(now),
            )

    async def _unreachable(self, item: _Claimed, exc: Unreachable) -> None:
        """Stop sending to this person in the chat, tell the coordinators (a coordinator
        gone: as news in their next digest; anyone else: a notice). What waits for them goes
        by e-mail when it can (the claimed row is released for it), else it fails."""
        now = self.clock.now()
        reason = f"unreachable: {exc}" if str(exc) else "unreachable"
        by_mail = self._mailable(item.email)
        async with self.db.transaction() as session:
            person = await get_person(session, item.recipient_id, lock=True)
            assert person is not None
            person.reachable = False
            person.updated_at = now
            if by_mail:
                await rows.record_retry(session, item.id, item.token, later=now, reason=reason)
                failed = 0
            else:
                failed = await rows.fail_waiting_for(
                    session, person.id, claimed_id=item.id, reason=reason
                )
            # Only those here hear of it (not someone away); a coordinator who cannot be
            # reached is gone: their open ideas surface to the others at once.
            crew = await team(session, self.settings, now)
            if person.id in crew.members:
                # Their ideas and that they are gone come as news in the next digest: no
                # second message to anyone that day.
                await notice_gone(session, self.settings, now)
            else:
                await self._tell_coordinators(
                    session, crew.here, person,
                    "notice.unreachable.mail" if by_mail else "notice.unreachable",
                    dedupe=f"unreachable:{item.id}", now=now, count=failed,
                )  # fmt: skip
        self.stats.unreachable += 1
        telemetry.count_delivery("unreachable")
        log.warning(
            "recipient unreachable in the chat%s",
            ": their messages go by e-mail" if by_mail else "",
            extra={"person": item.recipient_id},
        )
