"""A Teams user's work e-mail: the conversation member the Bot Connector describes
(botbuilder's `TeamsInfo.get_member` → GET {serviceUrl}/v3/conversations/{conversationId}/
members/{userId}, fields `email` and `userPrincipalName`), so that an admin can name people
by address (bot/roles.py).

Asked before a turn's transaction, only when the stored address is missing or over a day old
(bot/people.py `KnownPerson.email_due`), and bounded in time: a slow or failing connector
never holds the turn up. A 403 or 404 (a guest, a member list the bot may not read) is an
answer too: no address, and not asked again for a day. Addresses are never logged."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from msrest.exceptions import HttpOperationError

from bot.people import known_person
from conversations.clean import clean_email

if TYPE_CHECKING:
    from bot.app import IdeaBot

log = logging.getLogger(__name__)

PLATFORM = "msteams"
MEMBER_SECONDS = 3.0
# A replica remembers for this long that a person's stored address is fresh (one database
# read saved per turn); the database's email_checked_at decides the daily question.
FRESH_FOR_SECONDS = 3600.0
MAX_REMEMBERED = 10_000
# Answers that say this bot will not learn the address: do not ask again today.
NO_ADDRESS_STATUSES = {403, 404}


@dataclass(frozen=True)
class MemberEmail:
    """What the connector said this turn: the address (None: none given) — an answer."""

    email: str | None


def email_of(member: object) -> str | None:
    """The member's `email`, else their user principal name when it is an address of their
    own (a guest's "anna_x.se#EXT#@…" is not)."""
    for field in ("email", "user_principal_name"):
        value = getattr(member, field, None)
        if isinstance(value, str) and "#ext#" not in value.lower():
            address = clean_email(value)
            if address is not None:
                return address
    return None


class TeamsMembers:
    def __init__(self, bot: IdeaBot) -> None:
        self.bot = bot
        self._fresh_until: dict[str, float] = {}  # user id → monotonic time

    async def email_for(self, user_id: str, turn: TurnContext | None) -> MemberEmail | None:
        """The member's address when it is due to be asked (None: not asked)."""
        if turn is None or self._fresh_until.get(user_id, 0.0) > time.monotonic():
            return None
        try:
            person = await known_person(self.bot, f"{PLATFORM}:{user_id}")
        except Exception as exc:  # the turn itself will meet a database that is down
            log.info("teams: stored person not readable: %s", type(exc).__name__)
            return None
        if person is not None and not person.email_due(self.bot.clock.now()):
            self._remember(user_id)
            return None
        answer = await self._ask(turn, user_id)
        if answer is not None:
            self._remember(user_id)
        return answer

    async def _ask(self, turn: TurnContext, user_id: str) -> MemberEmail | None:
        try:
            async with asyncio.timeout(MEMBER_SECONDS):
                member = await TeamsInfo.get_member(turn, user_id)
        except HttpOperationError as exc:
            status = int(getattr(exc.response, "status_code", 0) or 0)
            log.info("teams: member not readable (HTTP %s)", status)
            return MemberEmail(None) if status in NO_ADDRESS_STATUSES else None
        except Exception as exc:  # timeout, network, an unexpected answer: ask next turn
            log.info("teams: member lookup failed: %s", type(exc).__name__)
            return None
        return MemberEmail(email_of(member))

    def _remember(self, user_id: str) -> None:
        if len(self._fresh_until) >= MAX_REMEMBERED:
            self._fresh_until.clear()
        self._fresh_until[user_id] = time.monotonic() + FRESH_FOR_SECONDS
