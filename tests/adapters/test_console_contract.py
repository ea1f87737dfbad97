"""The adapter contract for the terminal chat."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from adapters.console import ConsoleChat, render
from bot.dispatcher import Dispatcher
from conversations.reply import Reply
from storage.models import Idea
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
        # Maria, a coordinator (IDESLUSS_COORDINATORS=console:maria in the test settings).
        self.maria_out = io.StringIO()
        self.maria_read = 0  # what she had seen when she last wrote
        self.maria = ConsoleChat(
            self.bot.handle,
            user="maria",
            stdin=io.StringIO(),
            stdout=self.maria_out,
            interactive=False,
        )
        chats = {"anna": self.chat, "maria": self.maria}

        class Terminals:
            """The console Sender for both people: each address names whose terminal."""

            platform = "console"

            async def send(self, address, replies) -> None:
                await chats[address["user"]].send(address, replies)

        self.dispatcher = Dispatcher(bot.db, [Terminals()], settings=bot.settings, clock=bot.clock)

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

    async def coordinator_says(self, text: str) -> None:
        self.maria_read = len(self.maria_out.getvalue())
        await self.maria._show(await self.bot.handle(self.maria.incoming(text)))

    async def coordinator_clicks(self, label: str) -> None:
        labels = [choice.label for choice in self.maria._choices]
        await self.coordinator_says(str(labels.index(label) + 1))  # she types the number

    def coordinator_transcript(self) -> str:
        return self.maria_out.getvalue()[self.maria_read :]

    def coordinator_buttons(self) -> list[str]:
        return [choice.label for choice in self.maria._choices]  # the numbers she can type

    async def stage_of(self, number: int) -> str:
        async with self.bot.db.transaction() as session:
            return (await session.execute(select(Idea.stage).where(Idea.id == number))).scalar_one()

    async def deliver_outbox(self) -> str:
        start = len(self.out.getvalue())
        await self.dispatcher.run_until_idle()
        return self.out.getvalue()[start:]

    async def garbage(self) -> None:
        await self._turn(self.chat.incoming("\x00\x1b[2J\u202e" + "x" * 300_000))


class TestConsoleAdapter(AdapterContract):
    @pytest.fixture
    def driver(self, bot) -> ConsoleDriver:
        return ConsoleDriver(bot)
