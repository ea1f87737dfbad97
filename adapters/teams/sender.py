"""Proactive messages in Teams: follow-ups and reminders the dispatcher hands over, sent to
the person's stored `ConversationReference` through `continue_conversation`.

The outcome is told by the exception raised, as `bot/ports.py` defines: passing trouble
(429, 412, 5xx, network) is `RetryLater`, with the connector's Retry-After when it gave one;
a person who blocked or removed the bot is `Unreachable`. The connector clients used here
make no retries of their own (adapters/teams/connectors.py): the dispatcher decides.

**No delivery key.** The Bot Connector takes no idempotency key for a new activity, and
Teams does not let a bot read a conversation's activities back (GetConversationActivities
is not supported), so there is nothing to look for after a crash: this sender does not
take delivery keys, and a row the dispatcher sends again is posted again. Each unfinished
attempt (a crash or database failure between the connector's 2xx and the mark-sent commit,
or a call that failed or timed out after the connector took the activity) can therefore
show the message at most once more — after the lease ran out, or after the backoff
(bot/dispatcher.py). Reading the chat through Microsoft Graph would need the protected
Chat.Read.All permission (or resource-specific consent) and is not done.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ConversationReference
from msrest.exceptions import ClientRequestError, HttpOperationError
from requests.exceptions import RequestException

from adapters.teams.files import consent_cards
from adapters.teams.render import one_activity, to_activity
from bot.ports import DeliveryError, RetryLater, Unreachable
from conversations.reply import Reply

log = logging.getLogger(__name__)

PLATFORM = "msteams"
RETRY_STATUSES = {408, 412, 429, 500, 502, 503, 504}
# 403 codes that mean this person blocked, muted or removed the bot (Teams bot API errors).
BLOCKED_CODES = (
    "MessageWritesBlocked",
    "ConversationBlockedByUser",
    "BotDisabledByUser",
    "BotNotInConversationRoster",
)


class TeamsSender:
    platform = PLATFORM
    # See the module docstring: Teams offers no way to find an earlier copy.
    accepts_delivery_key = False

    def __init__(self, adapter: CloudAdapter, app_id: str) -> None:
        self.adapter = adapter
        self.app_id = app_id

    async def send(
        self, address: dict[str, Any], replies: Sequence[Reply]
    ) -> dict[str, Any] | None:
        reference = _reference(address)
        combined = one_activity(list(replies)) if replies else None
        activities = [combined] if combined else [to_activity(reply) for reply in replies]
        # The files of an answer asked for in a group: their consent cards, after it.
        activities += consent_cards(replies)
        if not activities:
            return None
        failure: list[BaseException] = []

        async def deliver(turn: TurnContext) -> None:
            # The SDK gives the continuation a made-up id and would send a "reply" to it;
            # without one the message is simply posted to the conversation.
            turn.activity.id = None
            try:
                await turn.send_activities(activities)
            except Exception as exc:  # classified below, outside the SDK's error handler
                failure.append(exc)

        try:
            await self.adapter.continue_conversation(reference, deliver, self.app_id)
        except Exception as exc:  # token or connector creation failed before sending
            failure.append(exc)
        if failure:
            raise classify(failure[0]) from failure[0]
        return None


def _reference(address: dict[str, Any]) -> ConversationReference:
    if not isinstance(address, dict):
        raise DeliveryError("the stored address is not a Teams conversation reference")
    try:
        reference = ConversationReference().deserialize(address)
    except Exception as exc:
        raise DeliveryError("the stored address is not a Teams conversation reference") from exc
    if not reference.service_url or not reference.conversation or not reference.conversation.id:
        raise DeliveryError("the stored Teams address lacks serviceUrl or conversation id")
    reference.activity_id = None
    return reference


def classify(exc: BaseException) -> DeliveryError:
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, HttpOperationError) and getattr(exc, "response", None) is not None:
        response = exc.response
        status = int(getattr(response, "status_code", 0) or 0)
        body = _body(response)
        if status in RETRY_STATUSES:
            retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            return RetryLater(f"Bot Connector answered {status}", retry_after)
        if status == 403 and any(code in body for code in BLOCKED_CODES):
            return Unreachable("the person blocked or removed the bot in Teams")
        if status == 404:
            return Unreachable("the Teams conversation no longer exists")
        if status >= 500:
            return RetryLater(f"Bot Connector answered {status}")
        # 401, other 403s (bot disabled by an admin, wrong tenant): the bot's setup, not
        # the person; do not mark them unreachable.
        return DeliveryError(f"Bot Connector answered {status}")
    if isinstance(exc, ClientRequestError | RequestException | TimeoutError | ConnectionError):
        return RetryLater(f"Bot Connector unreachable: {type(exc).__name__}")
    if isinstance(exc, PermissionError):
        return DeliveryError(str(exc))
    log.error("teams send failed: %s", type(exc).__name__)
    return DeliveryError(f"Teams send failed: {type(exc).__name__}")


def _body(response: Any) -> str:
    try:
        return response.text or ""
    except Exception:
        return ""


def retry_after_seconds(raw: str | None, *, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date."""
    if not raw:
        return None
    raw = raw.strip()
    try:
        return max(float(raw), 0.0)
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max((moment - (now or datetime.now(UTC))).total_seconds(), 0.0)
