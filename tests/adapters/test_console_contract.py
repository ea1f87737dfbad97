"""The adapter contract for the terminal chat."""

from __future__ import annotations

import io

import pytest

from adapters.console import ConsoleChat, render
from conversations.reply import Reply
from tests.adapters.contract import AdapterContract, RecordingBot


class ConsoleDriver:
    supports_stale_clicks = False  # the terminal maps numbers to the current question only

    def __init__(self, bot) -> None:
        self.bot = RecordingBot(bot)
        self.out = io.StringIO()
        self.chat = ConsoleChat(
            self.bot.handle, user="anna", stdin=io.StringIO(), stdout=self.out, interactive=False
        )
        self.shown: list[Reply] = []

    @property
    def incomings(self):
        return self.bot.incomings

    async def _turn(self, incoming) -> None:
        self.out.seek(0)
        self.out.truncate()
        self.shown = await self.bot.handle(incoming)
        await self.chat._show(self.shown)  # prints and remembers the numbered buttons

    async def open(self) -> None:
        await self._turn(self.chat.incoming(opened=True))

    async def say(self, text: str) -> None:
        await self._turn(self.chat.incoming(text))

    async def click(self, label: str, *, earlier: bool = False) -> None:
        labels = [choice.label for choice in self.shown[-1].choices]
        await self.say(str(labels.index(label) + 1))  # the person types the number

    def transcript(self) -> str:
        return self.out.getvalue()

    def buttons(self) -> list[str]:
        return [choice.label for reply in self.shown for choice in reply.choices]

    async def proactive(self, replies: list[Reply]) -> str:
        return "\n\n".join(render(reply) for reply in replies)

    async def garbage(self) -> None:
        await self._turn(self.chat.incoming("\x00\x1b[2J\u202e" + "x" * 300_000))


class TestConsoleAdapter(AdapterContract):
    @pytest.fixture
    def driver(self, bot) -> ConsoleDriver:
        return ConsoleDriver(bot)
