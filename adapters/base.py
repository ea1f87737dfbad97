"""The contract every platform adapter fulfils for messages the bot sends on its own
(follow-ups, reminders): the dispatcher hands a person's stored address and the replies to
`Sender.send`, and reads the outcome from the exception it raises, if any.

**Sending twice.** The dispatcher delivers at least once: when it cannot know whether an
earlier attempt of the same outbox row reached the platform (the process died, or the
database failed, between the platform's "ok" and the commit that marks the row sent; or a
call timed out after the platform took it), it sends again. A sender that can look on its
platform for what it sent declares `accepts_delivery_key = True` and then takes three more
keyword arguments:

- `delivery_key` — the outbox row's unique dedupe key; the sender stores it with every
  message it posts (Slack: message metadata);
- `possibly_delivered` — True when an earlier attempt of this row may have reached the
  platform; only then does the sender look for a message carrying the key, and post nothing
  if it finds one (it returns `AlreadyDelivered`). False on the first attempt: no lookup;
- `since` — no attempt of this row reached the platform before this moment (the row's
  creation time), to bound the lookup.

A sender that does not declare it (Teams: the Bot Connector has no idempotency key and
Teams cannot list a conversation's activities) is called with the address and the replies
only; a redelivery of a row it had delivered shows the message twice. What holds exactly is
in bot/dispatcher.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class AlreadyDelivered:
    """What `send` returns when the platform already shows this delivery (found by its
    delivery key) and nothing was posted again. `address` is an updated address, as `send`
    would otherwise return, or None."""

    address: dict[str, Any] | None = None


class Sender(Protocol):
    platform: str

    async def send(
        self, address: dict[str, Any], replies: Sequence[Reply]
    ) -> dict[str, Any] | AlreadyDelivered | None:
        """Deliver the replies to the person at `address`. Return an updated address when the
        platform told us something worth keeping (a DM channel id, a new serviceUrl).

        With `accepts_delivery_key = True` it also takes `delivery_key: str | None`,
        `possibly_delivered: bool` and `since: datetime | None` as keyword arguments (see the
        module's docstring) and may return `AlreadyDelivered`."""
        ...
