"""Messages the bot sends on its own (follow-ups, reminders) as Slack DMs: the dispatcher
calls `SlackSender.send` with the person's stored address and reads the outcome from the
exception, if any (adapters/base.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.base import DeliveryError, RetryLater, Unreachable
from adapters.slack.render import render_messages
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


class SlackSender:
    """Opens the DM once (conversations.open, ~50 calls/min allowed) and keeps its channel id
    in the person's address; posts with chat.postMessage."""

    platform = PLATFORM

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def send(
        self, address: dict[str, Any], replies: Sequence[Reply]
    ) -> dict[str, Any] | None:
        user = address.get("user")
        if not isinstance(user, str) or not user:
            raise Unreachable("slack: the stored address has no user id")
        channel = address.get("channel")
        updated: dict[str, Any] | None = None
        try:
            if not channel:
                channel = await self.open_dm(user)
                updated = {**address, "channel": channel}
            try:
                await self._post(channel, replies)
            except SlackApiError as exc:
                if updated is not None or exc.response.get("error") != "channel_not_found":
                    raise
                # The stored DM channel is gone (a workspace migration): open it again.
                channel = await self.open_dm(user)
                updated = {**address, "channel": channel}
                await self._post(channel, replies)
        except Exception as exc:
            outcome = classify(exc)
            log.info("slack delivery failed: %s", outcome)
            raise outcome from None
        return updated

    async def _post(self, channel: str, replies: Sequence[Reply]) -> None:
        for message in render_messages(replies):
            await self.client.chat_postMessage(channel=channel, **message.as_kwargs())

    async def open_dm(self, user: str) -> str:
        response = await self.client.conversations_open(users=user)
        return response["channel"]["id"]
