"""The ports the core owns and every chat platform implements: how the bot sends on its own
(the delivery contract: `Sender` and its outcomes), what a platform gets from the server
when it is mounted (`Host`), and what a platform says about itself (`Platform`).

A platform is one package under adapters/ with one `Platform` subclass, named in
pyproject.toml under `[project.entry-points."idesluss.platforms"]`; bot/platforms.py finds
it there. Nothing in bot/ names a platform.

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

from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from conversations.reply import Reply

if TYPE_CHECKING:
    from aiohttp import web

    from bot.app import IdeaBot
    from bot.inbox import Inbox

# Where the server (bot/server.py) listens unless told otherwise: every platform's endpoint.
DEFAULT_HOST = "0.0.0.0"
DEFAULT_PORT = 3978

# ── the delivery contract ────────────────────────────────────────────────────────────────


class DeliveryError(Exception):
    """The platform did not take the message."""


class RetryLater(DeliveryError):
    """A passing problem (429, 5xx, timeout): try again, after `retry_after` seconds if known."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Unreachable(DeliveryError):
    """The person cannot be messaged any more (blocked or uninstalled the bot): stop trying."""


class Refused(DeliveryError):
    """This address will never take the message (a mail server's 5xx for the recipient, such
    as 550 "no such user"): give the message up, do not try again."""


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


class MailSender(Protocol):
    """E-mail, for those the chat cannot reach (bot/mail.py; adapters/email/ implements it).
    It raises `RetryLater` for a passing problem (4xx, no connection) and `Refused` when the
    server refuses the address for good."""

    rate_limits: tuple[RateRule, ...]

    async def send_mail(
        self,
        to: str,
        replies: Sequence[Reply],
        *,
        name: str | None,
        language: str,
        delivery_key: str,
        answer_on: str | None,
    ) -> None:
        """Mail the replies, as the chat would show them, to `to` (`name`: who that is).
        `delivery_key` (the outbox row's dedupe key) makes the Message-ID, so a resend is the
        same message; `answer_on` is the chat where the person can answer ("Teams"), or None
        when they have none."""
        ...


# ── rate limits a platform declares ──────────────────────────────────────────────────────

RECIPIENT = "recipient"  # one DM conversation or channel
TENANT = "tenant"  # a Teams tenant, a Slack workspace


@dataclass(frozen=True)
class Window:
    count: int
    seconds: float


@dataclass(frozen=True)
class RateRule:
    scope: str  # RECIPIENT or TENANT
    windows: tuple[Window, ...]


# ── what the server gives a platform ─────────────────────────────────────────────────────


class BackgroundService(Protocol):
    """Something that runs beside the web server for its whole life."""

    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


Handler = Callable[["web.Request"], Awaitable["web.StreamResponse"]]
Hook = Callable[["web.Application"], Awaitable[None]]


class Host(Protocol):
    """The one object a platform gets from the server when it is mounted: the bot, the
    inbox its deliveries go through, a way to run work after an HTTP answer, and the
    server's routes, services and start/stop hooks. (bot/server.py: `ServerHost`.)"""

    @property
    def bot(self) -> IdeaBot: ...

    @property
    def inbox(self) -> Inbox: ...

    def spawn(self, work: Coroutine[Any, Any, Any], *, name: str) -> Any:
        """Run `work` after the answer; a stopping server finishes it first."""
        ...

    def add_route(self, method: str, path: str, handler: Handler) -> None: ...

    def add_service(self, service: BackgroundService) -> None:
        """Started after every platform is mounted, stopped after the last turn."""
        ...

    def on_startup(self, hook: Hook) -> None: ...

    def on_shutdown(self, hook: Hook) -> None:
        """When the server stops taking requests, before running turns are finished."""
        ...

    def on_cleanup(self, hook: Hook) -> None: ...


# ── a platform ───────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class FoundPerson:
    user_id: str
    name: str | None
    address: dict[str, Any]  # what a proactive message to them needs (Slack: the user id)


@dataclass(frozen=True)
class FoundByEmail:
    """What a platform found of people named by e-mail address, by address, and, when it
    could not ask about them all, why (a missing scope, a rate limit)."""

    found: Mapping[str, FoundPerson]
    problem: str | None = None


class PlatformConfigError(Exception):
    """A platform is configured only in part; the message says what is missing."""


def mention(user_id: str) -> str:
    """The core's one way to write a mention of a person on the speaker's platform: `<@id>`.
    Every adapter rewrites its platform's own mentions (Slack `<@U1|anna>` already is one;
    Teams `<at>Anna</at>` with its mention entity) to this before the text reaches the core,
    and the command parser reads only this."""
    return f"<@{user_id}>"


class Platform:
    """A chat platform, as the core sees it. Subclass it in the platform's package, declare
    the class attributes, and name the class in pyproject.toml:

        [project.entry-points."idesluss.platforms"]
        slack = "adapters.slack:SlackPlatform"

    The module holding the class must not import the platform's SDK: `idesluss --help`,
    `chat` and `doctor` load every platform class, and only `mount` (for a configured
    platform) may bring the SDK in.

    An instance is a configured platform (`from_env` read its settings)."""

    name: ClassVar[str]  # as in Incoming.platform and qualified ids ("slack:U024BE7LH")
    display_name: ClassVar[str]  # what a person reads ("Slack", "Teams")
    # The paths it mounts, so that logs and metrics name the platform of a request.
    routes: ClassVar[tuple[str, ...]] = ()
    # How fast the dispatcher may send (the platform's documented limits).
    rate_limits: ClassVar[tuple[RateRule, ...]] = ()
    # How a person writes a mention there, as it arrives; the adapter turns it into
    # `mention(id)` (`<@id>`), the only form the core reads.
    mention_syntax: ClassVar[str] = "<@id>"
    # Whether a reply's attachments (an export) reach the person; without, the core says
    # where to get them instead.
    carries_files: ClassVar[bool] = False
    # The settings that configure it, for `idesluss serve` and `doctor` when none is set.
    settings_hint: ClassVar[str] = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Platform | None:
        """The platform with its settings, or None when none of them are set. Raises
        PlatformConfigError naming what is missing when only some are."""
        raise NotImplementedError

    async def mount(self, host: Host) -> Sender:
        """Add its routes and services to the server; return the Sender the dispatcher
        delivers this platform's outbox rows with."""
        raise NotImplementedError

    async def doctor(self) -> tuple[list[str], list[str]]:
        """`idesluss doctor`: (lines that are fine, problems). By default only that the
        settings are there; a platform that can check its credentials does so."""
        return [f"{self.display_name}: configured, credentials present"], []

    async def find_by_email(self, addresses: Sequence[str]) -> FoundByEmail:
        """`idesluss doctor`: the people with these addresses on the platform, for a
        platform that can look users up by address (Slack can; Teams cannot)."""
        return FoundByEmail({})
