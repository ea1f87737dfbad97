"""The adapter contract for Slack, through signed HTTP to the real server routes and a fake
Slack Web API. Slack is mounted through the same Host as in the server, but without the
server's own dispatcher, so the driver's dispatcher is the one that delivers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from adapters.slack import SlackPlatform
from adapters.slack.config import SlackConfig
from bot.dispatcher import Dispatcher
from bot.server import host_for
from conversations.reply import Reply
from storage.models import Idea
from storage.people import find_person
from tests.adapters.contract import AdapterContract, RecordingBot
from tests.adapters.slack.conftest import COORDINATOR, SlackSide, dm_channel
from tests.fakes.slack_api import TEAM, Call, FakeSlackApi


class SlackDriver:
    supports_stale_clicks = True

    def __init__(self, slack: SlackSide, bot: RecordingBot, sender: Any) -> None:
        self.slack = slack
        self.bot = bot
        self.user = "UANNA"
        self.posted: list[Call] = []
        self.earlier: list[Call] = []
        inner = bot.inner  # its clock is a Monday morning: office hours
        clock = inner.clock

        async def wait(seconds: float) -> None:  # Slack's one message a second, on our clock
            clock.advance(seconds=seconds)

        self.dispatcher = Dispatcher(
            bot.db, [sender], settings=inner.settings, clock=clock, sleep=wait
        )
        self.sender = sender
        self.maria_read = 0  # the API calls made before Maria last wrote

    @property
    def incomings(self):
        return self.bot.incomings

    def _to_anna(self, calls: list[Call]) -> list[Call]:
        return [
            c
            for c in calls
            if c.method == "chat.postMessage" and c.params.get("channel") == dm_channel(self.user)
        ]

    async def _turn(self, delivering: Any) -> None:
        self.earlier = self.earlier + self.posted
        before = len(self.slack.api.calls)
        assert await delivering == 200
        await self.slack.settle()
        self.posted = self._to_anna(self.slack.api.calls[before:])

    async def open(self) -> None:
        # The first visit to the Messages tab (app_home_opened, tab "messages").
        event = {
            "type": "app_home_opened",
            "user": self.user,
            "channel": dm_channel(self.user),
            "tab": "messages",
            "team": TEAM,
        }
        await self._turn(self.slack.event(event))

    async def say(self, text: str) -> None:
        await self._turn(self.slack.message(self.user, text))

    async def click(self, label: str, *, earlier: bool = False) -> None:
        for call in self.earlier if earlier else self.posted:
            for button in call.buttons:
                if button["text"]["text"] == label:
                    return await self._turn(self.slack.click(self.user, button))
        raise AssertionError(f"no {'earlier ' if earlier else ''}button {label!r}")

    def transcript(self) -> str:
        return "\n\n".join(call.text for call in self.posted)

    def buttons(self) -> list[str]:
        return [b["text"]["text"] for call in self.posted for b in call.buttons]

    async def proactive(self, replies: list[Reply]) -> str:
        async with self.bot.db.transaction() as session:
            address = (await find_person(session, f"slack:{self.user}")).address
        before = len(self.slack.api.calls)
        await self.sender.send(address, replies)
        return "\n\n".join(c.text for c in self._to_anna(self.slack.api.calls[before:]))

    async def coordinator_says(self, text: str) -> None:
        self.maria_read = len(self.slack.api.calls)
        assert await self.slack.message(COORDINATOR, text) == 200
        await self.slack.settle()

    def _to_maria(self) -> list[Call]:
        return [
            c
            for c in self.slack.api.calls[self.maria_read :]
            if c.method == "chat.postMessage" and c.params.get("channel") == dm_channel(COORDINATOR)
        ]

    async def coordinator_clicks(self, label: str) -> None:
        for call in reversed(self._to_maria()):
            for button in call.buttons:
                if button["text"]["text"] == label:
                    self.maria_read = len(self.slack.api.calls)
                    assert await self.slack.click(COORDINATOR, button) == 200
                    await self.slack.settle()
                    return
        raise AssertionError(f"no button {label!r} for Maria")

    def coordinator_transcript(self) -> str:
        return "\n\n".join(call.text for call in self._to_maria())

    def coordinator_buttons(self) -> list[str]:
        return [b["text"]["text"] for call in self._to_maria() for b in call.buttons]

    async def stage_of(self, number: int) -> str:
        async with self.bot.db.transaction() as session:
            return (await session.execute(select(Idea.stage).where(Idea.id == number))).scalar_one()

    async def deliver_outbox(self) -> str:
        before = len(self.slack.api.calls)
        await self.dispatcher.run_until_idle()
        return "\n\n".join(c.text for c in self._to_anna(self.slack.api.calls[before:]))

    async def garbage(self) -> None:
        before = len(self.slack.api.calls)
        status, _ = await self.slack.deliver(b'{"type": "event_callback", "event": ')
        assert status == 400
        await self.slack.settle()
        assert self.slack.api.calls[before:] == []


@pytest.fixture
async def slack_driver(
    slack_bot, slack_config: SlackConfig, slack_api: FakeSlackApi
) -> AsyncIterator[SlackDriver]:
    recording = RecordingBot(slack_bot)
    app = web.Application()
    sender = await SlackPlatform(slack_config).mount(host_for(app, recording))  # type: ignore[arg-type]
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    side = SlackSide(app, server, slack_api)
    yield SlackDriver(side, recording, sender)
    slack_api.release()
    await side.close()
    await server.close()


class TestSlackAdapter(AdapterContract):
    @pytest.fixture
    def driver(self, slack_driver: SlackDriver) -> SlackDriver:
        return slack_driver
