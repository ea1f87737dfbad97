"""Transcript-style conversations with the bot, so tests read like the chat itself:

await anna.says("Tryggare tunnlar")
anna.hears("Vilket behov")
await anna.clicks("Ja")
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adapters.console import render
from bot.delivery import deliver_pending_for
from bot.incoming import Incoming
from conversations.reply import Reply

# Every answer of the intake dialogue, from the title to the workplace: a person who has
# said hello and then says these, one by one, is shown the summary.
ANSWERS_TO_SUMMARY = (
    "Tryggare tunnlar",
    "Många är rädda i gångtunnlarna på kvällen.",
    "Bättre belysning och konst.",
    "Invånare som går där.",
    "hoppa över",
    "hoppa över",
    "ja",
    "Fritidsgården Väster",
)


class Chat:
    def __init__(
        self,
        bot: Any,
        *,
        user: str,
        name: str | None = None,
        platform: str = "console",
        language: str | None = None,
        locale: str | None = None,
    ) -> None:
        self.bot = bot
        self.user = user
        self.name = name
        self.platform = platform
        self.language = language
        self.locale = locale
        self.replies: list[Reply] = []
        self.history: list[tuple[str, str]] = []

    def _incoming(self, **kwargs: Any) -> Incoming:
        return Incoming(
            platform=self.platform,
            user_id=self.user,
            display_name=self.name,
            language=self.language,
            locale=self.locale,
            address={"user": self.user},
            accepts_files=self.platform == "console",  # as the terminal chat does
            **kwargs,
        )

    async def _send(self, shown: str, **kwargs: Any) -> list[Reply]:
        self.history.append(("user", shown))
        self.replies = await self.bot.handle(self._incoming(**kwargs))
        self.history.append(("bot", self.transcript()))
        return self.replies

    @property
    def qualified_id(self) -> str:
        return f"{self.platform}:{self.user}"

    async def receives(self) -> str:
        """Deliver the messages waiting for this person in the outbox, as their chat would,
        and return them as a transcript. Their buttons can then be clicked."""
        collected: list[Reply] = []

        class Collecting:
            platform = self.platform

            async def send(self, address: dict[str, Any], replies: Sequence[Reply]) -> None:
                collected.extend(replies)

        await deliver_pending_for(self.bot.db, self.qualified_id, Collecting(), self.bot.clock)
        self.replies = collected
        self.history.append(("bot (delivered)", self.transcript()))
        return self.transcript()

    async def says_retried(self, text: str, event_id: str) -> list[Reply]:
        """A command as a platform delivers it, with the event id a retry would repeat."""
        return await self._send(text, text=text, event_id=event_id)

    async def opens(self) -> list[Reply]:
        return await self._send("(opens the chat)", opened=True)

    async def says(self, text: str) -> list[Reply]:
        return await self._send(text, text=text)

    async def clicks(self, label: str) -> list[Reply]:
        """Click the button with this label in the bot's last message."""
        for reply in self.replies:
            for choice in reply.choices:
                if choice.label == label:
                    return await self._send(f"[{label}]", action=choice.value)
        raise AssertionError(f"no button {label!r} in:\n{self.transcript()}")

    async def clicks_value(self, value: str) -> list[Reply]:
        """Send a button value directly (a stale card, a forged click)."""
        return await self._send(f"[{value}]", action=value)

    def transcript(self) -> str:
        return "\n\n".join(render(reply) for reply in self.replies)

    def hears(self, *fragments: str) -> None:
        said = self.transcript()
        for fragment in fragments:
            assert fragment in said, f"expected {fragment!r} in the bot's answer:\n{said}"

    def does_not_hear(self, *fragments: str) -> None:
        said = self.transcript()
        for fragment in fragments:
            assert fragment not in said, f"did not expect {fragment!r} in:\n{said}"

    def buttons(self) -> list[str]:
        return [choice.label for reply in self.replies for choice in reply.choices]
