"""People an admin named by e-mail, found in Slack before they ever write (users.lookupByEmail,
scope users:read.email), so that news and digests reach them as a DM.

Slack rates the method Tier 3 (about 50 calls a minute): one pass asks about at most
`MAX_LOOKUPS` addresses, one after the other, stops at the first rate limit or missing scope,
and asks about the same address at most once a day (an address nobody in Slack has is kept
for the person to write, on Teams perhaps, and asked about again the next day). A pass runs
when the server starts (if the settings name anyone by address), then every hour (a
coordinator added by address in the chat), and on `idesluss doctor`. Addresses are never
logged: only counts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.people import addresses_to_find, found_by_email, not_found_by_email

if TYPE_CHECKING:
    from bot.app import IdeaBot

log = logging.getLogger(__name__)

PLATFORM = "slack"
MAX_LOOKUPS = 20  # per pass: well inside Tier 3
LOOKUP_SECONDS = 5.0
ASK_AGAIN = timedelta(days=1)
PASS_EVERY_SECONDS = 3600.0


@dataclass(frozen=True)
class Found:
    user_id: str
    name: str | None


@dataclass
class Lookups:
    """One pass: who was found, whom Slack does not know, and whether it stopped early
    (`stopped`: Slack's reason, e.g. "ratelimited", "missing_scope")."""

    found: dict[str, Found] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    stopped: str | None = None


async def look_up(client: AsyncWebClient, addresses: Sequence[str]) -> Lookups:
    """users.lookupByEmail for each address, one at a time."""
    result = Lookups()
    for address in addresses:
        try:
            async with asyncio.timeout(LOOKUP_SECONDS):
                answer = await client.users_lookupByEmail(email=address)
        except SlackApiError as exc:
            error = str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
            if error == "users_not_found":
                result.unknown.append(address)
                continue
            result.stopped = error
            break
        except Exception as exc:
            result.stopped = type(exc).__name__
            break
        user = answer.get("user") or {}
        user_id = user.get("id")
        if not isinstance(user_id, str) or not user_id or user.get("deleted") or user.get("is_bot"):
            result.unknown.append(address)
            continue
        profile = user.get("profile") or {}
        name = profile.get("real_name") or user.get("real_name")
        result.found[address] = Found(user_id, name if isinstance(name, str) else None)
    return result


class SlackDirectory:
    """The passes of a running server (a cache of what was asked, per replica)."""

    def __init__(self, client: AsyncWebClient, bot: IdeaBot) -> None:
        self.client = client
        self.bot = bot
        # address → when to ask again (Slack said it knows nobody by it), on the bot's clock
        self._asked: dict[str, datetime] = {}
        self._task: asyncio.Task[None] | None = None
        self.passed = asyncio.Event()  # set once a background pass has finished

    async def run_once(self) -> Lookups:
        """One pass: look up the named addresses no chat person has, record what Slack found
        (a person row with the Slack id, taking over one known only by e-mail) and keep a
        row on the platform "email" for the others."""
        now = self.bot.clock.now()
        due = [
            a
            for a in await addresses_to_find(self.bot, limit=MAX_LOOKUPS * 4)
            if self._asked.get(a, now) <= now
        ][:MAX_LOOKUPS]
        if not due:
            return Lookups()
        lookups = await look_up(self.client, due)
        for address, found in lookups.found.items():
            await found_by_email(
                self.bot,
                PLATFORM,
                found.user_id,
                address,
                address={"user": found.user_id},
                display_name=found.name,
            )
        for address in lookups.unknown:
            self._asked[address] = now + ASK_AGAIN
        if lookups.unknown:
            await not_found_by_email(self.bot, lookups.unknown)
        if lookups.stopped is not None:
            log.warning("slack: users.lookupByEmail stopped: %s", lookups.stopped)
        log.info(
            "slack: people named by e-mail looked up",
            extra={"found": len(lookups.found), "unknown": len(lookups.unknown)},
        )
        return lookups

    def start(self, *, at_once: bool) -> None:
        self._task = asyncio.create_task(self._passes(at_once), name="slack lookupByEmail")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _passes(self, at_once: bool) -> None:
        if not at_once:
            await asyncio.sleep(PASS_EVERY_SECONDS)
        while True:
            try:
                await self.run_once()
            except Exception as exc:  # a database or Slack failure: the next pass tries again
                log.warning("slack: looking up people by e-mail failed: %s", type(exc).__name__)
            self.passed.set()
            await asyncio.sleep(PASS_EVERY_SECONDS)
