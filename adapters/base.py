"""The contract every platform adapter fulfils for messages the bot sends on its own
(follow-ups, reminders): the dispatcher hands a person's stored address and the replies to
`Sender.send`, and reads the outcome from the exception it raises, if any."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from conversations.reply import Reply


class DeliveryError(Exception):
    """The platform did not take the message."""


class RetryLater(DeliveryError):
    """A passing problem (429, 5xx, timeout): try again, after `retry_after` seconds if known."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Unreachable(DeliveryError):
    """The person cannot be messaged any more (blocked or uninstalled the bot): stop trying."""


class Sender(Protocol):
    platform: str

    async def send(
        self, address: dict[str, Any], replies: Sequence[Reply]
    ) -> dict[str, Any] | None:
        """Deliver the replies to the person at `address`. Return an updated address when the
        platform told us something worth keeping (a DM channel id, a new serviceUrl)."""
        ...
