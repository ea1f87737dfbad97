"""The adapter contract for Microsoft Teams, through real HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.dispatcher import Dispatcher
from conversations.reply import Reply
from storage.models import Idea
from tests.adapters.contract import AdapterContract
from tests.adapters.teams.conftest import MARIA_ID
from tests.adapters.teams.harness import TeamsUser
from tests.adapters.teams.test_dialogue import stored_person


class TeamsDriver:
    supports_stale_clicks = True

    def __init__(self, running, recording_bot, connector, db) -> None:
        self.running = running
        self.bot = recording_bot
        self.connector = connector
        self.db = db
        self.user = TeamsUser(running.channel, user_id="29:1anna", name="Anna Andersson")
        self.earlier: list = []
        # A coordinator (IDESLUSS_COORDINATORS=msteams:<her id> in the test settings).
        self.maria = TeamsUser(running.channel, user_id=MARIA_ID, name="Maria Lind")
        self.maria_read = 0  # what the connector had carried when Maria last wrote
        bot = recording_bot.inner  # its clock is a Monday morning: office hours
        self.dispatcher = Dispatcher(db, [running.sender], settings=bot.settings, clock=bot.clock)

    @property
    def incomings(self):
        return self.bot.incomings

    async def open(self) -> None:
        await self._turn(self.user.installs())

    async def say(self, text: str) -> None:
        await self._turn(self.user.says(text))

    async def click(self, label: str, *, earlier: bool = False) -> None:
        if earlier:
            for sent in self.earlier:
                for button, data in sent.buttons:
                    if button == label:
                        return await self._turn(self.user.submits(data))
            raise AssertionError(f"no earlier button {label!r}")
        await self._turn(self.user.clicks(label))

    async def _turn(self, posting) -> None:
        self.earlier = self.earlier + list(self.user.received)
        await posting

    def transcript(self) -> str:
        return self.user.transcript()

    def buttons(self) -> list[str]:
        return self.user.buttons()

    async def proactive(self, replies: list[Reply]) -> str:
        address = (await stored_person(self.db, self.user.user_id)).address
        before = len(self.connector.sent)
        await self.running.sender.send(address, replies)
        return "\n\n".join(s.text for s in self.connector.sent[before:])

    async def coordinator_says(self, text: str) -> None:
        if not self.maria.received:
            await self.maria.installs()  # so that she has an address too
        self.maria_read = len(self.connector.sent)
        await self.maria.says(text)

    def _to_maria(self) -> list:
        return [
            s
            for s in self.connector.sent[self.maria_read :]
            if s.conversation_id == self.maria.conversation_id
        ]

    async def coordinator_clicks(self, label: str) -> None:
        for sent in reversed(self._to_maria()):
            for button, data in sent.buttons:
                if button == label:
                    self.maria_read = len(self.connector.sent)
                    await self.maria.submits(data)
                    return
        raise AssertionError(f"no button {label!r} for Maria")

    def coordinator_transcript(self) -> str:
        return "\n\n".join(s.text for s in self._to_maria())

    def coordinator_buttons(self) -> list[str]:
        return [button for sent in self._to_maria() for button, _ in sent.buttons]

    async def stage_of(self, number: int) -> str:
        async with self.db.transaction() as session:
            return (await session.execute(select(Idea.stage).where(Idea.id == number))).scalar_one()

    async def deliver_outbox(self) -> str:
        before = len(self.connector.sent)
        await self.dispatcher.run_until_idle()
        arrived = self.connector.sent[before:]
        return "\n\n".join(
            s.text for s in arrived if s.conversation_id == self.user.conversation_id
        )

    async def garbage(self) -> None:
        status, _, sent = await self.running.channel.post(b'{"type": "message", "text": ', raw=True)
        assert status == 400 and sent == []


class TestTeamsAdapter(AdapterContract):
    @pytest.fixture
    def driver(self, recorded_teams, recording_bot, connector, db) -> TeamsDriver:
        return TeamsDriver(recorded_teams, recording_bot, connector, db)
