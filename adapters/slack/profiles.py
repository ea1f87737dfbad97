"""Who a Slack user is: name, locale and work e-mail (users.info; the e-mail needs the scope
users:read.email) and the DM channel. Kept on the person in the database; this cache only
saves a database read and an API call per turn. users.info is asked again when the stored
e-mail is over a day old (bot/people.py `KnownPerson.email_due`)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.people import known_person
from conversations.i18n import language_for

if TYPE_CHECKING:
    from bot.app import IdeaBot

log = logging.getLogger(__name__)

PLATFORM = "slack"
USERS_INFO_SECONDS = 5.0


@dataclass(frozen=True)
class Profile:
    user_id: str
    name: str | None = None
    locale: str | None = None  # Slack's, e.g. "sv-SE"
    chosen_language: str | None = None  # what the person chose in the bot, if anything
    address: dict[str, Any] | None = None
    known: bool = False  # the person is in the database
    email: str | None = None  # what users.info said this time (None: not asked, or none)
    email_checked: bool = False  # users.info answered this time

    @property
    def language(self) -> str:
        return self.chosen_language or language_for(self.locale)

    @property
    def dm_channel(self) -> str | None:
        channel = (self.address or {}).get("channel")
        return channel if isinstance(channel, str) else None

    def address_for(self, *, team: str | None, dm_channel: str | None = None) -> dict[str, Any]:
        """The address to store: what we knew, plus what this request told us."""
        address = dict(self.address or {})
        address["user"] = self.user_id
        if team:
            address["team"] = team
        if dm_channel:
            address["channel"] = dm_channel
        return address


class SlackProfiles:
    def __init__(
        self,
        client: AsyncWebClient,
        bot: IdeaBot,
        *,
        ttl: float = 600.0,
        size: int = 5000,
    ) -> None:
        self.client = client
        self.bot = bot
        self.ttl = ttl
        self.size = size
        self._cache: OrderedDict[str, tuple[float, Profile]] = OrderedDict()

    async def get(self, user_id: str) -> Profile:
        cached = self._cache.get(user_id)
        if cached is not None and cached[0] > time.monotonic():
            self._cache.move_to_end(user_id)
            return cached[1]
        profile = await self._load(user_id)
        self.remember(profile)
        return profile

    def remember(self, profile: Profile) -> None:
        self._cache[profile.user_id] = (time.monotonic() + self.ttl, profile)
        self._cache.move_to_end(profile.user_id)
        while len(self._cache) > self.size:
            self._cache.popitem(last=False)

    def saw(self, profile: Profile, address: dict[str, Any]) -> None:
        """After a turn: the person is in the database now, with this address (and the
        e-mail this turn carries, so later turns from the cache do not store it again)."""
        seen = replace(profile, address=address, known=True, email=None, email_checked=False)
        self.remember(seen)

    async def _load(self, user_id: str) -> Profile:
        person = await known_person(self.bot, f"{PLATFORM}:{user_id}")
        fresh = person is not None and not person.email_due(self.bot.clock.now())
        if person is not None and person.platform_locale and person.display_name and fresh:
            return Profile(
                user_id,
                name=person.display_name,
                locale=person.platform_locale,
                chosen_language=person.language,
                address=person.address,
                known=True,
            )
        info = await self._users_info(user_id)
        if person is not None:
            return Profile(
                user_id,
                name=info.name or person.display_name,
                locale=info.locale or person.platform_locale,
                chosen_language=person.language,
                address=person.address,
                known=True,
                email=info.email,
                email_checked=info.answered,
            )
        return Profile(
            user_id,
            name=info.name,
            locale=info.locale,
            email=info.email,
            email_checked=info.answered,
        )

    async def _users_info(self, user_id: str) -> _UserInfo:
        """Name, locale and e-mail from Slack; nothing if Slack does not answer in time: the
        turn goes on in the default language rather than waiting."""
        try:
            async with asyncio.timeout(USERS_INFO_SECONDS):
                response = await self.client.users_info(user=user_id, include_locale=True)
        except Exception as exc:
            log.info("users.info failed: %s", type(exc).__name__)
            return _UserInfo()
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        name = (
            profile.get("real_name")
            or user.get("real_name")
            or profile.get("display_name")
            or user.get("name")
        )
        locale = user.get("locale")
        # Without users:read.email Slack leaves the field out; the Incoming cleans it.
        email = profile.get("email")
        return _UserInfo(
            name=name.strip()[:200] if isinstance(name, str) and name.strip() else None,
            locale=locale[:16] if isinstance(locale, str) and locale else None,
            email=email if isinstance(email, str) else None,
            answered=True,
        )


@dataclass(frozen=True)
class _UserInfo:
    name: str | None = None
    locale: str | None = None
    email: str | None = None
    answered: bool = False
