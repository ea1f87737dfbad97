"""Messages the bot sends on its own (follow-ups, reminders) as Slack DMs: the dispatcher
calls `SlackSender.send` with the person's stored address and reads the outcome from the
exception, if any (bot/ports.py).

**Posting once.** Every message posted with a delivery key carries it in Slack message
metadata (`event_type` "idesluss_delivery", `event_payload` {"key": …}; a reply rendered as
several messages numbers them with "part"). When the dispatcher says an earlier attempt may
have reached Slack (`possibly_delivered`), the sender first reads the DM's newest messages
(conversations.history with include_all_metadata, from a little before the row was
written, at most HISTORY_PAGES × HISTORY_PAGE messages) and posts only what no message of a
bot carries. Reading needs the `im:history` scope (adapters/slack/manifest.yml); when the
history cannot be read the message is posted anyway (at least once, never lost) and a
warning is logged once per reason; when reading it is rate limited the send is
`RetryLater` after Slack's Retry-After. A first attempt never reads the history.

`post_once` / `post_all_once` are the same thing for any post to a conversation, so other
posts that may be repeated after a crash (a direct reply) can use it.

**Never nothing.** The renderer keeps every message well within Slack's limits
(adapters/slack/render.py); should Slack still refuse a message's blocks
(`msg_blocks_too_long`, `invalid_blocks`), the same message goes again as plain text, the
blocks' texts without buttons, so that the person reads something instead of nothing.

**Files.** A reply's kept files (bot/files.py) are uploaded to the DM after its messages
(adapters/slack/files.py); one delivered before is not uploaded again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.files import SlackFiles
from adapters.slack.render import readable_text, render_messages
from bot.files import files_in
from bot.ports import AlreadyDelivered, DeliveryError, RetryLater, Unreachable
from conversations.reply import Reply

log = logging.getLogger(__name__)

PLATFORM = "slack"
# The person (or their account) cannot get our messages: stop trying.
UNREACHABLE_ERRORS = frozenset(
    {
        "account_inactive",
        "user_not_found",
        "users_not_found",
        "user_disabled",
        "cannot_dm_bot",
        "user_not_visible",
        "messages_tab_disabled",
        "is_archived",
        "restricted_action",
    }
)
# Slack-side trouble that passes.
PASSING_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
# Slack refused the blocks themselves: the message is worth sending as plain text instead.
BLOCKS_REFUSED = frozenset({"msg_blocks_too_long", "invalid_blocks", "invalid_blocks_format"})
# The metadata event type of every message posted with a delivery key.
DELIVERY_EVENT = "idesluss_delivery"
# How much of a DM is read to find an earlier delivery: the newest messages first, Slack's
# recommended page size, a few pages at most (conversations.history is Tier 3, ~50/min).
HISTORY_PAGE = 200
HISTORY_PAGES = 3
# Slack's clock and ours may differ a little: read from this long before the row was written.
CLOCK_MARGIN = timedelta(minutes=10)


def classify(exc: Exception) -> DeliveryError:
    """A Slack Web API failure as the dispatcher's outcome."""
    if isinstance(exc, SlackApiError):
        response = exc.response
        status = getattr(response, "status_code", 0) or 0
        error = (response.get("error") if hasattr(response, "get") else None) or "unknown"
        if status == 429 or error == "ratelimited":
            return RetryLater("slack: rate limited", retry_after=_retry_after(response))
        if error in UNREACHABLE_ERRORS:
            return Unreachable(f"slack: {error}")
        if status >= 500 or error in PASSING_ERRORS:
            return RetryLater(f"slack: {error} (HTTP {status})")
        return DeliveryError(f"slack: {error}")
    if isinstance(exc, asyncio.TimeoutError | aiohttp.ClientError | SlackClientError | OSError):
        return RetryLater(f"slack: {type(exc).__name__}")
    return DeliveryError(f"slack: {type(exc).__name__}")


def _retry_after(response: Any) -> float | None:
    headers = getattr(response, "headers", None) or {}
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return max(0.0, float(value if isinstance(value, str) else value[0]))
            except (TypeError, ValueError, IndexError):
                return None
    return None


@dataclass(frozen=True)
class Delivered:
    """Posted now."""

    channel: str
    ts: str | None


@dataclass(frozen=True)
class AlreadyThere:
    """Found in the conversation, carrying the key: not posted again."""

    channel: str
    ts: str


Posted = Delivered | AlreadyThere


def delivery_metadata(key: str, part: int = 0) -> dict[str, Any]:
    """The Slack message metadata that marks a message as this delivery (part 0 is the
    first message of a reply; later parts are numbered)."""
    payload: dict[str, Any] = {"key": key}
    if part:
        payload["part"] = part
    return {"event_type": DELIVERY_EVENT, "event_payload": payload}


def delivery_part(message: Mapping[str, Any], key: str, bot_id: str | None = None) -> int | None:
    """Which part of delivery `key` this history message is, or None if it is not one.
    Only a bot's message counts (in a DM only the person and our bot write; pass `bot_id`
    to accept our bot's only)."""
    sender = message.get("bot_id")
    if not sender or (bot_id is not None and sender != bot_id):
        return None
    metadata = message.get("metadata")
    if not isinstance(metadata, Mapping) or metadata.get("event_type") != DELIVERY_EVENT:
        return None
    payload = metadata.get("event_payload")
    if not isinstance(payload, Mapping) or payload.get("key") != key:
        return None
    part = payload.get("part", 0)
    return part if isinstance(part, int) and not isinstance(part, bool) and part >= 0 else None


def as_plain_text(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """A message's arguments without its blocks, their texts as its text (the fallback for
    blocks Slack refused)."""
    plain = {key: value for key, value in kwargs.items() if key != "blocks"}
    plain["text"] = readable_text(kwargs.get("blocks") or []) or kwargs.get("text") or "…"
    return plain


def refused_blocks(error: Any, kwargs: Mapping[str, Any]) -> bool:
    if error not in BLOCKS_REFUSED or not kwargs.get("blocks"):
        return False
    # Only the error and the size: the text is the person's.
    log.warning(
        "slack: Slack refused a message's blocks (%s, %d blocks); sent as plain text",
        error,
        len(kwargs["blocks"]),
    )
    return True


async def post_or_plain(method: Any, kwargs: dict[str, Any]) -> Any:
    """A chat.postMessage / chat.postEphemeral call; if Slack refuses the blocks, the same
    message (metadata and all) again as plain text. Any other error is raised as it comes."""
    try:
        return await method(**kwargs)
    except SlackApiError as exc:
        if not refused_blocks(exc.response.get("error"), kwargs):
            raise
    return await method(**as_plain_text(kwargs))


def slack_ts(moment: datetime) -> str:
    return f"{moment.timestamp():.6f}"


class SlackSender:
    """Opens the DM once (conversations.open, ~50 calls/min allowed) and keeps its channel id
    in the person's address; posts with chat.postMessage, each message marked with the
    outbox row's delivery key so that a redelivery after a crash is not shown twice."""

    platform = PLATFORM
    accepts_delivery_key = True

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        bot_id: str | None = None,
        files: SlackFiles | None = None,
    ) -> None:
        self.client = client
        self.bot_id = bot_id
        self.files = files  # None: replies' files are not delivered (no bot to read them)
        self.history_reads = 0
        self._warned: set[str] = set()

    async def send(
        self,
        address: dict[str, Any],
        replies: Sequence[Reply],
        *,
        delivery_key: str | None = None,
        possibly_delivered: bool = False,
        since: datetime | None = None,
    ) -> dict[str, Any] | AlreadyDelivered | None:
        user = address.get("user")
        if not isinstance(user, str) or not user:
            raise Unreachable("slack: the stored address has no user id")
        channel = address.get("channel")
        messages = [message.as_kwargs() for message in render_messages(replies)]
        updated: dict[str, Any] | None = None
        try:
            if not channel:
                channel = await self.open_dm(user)
                updated = {**address, "channel": channel}
            try:
                outcomes = await self._post(
                    channel, messages, delivery_key, possibly_delivered, since
                )
            except SlackApiError as exc:
                if updated is not None or exc.response.get("error") != "channel_not_found":
                    raise
                # The stored DM channel is gone (a workspace migration): open it again.
                channel = await self.open_dm(user)
                updated = {**address, "channel": channel}
                outcomes = await self._post(
                    channel, messages, delivery_key, possibly_delivered, since
                )
        except Exception as exc:
            outcome = classify(exc)
            log.info("slack delivery failed: %s", outcome)
            raise outcome from None
        await self.send_files(channel, user, replies)
        if outcomes and all(isinstance(o, AlreadyThere) for o in outcomes):
            log.info("slack: this delivery is already in the DM; not posted again")
            return AlreadyDelivered(updated)
        return updated

    async def _post(
        self,
        channel: str,
        messages: Sequence[dict[str, Any]],
        key: str | None,
        maybe_sent: bool,
        since: datetime | None,
    ) -> list[Posted]:
        if key is None:  # nothing to find it by later: a plain post
            outcomes: list[Posted] = []
            for kwargs in messages:
                response = await self.post_message({**kwargs, "channel": channel})
                outcomes.append(Delivered(channel, response.get("ts")))
            return outcomes
        return await self.post_all_once(channel, key, messages, maybe_sent=maybe_sent, since=since)

    async def post_once(
        self,
        channel: str,
        key: str,
        message_kwargs: dict[str, Any],
        *,
        maybe_sent: bool,
        since: datetime | None,
    ) -> Posted:
        """Post one message (chat.postMessage arguments) marked with `key`, unless
        `maybe_sent` and the conversation already has a bot message carrying it."""
        [outcome] = await self.post_all_once(
            channel, key, [message_kwargs], maybe_sent=maybe_sent, since=since
        )
        return outcome

    async def post_all_once(
        self,
        channel: str,
        key: str,
        messages: Sequence[dict[str, Any]],
        *,
        maybe_sent: bool,
        since: datetime | None,
    ) -> list[Posted]:
        """Post the parts of one delivery in order, each marked with `key` and its number;
        with `maybe_sent`, first read the conversation (once) and skip the parts already
        there. `since`: no earlier attempt was made before this moment. Slack errors of
        chat.postMessage are raised as they come (SlackApiError, timeouts)."""
        found = (
            await self.find_delivered(channel, key, since, parts=len(messages))
            if (maybe_sent and messages)
            else {}
        )
        outcomes: list[Posted] = []
        for part, kwargs in enumerate(messages):
            if part in found:
                outcomes.append(AlreadyThere(channel, found[part]))
                continue
            response = await self.post_message(
                {**kwargs, "channel": channel, "metadata": delivery_metadata(key, part)}
            )
            outcomes.append(Delivered(channel, response.get("ts")))
        return outcomes

    async def post_message(self, kwargs: dict[str, Any]) -> Any:
        return await post_or_plain(self.client.chat_postMessage, kwargs)

    async def find_delivered(
        self, channel: str, key: str, since: datetime | None, *, parts: int = 1
    ) -> dict[int, str]:
        """The parts of delivery `key` already in the conversation, as part → message ts.
        Reads the newest messages first, back to a little before `since`, at most
        HISTORY_PAGES pages. What cannot be read counts as not there (a warning once per
        reason); a conversation that does not exist, or a 429, raises SlackApiError like a
        post would."""
        oldest = slack_ts(since - CLOCK_MARGIN) if since is not None else None
        found: dict[int, str] = {}
        cursor: str | None = None
        for _ in range(HISTORY_PAGES):
            try:
                self.history_reads += 1
                response = await self.client.conversations_history(
                    channel=channel,
                    include_all_metadata=True,
                    oldest=oldest,
                    limit=HISTORY_PAGE,
                    cursor=cursor,
                )
            except SlackApiError as exc:
                error = exc.response.get("error") or f"HTTP {exc.response.status_code}"
                # A vanished DM is opened again by `send`. Rate limited (Tier 3, ~50/min: a
                # burst of redeliveries after an outage) means "not now", not "cannot": the
                # dispatcher waits the Retry-After instead of risking a second copy.
                if error == "channel_not_found" or exc.response.status_code == 429:
                    raise
                self._cannot_read_history(error, exc.response.get("needed"))
                return found
            except (TimeoutError, aiohttp.ClientError, SlackClientError, OSError) as exc:
                self._cannot_read_history(type(exc).__name__, None)
                return found
            for message in response.get("messages") or []:
                part = delivery_part(message, key, self.bot_id)
                if part is not None and isinstance(message.get("ts"), str):
                    found.setdefault(part, message["ts"])
            if all(part in found for part in range(parts)):
                break
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not response.get("has_more") or not cursor:
                break
        return found

    def _cannot_read_history(self, reason: str, needed: str | None) -> None:
        if reason in self._warned:
            log.debug("slack: DM history unreadable (%s); posted without checking", reason)
            return
        self._warned.add(reason)
        hint = (
            f" (the app needs the scope {needed}: reinstall it from the manifest)"
            if (needed)
            else ""
        )
        log.warning(
            "slack: cannot read a DM's history (%s)%s; a message that may have been "
            "delivered before a crash is posted again without checking, so it can show twice",
            reason,
            hint,
        )

    async def send_files(self, channel: str, user: str, replies: Sequence[Reply]) -> None:
        """Upload the replies' files to the DM `channel`; a failed one is told in words."""
        refs = files_in(replies)
        if self.files is None or not refs:
            return
        failures = await self.files.deliver(channel, user, refs)
        for message in render_messages(failures):
            try:
                await self.client.chat_postMessage(channel=channel, **message.as_kwargs())
            except Exception as exc:
                log.warning("slack: could not tell of a failed file: %s", classify(exc))

    async def open_dm(self, user: str) -> str:
        response = await self.client.conversations_open(users=user)
        channel: str = response["channel"]["id"]
        return channel
