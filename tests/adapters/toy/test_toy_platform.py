"""A new platform is one folder and one entry point: the toy platform in this folder is
registered the way pyproject.toml registers Slack and Teams (an `idesluss.platforms` entry
point of an installed distribution, here a distribution made in a temporary folder and put
on sys.path), found by the same discovery the server and `doctor` use, mounted through the
same Host, and put through the same adapter contract."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.app import IdeaBot
from bot.dispatcher import Dispatcher
from bot.platforms import configured_platforms, display_name, platform_classes, rate_limits
from bot.server import build_app, host_for
from conversations.reply import Reply
from storage.models import Idea
from tests.adapters.contract import AdapterContract, RecordingBot

ENTRY_POINTS = "[idesluss.platforms]\ntoy = tests.adapters.toy:ToyPlatform\n"


@pytest.fixture
def toy_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A distribution `idesluss-toy` whose only content is the entry point line."""
    info = tmp_path / "site" / "idesluss_toy-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: idesluss-toy\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    yield


def test_the_toy_is_found_beside_slack_and_teams(toy_installed: None) -> None:
    names = [cls.name for cls in platform_classes()]
    assert {"slack", "msteams", "toy"} <= set(names)
    assert display_name("toy") == "Toy chat"
    assert "toy" not in rate_limits()  # it declares none
    [platform] = configured_platforms({"TOY_CHAT": "1"})
    assert platform.name == "toy"


def test_without_the_distribution_there_is_no_toy() -> None:
    assert "toy" not in [cls.name for cls in platform_classes()]


async def test_the_server_mounts_the_toy_and_names_it(toy_installed: None, bot) -> None:
    app = await build_app(bot, configured_platforms({"TOY_CHAT": "1"}), close_database=False)
    assert "/toy/messages" in {r.resource.canonical for r in app.router.routes()}
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(server.make_url("/healthz")) as response,
        ):
            assert (await response.json())["platforms"] == ["toy"]
    finally:
        await server.close()


class ToyDriver:
    supports_stale_clicks = True

    def __init__(self, server: TestServer, bot: RecordingBot, sender: Any) -> None:
        self.server = server
        self.bot = bot
        self.sender = sender
        self.http = aiohttp.ClientSession()
        self.shown: list[dict[str, Any]] = []
        self.earlier: list[dict[str, Any]] = []
        self.read = 0
        self.maria_shown: list[dict[str, Any]] = []  # her turns' answers and what arrived since
        self.maria_read = 0
        inner = bot.inner  # its clock is a Monday morning: office hours
        self.dispatcher = Dispatcher(bot.db, [sender], settings=inner.settings, clock=inner.clock)

    @property
    def incomings(self):
        return self.bot.incomings

    async def post(self, message: Any, *, raw: bytes | None = None) -> tuple[int, Any]:
        url = self.server.make_url("/toy/messages")
        async with self.http.post(url, json=message, data=raw) as response:
            body = await response.json()
            return response.status, body

    async def _turn(self, **message: Any) -> None:
        self.earlier = self.earlier + self.shown
        status, self.shown = await self.post({"user": "anna", "name": "Anna Andersson", **message})
        assert status == 200

    async def open(self) -> None:
        await self._turn(opened=True)

    async def say(self, text: str) -> None:
        await self._turn(text=text)

    async def click(self, label: str, *, earlier: bool = False) -> None:
        for reply in self.earlier if earlier else self.shown:
            for choice in reply["choices"]:
                if choice["label"] == label:
                    return await self._turn(action=choice["value"])
        raise AssertionError(f"no button {label!r}")

    def transcript(self) -> str:
        return "\n\n".join(reply["text"] for reply in self.shown)

    def buttons(self) -> list[str]:
        return [choice["label"] for reply in self.shown for choice in reply["choices"]]

    def _arrived(self) -> str:
        box = self.sender.mailbox["anna"]
        new, self.read = box[self.read :], len(box)
        return "\n\n".join(reply["text"] for reply in new)

    async def proactive(self, replies: list[Reply]) -> str:
        self._arrived()
        await self.sender.send({"user": "anna"}, replies)
        return self._arrived()

    async def _maria_turn(self, **message: Any) -> None:
        status, shown = await self.post({"user": "maria", "name": "Maria Lind", **message})
        assert status == 200
        self.maria_read = len(self.sender.mailbox.get("maria", []))
        self.maria_shown = list(shown)

    async def coordinator_says(self, text: str) -> None:
        await self._maria_turn(text=text)

    def _to_maria(self) -> list[dict[str, Any]]:
        return self.maria_shown + list(self.sender.mailbox.get("maria", [])[self.maria_read :])

    async def coordinator_clicks(self, label: str) -> None:
        for reply in reversed(self._to_maria()):
            for choice in reply["choices"]:
                if choice["label"] == label:
                    return await self._maria_turn(action=choice["value"])
        raise AssertionError(f"no button {label!r} for Maria")

    def coordinator_transcript(self) -> str:
        return "\n\n".join(reply["text"] for reply in self._to_maria())

    def coordinator_buttons(self) -> list[str]:
        return [choice["label"] for reply in self._to_maria() for choice in reply["choices"]]

    async def stage_of(self, number: int) -> str:
        async with self.bot.db.transaction() as session:
            return (await session.execute(select(Idea.stage).where(Idea.id == number))).scalar_one()

    async def deliver_outbox(self) -> str:
        self._arrived()
        await self.dispatcher.run_until_idle()
        return self._arrived()

    async def garbage(self) -> None:
        status, _ = await self.post(None, raw=b'{"user": ')
        assert status == 400


@pytest.fixture
async def toy_driver(toy_installed: None, db, clock, settings) -> AsyncIterator[ToyDriver]:
    # Maria coordinates, as IDESLUSS_COORDINATORS=toy:maria would say.
    settings = dataclasses.replace(settings, coordinators=frozenset({"toy:maria"}))
    bot = RecordingBot(IdeaBot(db, settings=settings, clock=clock))
    [platform] = configured_platforms({"TOY_CHAT": "1"})
    app = web.Application()
    sender = await platform.mount(host_for(app, bot))  # type: ignore[arg-type]
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    driver = ToyDriver(server, bot, sender)
    yield driver
    await driver.http.close()
    await server.close()


class TestToyPlatform(AdapterContract):
    @pytest.fixture
    def driver(self, toy_driver: ToyDriver) -> ToyDriver:
        return toy_driver
