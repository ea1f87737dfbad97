"""The Idésluss server with Slack mounted, on a loopback port, talking to a fake Slack Web
API; and `slack`, which plays Slack's side: signed deliveries, as Slack sends them."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from slack_sdk.signature import SignatureVerifier

from adapters.slack import SlackPlatform
from adapters.slack.config import SlackConfig
from bot.app import IdeaBot
from bot.clock import FrozenClock
from bot.config import Settings
from bot.server import BOT, INFLIGHT, build_app
from storage.database import Database
from tests.fakes.slack_api import TEAM, Call, FakeSlackApi

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
COORDINATOR = "UMARIA"


def signed_headers(
    body: bytes, *, age: float = 0, secret: str = SECRET, now: float | None = None
) -> dict[str, str]:
    """Headers as Slack signs them; `now` is the server's clock (epoch seconds)."""
    timestamp = str(int((time.time() if now is None else now) - age))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature or ""}


class SlackSide:
    """Sends what Slack would send to the running server, signed with the app's secret."""

    def __init__(self, app: web.Application, server: TestServer, api: FakeSlackApi) -> None:
        self.app = app
        self.server = server
        self.api = api
        self.http = aiohttp.ClientSession()
        self._ids = itertools.count(1)
        self.clock = app[BOT].clock

    def trigger_id(self) -> str:
        """Slack gives every interaction a trigger id of its own."""
        return f"{next(self._ids)}.4242.{time.time_ns():x}"

    def signed_headers(self, body: bytes, **kwargs: Any) -> dict[str, str]:
        """Signed at the server's (injected) present."""
        return signed_headers(body, now=self.clock.now().timestamp(), **kwargs)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/slack/events"

    async def close(self) -> None:
        await self.http.close()

    async def deliver(
        self,
        body: bytes,
        *,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
        sign: bool = True,
        age: float = 0,
    ) -> tuple[int, str]:
        all_headers = {"Content-Type": content_type}
        if sign:
            all_headers.update(self.signed_headers(body, age=age))
        all_headers.update(headers or {})
        async with self.http.post(self.url, data=body, headers=all_headers) as response:
            return response.status, await response.text()

    def event_body(self, event: dict[str, Any], *, event_id: str | None = None) -> bytes:
        return json.dumps(
            {
                "token": "unused",
                "team_id": TEAM,
                "api_app_id": "A0IDESLUSS",
                "type": "event_callback",
                "event_id": event_id or f"Ev{next(self._ids):08d}",
                "event_time": int(time.time()),
                "event": event,
            }
        ).encode()

    async def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None
    ) -> int:
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        status, _ = await self.deliver(
            self.event_body(event, event_id=event_id), headers=headers if retry else None
        )
        return status

    def dm_event(self, user: str, text: str) -> dict[str, Any]:
        return {
            "type": "message",
            "channel_type": "im",
            "channel": dm_channel(user),
            "user": user,
            "text": text,
            "ts": f"{time.time():.6f}",
            "team": TEAM,
        }

    async def message(self, user: str, text: str, **kwargs: Any) -> int:
        return await self.event(self.dm_event(user, text), **kwargs)

    def click_body(
        self,
        user: str,
        button: dict[str, Any],
        *,
        channel: str | None = None,
        ephemeral: bool = False,
        response_url: str | None = None,
    ) -> bytes:
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM, "domain": "kommunen"},
            "user": {"id": user, "username": user.lower(), "team_id": TEAM},
            "api_app_id": "A0IDESLUSS",
            "token": "unused",
            "container": {
                "type": "message",
                "message_ts": "1700000000.000001",
                "channel_id": channel or dm_channel(user),
                "is_ephemeral": ephemeral,
            },
            "trigger_id": self.trigger_id(),
            "channel": {"id": channel or dm_channel(user), "name": "directmessage"},
            "response_url": response_url or "https://hooks.slack.invalid/actions/x",
            "actions": [
                {
                    "type": "button",
                    "block_id": "b1",
                    "action_id": button["action_id"],
                    "value": button["value"],
                    "text": button["text"],
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        return urlencode({"payload": json.dumps(payload)}).encode()

    async def click(self, user: str, button: dict[str, Any], **kwargs: Any) -> int:
        status, _ = await self.deliver(
            self.click_body(user, button, **kwargs),
            content_type="application/x-www-form-urlencoded",
        )
        return status

    def command_body(self, user: str, text: str, *, channel: str = "C0GENERAL") -> bytes:
        return urlencode(
            {
                "token": "unused",
                "team_id": TEAM,
                "team_domain": "kommunen",
                "channel_id": channel,
                "channel_name": "general",
                "user_id": user,
                "user_name": user.lower(),
                "command": "/idea",
                "text": text,
                "api_app_id": "A0IDESLUSS",
                "is_enterprise_install": "false",
                "response_url": self.api.response_url(f"cmd-{next(self._ids)}"),
                "trigger_id": self.trigger_id(),
            }
        ).encode()

    async def command(self, user: str, text: str, **kwargs: Any) -> int:
        status, _ = await self.deliver(
            self.command_body(user, text, **kwargs),
            content_type="application/x-www-form-urlencoded",
        )
        return status

    async def api_calls(self, method: str, *, within: float, channel: str) -> list[Call]:
        """The calls to `method` for `channel` once there are some: for work the server does
        on its own (the dispatcher), which no request of ours waits for. Fails after
        `within` seconds."""

        def calls() -> list[Call]:
            return [c for c in self.api.calls_to(method) if c.params.get("channel") == channel]

        async with asyncio.timeout(within):
            while not calls():  # noqa: ASYNC110 - the dispatcher signals nothing
                await asyncio.sleep(0.01)
        return calls()

    async def settle(self) -> None:
        """Wait until every turn started by what was delivered has finished."""
        assert await self.app[INFLIGHT].drain(10)


def dm_channel(user: str) -> str:
    return "D" + user.lstrip("UW")


class SlackChat:
    """A person in their DM with the bot, transcript style."""

    def __init__(self, slack: SlackSide, user: str) -> None:
        self.slack = slack
        self.user = user
        self.posted: list[Call] = []

    async def _collect(self, deliver: Any) -> None:
        before = len(self.slack.api.calls)
        assert await deliver == 200
        await self.slack.settle()
        self.posted = [
            call
            for call in self.slack.api.calls[before:]
            if call.method == "chat.postMessage" and call.params["channel"] == dm_channel(self.user)
        ]

    async def says(self, text: str) -> None:
        await self._collect(self.slack.message(self.user, text))

    def button(self, label: str) -> dict[str, Any]:
        for call in self.posted:
            for button in call.buttons:
                if button["text"]["text"] == label:
                    return button
        raise AssertionError(f"no button {label!r} in:\n{self.transcript()}")

    async def clicks(self, label: str) -> None:
        await self._collect(self.slack.click(self.user, self.button(label)))

    def transcript(self) -> str:
        return "\n\n".join(call.text for call in self.posted)

    def hears(self, *fragments: str) -> None:
        said = self.transcript()
        for fragment in fragments:
            assert fragment in said, f"expected {fragment!r} in:\n{said}"

    def buttons(self) -> list[str]:
        return [b["text"]["text"] for call in self.posted for b in call.buttons]


async def submit_through_slack(chat: SlackChat, title: str) -> int:
    """Tell the bot a whole idea in the DM; returns its number."""
    await chat.says("Hej!")
    for answer in (
        title,
        "Många väntar länge varje morgon.",
        "Vi kunde prova en enkel ändring i en månad.",
        "Både kollegor och invånare.",
        "En månad på ett ställe.",
    ):
        await chat.says(answer)
    await chat.clicks("Hoppa över")
    await chat.clicks("Nej")
    if "Var arbetar du" in chat.transcript():
        await chat.says("Kultur och fritid")
    await chat.clicks("Skicka in")
    said = chat.transcript()
    assert "nummer " in said, said
    return int(said.split("nummer ", 1)[1].split(".")[0])


@pytest.fixture
async def slack_api() -> AsyncIterator[FakeSlackApi]:
    api = await FakeSlackApi().start()
    api.add_user("UANNA", "Anna Andersson", "sv-SE")
    api.add_user("UERIK", "Erik Berg", "sv-SE")
    api.add_user("UJOHN", "John Smith", "en-GB")
    api.add_user(COORDINATOR, "Maria Lind", "sv-SE")
    yield api
    await api.close()


@pytest.fixture
def slack_bot(db: Database, clock: FrozenClock, database_url: str) -> IdeaBot:
    settings = Settings(database_url=database_url, coordinators=frozenset({f"slack:{COORDINATOR}"}))
    return IdeaBot(db, settings=settings, clock=clock)


@pytest.fixture
def slack_config(slack_api: FakeSlackApi) -> SlackConfig:
    return SlackConfig(bot_token="xoxb-test-token", signing_secret=SECRET, api_url=slack_api.url)


@pytest.fixture
async def server_app(slack_bot: IdeaBot, slack_config: SlackConfig) -> web.Application:
    platform = SlackPlatform(slack_config)
    return await build_app(slack_bot, [platform], close_database=False)


@pytest.fixture
async def slack(server_app: web.Application, slack_api: FakeSlackApi) -> AsyncIterator[SlackSide]:
    server = TestServer(server_app, host="127.0.0.1")
    await server.start_server()
    side = SlackSide(server_app, server, slack_api)
    yield side
    slack_api.release()
    await side.close()
    await server.close()


@pytest.fixture
def anna(slack: SlackSide) -> SlackChat:
    return SlackChat(slack, "UANNA")
